"""Fan-out at province scale: an announcement's outbox rows made in the database, a chunk of officers at a time.

The rows are those `enqueue_notice` would write for each recipient (the chat used last, held through quiet hours in
the cooperative's zone, unreachable with the reason), with the same dedupe keys; the event loop gets its turn
between chunks, and no recipient is held in memory.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.notices import QuietHours, unreachable_reason
from bot.services.segments import REASONS, Audience, Reach, Recipient, Segment, sql_criteria
from storage import audience_counts, fanout, office_views
from storage.repositories import Repositories

OFFICERS_PER_CHUNK = 40_000  # recipients (by officer id) whose rows one INSERT ... SELECT makes
OFFICERS_PER_PART = 1000  # recipients of a fan-out made in Python (training invitations) read and stored together


async def announcement_rows(
    repos: Repositories,
    segment: Segment,
    *,
    announcement_id: int,
    payloads: dict[str, dict[str, Any]],
    when: datetime,
    now: datetime,
    quiet: QuietHours | None,
    priority: int = 7,
) -> int:
    """Write the announcement's outbox row for every active officer of the segment who did not say BERHENTI, in
    chunks of officers (id order); how many rows are new. `payloads`: by language, "id" and "en"."""
    criteria = await sql_criteria(repos, segment)
    zones = await office_views.timezones(repos) if quiet is not None else []
    rows = fanout.AnnouncementRows(
        announcement_id=announcement_id,
        payloads=payloads,
        release_by_zone={zone: quiet.release_time(when, ZoneInfo(zone)) for zone in zones if quiet is not None},
        when=when,
        now=now,
        priority=priority,
    )
    made, after = 0, 0
    scope = segment.scope_kecamatan_id
    while (upto := await fanout.recipients_after(repos, criteria, scope, after, OFFICERS_PER_CHUNK)) is not None:
        made += await fanout.insert_announcement_rows(repos, rows, criteria, scope, after, upto)
        after = upto
        await asyncio.sleep(0)
    return made


async def written_reach(repos: Repositories, segment: Segment, announcement_id: int) -> Reach:
    """Whom an announcement's fan-out reached, as its preview counts it (`Audience.reach`): its rows by why they
    cannot be sent, and the segment's officers who said BERHENTI (who have no row); read from what was written,
    the segment's recipients are not resolved again."""
    written = await fanout.rows_by_reason(repos, announcement_id)
    paused = await audience_counts.paused_obstacles(
        repos, await sql_criteria(repos, segment), segment.scope_kecamatan_id
    )
    counts = Counter({REASONS.get(why or "", why): n for why, n in written.items()})
    counts.update(paused)
    return Reach.of(counts)


async def audience_parts(
    repos: Repositories, segment: Segment, size: int = OFFICERS_PER_PART
) -> AsyncIterator[Audience]:
    """Who the segment reaches, `size` officers at a time (id order): what `segments.resolve` gives, in parts, for a
    fan-out that makes each part's notices and stores them before reading the next (memory stays small)."""
    criteria = await sql_criteria(repos, segment)
    after = 0
    while people := await audience_counts.recipients(repos, criteria, segment.scope_kecamatan_id, after, size):
        accounts = await repos.identities.of_officers([p[0] for p in people])
        recipients = tuple(
            Recipient(officer_id, coop_id, name, language, zone, paused, REASONS.get(unreachable_reason(mine) or ""))
            for officer_id, coop_id, name, language, zone, paused in people
            for mine in (accounts[officer_id],)
        )
        yield Audience(segment, 0, recipients)  # cooperatives: not counted per part
        after = people[-1][0]
        await asyncio.sleep(0)
