"""The synthetic province (`kopsehat demo --cooperatives N --periods P`): regions, officers and chat accounts in
proportion, reports with the seeds' mix of categories, nothing dated after today, and loaded once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.services.province import load_province
from storage.db import Database
from storage.models import (
    Announcement,
    Assessment,
    Attendance,
    Base,
    ChannelIdentity,
    Cooperative,
    Officer,
    Region,
    Report,
    ReportRevision,
    TrainingRegistration,
    TrainingSession,
)
from storage.repositories import QueueFilter

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 5, 9, 0, tzinfo=WIB)  # before the 10th: October's reports are still arriving


async def test_a_province_in_proportion_with_nothing_from_the_future(db: Database) -> None:
    async with db.transaction() as repos:
        counts = await load_province(repos, NOW, 600, 6, specimens=8, announcements=["Rapat", "Klinik"])
    assert (counts.cooperatives, counts.officers) == (600, 1800)
    async with db.transaction() as repos:
        session = repos.session
        kinds = dict((await session.execute(select(Region.kind, func.count()).group_by(Region.kind))).all())
        assert kinds == {"kabupaten": 1, "kecamatan": 10, "kelurahan": 60}
        channels = dict(
            (await session.execute(select(ChannelIdentity.channel, func.count()).group_by("channel"))).all()
        )
        assert 900 < channels["telegram"] < 1300 and 800 < channels["whatsapp"] < 1200
        assert await session.scalar(select(func.count()).select_from(Report)) == counts.reports
        assert await session.scalar(select(func.count()).select_from(ReportRevision)) == counts.reports
        waiting = QueueFilter(None, states=("waiting",))  # none decided yet: every report waits for review
        assert await repos.reviews.counts(waiting, [None], counts.reports) == [counts.reports]
        periods = dict((await session.execute(select(Report.period, func.count()).group_by(Report.period))).all())
        assert sorted(periods) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
        assert periods["2026-10"] < periods["2026-09"]  # October's are still arriving
        latest: dict[int, str | None] = {}
        for coop, category in await session.execute(
            select(Assessment.cooperative_id, Assessment.category)
            .where(Assessment.category.is_not(None))
            .order_by(Assessment.period, Assessment.id)
        ):
            latest[coop] = category
        shares = Counter(latest.values())
        total = sum(shares.values())
        # the seeds' city: 19 / 68 / 32 / 45 of 164 assessed (11.6%, 41.5%, 19.5%, 27.4%)
        for category, share in (("sehat", 0.116), ("cukup_sehat", 0.415), ("dalam_pengawasan", 0.195),
                                ("dalam_pengawasan_khusus", 0.274)):  # fmt: skip
            assert abs(shares[category] / total - share) < 0.08, (category, shares)
        moved = await session.execute(
            select(Assessment.cooperative_id, func.count(func.distinct(Assessment.category)))
            .where(Assessment.category.is_not(None))
            .group_by(Assessment.cooperative_id)
        )
        assert sum(1 for _, n in moved if n > 1) > 50  # histories rise and fall
        for column in (
            Report.first_submitted_at,
            ReportRevision.created_at,
            Assessment.created_at,
            Officer.created_at,
            Cooperative.created_at,
            TrainingSession.ends_at,
            TrainingRegistration.created_at,
            Attendance.at,
            Announcement.send_at,
        ):
            newest = await session.scalar(select(func.max(column)))
            assert newest is not None and newest <= NOW, column
        for day in (Cooperative.rat_date, Cooperative.ods_updated_on):
            last_day = await session.scalar(select(func.max(day)))
            assert last_day is not None and last_day <= NOW.date(), day
        assert (await session.scalar(select(func.count()).select_from(Attendance)) or 0) > 0
        assert await session.scalar(select(func.count()).select_from(Announcement)) == 2
    async with db.transaction() as repos:
        again = await load_province(repos, NOW, 600, 6, specimens=8)
        officer = await repos.officers.add(1, "Bu Baru", "ketua")  # the sequences continue past the loaded ids
    assert again.cooperatives == 0 and officer.id == 1801


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


# as in tests/storage/test_migrations.py: SQLite's expression index (ix_cooperatives_name_lower) is not reflected
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
async def test_the_load_leaves_the_schemas_indexes_and_keys_as_they_were(db: Database) -> None:
    async with db.transaction() as repos:
        counts = await load_province(repos, NOW, 40, 3, specimens=4)
    assert counts.reports > 0 and list(counts.seconds)[-1] == "sequences and statistics"
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    async with db.transaction() as repos:
        report = (await repos.session.execute(select(Report).limit(1))).scalar_one()
        copy = {"cooperative_id": report.cooperative_id, "period": report.period, "created_at": NOW}
    for table, row in ((Report, copy), (Report, copy | {"period": "2000-01", "cooperative_id": 99_999})):
        with pytest.raises(IntegrityError):  # a second report of a period, a report of no cooperative
            async with db.transaction() as repos:
                await repos.session.execute(insert(table).values(**row))
