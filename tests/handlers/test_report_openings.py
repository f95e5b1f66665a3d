"""A batch's report openings (`/lapor`): the reports, last period's figures and the yearly answers read for all of
the batch's officers at once (the round's first batch: every officer opening the report together)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.domain.periods import reporting_period_for
from storage.db import Database
from storage.models import Report
from tests.handlers.chat import NOW, Clock, dispatcher, two_processes
from tests.handlers.test_first_contacts import Statements, said, texts


async def _officers(db: Database, people: list[str], nik: int, *, per_cooperative: int = 1) -> list[int]:
    """Officers linked to chat accounts by the office, `per_cooperative` of them a cooperative; each cooperative
    with last period's report submitted (cash 41 jt) and a yearly answer stored. The cooperatives' ids."""
    ids: list[int] = []
    async with db.transaction() as repos:
        for n, person in enumerate(people):
            if n % per_cooperative == 0:
                values = {"name": f"KSP {person}", "nik": f"{nik + n:010d}", "type": "ksp"}
                coop, _ = await repos.cooperatives.upsert(values)
                ids.append(coop.id)
                period = reporting_period_for(NOW, ZoneInfo(coop.timezone))
                earlier = await repos.reports.get_or_create(coop.id, str(period.previous()))
                await repos.reports.add_revision(earlier, {"cash": "41000000"}, at=NOW)
                await repos.management.save(coop.id, {"management.meeting_held": True}, NOW, None)
            officer = await repos.officers.add(ids[-1], f"Petugas {person}", "bendahara")
            identity = await repos.identities.get_or_create("console", person)
            identity.officer_id = officer.id
    return ids


async def test_officers_opening_their_reports_at_once_cost_statements_not_growing_with_them(db: Database) -> None:
    """Officers opening their report in one batch (their chats known): each is asked the first question with last
    period's figure, and the batch costs as many statements for 8 officers as for 2 (main: 4 more a report)."""
    d = dispatcher(db)
    counts = []
    for size, nik in ((2, 3576020000), (8, 3576030000)):
        people = [f"buka{nik}-{n}" for n in range(size)]
        await _officers(db, people, nik)
        await d.handle_many([said(p, "menu") for p in people])  # their chats known, as in a round's later batches
        with Statements(db) as counted:
            results = await d.handle_many([said(p, "lapor") for p in people])
        for result in results:
            assert "Kas" in texts(result.replies) and "Bulan lalu: Rp41.000.000" in texts(result.replies), texts(
                result.replies
            )
        counts.append(len(counted.seen))
    assert counts[1] <= counts[0], counts


async def test_two_officers_of_one_cooperative_opening_in_one_batch_share_one_report(db: Database) -> None:
    """Two officers of one cooperative (and one of another) typing `/lapor` in the same batch: each is asked, and
    each cooperative has one report of the period."""
    people = ["berdua-a", "berdua-b", "sendiri"]
    await _officers(db, people, 3576040000, per_cooperative=2)
    results = await dispatcher(db).handle_many([said(p, "lapor") for p in people])
    assert all("Kas" in texts(r.replies) for r in results), [texts(r.replies) for r in results]
    async with db.transaction() as repos:
        periods = (
            await repos.session.execute(select(Report.cooperative_id, func.count()).group_by(Report.cooperative_id))
        ).all()
    assert all(count == 2 for _, count in periods), periods  # last period's and this one's


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_processes_opening_the_same_reports_at_once_make_one_each(backend: str, tmp_path: Path) -> None:
    """Two `kopsehat run` processes each given `/lapor` of a different officer of the same 12 cooperatives at the
    same moment (one of them also a duplicate of the other's first message): every officer is asked, and each
    cooperative has one report of the period (the slower process's insert skipped the rows the other made, and it
    read and locked them in id order, waiting instead of deadlocking)."""
    async with two_processes(backend, tmp_path) as (first, one, other):
        people = [f"dua{n}" for n in range(24)]
        await _officers(first, people, 3576050000, per_cooperative=2)
        ones, others = [said(p, "lapor") for p in people[0::2]], [said(p, "lapor") for p in people[1::2]]
        got = await asyncio.gather(one.handle_many(ones), other.handle_many([*others[::-1], ones[0]]))
        assert all("Kas" in texts(r.replies) for r in [*got[0], *got[1][:-1]])
        assert got[1][-1].duplicate or got[0][0].duplicate
        async with first.transaction() as repos:
            counts = (
                await repos.session.execute(select(Report.cooperative_id, func.count()).group_by(Report.cooperative_id))
            ).all()
        assert len(counts) == 12 and all(count == 2 for _, count in counts), counts


class Ticking(Clock):
    """A clock a millisecond later at each reading (each kept): a batch's readings fall apart."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.readings: list[datetime] = []

    def __call__(self) -> datetime:
        self.readings.append(self.now)
        self.advance(milliseconds=1)
        return self.readings[-1]


async def test_a_lapor_at_the_period_boundary_opens_one_report_of_one_period(db: Database) -> None:
    """`/lapor` in a batch whose readings of the clock straddle 1 December 00:00 WIB (October is the period reported
    until then, November from then on): the report the batch opened ahead is the one each answer opens, no other (no
    empty October draft beside November's)."""
    people = ["batas-a", "batas-b"]
    ids = await _officers(db, people, 3576060000)  # September submitted (as of NOW), nothing of October yet
    await dispatcher(db).handle_many([said(p, "menu") for p in people])  # their chats known
    boundary = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    clock = Ticking(boundary - timedelta(milliseconds=2))  # the staff lane's reading, the batch's: October still
    results = await dispatcher(db, clock).handle_many([said(p, "lapor") for p in people])
    assert clock.readings[0] < boundary <= clock.now, clock.readings
    assert all("Kas" in texts(r.replies) for r in results), [texts(r.replies) for r in results]
    async with db.transaction() as repos:
        made = (await repos.session.execute(select(Report.cooperative_id, Report.period, Report.status))).all()
    drafts = sorted((coop, period) for coop, period, status in made if status == "draft")
    assert [coop for coop, _ in drafts] == sorted(ids), made  # one report opened a cooperative
