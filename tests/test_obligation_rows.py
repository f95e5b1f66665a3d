"""The RAT, NIK and ODS reminders: each row a tick stores is the one the per-officer Python path makes
(`obligations_of` rendered with the officer's and the cooperative's names and dates, `notices.notice_row`: the chat
chosen, quiet hours in the cooperative's zone, unreachable with the reason), byte for byte, whatever the names, in
WIB, WITA and WIT, in each language; a tick run again, or the next day, stores nothing more."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Date, insert, literal, select

from bot.domain.periods import date_words, format_date
from bot.scheduler import Job, run_tick
from bot.services import daily
from bot.services.daily import obligations_part
from bot.services.notices import notice_row
from bot.services.obligation_notices import obligations_of
from storage.db import Database
from storage.models import Cooperative, Officer, OutboxMessage
from storage.obligation_rows import date_text
from storage.repositories.outbox import with_defaults
from tests.databases import statements_run
from tests.test_cycle_rows import NAMES, PLAN, WIB, assert_rows_are, seed


def dates_for(day: date) -> list[dict[str, date | None]]:
    """Each of the seed's six cooperatives' recorded dates, so that every kind of reminder is due on `day`: no RAT
    yet, a RAT over a year ago (two dates), ODS due 7 and 25 days after the RAT, a RAT held this year; the NIK 60 and
    14 days before it ends."""
    return [
        {"rat_date": None, "nik_valid_until": day + timedelta(days=60), "ods_updated_on": None},
        {"rat_date": day - timedelta(days=400), "nik_valid_until": day + timedelta(days=14), "ods_updated_on": None},
        {"rat_date": day - timedelta(days=7), "nik_valid_until": None, "ods_updated_on": None},
        {"rat_date": day - timedelta(days=25), "nik_valid_until": None, "ods_updated_on": day - timedelta(days=30)},
        {"rat_date": day - timedelta(days=3), "nik_valid_until": day + timedelta(days=15), "ods_updated_on": None},
        {"rat_date": day - timedelta(days=430), "nik_valid_until": day + timedelta(days=60), "ods_updated_on": day},
    ]


async def expected_rows(db: Database, day: date, now: datetime) -> dict[str, dict[str, Any]]:
    """Every row the per-officer Python path writes on `day`, by key."""
    async with db.transaction() as repos:
        stmt = (
            select(Officer, Cooperative)
            .join(Cooperative, Cooperative.id == Officer.cooperative_id)
            .where(Officer.status == "active")
        )
        pairs = [(o, c) for o, c in (await repos.session.execute(stmt)).all()]
        accounts = await repos.identities.of_officers([o.id for o, _ in pairs])
    found = {}
    for officer, coop in pairs:
        for due in obligations_of(coop, officer, day):
            row = notice_row(due.notice, accounts[officer.id], now, due.zone, PLAN.quiet, officer_id=officer.id)
            values = row | {"announcement_id": None, "last_error": row.get("last_error")}  # as enqueue_notices
            found[due.notice.dedupe_key] = with_defaults(values, now)
    return found


async def set_dates(db: Database, day: date) -> None:
    async with db.transaction() as repos:
        coops = (await repos.session.scalars(select(Cooperative).order_by(Cooperative.id))).all()
        for coop, dates in zip(coops, dates_for(day), strict=False):
            for column, value in dates.items():
                setattr(coop, column, value)


@pytest.mark.parametrize("cooperatives_a_part", [2, 5000])
@pytest.mark.parametrize("day", [date(2027, 1, 5), date(2027, 6, 1), date(2027, 2, 2)])  # RAT, final, no RAT day
async def test_each_obligation_row_is_the_one_the_python_path_wrote(
    db: Database, monkeypatch: pytest.MonkeyPatch, day: date, cooperatives_a_part: int
) -> None:
    monkeypatch.setattr(daily, "OBLIGATION_COOPERATIVES", cooperatives_a_part)
    names = await seed(db)
    await set_dates(db, day)
    now = datetime.combine(day, datetime.min.time(), tzinfo=WIB) + timedelta(hours=22, minutes=30)  # quiet hours
    result = await run_tick(db, PLAN, Job("obligations", obligations_part), day, now)
    expected = await expected_rows(db, day, now)
    kinds = {key.split(":")[1] for key in expected}
    assert kinds == ({"rat", "rat-overdue", "nik-expiry", "ods-update"} - ({"rat"} if day.day == 2 else set()))
    async with db.transaction() as repos:
        stored = {r.dedupe_key: r for r in (await repos.session.scalars(select(OutboxMessage))).all()}
        assert set(stored) == set(expected)
        await assert_rows_are(repos, stored, expected)
    assert result.enqueued == len(stored)
    english = [r for r in stored.values() if r.officer_id == names[NAMES[1]]]
    assert english and all(r.payload["text"].startswith(f"Hello {NAMES[1]}") for r in english)
    waiting = {r.next_attempt_at.astimezone(WIB) for r in stored.values() if r.status == "pending"}
    assert len(waiting) == 3  # 07.00 in WIB, WITA and WIT
    again = await run_tick(db, PLAN, Job("obligations-again", obligations_part), day, now)
    assert again.enqueued == 0  # the same notices: their keys are there
    later = day + timedelta(days=1)
    next_day = await run_tick(db, PLAN, Job("obligations", obligations_part), later, now + timedelta(days=1))
    asked_again = set(await expected_rows(db, later, now + timedelta(days=1)))  # the overdue RATs' again: stored
    assert any("rat-overdue" in key for key in asked_again & set(stored))
    assert next_day.enqueued == len(asked_again - set(stored)) == 3  # the NIK 14 days before, the 5th's


async def test_an_overdue_rat_day_takes_a_few_statements_not_one_per_few_hundred_officers(db: Database) -> None:
    """3,000 officers of 30 cooperatives whose RAT is over a year old: their reminders are made by the database."""
    async with db.transaction() as repos:
        coops = []
        for n in range(30):
            coop, _ = await repos.cooperatives.upsert({"name": f"KSP {n}", "nik": f"S{n}", "type": "ksp"})
            coop.rat_date = date(2025, 3, 1 + n % 3)
            coops.append(coop.id)
        rows = [
            {"cooperative_id": coops[n % 30], "name": f"Petugas {n}", "role": "anggota", "status": "active"}
            for n in range(3000)
        ]
        await repos.session.execute(insert(Officer), rows)
    day = date(2026, 12, 8)
    with statements_run(db) as run:
        result = await run_tick(db, PLAN, Job("obligations", obligations_part), day, datetime.now(WIB))
    statements = [s for s, _ in run]
    assert result.enqueued == 3000
    assert len(statements) <= 10, statements  # main: 27 (reads, then a statement per 200 rows)


async def test_the_database_writes_a_date_as_format_date_does(db: Database) -> None:
    """Every day of two years (a leap day, every weekday in every month), and years far apart, in both languages."""
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(731)] + [date(y, 12, 31) for y in range(1990, 2100, 7)]
    async with db.transaction() as repos:
        for lang in ("id", "en"):
            for start in range(0, len(days), 100):
                chunk = days[start : start + 100]
                written = (
                    await repos.session.execute(select(*(date_text(literal(d, Date), date_words(lang)) for d in chunk)))
                ).one()
                assert list(written) == [format_date(d, lang) for d in chunk]
