"""The office's recap of a report period, beyond its counts (bot.services.cycle): what waits in the outbox, and the
report reminder a pembina or admin sends by hand to the cooperatives that have not reported."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.periods import Period, deadline, local_date
from bot.services.cycle import PRIORITY_DEADLINE, CyclePlan, cooperatives, report_notice
from bot.services.notices import enqueue_notice
from bot.services.segments import Recipient
from bot.words.messages import NoticeKind
from storage.repositories import Repositories


@dataclass(frozen=True)
class Waiting:
    """Notices held back (for WhatsApp's daily limit, or anything else waiting), and the latest reason."""

    count: int
    reason: str | None


@dataclass(frozen=True)
class RemindersQueued:
    """What a reminder sent by hand did: new rows a channel reaches, new rows none does, and repeats of today's."""

    queued: int
    unreachable: int
    repeated: int


async def waiting(repos: Repositories) -> Waiting:
    """What waits in the outbox now."""
    count, reason = await repos.outbox.waiting()
    return Waiting(count, reason)


def _reminder_key(period: Period, today: date, cooperative_id: int, officer_id: int) -> str:
    """A reminder sent by hand goes to an officer at most once a day: its dedupe key."""
    return f"reminder:report-manual:{period}:{today}:coop-{cooperative_id}:officer-{officer_id}"


async def reminded_today(
    repos: Repositories, period: Period, plan: CyclePlan, recipients: Iterable[Recipient], *, now: datetime
) -> int:
    """How many of these recipients a chat reaches already got today's reminder sent by hand (it is not repeated)."""
    today = local_date(now, plan.office_zone)
    keys = [
        _reminder_key(period, today, r.cooperative_id, r.officer_id) for r in recipients if r.obstacle(False) is None
    ]
    earlier = await repos.outbox.statuses_of_keys(keys) if keys else {}
    return sum(status != "unreachable" for status in earlier.values())


async def remind_not_reported(
    repos: Repositories,
    period: Period,
    plan: CyclePlan,
    cooperative_ids: Collection[int],
    *,
    kecamatan_id: int | None,
    now: datetime,
    actor: str,
) -> RemindersQueued:
    """The report reminder (or, past the deadline, the late notice) to every officer of these cooperatives (of one
    kecamatan, when given), at most once a day each; audited."""
    officers = [
        (coop, officer)
        for coop in await cooperatives(repos, kecamatan_id)
        if coop.id in cooperative_ids
        for officer in await repos.officers.of_cooperative(coop.id)
    ]
    new: list[int] = []
    again: list[str] = []  # the dedupe keys of today's earlier rows
    today = local_date(now, plan.office_zone)
    for coop, officer in officers:
        late = now > deadline(period, coop.timezone, plan.deadline_day)
        kind: NoticeKind = "report_late" if late else "report_reminder"
        key = _reminder_key(period, today, coop.id, officer.id)
        due = report_notice(kind, key, coop, officer, period, plan, PRIORITY_DEADLINE)
        row_id = await enqueue_notice(repos, due.notice, now, officer_id=officer.id, zone=due.zone)
        new.extend([row_id] if row_id is not None else [])
        again.extend([key] if row_id is None else [])
    unreachable = await repos.outbox.count_with_status("unreachable", ids=new) if new else 0
    # those no chat reached earlier today are still unreachable, not reminders "already queued"
    earlier = await repos.outbox.statuses_of_keys(again) if again else {}
    before = sum(status == "unreachable" for status in earlier.values())
    await repos.audit.add(actor, "report.reminders_sent", f"period:{period}", count=len(new))
    return RemindersQueued(len(new) - unreachable, unreachable + before, len(again) - before)
