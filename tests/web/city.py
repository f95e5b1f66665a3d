"""A small city for the office web app's tests: two kecamatan, cooperatives of every kind, scores and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.health import keys
from bot.domain.periods import Period, deadline, reporting_period_for
from bot.services.staff_access import StaffAccessService
from storage.db import Database
from storage.models import Assessment, ChannelIdentity, Cooperative, Report, ReportRevision

CATEGORY_OF = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus")
TOTALS = {"sehat": "85.50", "cukup_sehat": "72.40", "dalam_pengawasan": "60.00", "dalam_pengawasan_khusus": "40.25"}


@dataclass
class City:
    """What was made: ids by name, and the staff logins."""

    open_period: Period
    kecamatan: dict[str, int] = field(default_factory=dict)
    kelurahan: dict[str, int] = field(default_factory=dict)
    niks: dict[str, str] = field(default_factory=dict)  # cooperative name -> NIK
    logins: dict[str, int] = field(default_factory=dict)  # login -> staff id


async def build_city(db: Database, now: datetime | None = None) -> City:
    """Two kecamatan (Magersari, Prajurit Kulon) with 12 cooperatives each; categories spread over the last three
    periods; reports of the open period on time, late and missing; an admin, a pembina of Magersari, a viewer."""
    now = now or datetime.now(UTC)
    open_period = reporting_period_for(now, ZoneInfo("Asia/Jakarta"))
    city = City(open_period)
    async with db.transaction() as repos:
        for kecamatan in ("Magersari", "Prajurit Kulon"):
            region = await repos.regions.get_or_create("kecamatan", kecamatan)
            city.kecamatan[kecamatan] = region.id
            for suffix in ("Utara", "Selatan"):
                village = await repos.regions.get_or_create("kelurahan", f"{kecamatan} {suffix}", region.id)
                city.kelurahan[f"{kecamatan} {suffix}"] = village.id
        types = ("ksp", "usp", "konsumen", "produsen")
        for index in range(24):
            kecamatan = "Magersari" if index < 12 else "Prajurit Kulon"
            kelurahan = f"{kecamatan} {'Utara' if index % 2 else 'Selatan'}"
            type_ = types[index % 4]
            name = f"Koperasi {type_.upper()} Nomor {index + 1:02d}"
            nik = f"35760{index + 1:05d}"
            coop = Cooperative(
                name=name,
                nik=nik,
                type=type_,
                tags=["kkmp"] if index % 3 == 0 else (["kopontren"] if index % 3 == 1 else []),
                has_savings_unit=type_ == "konsumen",
                kecamatan_id=city.kecamatan[kecamatan],
                kelurahan_id=city.kelurahan[kelurahan],
                timezone="Asia/Makassar" if index == 23 else "Asia/Jakarta",
                legal_entity_number=f"AHU-{index:04d}",
            )
            repos.session.add(coop)
            await repos.session.flush()
            city.niks[name] = nik
            officer = await repos.officers.add(coop.id, f"Bu Bendahara {index + 1}", "bendahara")
            if index % 2 == 0:
                repos.session.add(
                    ChannelIdentity(channel="telegram", external_id=str(9000 + index), officer_id=officer.id)
                )
            for back in range(3):  # the last three periods before the open one
                if index % 6 == 5:
                    break  # some were never assessed
                period = open_period
                for _ in range(back + 1):
                    period = period.previous()
                at = deadline(period, "Asia/Jakarta") - timedelta(days=3)
                report = Report(
                    cooperative_id=coop.id,
                    period=str(period),
                    status="submitted",
                    first_submitted_at=at,
                    latest_revision=1,
                    review_state="waiting",
                )
                repos.session.add(report)
                await repos.session.flush()
                revision = ReportRevision(
                    report_id=report.id, number=1, figures={"cash": "1000"}, officer_id=officer.id, created_at=at
                )
                repos.session.add(revision)
                await repos.session.flush()
                category = CATEGORY_OF[(index + back) % 4]
                if type_ in ("ksp", "usp") or type_ == "konsumen":
                    await repos.assessments.add(
                        Assessment(
                            cooperative_id=coop.id,
                            revision_id=revision.id,
                            period=str(period),
                            framework=keys.PERDEP,
                            total=Decimal(TOTALS[category]),
                            category=category,
                            result={},
                            rules_hash="t",
                            created_at=at,
                        )
                    )
                if type_ not in ("ksp", "usp"):
                    await repos.assessments.add(
                        Assessment(
                            cooperative_id=coop.id,
                            revision_id=revision.id,
                            period=str(period),
                            framework=keys.INDICATIVE,
                            total=None,
                            category=None,
                            result={},
                            rules_hash="t",
                            created_at=at,
                        )
                    )
            if index % 3 != 2:  # the open period: on time, late (every fourth), missing (every third)
                due = deadline(open_period, coop.timezone)
                at = due + timedelta(days=1) if index % 4 == 0 else due - timedelta(days=2)
                at = min(at, now)
                repos.session.add(
                    Report(
                        cooperative_id=coop.id,
                        period=str(open_period),
                        status="submitted",
                        first_submitted_at=at,
                        latest_revision=1,
                        review_state="waiting",
                    )
                )
        for name, role, area in (
            ("Ibu Admin", "admin", None),
            ("Pak Pembina", "pembina", "Magersari"),
            ("Bu Pemantau", "viewer", None),
        ):
            staff = await repos.staff.add(name, role, city.kecamatan[area] if area else None)
            city.logins[await StaffAccessService(repos).give_login(staff.id, None)] = staff.id
        await repos.session.flush()
    return city
