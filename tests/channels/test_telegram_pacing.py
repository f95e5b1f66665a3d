"""Telegram's pacing (`SendLimiter`): an overall rate, a rate per chat, and the pause after flood control (429)."""

from __future__ import annotations

import asyncio
import heapq

import pytest

from bot.channels.telegram.rate import SendLimiter

SITI = 5123456789


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_lets_replies_burst_then_spaces_a_chat_to_one_per_second() -> None:
    clock = FakeClock()
    limiter = SendLimiter(per_second=25, chat_interval=1.0, reply_burst=3, clock=clock)
    assert [limiter.reserve(SITI) for _ in range(5)] == pytest.approx([0, 0, 0, 1.0, 2.0])
    assert limiter.reserve(SITI, bulk=True) == pytest.approx(5.0)  # bulk waits until the burst is paid back


def test_limiter_spreads_bulk_sends_to_25_per_second_overall() -> None:
    clock = FakeClock()
    limiter = SendLimiter(per_second=25, overall_burst=1, clock=clock)
    waits = [limiter.reserve(chat, bulk=True) for chat in range(50)]
    assert waits[-1] == pytest.approx(49 / 25)
    assert limiter.reserve(0, bulk=True) == pytest.approx(2.0)  # chat 0 again: overall slot, 1 s after its last


def test_limiter_pause_holds_every_chat() -> None:
    clock = FakeClock()
    limiter = SendLimiter(clock=clock)
    limiter.pause(7)
    assert limiter.paused_for == pytest.approx(7)
    assert limiter.reserve(1) == pytest.approx(7)
    assert limiter.reserve(2, bulk=True) == pytest.approx(7.0)


class VirtualTime:
    """A clock and a sleep for the limiter: sleepers wake in time order, the clock jumping to each one's time."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, id(woken), woken))
        await woken

    async def run(self) -> None:
        """Until nobody sleeps: let every task run, then wake the next sleeper."""
        while True:
            for _ in range(20):
                await asyncio.sleep(0)
            if not self._sleepers:
                return
            at, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            woken.set_result(None)


async def test_sends_held_by_a_flood_pause_resume_at_the_pace_not_all_at_its_end() -> None:
    """Eight bulk sends at 25 a second; a 429 pauses everything for a second right after the first. The seven held
    go one every 40 ms after the pause: all at its end, a second later the platform's window would hold the burst
    on top of the pace and refuse again (bench/broadcast_bench.py saw that second 429 exactly 2 s after the first)."""
    time = VirtualTime()
    limiter = SendLimiter(per_second=25, overall_burst=1, clock=time, sleep=time.sleep)
    sent: list[float] = []

    async def send(chat: int) -> None:
        await limiter.acquire(chat, bulk=True)
        sent.append(time.now)

    tasks = [asyncio.create_task(send(chat)) for chat in range(8)]
    for _ in range(5):
        await asyncio.sleep(0)  # every send has its slot: 0, 0.04, ..., 0.28; the first has gone
    assert sent == [0.0]
    limiter.pause(1.0)
    await time.run()
    await asyncio.gather(*tasks)
    assert sent == pytest.approx([0.0, 1.0, 1.04, 1.08, 1.12, 1.16, 1.2, 1.24])
    assert time.now + limiter.reserve(8, bulk=True) == pytest.approx(1.28)  # and the pace goes on from there
