"""Send pacing for one WhatsApp number: a throughput token bucket and a per-recipient minimum gap."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """At most `rate` sends per second on average, bursts up to `burst`; `slow_down` after a 130429.

    A slowed bucket returns to its full rate after `recover_after` seconds without another slow-down.
    """

    def __init__(
        self,
        rate: float = 80.0,
        burst: float | None = None,
        *,
        recover_after: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.nominal_rate = float(rate)
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self.recover_after = recover_after
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = clock()
        self._slowed_at: float | None = None
        self._lock = asyncio.Lock()

    def try_acquire(self) -> float:
        """Take a token and return 0, or return the seconds to wait before one is available."""
        now = self._clock()
        if self._slowed_at is not None and now - self._slowed_at >= self.recover_after:
            self.rate, self._slowed_at = self.nominal_rate, None
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    async def acquire(self) -> None:
        """Wait until a send is allowed (callers queue in order)."""
        async with self._lock:
            while (wait := self.try_acquire()) > 0:
                await self._sleep(wait)

    def slow_down(self, factor: float = 0.8, floor: float = 1.0) -> None:
        """Lower the rate (Meta said 130429: too many messages per second for this number)."""
        self.rate = max(floor, self.rate * factor)
        self._slowed_at = self._clock()


class RecipientPacer:
    """Keeps consecutive bulk notices to one recipient at least `min_interval` seconds apart.

    Meta tolerates about one message per 6 s per user (pair rate, 131056). The delivery worker asks
    `delay_for(key)` before sending a notice and reschedules the row instead of sleeping when it is > 0.
    """

    def __init__(self, min_interval: float = 6.0, *, clock: Clock = time.monotonic) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._next_allowed: dict[str, float] = {}

    def delay_for(self, key: str) -> float:
        """Seconds until `key` may get the next notice (0 when it may now)."""
        return max(0.0, self._next_allowed.get(key, 0.0) - self._clock())

    def mark_sent(self, key: str) -> None:
        now = self._clock()
        self._next_allowed[key] = max(self._next_allowed.get(key, 0.0), now + self.min_interval)
        if len(self._next_allowed) > 10_000:
            self._forget_past(now)

    def back_off(self, key: str, seconds: float) -> None:
        """Hold `key` for `seconds` (after a 131056 for this recipient)."""
        self._next_allowed[key] = max(self._next_allowed.get(key, 0.0), self._clock() + seconds)

    def _forget_past(self, now: float) -> None:
        self._next_allowed = {k: t for k, t in self._next_allowed.items() if t > now}
