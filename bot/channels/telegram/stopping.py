"""Waiting that ends when the channel stops: a call, a pause between retries (with its backoff)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")
BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


def backoff(failures: int) -> float:
    """Seconds to wait after `failures` failures in a row (up to half a minute)."""
    return BACKOFF[min(failures, len(BACKOFF)) - 1] if failures else 0.0


class Stopped(Exception):
    """The channel is stopping."""


class Stopping:
    """The channel's stop signal, and waits that give way to it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def until(self, call: Awaitable[T]) -> T:
        """Await `call`, or raise Stopped as soon as the channel stops (the call is cancelled)."""
        task = asyncio.ensure_future(call)
        stop = asyncio.ensure_future(self._event.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise Stopped
        return task.result()

    async def sleep(self, seconds: float) -> None:
        """Sleep, or less when the channel stops meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
