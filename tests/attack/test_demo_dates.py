"""Issue 13 item 16: the demo city is built as of today: no report is submitted in the future (so "late" and
"missing" are true before the deadline) and no RAT or ODS date lies ahead."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.domain.periods import Period
from bot.services.cycle import CyclePlan, recap
from bot.services.demo import load_demo
from storage.db import Database
from storage.models import Cooperative, ReportRevision

WIB = ZoneInfo("Asia/Jakarta")


async def test_the_demo_stores_nothing_from_the_future(db: Database) -> None:
    now = datetime(2026, 11, 5, 9, 0, tzinfo=WIB)  # before the 10th: October's reports are still arriving
    async with db.transaction() as repos:
        counts = await load_demo(repos, now)
    async with db.transaction() as repos:
        latest = await repos.session.scalar(select(func.max(ReportRevision.created_at)))
        assert latest is not None and latest.replace(tzinfo=latest.tzinfo or ZoneInfo("UTC")) <= now
        october = await recap(repos, Period(2026, 10), CyclePlan())
        september = await recap(repos, Period(2026, 9), CyclePlan())
        coops = (await repos.session.scalars(select(Cooperative))).all()
    assert 0 < october.reported < september.reported == 164  # some of October's have not arrived yet
    assert october.on_time == october.reported  # none of them can be late before the deadline
    assert 0 < september.on_time < september.reported
    assert all(c.rat_date is None or c.rat_date <= now.date() for c in coops)
    assert all(c.ods_updated_on is None or c.ods_updated_on <= now.date() for c in coops)
    assert counts.reports == 41 * 11 + 123 * 2 + october.reported  # a year for 41, three months for 123
    # (DEMO-0040's October, the README's `lapor`, never arrives)

    later = datetime(2026, 11, 13, 9, 0, tzinfo=WIB)
    async with db.transaction() as repos:
        again = await load_demo(repos, later)
        assert (await recap(repos, Period(2026, 10), CyclePlan())).reported == 163  # all but DEMO-0040's
    assert again.reports == 163 - october.reported and again.officers == 0
