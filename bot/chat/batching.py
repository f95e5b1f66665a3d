"""Group commit: work submitted from many tasks is done in batches by one worker, in the order it was submitted."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from storage.db import is_transient

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)


@dataclass
class _Job(Generic[T, R]):
    item: T
    future: asyncio.Future[R]


class Batcher(Generic[T, R]):
    """Items wait in one queue; a worker takes up to `max_batch` of them at a time and hands them to `run`.

    `run` returns one result or exception per item, in order. While a batch is running, new items queue, so under load
    the batches grow by themselves (one transaction for many messages) and when quiet each item runs at once, alone.
    The worker is a task of its own: a caller that goes away does not stop the batch it is part of.

    `linger` (seconds): when fewer items wait than the batch before took, the worker waits that long at most for the
    rest to arrive (it goes on as soon as as many wait). Under a steady load the people of one batch answer again at
    about the same moment, and without it the first of them would go alone, each such batch paying a transaction's
    fixed cost for one message; when quiet the batch before was one item, so nothing ever waits.
    """

    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[Sequence[R | Exception]]],
        max_batch: int,
        name: str,
        *,
        linger: float = 0.0,
    ) -> None:
        self._run = run
        self.max_batch = max(1, max_batch)
        self.name = name
        self.linger = linger
        self._queue: deque[_Job[T, R]] = deque()
        self._worker: asyncio.Task[None] | None = None
        self._last = 0  # how many items the batch before took
        self._enough: asyncio.Future[None] | None = None  # while lingering: done once `_last` items wait

    async def submit(self, items: Sequence[T]) -> list[R]:
        """Queue `items` together and wait for their results; the first exception among them is raised."""
        loop = asyncio.get_running_loop()
        jobs = [_Job[T, R](item, loop.create_future()) for item in items]
        self._queue.extend(jobs)
        if self._enough is not None and not self._enough.done() and len(self._queue) >= self._last:
            self._enough.set_result(None)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name=self.name)
        return [await job.future for job in jobs]

    async def _work(self) -> None:
        while self._queue:
            batch: list[_Job[T, R]] = []
            try:
                if self.linger and len(self._queue) < self._last:  # (the batch before took max_batch at most)
                    await self._gather()
                batch = [self._queue.popleft() for _ in range(min(len(self._queue), self.max_batch))]
                self._last = len(batch)
                results: Sequence[R | Exception] = await self._run([job.item for job in batch])
            except asyncio.CancelledError:  # shut down: nobody may wait forever
                for job in [*batch, *self._queue]:
                    if not job.future.done():
                        job.future.set_exception(RuntimeError(f"{self.name} stopped"))
                self._queue.clear()
                raise
            except Exception as exc:  # `run` should answer per item; if it cannot, the whole batch gets its failure
                results = [exc] * len(batch)
            for job, result in zip(batch, results, strict=True):
                if job.future.done():  # its caller went away; the work is done all the same
                    continue
                if isinstance(result, Exception):
                    job.future.set_exception(result)
                else:
                    job.future.set_result(result)

    async def _gather(self) -> None:
        """Wait `linger` at most for as many items as the batch before took."""
        self._enough = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(self._enough, self.linger)
        except TimeoutError:
            pass
        finally:
            self._enough = None

    async def idle(self) -> None:
        """Wait until everything queued so far is done."""
        while self._worker is not None and not self._worker.done():
            await asyncio.wait([self._worker])


async def together_else_each(
    items: list[T],
    together: Callable[[list[T]], Awaitable[Sequence[R]]],
    each: Callable[[T], Awaitable[R]],
    what: str,
) -> list[R | Exception]:
    """A batch in one go (one transaction); if that fails, each item on its own, so that one bad item cannot fail
    the others. A single item goes straight to `each`; an item that fails on its own gets its exception.

    When the database is away (a transient error) the items are not split: they all get that error, and so do the
    items after one that met it on its own (they are done again in order, see `retrying`)."""
    if len(items) > 1:
        try:
            return list(await together(items))
        except Exception as exc:
            if is_transient(exc):
                return [exc] * len(items)
            log.warning("a batch of %d %s failed; handling them one by one", len(items), what, exc_info=True)
    results: list[R | Exception] = []
    for item in items:
        if results and isinstance(results[-1], Exception) and is_transient(results[-1]):
            results.append(results[-1])
            continue
        try:
            results.append(await each(item))
        except Exception as exc:
            results.append(exc)
    return results


async def retrying(
    items: list[T],
    run: Callable[[list[T]], Awaitable[Sequence[R | Exception]]],
    waits: Sequence[float],
    what: str,
) -> list[R | Exception]:
    """`run` the items, then again, after each wait in turn, those that met a transient database error (a lost
    connection: the pool gives a fresh one); what still fails after the last wait keeps its error."""
    results = list(await run(items))
    for wait in waits:
        failed = [i for i, result in enumerate(results) if isinstance(result, Exception) and is_transient(result)]
        if not failed:
            break
        error = type(results[failed[0]]).__name__
        log.warning("database away (%s) for %d %s; trying again in %.2f s", error, len(failed), what, wait)
        await asyncio.sleep(wait)
        for i, result in zip(failed, await run([items[i] for i in failed]), strict=True):
            results[i] = result
    return results
