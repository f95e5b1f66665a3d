"""The reminder calendar on a controllable clock: one month of the reporting cycle, and the RAT/NIK/ODS reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.periods import Period
from bot.scheduler import catch_up
from bot.services.cycle import CyclePlan, recap
from bot.services.notices import QuietHours
from bot.services.obligation_notices import obligations_of
from storage.db import Database
from storage.models import Cooperative, Officer, OutboxMessage

WIB = ZoneInfo("Asia/Jakarta")
PLAN = CyclePlan(office_zone=WIB, quiet=QuietHours(time(21, 0), time(7, 0)))


@dataclass
class City:
    """Three cooperatives in two kecamatan, one officer each on Telegram, an admin and a pembina."""

    coops: dict[str, int]
    officers: dict[str, int]
    admin: int
    pembina: int


async def make_city(db: Database) -> City:
    async with db.transaction() as repos:
        utara = await repos.regions.get_or_create("kecamatan", "Prajurit Kulon")
        selatan = await repos.regions.get_or_create("kecamatan", "Magersari")
        coops, officers = {}, {}
        for index, (name, region) in enumerate(
            [("KSP Maju", utara.id), ("KSP Rukun", utara.id), ("KSP Sejahtera", selatan.id)], start=1
        ):
            coop, _ = await repos.cooperatives.upsert(
                {"name": name, "nik": f"N{index}", "type": "ksp", "kecamatan_id": region}
            )
            officer = await repos.officers.add(coop.id, f"Bu {name[4:]}", "bendahara")
            identity = await repos.identities.get_or_create("telegram", f"tg{index}")
            identity.officer_id = officer.id
            coops[name], officers[name] = coop.id, officer.id
        admin = await repos.staff.add("Pak Admin", "admin")
        pembina = await repos.staff.add("Bu Pembina", "pembina", kecamatan_id=utara.id)
        for staff, external in ((admin, "tg-admin"), (pembina, "tg-pembina")):
            identity = await repos.identities.get_or_create("telegram", external)
            identity.staff_id = staff.id
        return City(coops, officers, admin.id, pembina.id)


async def submit(db: Database, coop_id: int, period: str, at: datetime) -> None:
    async with db.transaction() as repos:
        report = await repos.reports.get_or_create(coop_id, period)
        await repos.reports.add_revision(report, {"cash": "1"}, at=at)


async def rows(db: Database, prefix: str) -> list[OutboxMessage]:
    async with db.transaction() as repos:
        return await repos.outbox.by_keys_prefix(prefix)


def on(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB)


async def test_a_month_of_the_reporting_cycle(db: Database) -> None:
    city = await make_city(db)
    await catch_up(db, PLAN, on(1, 7, 59))
    assert await rows(db, "notice:") == []  # the tick is at 08.00

    await catch_up(db, PLAN, on(1, 8, 5))
    opened = await rows(db, "notice:report-open:2026-10:")
    assert len(opened) == 3 and {r.kind for r in opened} == {"report_open"}
    assert "Oktober 2026 sudah dibuka" in opened[0].payload["text"]
    assert opened[0].payload["choices"][0] == {"id": "go:lapor", "title": "Isi laporan", "description": None}

    await submit(db, city.coops["KSP Maju"], "2026-10", on(3, 10))
    for day in range(2, 9):
        await catch_up(db, PLAN, on(day, 9))
    fifth = await rows(db, "reminder:report-due:2026-10:day-5:")
    assert {r.officer_id for r in fifth} == {city.officers["KSP Rukun"], city.officers["KSP Sejahtera"]}
    assert all(r.priority < opened[0].priority for r in fifth)

    await submit(db, city.coops["KSP Rukun"], "2026-10", on(8, 11))
    await catch_up(db, PLAN, on(9, 9))
    ninth = await rows(db, "reminder:report-due:2026-10:day-9:")
    assert [r.officer_id for r in ninth] == [city.officers["KSP Sejahtera"]]
    assert "belum kami terima" in ninth[0].payload["text"] and "Selasa, 10 November 2026" in ninth[0].payload["text"]

    await catch_up(db, PLAN, on(10, 9))
    assert await rows(db, "reminder:report-late:") == []  # day 10 is the deadline itself
    await catch_up(db, PLAN, on(11, 9))
    late = await rows(db, "reminder:report-late:2026-10:")
    assert [r.officer_id for r in late] == [city.officers["KSP Sejahtera"]]
    lists = {r.staff_id: r for r in await rows(db, "summary:report-missing:2026-10:")}
    assert set(lists) == {city.admin, city.pembina}
    assert "2 dari 3 koperasi sudah melapor (67%)" in lists[city.admin].payload["text"]
    assert "KSP Sejahtera" in lists[city.admin].payload["text"]
    # the pembina of Prajurit Kulon: both of theirs reported
    assert "2 dari 2 koperasi sudah melapor (100%)" in lists[city.pembina].payload["text"]
    assert "KSP Sejahtera" not in lists[city.pembina].payload["text"]

    # the whole month again (a second process, a restart): nothing new
    async with db.transaction() as repos:
        before = sum((await repos.outbox.count_by_status()).values())
    for day in range(1, 13):
        await catch_up(db, PLAN, on(day, 12))
    async with db.transaction() as repos:
        assert sum((await repos.outbox.count_by_status()).values()) == before


async def test_completeness_and_timeliness(db: Database) -> None:
    city = await make_city(db)
    await submit(db, city.coops["KSP Maju"], "2026-10", on(4))
    await submit(db, city.coops["KSP Rukun"], "2026-10", on(12))  # late
    async with db.transaction() as repos:
        summary = await recap(repos, Period(2026, 10), PLAN)
        assert (summary.total, summary.reported, summary.on_time) == (3, 2, 1)
        assert (summary.completeness, summary.timeliness) == (Decimal(67), Decimal(33))
        assert [m.name for m in summary.missing] == ["KSP Sejahtera"]
        kecamatan = {r.rows[0].kecamatan: (r.reported, r.total) for r in summary.by_kecamatan()}
        assert kecamatan == {"Magersari": (0, 1), "Prajurit Kulon": (2, 2)}


async def test_a_tick_inside_quiet_hours_is_deferred_to_the_morning(db: Database) -> None:
    await make_city(db)
    plan = CyclePlan(office_zone=WIB, quiet=PLAN.quiet, tick_hour=22)
    await catch_up(db, plan, on(1, 22, 30))
    opened = await rows(db, "notice:report-open:")
    assert len(opened) == 3
    assert all(r.next_attempt_at == on(2, 7) for r in opened)


def _coop(**dates: date | None) -> Cooperative:
    return Cooperative(id=7, name="KSP Maju", type="ksp", timezone="Asia/Jakarta", **dates)


def _officer() -> Officer:
    return Officer(id=9, cooperative_id=7, name="Bu Siti", role="ketua", language="id")


def _keys(coop: Cooperative, start: date, end: date) -> dict[date, list[str]]:
    found: dict[date, list[str]] = {}
    day = start
    while day <= end:
        due = obligations_of(coop, _officer(), day)
        if due:
            found[day] = [d.notice.dedupe_key for d in due]
        day += timedelta(days=1)
    return found


def test_rat_reminders_from_january_to_march_until_the_rat_is_recorded() -> None:
    no_rat_yet = _coop(rat_date=date(2026, 3, 20))
    days = _keys(no_rat_yet, date(2027, 1, 1), date(2027, 6, 30))
    rat_days = sorted(d for d, keys in days.items() if any(k.startswith("reminder:rat:") for k in keys))
    assert rat_days == [date(2027, 1, 5), date(2027, 2, 1), date(2027, 3, 1), date(2027, 3, 25), date(2027, 6, 1)]
    held = _coop(rat_date=date(2027, 2, 20))
    assert not any(
        k.startswith("reminder:rat:")
        for keys in _keys(held, date(2027, 3, 1), date(2027, 6, 30)).values()
        for k in keys
    )
    text = obligations_of(no_rat_yet, _officer(), date(2027, 3, 25))[0].notice.reply.text
    assert "tahun buku 2026" in text and "Rabu, 31 Maret 2027" in text


def test_rat_more_than_a_year_ago_is_warned_once() -> None:
    coop = _coop(rat_date=date(2026, 3, 20))
    warnings = {k for keys in _keys(coop, date(2027, 3, 1), date(2027, 5, 1)).values() for k in keys if "overdue" in k}
    assert warnings == {"reminder:rat-overdue:2026-03-20:coop-7:officer-9"}
    assert not any("overdue" in k for keys in _keys(coop, date(2027, 3, 1), date(2027, 3, 20)).values() for k in keys)


def test_rat_notices_offer_a_button_to_record_the_rat() -> None:
    coop = _coop(rat_date=date(2026, 3, 20))
    for lang, button in (("id", "Catat tanggal RAT"), ("en", "Record RAT date")):
        officer = Officer(id=9, cooperative_id=7, name="Bu Siti", role="ketua", language=lang)
        # the reminder (1 March), the overdue notice (21 March), the final reminder with the overdue one (1 June)
        dues = [
            due
            for day in (date(2027, 3, 1), date(2027, 3, 21), date(2027, 6, 1))
            for due in obligations_of(coop, officer, day)
        ]
        assert len(dues) == 4 and {d.notice.kind for d in dues} == {"rat_reminder"}
        for due in dues:
            assert [(c.id, c.title) for c in due.notice.reply.choices] == [("go:rat", button)]
            assert due.notice.template_params[-1] == "go:rat" and len(due.notice.template_params) == 4
            assert "*rat*" in due.notice.reply.text and "pembina Dinas agar" not in due.notice.reply.text


def test_nik_reminders_60_and_14_days_before_expiry() -> None:
    coop = _coop(nik_valid_until=date(2027, 5, 31))
    days = _keys(coop, date(2027, 1, 1), date(2027, 6, 30))
    nik = {d: k for d, keys in days.items() for k in keys if "nik-expiry" in k}
    assert nik == {
        date(2027, 4, 1): "reminder:nik-expiry:2027-05-31:60d:coop-7:officer-9",
        date(2027, 5, 17): "reminder:nik-expiry:2027-05-31:14d:coop-7:officer-9",
    }


def test_ods_reminders_7_and_25_days_after_the_rat_unless_updated() -> None:
    coop = _coop(rat_date=date(2027, 3, 10))
    ods = {d for d, keys in _keys(coop, date(2027, 3, 10), date(2027, 5, 1)).items() for k in keys if "ods" in k}
    assert ods == {date(2027, 3, 17), date(2027, 4, 4)}
    updated = _coop(rat_date=date(2027, 3, 10), ods_updated_on=date(2027, 3, 12))
    assert not any("ods" in k for keys in _keys(updated, date(2027, 3, 10), date(2027, 5, 1)).values() for k in keys)
    text = obligations_of(coop, _officer(), date(2027, 3, 17))[0].notice.reply.text
    assert "ODS paling lambat Jumat, 9 April 2027" in text


async def test_obligation_ticks_send_each_reminder_on_its_day(db: Database) -> None:
    city = await make_city(db)
    async with db.transaction() as repos:
        coop = await repos.cooperatives.get(city.coops["KSP Maju"])
        assert coop is not None
        coop.nik_valid_until = date(2027, 1, 14)
    start = datetime(2026, 11, 15, 9, tzinfo=WIB)
    seen: dict[str, date] = {}
    for days in range(60):
        now = start + timedelta(days=days)
        await catch_up(db, PLAN, now)  # the first run: today only
        for row in await rows(db, "reminder:nik-expiry:"):
            seen.setdefault(row.dedupe_key, now.date())
    assert seen == {
        f"reminder:nik-expiry:2027-01-14:60d:coop-{coop.id}:officer-{city.officers['KSP Maju']}": date(2026, 11, 15),
        f"reminder:nik-expiry:2027-01-14:14d:coop-{coop.id}:officer-{city.officers['KSP Maju']}": date(2026, 12, 31),
    }
