"""The event loop's turn during a long piece of work (a province's fan-out): given back whenever the work has held
the loop for a few milliseconds, however long each item takes (a count of items between turns was 10 ms on a quiet
machine and several times that on a loaded one)."""

from __future__ import annotations

import asyncio
import time

BUDGET = 0.005  # seconds of work between two turns of the event loop


class Turns:
    """Call `take()` after each item: it lets other work run when `budget` seconds went by since the last turn."""

    def __init__(self, budget: float = BUDGET) -> None:
        self._budget = budget
        self._since = time.perf_counter()

    async def take(self) -> None:
        if time.perf_counter() - self._since >= self._budget:
            await asyncio.sleep(0)
            self._since = time.perf_counter()
