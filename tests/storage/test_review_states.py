"""The review list's states kept on the report (`review_state`: "waiting" when the latest revision has no decision,
else its last decision) at province scale: a verified or sent-back report stops waiting, a correction after a
send-back waits again, and finding the waiting (or the sent-back) reports of every period reads those reports, not
every report ever decided. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.domain.health import keys
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import QueueFilter
from tests.databases import empty_database, statements_run

AT = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
WAITING = QueueFilter(None, states=("waiting",))
PERIODS = ("2026-08", "2026-09", "2026-10")


async def reported(db: Database, decided: int, waiting: int) -> tuple[list[int], list[int]]:
    """Cooperatives that reported each of three periods: `decided` of them verified (every period), `waiting` not
    decided yet. The ids of the decided reports and of the waiting ones."""
    done, open_ = [], []
    async with db.transaction() as repos:
        staff = await repos.staff.add("Ibu Verifikator", "admin")
        for i in range(decided + waiting):
            coop, _ = await repos.cooperatives.upsert({"name": f"KSP {i:04d}", "nik": f"3576{i:08d}", "type": "ksp"})
            for period in PERIODS:
                report = await repos.reports.get_or_create(coop.id, period)
                await repos.reports.add_revision(report, {"cash": "1000"}, at=AT)
                if i < decided:
                    await repos.reviews.add(report.id, report.latest_revision, "verified", staff.id, AT)
                    done.append(report.id)
                else:
                    open_.append(report.id)
    return done, open_


async def waiting_ids(db: Database, period: str | None = None, where: QueueFilter = WAITING) -> set[int]:
    async with db.reading() as repos:
        return {r.report_id for r in await repos.reviews.queue(keys.PERDEP, where, period=period)}


async def test_a_decision_ends_the_wait_and_a_correction_after_a_send_back_waits_again(db: Database) -> None:
    done, open_ = await reported(db, 2, 2)
    assert await waiting_ids(db) == set(open_)
    sent_back, kept = open_[0], open_[1]
    async with db.transaction() as repos:
        staff = await repos.staff.add("Pak Pembina", "pembina")
        report = await repos.reports.by_id(sent_back)
        assert report is not None
        await repos.reviews.add(report.id, report.latest_revision, "sent_back", staff.id, AT, reason="Kas salah")
    assert await waiting_ids(db) == set(open_) - {sent_back}
    async with db.reading() as repos:
        states = {r.report_id: r.state for r in await repos.reviews.queue(keys.PERDEP, QueueFilter(None))}
        count = await repos.reviews.counts(WAITING, [None, PERIODS[0]], 1000)
    assert states[sent_back] == "sent_back" and {states[r] for r in done} == {"verified"} and states[kept] == "waiting"
    assert count[0] == len(open_) - 1

    async with db.transaction() as repos:  # the officer corrects it: the new revision waits for a decision
        report = await repos.reports.by_id(sent_back)
        assert report is not None
        await repos.reports.add_revision(report, {"cash": "900"}, at=AT)
    assert await waiting_ids(db) == set(open_)
    async with db.transaction() as repos:  # a decision on a revision the report has left behind ends no wait
        staff = await repos.staff.add("Bu Pemantau", "admin")
        await repos.reviews.add(sent_back, 1, "verified", staff.id, AT)
    assert await waiting_ids(db) == set(open_)
    async with db.reading() as repos:
        report = await repos.reports.by_id(sent_back)
    assert await waiting_ids(db, period=report.period if report else None) >= {sent_back}


def read_rows(plan: dict[str, Any], tables: set[str]) -> int:
    """The rows the plan's scans of `tables` and their indexes read, over every loop (what the statement touched)."""
    rows = 0
    scanned = plan.get("Relation Name") or plan.get("Index Name") or ""
    if any(f"_{table}_" in f"_{scanned}_" for table in tables):
        per_loop = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        rows += max(per_loop, 1) * plan.get("Actual Loops", 1)  # a probe that finds nothing read the index
    return rows + sum(read_rows(child, tables) for child in plan.get("Plans", []))


async def test_the_waiting_reports_of_every_period_are_found_without_reading_the_decided_ones(
    db: Database,
) -> None:
    """A province where the Dinas verified most reports: the first page of the waiting reports of every period reads
    about as many reports as are waiting, however many were decided."""
    done, open_ = await reported(db, 150, 3)
    assert await waiting_ids(db) == set(open_)
    await assert_found_reading_few(db, WAITING, open_, len(done))


