"""The clinic's rekam medis without a chat: who may change plans, verified and official scores, the worklist, the
follow-up; on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.periods import Period
from bot.services.clinic import Actor, Superseded
from bot.services.clinic_notices import clinic_notices
from bot.services.cycle import CyclePlan
from bot.services.reports import NotAllowed
from storage.db import Database
from storage.models import Assessment, CoachingEntry
from tests.handlers.chat import NOW
from tests.services.common import cooperative_with_officers, ksp_answers, services

TODAY = date(2026, 11, 3)


async def city(db: Database) -> dict[str, Any]:
    """Two kecamatan, a cooperative with an officer in each, and every kind of staff."""
    async with db.transaction() as repos:
        north = await repos.regions.get_or_create("kecamatan", "Lowokwaru")
        south = await repos.regions.get_or_create("kecamatan", "Sukun")
        mine, _ = await repos.cooperatives.upsert(
            {"name": "KSP Maju Bersama", "nik": "1", "type": "ksp", "kecamatan_id": north.id}
        )
        other, _ = await repos.cooperatives.upsert(
            {"name": "KSP Sukun Jaya", "nik": "2", "type": "ksp", "kecamatan_id": south.id}
        )
        officer = await repos.officers.add(mine.id, "Bu Siti", "bendahara")
        stranger = await repos.officers.add(other.id, "Pak Joko", "ketua")
        people = {
            "admin": Actor(staff_id=(await repos.staff.add("Admin", "admin")).id),
            "pembina_here": Actor(staff_id=(await repos.staff.add("Bu Pembina", "pembina", north.id)).id),
            "pembina_elsewhere": Actor(staff_id=(await repos.staff.add("Pak Lain", "pembina", south.id)).id),
            "viewer": Actor(staff_id=(await repos.staff.add("Pengamat", "viewer", north.id)).id),
            "officer_here": Actor(officer_id=officer.id),
            "officer_elsewhere": Actor(officer_id=stranger.id),
        }
        return {"mine": mine.id, "other": other.id, "north": north.id, "south": south.id, "people": people}


async def add_plan(db: Database, coop: int, by: Actor, due: date = TODAY + timedelta(days=30)) -> int:
    async with services(db) as s:
        return (await s.clinic.add_plan(coop, "Tagih pinjaman macet", "Bendahara", due, by, NOW)).id


CHANGE = {"admin": True, "pembina_here": True}  # everyone else may not add, change or cancel
DONE = {"admin": True, "pembina_here": True, "officer_here": True}
ROLES = ["admin", "pembina_here", "pembina_elsewhere", "viewer", "officer_here", "officer_elsewhere"]


@pytest.mark.parametrize("role", ROLES)
async def test_who_may_add_change_cancel_and_finish_a_plan_and_add_a_note(db: Database, role: str) -> None:
    world = await city(db)
    who, coop = world["people"][role], world["mine"]
    plan_id = await add_plan(db, coop, world["people"]["admin"])
    allowed = CHANGE.get(role, False)

    async def attempt(action: Any) -> bool:
        try:
            async with services(db) as s:
                await action(s)
        except NotAllowed:
            return False
        return True

    assert await attempt(lambda s: s.clinic.add_plan(coop, "Rapat pengurus", "Ketua", TODAY, who, NOW)) is allowed
    assert await attempt(lambda s: s.clinic.add_note(coop, "Sudah dikunjungi", who, NOW)) is allowed
    assert await attempt(lambda s: s.clinic.update_plan(plan_id, who, NOW, who="Ketua")) is allowed
    async with services(db) as s:
        assert await s.clinic.may_change(who, coop) is allowed
    assert await attempt(lambda s: s.clinic.close_plan(plan_id, "done", who, NOW)) is DONE.get(role, False)
    second = await add_plan(db, coop, world["people"]["admin"])
    assert await attempt(lambda s: s.clinic.close_plan(second, "cancelled", who, NOW)) is allowed
    async with services(db) as s:
        plans = {p.id: p for p in await s.clinic.plans(coop, world["people"]["admin"])}
    assert plans[plan_id].status == ("done" if DONE.get(role) else "open")
    assert plans[plan_id].who == ("Ketua" if allowed else "Bendahara")
    assert plans[plan_id].done_by == (who.key if DONE.get(role) else None)
    assert plans[second].status == ("cancelled" if allowed else "open")


async def test_the_record_keeps_diagnosis_prescription_and_the_standing_verified_then_superseded(db: Database) -> None:
    world = await city(db)
    coop, admin, pembina = world["mine"], world["people"]["admin"], world["people"]["pembina_here"]
    async with db.transaction() as repos:
        officer = (await repos.officers.of_cooperative(coop))[0].id
    async with services(db) as s:
        await s.reports.submit(coop, Period(2026, 10), ksp_answers(), officer_id=officer, at=NOW)
        await s.clinic.add_note(coop, "Pengurus hadir lengkap", pembina, NOW)
    async with services(db) as s:
        record = await s.clinic.record(coop, pembina)
        [scored] = record.assessments
        assert (scored.period, scored.standing, scored.current, scored.verified_by) == (
            "2026-10",
            "provisional",
            True,
            None,
        )
        assert scored.diagnosis["state"] == "ok" and scored.diagnosis["weak"]
        assert scored.prescription["coaching"][0]["priority"] == 1 and scored.prescription["coaching"][0]["steps"]
        assert [n.summary for n in record.notes] == ["Pengurus hadir lengkap"] and record.notes[0].staff == "Bu Pembina"
        with pytest.raises(NotAllowed):
            await s.clinic.verify(scored.id, world["people"]["pembina_elsewhere"], NOW)
        with pytest.raises(NotAllowed):
            await s.clinic.record(coop, world["people"]["officer_elsewhere"])
    later = NOW + timedelta(hours=1)
    async with services(db) as s:
        verified = await s.clinic.verify(scored.id, pembina, later)
    assert (verified.standing, verified.verified_by, verified.verified_at) == ("verified", "Bu Pembina", later)
    async with services(db) as s:  # a correction after verification needs verifying again
        await s.reports.submit(
            coop, Period(2026, 10), ksp_answers(), officer_id=officer, at=later, reason="salah ketik"
        )
    async with services(db) as s:
        first, old = (await s.clinic.record(coop, admin)).assessments
        assert (first.standing, first.current, old.standing, old.current) == ("provisional", True, "verified", False)
        with pytest.raises(Superseded):
            await s.clinic.verify(old.id, admin, later)


async def test_the_year_end_score_becomes_official_once_verified_and_the_rat_recorded(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with db.transaction() as repos:
        admin = Actor(staff_id=(await repos.staff.add("Admin", "admin")).id)
    december = datetime(2027, 1, 5, 3, tzinfo=UTC)
    async with services(db) as s:
        await s.reports.submit(coop, Period(2026, 12), ksp_answers(), officer_id=siti, at=december)
        await s.reports.submit(coop, Period(2026, 11), ksp_answers(), officer_id=siti, at=december)
    async with services(db) as s:
        views = {a.period: a for a in (await s.clinic.record(coop, admin)).assessments}
        await s.clinic.verify(views["2026-11"].id, admin, december)
        assert (await s.clinic.verify(views["2026-12"].id, admin, december)).standing == "verified"  # no RAT yet
    async with services(db) as s:
        recorded = await s.cooperatives.record_rat(
            coop, date(2027, 3, 14), today=date(2027, 3, 20), officer_id=siti, channel="console"
        )
        assert not isinstance(recorded, str) and recorded.official == ("2026-12",)
    async with services(db) as s:
        views = {a.period: a for a in (await s.clinic.record(coop, admin)).assessments}
        assert (views["2026-12"].standing, views["2026-12"].book_year) == ("official", 2026)
        assert views["2026-11"].standing == "verified"  # only the book year's year-end score is official
        history = {h.period: h for h in await s.reports.history(coop)}
        assert (history["2026-12"].standing, history["2026-12"].official) == ("official", True)


async def scored(db: Database, coop: int, period: str, total: str, category: str, **extra: Any) -> None:
    """A stored assessment of the official framework (as assess_revision stores one)."""
    async with db.transaction() as repos:
        await repos.assessments.add(
            Assessment(
                cooperative_id=coop,
                period=period,
                framework="perdep-06-2016",
                total=Decimal(total),
                category=category,
                result=extra.pop("result", {}),
                rules_hash="x",
                **extra,
            )
        )


async def test_the_worklist_of_a_pembina_is_their_kecamatan_and_names_every_reason(db: Database) -> None:
    world = await city(db)
    people, mine, other = world["people"], world["mine"], world["other"]
    async with db.transaction() as repos:
        falling, _ = await repos.cooperatives.upsert(
            {"name": "KSP Turun", "nik": "3", "type": "ksp", "kecamatan_id": world["north"]}
        )
        fine, _ = await repos.cooperatives.upsert(
            {"name": "KSP Sehat", "nik": "4", "type": "ksp", "kecamatan_id": world["north"]}
        )
        for coop in (mine, other, falling.id, fine.id):  # all known long before the periods looked at
            (await repos.cooperatives.get(coop)).created_at = datetime(2025, 1, 1, tzinfo=UTC)  # type: ignore[union-attr]
        for coop in (mine, falling.id, other):
            for period in ("2026-08", "2026-09"):
                report = await repos.reports.get_or_create(coop, period)
                report.status = "submitted"
    await scored(db, mine, "2026-09", "55", "dalam_pengawasan")
    await scored(db, other, "2026-09", "40", "dalam_pengawasan_khusus", special_flag=True)
    for period, total in (("2026-07", "79"), ("2026-08", "74"), ("2026-09", "70")):
        await scored(db, falling.id, period, total, "cukup_sehat")
    await add_plan(db, falling.id, people["admin"], due=TODAY - timedelta(days=3))
    periods = (Period(2026, 9), Period(2026, 8))
    async with services(db) as s:
        here = await s.clinic.worklist(people["pembina_here"], TODAY, periods)
        everywhere = await s.clinic.worklist(people["admin"], TODAY, periods)
        with pytest.raises(NotAllowed):
            await s.clinic.worklist(people["officer_here"], TODAY, periods)
    assert [(i.name, i.reasons) for i in here.items] == [
        ("KSP Maju Bersama", ("dalam_pengawasan",)),
        ("KSP Turun", ("falling", "overdue_plans")),
        ("KSP Sehat", ("not_reporting",)),
    ]
    assert here.counts["falling"] == 1 and here.counts["dalam_pengawasan_khusus"] == 0
    assert (everywhere.items[0].name, everywhere.items[0].reasons) == (
        "KSP Sukun Jaya",
        ("dalam_pengawasan_khusus", "dpk_flag"),
    )
    assert len(everywhere.items) == 4


def result(npl_score: str) -> dict[str, Any]:
    return {"aspects": [{"key": "asset_quality", "components": [{"key": "npl_ratio", "score": npl_score}]}]}


async def test_three_periods_after_a_plan_the_follow_up_compares_and_notifies_once(db: Database) -> None:
    world = await city(db)
    coop, people = world["mine"], world["people"]
    async with services(db) as s:
        plan = await s.clinic.add_plan(
            coop, "Tagih pinjaman macet", "Bendahara", date(2026, 6, 20), people["pembina_here"], NOW,
            concerns=["npl_ratio"],
        )  # fmt: skip
    await scored(db, coop, "2026-05", "60", "dalam_pengawasan", result=result("5"))
    await scored(db, coop, "2026-09", "68", "cukup_sehat", result=result("10"))
    tick = CyclePlan()
    async with db.transaction() as repos:
        due = await clinic_notices(repos, tick, date(2026, 10, 20))
    follow_ups = [d for d in due if d.notice.kind == "follow_up"]
    assert sorted((d.officer_id is not None, d.staff_id is not None) for d in follow_ups) == [
        (False, True),
        (True, False),
    ]
    text = follow_ups[0].notice.reply.text
    assert "Tindak lanjut pembinaan KSP Maju Bersama" in text and "Rencana aksi: Tagih pinjaman macet" in text
    assert "Skor Mei 2026: 60,00, September 2026: 68,00 (naik 8,00)" in text and "membaik" in text
    assert "Hasil: pembinaan berhasil." in text
    async with db.transaction() as repos:
        [entry] = (await repos.session.scalars(select(CoachingEntry).where(CoachingEntry.kind == "follow_up"))).all()
        assert (entry.plan_id, entry.data["verdict"], entry.data["changes"][0]["change"]) == (
            plan.id,
            "worked",
            "better",
        )
        again = await clinic_notices(repos, tick, date(2026, 10, 21))
    assert [d for d in again if d.notice.kind == "follow_up"] == []


async def test_the_follow_up_of_an_english_speaking_officer_writes_scores_the_english_way(db: Database) -> None:
    world = await city(db)
    coop, people = world["mine"], world["people"]
    async with services(db) as s:
        await s.clinic.add_plan(coop, "Tagih pinjaman macet", "Bendahara", date(2026, 6, 20), people["admin"], NOW)
    await scored(db, coop, "2026-05", "60", "dalam_pengawasan", result=result("5"))
    await scored(db, coop, "2026-09", "68.5", "cukup_sehat", result=result("10"))
    async with db.transaction() as repos:
        officer = await repos.officers.get(people["officer_here"].officer_id)
        assert officer is not None
        officer.language = "en"
        due = await clinic_notices(repos, CyclePlan(), date(2026, 10, 20))
    [text] = [d.notice.reply.text for d in due if d.notice.kind == "follow_up" and d.officer_id is not None]
    assert "Score May 2026: 60.00, September 2026: 68.50 (up 8.50)" in text


async def test_an_overdue_plan_reminds_the_officer_then_a_week_later_the_pembina(db: Database) -> None:
    world = await city(db)
    await add_plan(db, world["mine"], world["people"]["pembina_here"], due=date(2026, 11, 2))
    async with db.transaction() as repos:
        first = await clinic_notices(repos, CyclePlan(), date(2026, 11, 3))
        week = await clinic_notices(repos, CyclePlan(), date(2026, 11, 10))
    assert [(d.notice.kind, d.officer_id is not None) for d in first] == [("plan_reminder", True)]
    assert "sudah lewat tenggat (Senin, 2 November 2026): Tagih pinjaman macet" in first[0].notice.reply.text
    assert [c.id for c in first[0].notice.reply.choices] == ["go:rencana"]
    staff = [d for d in week if d.staff_id is not None]
    assert len(staff) == 1 and "belum selesai seminggu sesudah tenggat" in staff[0].notice.reply.text
    assert staff[0].notice.dedupe_key.startswith("clinic:plan-overdue-pembina:")
