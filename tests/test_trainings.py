"""A whole coaching clinic: invitations, registration with a waitlist, promotion, reminders, attendance, lists."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.services import training_reminders, trainings
from bot.services.segments import parse
from storage.db import Database
from tests.test_segments import NOW, seed_city

WIB = ZoneInfo("Asia/Jakarta")
START = NOW + timedelta(days=10)  # Friday 13 November 2026, 10.00 WIB


def plan(capacity: int | None = 2, kind: str = "klinik", segment: str = "all") -> trainings.TrainingPlan:
    return trainings.TrainingPlan(
        title="Klinik Laporan Keuangan",
        kind=kind,
        starts_at=START,
        ends_at=START + timedelta(hours=3),
        segment=parse(segment),
        venue="Aula Dinas Koperasi",
        capacity=capacity,
        deadline=START - timedelta(days=1),
    )


async def keys(db: Database, prefix: str) -> list[str]:
    async with db.transaction() as repos:
        return [row.dedupe_key for row in await repos.outbox.by_keys_prefix(prefix)]


def test_dates_are_read_in_the_office_zone() -> None:
    expected = START.astimezone(WIB).replace(hour=9, minute=0)
    assert trainings.parse_moment("2026-11-13 09:00", WIB) == expected
    assert trainings.parse_moment("13-11-2026 09.00", WIB) == expected
    assert trainings.parse_moment("13 November 2026 09.00", WIB) == expected
    assert trainings.parse_moment("besok pagi", WIB) is None
    assert trainings.parse_moment("2026-02-30 09:00", WIB) is None
    assert trainings.parse_end("12.00", expected, WIB) == expected.replace(hour=12)
    bad = trainings.TrainingPlan("", "seminar", NOW, NOW, parse("all"), capacity=0)
    assert len(trainings.problems(bad, NOW)) == 6


async def test_a_whole_clinic_with_waitlist_reminders_and_attendance(db: Database) -> None:
    city = await seed_city(db)
    o = city.officers
    async with db.transaction() as repos:
        training, invited, _ = await trainings.create(repos, plan(), staff_id=None, now=NOW, zone=WIB)
        tid = training.id
    # everyone active but the one who said BERHENTI is invited, once, with Daftar / Tidak buttons
    assert invited == 4
    invites = await keys(db, f"training:{tid}:")
    assert sorted(invites) == sorted(f"training:{tid}:officer-{o[n]}:invite" for n in ("a1", "a2", "b1", "c1"))
    async with db.transaction() as repos:
        row = await repos.outbox.by_key(invites[0])
        assert row is not None and row.kind == "training_invite" and row.status == "pending"
        assert [c["id"] for c in row.payload["choices"]] == [f"pelatihan:daftar:{tid}", f"pelatihan:tidak:{tid}"]
        assert "Jumat, 13 November 2026 10.00 WIB" in row.payload["text"]

    async with db.transaction() as repos:
        assert (await trainings.register(repos, tid, o["a1"], NOW)).status == "registered"
        assert (await trainings.register(repos, tid, o["b1"], NOW)).status == "registered"
        third = await trainings.register(repos, tid, o["c1"], NOW)
        fourth = await trainings.register(repos, tid, o["a2"], NOW)
        again = await trainings.register(repos, tid, o["a1"], NOW)
    assert (third.status, third.position) == ("waitlisted", 1)
    assert (fourth.status, fourth.position) == ("waitlisted", 2)
    assert again.status == "already"

    # a registered officer cancels: the first on the waitlist gets the place and a notice
    async with db.transaction() as repos:
        cancelled = await trainings.cancel(repos, tid, o["a1"], NOW + timedelta(hours=1), zone=WIB)
        assert cancelled.status == "cancelled" and cancelled.promoted_officer_id == o["c1"]
        assert await trainings.waitlist_place(repos, tid, o["a2"]) == 1
        # a waitlisted officer cancelling frees no place
        assert (await trainings.cancel(repos, tid, o["a2"], NOW)).promoted_officer_id is None
        statuses = {r.officer_id: r.status for r in await repos.trainings.registrations(tid)}
    assert statuses == {o["a1"]: "cancelled", o["b1"]: "registered", o["c1"]: "registered", o["a2"]: "cancelled"}
    assert await keys(db, f"training:{tid}:officer-{o['c1']}:promoted") != []

    # registration closes at the deadline
    async with db.transaction() as repos:
        late = await trainings.register(repos, tid, o["a2"], START - timedelta(hours=12))
    assert late.status == "closed"

    # reminders: 3 days, 1 day, 2 hours before, each once, only to the registered
    async def remind(at: timedelta) -> int:
        async with db.transaction() as repos:
            return await training_reminders.due_training_reminders(repos, START - at, zone=WIB, quiet=None)

    assert await remind(timedelta(days=4)) == 0
    assert await remind(timedelta(days=3) - timedelta(minutes=1)) == 2
    assert await remind(timedelta(days=2)) == 0  # same stage: nothing new
    assert await remind(timedelta(hours=23)) == 2
    assert await remind(timedelta(hours=1, minutes=59)) == 2
    assert await remind(-timedelta(minutes=5)) == 0  # started
    reminders = sorted(k for k in await keys(db, f"training:{tid}:") if k.endswith(("3d", "1d", "2h")))
    assert reminders == sorted(f"training:{tid}:officer-{o[n]}:{s}" for n in ("b1", "c1") for s in ("3d", "1d", "2h"))
    async with db.transaction() as repos:
        row = await repos.outbox.by_key(f"training:{tid}:officer-{o['b1']}:1d")
        assert row is not None and row.kind == "training_reminder" and "besok" in row.payload["text"]

    # attendance: a fresh code at the venue; HADIR with it records once; a clinic visit enters the coaching record
    async with db.transaction() as repos:
        code = await trainings.new_attendance_code(repos, tid, None)
        assert code is not None and len(code) == trainings.CODE_LENGTH
        stored = await repos.trainings.get(tid)
        assert stored is not None and stored.attendance_code_hash and code not in stored.attendance_code_hash
    during = START + timedelta(minutes=20)
    async with db.transaction() as repos:
        assert await trainings.check_in(repos, "ZZZZZZ", o["b1"], city.coops["B"], during) == (None, False)
        found, new = await trainings.check_in(
            repos, f" {code.lower()[:3]} {code[3:]}", o["b1"], city.coops["B"], during
        )
        assert found is not None and found.id == tid and new
        assert (await trainings.check_in(repos, code, o["b1"], city.coops["B"], during))[1] is False
        walk_in = await trainings.check_in(repos, code, o["a2"], city.coops["A"], during)
        assert walk_in[1]
        # the code does not work a day later
        assert (await trainings.check_in(repos, code, o["c1"], city.coops["C"], START + timedelta(days=1)))[0] is None
        visits = await repos.coaching.of_cooperative(city.coops["B"])
        assert [(v.kind, v.data["training_id"]) for v in visits] == [("clinic_visit", tid)]
        assert visits[0].summary.startswith("Hadir di klinik koperasi: ")
        lines = await trainings.roster(repos, tid, None)
    assert [(line.officer, line.status, line.attended_at is not None) for line in lines] == [
        ("Bu b1", "registered", True),
        ("Bu c1", "registered", False),
        ("Bu a1", "cancelled", False),
        ("Bu a2", "cancelled", True),  # came anyway: attendance counts whatever the registration says
    ]
    csv_text = trainings.roster_csv(lines, WIB)
    assert csv_text.splitlines()[0].startswith("officer_id,officer,role,cooperative,nik,status")
    assert "Bu b1,bendahara,Kopkel Merah Putih Gedongan,1002,registered" in csv_text


async def test_declining_and_unlimited_capacity(db: Database) -> None:
    city = await seed_city(db)
    o = city.officers
    async with db.transaction() as repos:
        training, _, _ = await trainings.create(
            repos, plan(capacity=None, kind="bimtek", segment="type:ksp"), staff_id=None, now=NOW, zone=WIB
        )
        assert (await trainings.decline(repos, training.id, o["a1"], NOW)).status == "declined"
        assert (await trainings.register(repos, training.id, o["a1"], NOW)).status == "registered"
        assert (await trainings.decline(repos, training.id, o["a1"], NOW)).status == "cancelled"
        for name in ("a2", "c1"):
            assert (await trainings.register(repos, training.id, o[name], NOW)).status == "registered"
        assert (await trainings.register(repos, training.id, o["b1"], NOW)).status == "not_invited"  # a konsumen
        assert (await trainings.register(repos, 999, o["a1"], NOW)).status == "not_found"
        counts = await repos.trainings.registered_counts([training.id])
    assert counts[training.id] == {"cancelled": 1, "registered": 2}


async def test_a_late_registration_gets_the_next_stage_only_and_quiet_hours_never_hold_a_2h_reminder(
    db: Database,
) -> None:
    city = await seed_city(db)
    early = START.astimezone(WIB).replace(hour=7, minute=30)  # a 07.30 start: 2 hours before is 05.30, quiet
    async with db.transaction() as repos:
        morning = trainings.TrainingPlan(
            "Bimtek pagi", "bimtek", early, early + timedelta(hours=2), parse("all"), venue="Aula"
        )
        training, _, _ = await trainings.create(repos, morning, staff_id=None, now=NOW, zone=WIB)
        await trainings.register(repos, training.id, city.officers["b1"], NOW)
        made = await training_reminders.due_training_reminders(repos, early - timedelta(hours=2), zone=WIB)
        row = await repos.outbox.by_key(f"training:{training.id}:officer-{city.officers['b1']}:2h")
    assert made == 1 and row is not None and row.next_attempt_at <= early - timedelta(hours=2)


async def test_the_last_place_goes_to_one_officer_when_many_press_at_once(db: Database) -> None:
    city = await seed_city(db)
    async with db.transaction() as repos:
        training, _, _ = await trainings.create(repos, plan(capacity=1), staff_id=None, now=NOW, zone=WIB)

    async def press(name: str) -> str:
        async with db.transaction() as repos:
            return (await trainings.register(repos, training.id, city.officers[name], NOW)).status

    statuses = await asyncio.gather(*(press(n) for n in ("a1", "a2", "b1", "c1")))
    assert sorted(statuses) == ["registered", "waitlisted", "waitlisted", "waitlisted"]
    async with db.transaction() as repos:
        rows = await repos.trainings.registrations(training.id)
    waiting = sorted(r.position for r in rows if r.status == "waitlisted")
    assert len(set(waiting)) == 3  # distinct places in the queue


async def test_each_invitation_greets_its_officer_by_name_in_their_language(db: Database) -> None:
    city = await seed_city(db)
    async with db.transaction() as repos:
        english = await repos.officers.get(city.officers["b1"])
        assert english is not None
        english.language, english.name = "en", "Mr O'Brien {{ x }}"
        training, _, _ = await trainings.create(repos, plan(), staff_id=None, now=NOW, zone=WIB)
        texts = {}
        for name in ("a1", "b1"):
            row = await repos.outbox.by_key(f"training:{training.id}:officer-{city.officers[name]}:invite")
            assert row is not None
            texts[name] = row.payload["text"]
    assert texts["b1"].startswith("Hello Mr O'Brien {{ x }}. The office invites you") and "Bu a1" not in texts["b1"]
    assert texts["a1"].startswith("Halo Bu a1. ") and "Dinas mengundang" in texts["a1"] and "O'Brien" not in texts["a1"]
