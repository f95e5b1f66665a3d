"""Who reported a period, counted in the database, and who did not, streamed by name (`kopsehat report-status`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.domain.periods import Period
from bot.services.cycle import CyclePlan, RecapCounts, recap_counts
from storage import fanout
from storage.repositories import Repositories


async def counts(repos: Repositories, period: Period, plan: CyclePlan, scope: int | None) -> RecapCounts:
    """Completeness and timeliness per kecamatan and in all (one GROUP BY)."""
    return await recap_counts(repos, period, plan, scope)


async def not_reported(repos: Repositories, period: Period, scope: int | None) -> AsyncIterator[list[tuple[str, str]]]:
    """(name, kecamatan) of each cooperative that did not report `period`, by name, a part at a time."""
    async for part in fanout.not_reported(repos, str(period), scope):
        yield part