async def test_the_sent_back_reports_of_every_period_are_found_without_reading_the_verified_ones(
    db: Database,
) -> None:
    """Most reports verified, a few sent back: the sent-back reports of every period are found reading about as many
    reports as were sent back, not probing the decisions of every decided report."""
    done, open_ = await reported(db, 150, 3)
    async with db.transaction() as repos:
        staff = await repos.staff.add("Pak Pembina", "pembina")
        for report_id in open_:
            await repos.reviews.add(report_id, 1, "sent_back", staff.id, AT, reason="Kas salah")
    sent_back = QueueFilter(None, states=("sent_back",))
    assert await waiting_ids(db) == set()
    assert await waiting_ids(db, where=sent_back) == set(open_)
    async with db.reading() as repos:
        assert await repos.reviews.counts(sent_back, [None, PERIODS[0]], 1000) == [len(open_), len(open_) // 3]
    await assert_found_reading_few(db, sent_back, open_, len(done))


async def assert_found_reading_few(db: Database, where: QueueFilter, found: list[int], decided: int) -> None:
    """The page of `where` (every period) reads under five rows of reports and decisions for each report found."""
    if db.dialect != "postgresql":
        return  # the rows a statement read are what PostgreSQL's EXPLAIN ANALYZE tells
    with statements_run(db) as run:
        await waiting_ids(db, where=where)
    page = [s for s in run if "reports" in s[0]]
    assert len(page) == 1
    async with db.engine.connect() as vacuuming:  # as autovacuum does: index entries of rows since changed go
        await vacuuming.execution_options(isolation_level="AUTOCOMMIT")
        await vacuuming.exec_driver_sql("VACUUM ANALYZE reports")
    async with db.reading() as repos:
        connection = await repos.session.connection()
        await connection.exec_driver_sql("SET enable_seqscan = off")  # at province size no table is read whole
        explained = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {page[0][0]}", page[0][1])
        plan = explained.scalar_one()[0]["Plan"]
    read = read_rows(plan, {"reports", "report_reviews"})
    assert read < 5 * len(found), f"{read} rows read to find {len(found)} of {where.states} among {decided} decided"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_migrations_mark_the_reports_that_wait_already(backend: str, tmp_path: Path) -> None:
    """Reports stored before the mark (0017) and the state (0018) existed: sent back, undecided, verified, corrected
    after a send-back, a draft."""
    async with empty_database(backend, tmp_path, "w") as db:
        await upgrade(db, "0016")
        async with db.transaction() as repos:
            staff = await repos.staff.add("Ibu Verifikator", "admin")
            coop, _ = await repos.cooperatives.upsert({"name": "KSP Lama", "nik": "357600000001", "type": "ksp"})
            made = {}
            for period, status, latest in (
                ("2026-06", "submitted", 1),
                ("2026-07", "submitted", 1),
                ("2026-08", "submitted", 1),
                ("2026-09", "submitted", 2),
                ("2026-10", "draft", 0),
            ):
                await repos.session.execute(
                    text(
                        "INSERT INTO reports (cooperative_id, period, status, draft, latest_revision, created_at) "
                        "VALUES (:c, :p, :s, '{}', :n, :at)"
                    ),
                    {"c": coop.id, "p": period, "s": status, "n": latest, "at": AT},
                )
                made[period] = (
                    await repos.session.execute(text("SELECT id FROM reports WHERE period = :p"), {"p": period})
                ).scalar_one()
            decisions = (("2026-06", 1, "sent_back"), ("2026-08", 1, "verified"), ("2026-09", 1, "sent_back"))
            for period, revision, action in decisions:
                await repos.session.execute(
                    text(
                        "INSERT INTO report_reviews (report_id, revision, action, staff_id, created_at) "
                        "VALUES (:r, :n, :a, :s, :at)"
                    ),
                    {"r": made[period], "n": revision, "a": action, "s": staff.id, "at": AT},
                )
        await upgrade(db, "0017")
        async with db.reading() as repos:
            marked = {
                str(p): bool(w) for p, w in await repos.session.execute(text("SELECT period, waiting FROM reports"))
            }
        assert marked == {"2026-06": False, "2026-07": True, "2026-08": False, "2026-09": True, "2026-10": False}
        await upgrade(db)  # 0018: the review state kept instead of the mark
        async with db.reading() as repos:
            states = dict(
                (str(p), s) for p, s in await repos.session.execute(text("SELECT period, review_state FROM reports"))
            )
        assert states == {
            "2026-06": "sent_back",
            "2026-07": "waiting",
            "2026-08": "verified",
            "2026-09": "waiting",  # corrected after the send-back: the latest revision has no decision
            "2026-10": None,
        }
