"""The reporting cycle's notices (opening, reminder, late): each row a tick stores is the one the per-officer Python
path makes (`cycle.report_notice` rendered with the officer's and the cooperative's names, `notices.notice_row`: the
chat chosen, quiet hours in the cooperative's zone, unreachable with the reason), byte for byte, whatever the names,
in WIB, WITA and WIT, in each language; a tick run again stores nothing more."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from bot.domain.periods import Period
from bot.scheduler import Job, run_tick
from bot.services import daily
from bot.services.cycle import (
    PRIORITY_DEADLINE,
    PRIORITY_OPEN,
    STAFF_LIST_LIMIT,
    CyclePlan,
    Missing,
    recap_counts,
    report_notice,
    staff_summary,
)
from bot.services.daily import report_cycle_part
from bot.services.notices import QuietHours, notice_row, payload_of
from bot.words.messages import NoticeKind
from storage import fanout, jsonio
from storage.db import Database
from storage.models import Cooperative, Officer, OutboxMessage, Report
from storage.repositories import Repositories
from storage.repositories.outbox import with_defaults
from tests.databases import statements_run
from tests.test_invitation_rows import AWKWARD, chat_accounts, raw_payload

WIB = ZoneInfo("Asia/Jakarta")
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")  # WIB, WITA, WIT
PLAN = CyclePlan(office_zone=WIB, quiet=QuietHours(time(21, 0), time(7, 0)))
PERIOD = Period(2026, 10)

NAMES = (  # the invitations' awkward names, and names the rendering trims or breaks (line ends, white space)
    *AWKWARD,
    "Trailing ",
    " Leading",
    "",
    "Tab at the end\t",
    "\x1fUnit separator first",
    "\xa0No-break space",
    "Middle\u3000ideographic space",
    "Next\x85line",
    "Form\x0cfeed and \x0bvertical",
    "Crlf\r\nname",
    "Mark \ue000officer\ue000 and \ue000cooperative\ue000",
)
COOPERATIVES = (
    'KSP "Maju" \\ Jaya *RAT*',
    "Kopsis <b>Bina</b> & {{ x }}",
    "KSP Ujung\u2028Baris",
    "KSP Spasi  ",
    "Koperasi 😀 中文 é",
    "KSP \ue000cooperative\ue000 \ue000officer\ue000",
)


async def seed(db: Database) -> dict[str, int]:
    """Six cooperatives (two per zone, awkward names) with an officer per awkward name each in turn, every kind of
    chat (the one used last chosen, the older one when the newer is unreachable, none reachable, none), languages
    id, en and another; besides, one that reported (no notice), an inactive officer, and one who said BERHENTI (a
    report's notices still reach them). An admin with a chat gets the office's list."""
    night = datetime(2026, 10, 30, 22, 0, tzinfo=WIB)
    ids: dict[str, int] = {}
    async with db.transaction() as repos:
        coops = []
        for n, name in enumerate(COOPERATIVES):
            coop, _ = await repos.cooperatives.upsert({"name": name, "nik": f"W{n}", "type": "ksp"})
            coop.timezone = ZONES[n % 3]
            coops.append(coop.id)
        done, _ = await repos.cooperatives.upsert({"name": "KSP Sudah", "nik": "W9", "type": "ksp"})
        repos.session.add(Report(cooperative_id=done.id, period=str(PERIOD), status="submitted"))
        await repos.officers.add(done.id, "Bu Sudah", "ketua")
        for n, name in enumerate(NAMES):
            officer = await repos.officers.add(coops[n % len(coops)], name, "ketua", ("id", "en", "jv")[n % 3])
            ids[name] = officer.id
            await chat_accounts(repos, officer.id, n, f"{8000 + n}", f"62813{n:04d}", night)
        gone = await repos.officers.add(coops[0], "Bu Pergi", "ketua")
        gone.status = "inactive"
        paused = await repos.officers.add(coops[1], "Pak Berhenti", "ketua")
        paused.announcements_paused = True
        admin = await repos.staff.add("Pak Admin", "admin")
        (await repos.identities.get_or_create("telegram", "tg-admin-w")).staff_id = admin.id
        await repos.session.flush()
    return ids


async def expected_rows(db: Database, day: date, now: datetime) -> dict[str, dict[str, Any]]:
    """Every row the per-officer Python path writes on `day`, by key."""
    kinds: list[tuple[NoticeKind, str, int]] = []
    if day.day == PLAN.open_day:
        kinds.append(("report_open", f"notice:report-open:{PERIOD}:", PRIORITY_OPEN))
    if day.day in PLAN.reminder_days:
        kinds.append(("report_reminder", f"reminder:report-due:{PERIOD}:day-{day.day}:", PRIORITY_DEADLINE))
    if day.day == PLAN.deadline_day + 1:
        kinds.append(("report_late", f"reminder:report-late:{PERIOD}:", PRIORITY_DEADLINE))
    async with db.transaction() as repos:
        reported = select(Report.cooperative_id).where(Report.period == str(PERIOD), Report.status == "submitted")
        stmt = (
            select(Officer, Cooperative)
            .join(Cooperative, Cooperative.id == Officer.cooperative_id)
            .where(Officer.status == "active", Cooperative.id.not_in(reported))
        )
        pairs = [(o, c) for o, c in (await repos.session.execute(stmt)).all()]
        accounts = await repos.identities.of_officers([o.id for o, _ in pairs])
    found = {}
    for officer, coop in pairs:
        for kind, key, priority in kinds:
            due = report_notice(
                kind, f"{key}coop-{coop.id}:officer-{officer.id}", coop, officer, PERIOD, PLAN, priority
            )
            row = notice_row(due.notice, accounts[officer.id], now, due.zone, PLAN.quiet, officer_id=officer.id)
            values = row | {"announcement_id": None, "last_error": row.get("last_error")}  # as enqueue_notices
            found[due.notice.dedupe_key] = with_defaults(values, now)
    return found


def cycle_day(day: int) -> date:
    return date(2026, 11, day)


async def assert_rows_are(
    repos: Repositories, stored: dict[str, OutboxMessage], expected: dict[str, dict[str, Any]]
) -> None:
    """Each stored row (by dedupe key) has the columns the per-officer path gives it, its payload the same bytes."""
    for key, want in expected.items():
        row = stored[key]
        got = {column: getattr(row, column) for column in want}
        got["next_attempt_at"] = got["next_attempt_at"].astimezone(WIB)
        want["next_attempt_at"] = want["next_attempt_at"].astimezone(WIB)
        assert got == want, key
        assert await raw_payload(repos, key) == jsonio.dumps(want["payload"]), key  # the same bytes


@pytest.mark.parametrize("cooperatives_a_part", [2, 5000])
@pytest.mark.parametrize("day", [1, 5, 11])  # the opening, a reminder, the day after the deadline
async def test_each_cycle_row_is_the_one_the_python_path_wrote(
    db: Database, monkeypatch: pytest.MonkeyPatch, day: int, cooperatives_a_part: int
) -> None:
    monkeypatch.setattr(daily, "CYCLE_COOPERATIVES", cooperatives_a_part, raising=False)
    names = await seed(db)
    now = datetime(2026, 11, day, 22, 30, tzinfo=WIB)  # quiet hours: 07.00 in each cooperative's own zone
    job = Job("report-cycle", report_cycle_part)
    result = await run_tick(db, PLAN, job, cycle_day(day), now)
    expected = await expected_rows(db, cycle_day(day), now)
    assert len(expected) == len(NAMES) + 1  # every officer named, and the one who said BERHENTI
    async with db.transaction() as repos:
        stored = {r.dedupe_key: r for r in (await repos.session.scalars(select(OutboxMessage))).all()}
        officers_rows = {k: r for k, r in stored.items() if r.officer_id is not None}
        assert set(officers_rows) == set(expected)
        await assert_rows_are(repos, officers_rows, expected)
    staff = [r for r in stored.values() if r.staff_id is not None]
    assert len(staff) == (1 if day == 11 else 0)
    assert result.enqueued == len(stored)
    by_officer = {r.officer_id: r for r in officers_rows.values()}
    assert by_officer[names[NAMES[1]]].payload["text"].startswith(f"Hello {NAMES[1]}")  # English
    assert by_officer[names[NAMES[2]]].payload["text"].startswith(f"Halo {NAMES[2]}")  # another language: id
    waiting = {r.next_attempt_at.astimezone(WIB) for r in officers_rows.values() if r.status == "pending"}
    assert len(waiting) == 3  # 07.00 in WIB, WITA and WIT
    again = await run_tick(db, PLAN, Job("report-cycle-again", report_cycle_part), cycle_day(day), now)
    assert again.enqueued == 0  # the same notices: their keys are there


async def test_a_reminder_tick_takes_a_few_statements_not_one_per_few_hundred_officers(db: Database) -> None:
    """3,000 officers of 30 cooperatives: their reminders are made by the database, a statement per kind and part."""
    async with db.transaction() as repos:
        coops = [(await repos.cooperatives.upsert({"name": f"KSP {n}", "nik": f"S{n}", "type": "ksp"}))[0].id
                 for n in range(30)]  # fmt: skip
        rows = [
            {"cooperative_id": coops[n % 30], "name": f"Petugas {n}", "role": "anggota", "status": "active"}
            for n in range(3000)
        ]
        await repos.session.execute(insert(Officer), rows)
    with statements_run(db) as run:
        result = await run_tick(db, PLAN, Job("report-cycle", report_cycle_part), cycle_day(5), datetime.now(WIB))
    statements = [s for s, _ in run]
    assert result.enqueued == 3000
    assert len(statements) <= 10, statements  # main: 25 (reads, then a statement per 200 rows)


async def test_the_office_lists_are_the_ones_counted_area_by_area(db: Database) -> None:
    """After the deadline each pembina gets their kecamatan's list and each admin the city's: the same counts (on
    time in each zone) and first names as counted one area at a time (`recap_counts`, `missing_names` per scope)."""
    deadline_wib = datetime(2026, 11, 10, 23, 59, tzinfo=WIB)
    async with db.transaction() as repos:
        areas = [(await repos.regions.get_or_create("kecamatan", f"Kec {n}")).id for n in range(3)]
        empty = (await repos.regions.get_or_create("kecamatan", "Kec kosong")).id
        for n in range(160):  # 70 in Kec 0 (more than a list shows), duplicate names, some with no kecamatan
            coop, _ = await repos.cooperatives.upsert(
                {"name": f"KSP {n % 45:02d} {COOPERATIVES[n % 6]}", "nik": f"L{n}", "type": "ksp"}
            )
            coop.timezone = ZONES[n % 3]
            coop.kecamatan_id = None if n % 13 == 0 else areas[0] if n < 80 else areas[n % 3]
            if n % 4 == 1:  # reported: on time, late, or without a time (as on time)
                at = (None, deadline_wib - timedelta(hours=2), deadline_wib + timedelta(days=1))[n % 3]
                repos.session.add(
                    Report(cooperative_id=coop.id, period=str(PERIOD), status="submitted", first_submitted_at=at)
                )
        staff = [await repos.staff.add("Admin", "admin"), await repos.staff.add("Admin 2", "admin")]
        staff += [await repos.staff.add(f"Pembina {a}", "pembina", kecamatan_id=a) for a in (*areas, empty)]
        staff.append(await repos.staff.add("Pembina tanpa kecamatan", "pembina"))
        (await repos.staff.add("Pergi", "pembina", kecamatan_id=areas[0])).status = "inactive"
        for member in staff:
            member.language = "en" if member.id % 2 else "id"
        await repos.session.flush()
    now = datetime(2026, 11, 11, 9, 0, tzinfo=WIB)
    await run_tick(db, PLAN, Job("report-cycle", report_cycle_part), cycle_day(11), now)
    async with db.transaction() as repos:
        expected = {}
        for member in staff:
            scope = member.kecamatan_id if member.role == "pembina" else None
            counts = (await recap_counts(repos, PERIOD, PLAN, scope)).whole
            names = await fanout.missing_names(repos, str(PERIOD), scope, STAFF_LIST_LIMIT)
            if counts.total:
                summary = Missing(PERIOD, counts.total, counts.reported, counts.on_time, tuple(names))
                expected[member.id] = staff_summary(member, summary, PLAN).notice
        stored = await repos.outbox.by_keys_prefix("summary:report-missing:")
        assert {r.staff_id for r in stored} == set(expected) and len(expected) == len(staff) - 1  # not the empty one
        for row in stored:
            assert await raw_payload(repos, row.dedupe_key) == jsonio.dumps(payload_of(expected[row.staff_id or 0]))
