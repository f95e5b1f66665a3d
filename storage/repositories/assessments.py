"""Stored health assessments and the coaching record."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BindParameter, String, bindparam, delete, func, insert, select, update

from storage import standing_counts
from storage.models import Assessment, CoachingEntry, Cooperative, LatestStanding, PeriodStanding, StandingCount
from storage.repositories._base import Repo, dialect_insert

PERIOD_KEY = ("cooperative_id", "framework", "period")
KEPT = ("assessment_id", "total", "category", "special_flag")  # what a standing keeps of its assessment
STANDING = (*PERIOD_KEY, *KEPT)
LATEST = (*STANDING, "previous_total", "earlier_total")


class _Storing:
    """The statements `AssessmentRepo.add` sends, built once per dialect (SQLAlchemy's construction of an upsert
    costs more CPU than sending it); every value is bound per call."""

    def __init__(self, dialect: str) -> None:
        cooperative: BindParameter[int] = bindparam("of_cooperative")
        self.cooperative_type = (
            select(Cooperative.type).where(Cooperative.id == cooperative).with_for_update(key_share=True)
        )
        self.touched = standing_counts.standings_of(cooperative, bindparam("of_period", type_=String))
        # The newest of the period is the highest id: another process's assessment that took a lower id and
        # commits later does not replace it.
        period = dialect_insert(dialect, PeriodStanding)
        self.period = period.on_conflict_do_update(
            index_elements=list(PERIOD_KEY),
            set_={key: period.excluded[key] for key in KEPT},
            where=PeriodStanding.assessment_id < period.excluded.assessment_id,
        )
        lock = dialect_insert(dialect, LatestStanding)
        self.lock = lock.on_conflict_do_update(
            index_elements=["cooperative_id", "framework"], set_={"period": LatestStanding.period}
        )
        framework: BindParameter[str] = bindparam("of_framework")
        self.last = (
            select(*(getattr(PeriodStanding, key) for key in STANDING[2:]))
            .where(PeriodStanding.cooperative_id == cooperative, PeriodStanding.framework == framework)
            .order_by(PeriodStanding.period.desc())
            .limit(3)
        )
        self.latest = (
            update(LatestStanding)
            .where(LatestStanding.cooperative_id == cooperative, LatestStanding.framework == framework)
            .values({key: bindparam(f"new_{key}") for key in (*STANDING[2:], "previous_total", "earlier_total")})
        )


@cache
def _storing(dialect: str) -> _Storing:
    return _Storing(dialect)


class AssessmentRepo(Repo):
    """Stored health assessments."""

    async def add(self, assessment: Assessment) -> Assessment:
        """Store an assessment and, in the same transaction, its period's standing (the newest assessment of each
        cooperative, framework and period) and the cooperative's latest standing with the framework (its latest
        assessed period, with the totals of the two assessed periods before it), and note how the standing counts
        change (added at commit). The cooperative's row is locked first: its standings of every framework and its
        type stay as read until this transaction ends."""
        self.session.add(assessment)
        await self.session.flush()
        stmts = _storing(self.dialect)
        key = {"of_cooperative": assessment.cooperative_id, "of_framework": assessment.framework}
        touched = {"of_cooperative": assessment.cooperative_id, "of_period": assessment.period}
        cooperative_type = str(
            await self.session.scalar(stmts.cooperative_type, {"of_cooperative": key["of_cooperative"]})
        )
        before = standing_counts.rows_of(await self.session.execute(stmts.touched, touched))
        values: dict[str, Any] = {key: getattr(assessment, key) for key in (*PERIOD_KEY, *KEPT[1:])}
        values["assessment_id"] = assessment.id
        values["special_flag"] = bool(assessment.special_flag)
        await self.session.execute(stmts.period, values)
        # Lock the latest standing (or create it), then read the last three assessed periods: a second process
        # storing an assessment of the same cooperative waits here and reads what this one wrote.
        await self.session.execute(stmts.lock, values)
        last = (await self.session.execute(stmts.last, key)).all()
        totals = [row.total for row in last[1:]] + [None, None]
        newest = {f"new_{name}": value for name, value in last[0]._asdict().items()}
        newest.update(new_previous_total=totals[0], new_earlier_total=totals[1])
        await self.session.execute(stmts.latest, {**key, **newest})
        after = standing_counts.rows_of(await self.session.execute(stmts.touched, touched))
        standing_counts.note(
            self.session.sync_session,
            standing_counts.counted(cooperative_type, before),
            standing_counts.counted(cooperative_type, after),
        )
        return assessment

    async def rebuild_standings(self) -> None:
        """Every period's and every cooperative's latest standing from the stored assessments (after a bulk load),
        in two statements, and the standing counts from them."""
        newest = select(
            *(getattr(Assessment, key) for key in PERIOD_KEY),
            Assessment.id,
            *(getattr(Assessment, key) for key in KEPT[1:]),
            func.row_number()
            .over(partition_by=[getattr(Assessment, key) for key in PERIOD_KEY], order_by=Assessment.id.desc())
            .label("rank"),
        ).subquery()
        await self.session.execute(delete(LatestStanding))
        await self.session.execute(delete(PeriodStanding))
        await self.session.execute(
            insert(PeriodStanding).from_select(
                list(STANDING), select(*(c for c in newest.c if c.key != "rank")).where(newest.c.rank == 1)
            )
        )
        window: dict[str, Any] = {
            "partition_by": (PeriodStanding.cooperative_id, PeriodStanding.framework),
            "order_by": PeriodStanding.period.desc(),
        }
        aged = select(
            *(getattr(PeriodStanding, key) for key in STANDING),
            func.lead(PeriodStanding.total, 1).over(**window).label("previous_total"),
            func.lead(PeriodStanding.total, 2).over(**window).label("earlier_total"),
            func.row_number().over(**window).label("age"),
        ).subquery()
        latest = select(*(c for c in aged.c if c.key != "age")).where(aged.c.age == 1)
        await self.session.execute(insert(LatestStanding).from_select(list(LATEST), latest))
        standing_counts.forget(self.session.sync_session)
        await self.session.execute(delete(StandingCount))
        await self.session.execute(standing_counts.rebuilt())

    async def history(self, cooperative_id: int, limit: int = 6) -> list[Assessment]:
        """The latest assessment per period and framework (a cooperative with a savings unit has two), of the last
        `limit` assessed periods, newest first."""
        stmt = (
            select(Assessment)
            .where(Assessment.cooperative_id == cooperative_id)
            .order_by(Assessment.period.desc(), Assessment.id.desc())
        )
        seen: dict[tuple[str, str], Assessment] = {}
        for row in (await self.session.scalars(stmt.limit(limit * 8))).all():
            seen.setdefault((row.period, row.framework), row)
        periods = sorted({period for period, _ in seen}, reverse=True)[:limit]
        return [row for (period, _), row in seen.items() if period in periods]

    async def of_period(self, period: str) -> dict[int, Assessment]:
        """Each cooperative's latest assessment of `period`."""
        stmt = select(Assessment).where(Assessment.period == period).order_by(Assessment.id)
        return {a.cooperative_id: a for a in (await self.session.scalars(stmt)).all()}

    async def latest_by_cooperative(self, framework: str) -> dict[int, Assessment]:
        stmt = select(Assessment).where(Assessment.framework == framework).order_by(Assessment.id)
        return {a.cooperative_id: a for a in (await self.session.scalars(stmt)).all()}

    async def latest_categories(self) -> dict[int, str]:
        """Each cooperative's latest health category (by period, then newest assessment)."""
        stmt = (
            select(Assessment.cooperative_id, Assessment.category)
            .where(Assessment.category.is_not(None))
            .order_by(Assessment.period, Assessment.id)
        )
        return {int(r[0]): str(r[1]) for r in await self.session.execute(stmt)}


class CoachingRepo(Repo):
    """The cooperative's coaching record."""

    async def add(self, entry: CoachingEntry) -> CoachingEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def of_cooperative(self, cooperative_id: int, limit: int = 20) -> list[CoachingEntry]:
        stmt = select(CoachingEntry).where(CoachingEntry.cooperative_id == cooperative_id)
        return list((await self.session.scalars(stmt.order_by(CoachingEntry.id.desc()).limit(limit))).all())
