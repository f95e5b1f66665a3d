"""Fan-out at province scale: an announcement's or a training's outbox rows made in the database, a chunk of officers
at a time.

The rows are those `enqueue_notice` would write for each recipient (the chat used last, held through quiet hours in
the cooperative's zone, unreachable with the reason), with the same dedupe keys; the event loop gets its turn
between chunks, and no recipient is held in memory.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.notices import QuietHours
from bot.services.segments import REASONS, Reach, Segment, sql_criteria
from storage import audience_counts, fanout, office_views
from storage.repositories import Repositories

OFFICERS_PER_CHUNK = 40_000  # recipients (by officer id) whose rows one INSERT ... SELECT makes


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
    key = (f"announcement:{announcement_id}:officer-", "")
    return await officer_rows(
        repos,
        segment,
        key,
        "announcement",
        payloads,
        when=when,
        now=now,
        quiet=quiet,
        priority=priority,
        announcement_id=announcement_id,
    )


async def officer_rows(
    repos: Repositories,
    segment: Segment,
    key: tuple[str, str],
    kind: str,
    payloads: dict[str, dict[str, Any]] | fanout.Greeting,
    *,
    when: datetime,
    now: datetime,
    quiet: QuietHours | None,
    priority: int,
    announcement_id: int | None = None,
) -> int:
    """Write an outbox row (dedupe key `key[0]` + officer id + `key[1]`) for every active officer of the segment who
    did not say BERHENTI, made by the database in chunks of officers (id order), the rows `enqueue_notice` would
    write for each; how many rows are new. `payloads`: by language, "id" and "en", or one greeting each by name."""
    criteria = await sql_criteria(repos, segment)
    zones = await office_views.timezones(repos) if quiet is not None else []
    rows = fanout.FanoutRows(
        key=key,
        kind=kind,
        payloads=payloads,
        release_by_zone={zone: quiet.release_time(when, ZoneInfo(zone)) for zone in zones if quiet is not None},
        when=when,
        now=now,
        priority=priority,
        announcement_id=announcement_id,
    )
    made, after = 0, 0
    scope = segment.scope_kecamatan_id
    while (upto := await fanout.recipients_after(repos, criteria, scope, after, OFFICERS_PER_CHUNK)) is not None:
        made += await fanout.insert_rows(repos, rows, criteria, scope, after, upto)
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
