"""Pacing for Telegram sends: an overall rate, a rate per chat, and a pause after flood control (429).

Both rates are GCRA (a "virtual scheduling" token bucket): each send reserves the next free slot at once, so
concurrent senders are served in arrival order without a lock, and waiting costs one sleep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Pace:
    """One rate: at most one event per `interval` seconds, with up to `burst` events at once."""

    interval: float
    burst: int = 1

    @property
    def tolerance(self) -> float:
        return self.interval * max(self.burst - 1, 0)


class SendLimiter:
    """Spreads sends under Telegram's limits (platforms.md §1.5): ~25/s overall, 1/s per chat.

    Replies to a user may burst a little (`reply_burst`); bulk messages (reminders, broadcasts) keep to
    one per `chat_interval` in each chat. `pause(n)` holds every send for n seconds after a 429.
    """

    def __init__(
        self,
        per_second: float = 25.0,
        *,
        overall_burst: int = 25,
        chat_interval: float = 1.0,
        reply_burst: int = 3,
        max_chats: int = 50_000,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.overall = Pace(1.0 / per_second, overall_burst)
        self.reply = Pace(chat_interval, reply_burst)
        self.bulk = Pace(chat_interval, 1)
        self._clock = clock
        self._sleep = sleep
        self._overall_at = 0.0  # theoretical arrival time of the next send, overall
        self._chat_at: dict[Hashable, float] = {}
        self._max_chats = max_chats
        self._paused_until = 0.0

    @property
    def paused_for(self) -> float:
        """Seconds left of the current flood-control pause (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (Telegram's retry_after)."""
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))

    def reserve(self, chat: Hashable, *, bulk: bool = False) -> float:
        """Reserve the next slot for a send to `chat`; the seconds to wait before sending."""
        now = self._clock()
        pace = self.bulk if bulk else self.reply
        chat_at = self._chat_at.get(chat, now)
        start = self._overall_slot(max(now, chat_at - pace.tolerance))
        self._chat_at[chat] = max(chat_at, start) + pace.interval
        if len(self._chat_at) > self._max_chats:
            self._forget_idle(now)
        return start - now

    def _overall_slot(self, earliest: float) -> float:
        """Take the next overall slot at or after `earliest` and after any pause; its time."""
        start = max(earliest, self._paused_until, self._overall_at - self.overall.tolerance)
        self._overall_at = max(self._overall_at, start) + self.overall.interval
        return start

    async def acquire(self, chat: Hashable, *, bulk: bool = False) -> None:
        """Wait for this send's slot. A slot that a pause begun meanwhile covers is given up for the next free one
        after the pause: the sends it held resume at the pace, not all at its end (a burst the platform's window
        would hold a second later, on top of the pace)."""
        wait = self.reserve(chat, bulk=bulk)
        while wait > 0:
            await self._sleep(wait)
            now = self._clock()
            wait = self._overall_slot(now) - now if self._paused_until > now else 0.0

    def _forget_idle(self, now: float) -> None:
        for chat in [c for c, at in self._chat_at.items() if at <= now]:
            del self._chat_at[chat]
