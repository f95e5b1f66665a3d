"""Group commit's linger: after a batch of several, the next waits a moment for as many; a lone item never waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest

from bot.chat.batching import Batcher


class Recorder:
    """A `run` that keeps the batches it was given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def run(self, items: list[str]) -> Sequence[str | Exception]:
        self.batches.append(list(items))
        await asyncio.sleep(0)
        return [item.upper() for item in items]


async def test_after_a_batch_of_three_the_next_waits_for_three_and_goes_once_they_are_there() -> None:
    runs = Recorder()
    batcher = Batcher[str, str](runs.run, 32, "test", linger=5.0)
    assert await batcher.submit(["a", "b", "c"]) == ["A", "B", "C"]
    started = time.monotonic()

    async def later(item: str, after: float) -> list[str]:
        await asyncio.sleep(after)
        return await batcher.submit([item])

    answers = await asyncio.gather(later("d", 0), later("e", 0.02), later("f", 0.04))
    assert list(answers) == [["D"], ["E"], ["F"]]
    assert runs.batches == [["a", "b", "c"], ["d", "e", "f"]]  # without the linger: ["d"], then ["e"], then ["f"]
    assert time.monotonic() - started < 2.5  # it went once the third arrived, not after the whole linger


async def test_a_lone_message_after_a_lone_message_never_waits() -> None:
    runs = Recorder()
    batcher = Batcher[str, str](runs.run, 32, "test", linger=5.0)
    started = time.monotonic()
    for item in "xyz":
        assert await batcher.submit([item]) == [item.upper()]
    assert runs.batches == [["x"], ["y"], ["z"]]
    assert time.monotonic() - started < 2.5


async def test_when_the_rest_do_not_come_the_wait_ends_after_the_linger_and_the_next_does_not_wait() -> None:
    runs = Recorder()
    batcher = Batcher[str, str](runs.run, 32, "test", linger=0.05)
    await batcher.submit(["a", "b"])
    started = time.monotonic()
    assert await batcher.submit(["c"]) == ["C"]
    waited = time.monotonic() - started
    assert waited >= 0.04  # it waited for a second item, the linger long
    started = time.monotonic()
    assert await batcher.submit(["d"]) == ["D"]  # the batch before was one: no wait
    assert time.monotonic() - started < 0.04
    assert runs.batches == [["a", "b"], ["c"], ["d"]]


async def test_shut_down_while_waiting_for_the_rest_fails_the_waiting_caller() -> None:
    runs = Recorder()
    batcher = Batcher[str, str](runs.run, 32, "lingering", linger=5.0)
    await batcher.submit(["a", "b"])
    waiting = asyncio.ensure_future(batcher.submit(["c"]))
    await asyncio.sleep(0.01)
    (worker,) = [t for t in asyncio.all_tasks() if t.get_name() == "lingering"]
    worker.cancel()
    with pytest.raises(RuntimeError, match="lingering stopped"):
        await waiting
    await batcher.idle()
    assert runs.batches == [["a", "b"]]
