"""Monthly reports, drafts and their revisions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import BindParameter, Integer, Select, String, and_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import instance_state

from storage.models import Report, ReportRevision, utcnow
from storage.repositories._base import Repo, dialect_insert


@cache
def _report_statement(locking_dialect: str) -> Select[Any]:
    """One cooperative's report for one period (asked on every report answer: built once); locked on PostgreSQL
    when `locking_dialect` is "postgresql" (SQLite has one writer)."""
    stmt = select(Report).where(
        Report.cooperative_id == bindparam("cooperative_id"), Report.period == bindparam("period")
    )
    return cast("Select[Any]", stmt.with_for_update() if locking_dialect == "postgresql" else stmt)


@cache
def _locking_statement(locking_dialect: str) -> Select[Any]:
    """The reports of many (cooperative, period) pairs, in id order (a batch's report answers: built once); locked on
    PostgreSQL as `_report_statement`.

    On PostgreSQL the pairs are bound as two arrays ("cooperative_ids", "periods"), joined as rows (`unnest`): the
    statement's text is the same for any number of pairs, not rendered again for each execution (an expanding IN
    of 16 pairs: about 125 µs more CPU a batch, measured); elsewhere as one expanding list ("keys")."""
    if locking_dialect != "postgresql":
        keys: BindParameter[Any] = bindparam("keys", expanding=True)
        return select(Report).where(tuple_(Report.cooperative_id, Report.period).in_(keys)).order_by(Report.id)
    arrays = (bindparam("cooperative_ids", type_=ARRAY(Integer)), bindparam("periods", type_=ARRAY(String)))
    wanted = func.unnest(*arrays).table_valued("cooperative_id", "period").render_derived()
    on = and_(Report.cooperative_id == wanted.c.cooperative_id, Report.period == wanted.c.period)
    return select(Report).join(wanted, on).order_by(Report.id).with_for_update(of=Report)


def _locking_params(dialect: str, keys: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """`_locking_statement`'s parameters for these pairs."""
    if dialect != "postgresql":
        return {"keys": keys}
    return {"cooperative_ids": [c for c, _ in keys], "periods": [p for _, p in keys]}


@cache
def _revision_statement() -> Select[Any]:
    """One revision of one report (asked when a submitted report opens and at every submission: built once)."""
    return select(ReportRevision).where(
        ReportRevision.report_id == bindparam("report_id"), ReportRevision.number == bindparam("number")
    )


@cache
def _periods_statement() -> Select[Any]:
    """The periods a cooperative submitted a report for, in order (read at every submission: built once)."""
    return (
        select(Report.period)
        .where(Report.cooperative_id == bindparam("cooperative_id"), Report.status == "submitted")
        .order_by(Report.period)
    )


def _submitted_before(
    cooperative_ids: Collection[int] | BindParameter[Any], period: str | BindParameter[str]
) -> Select[Any]:
    """The latest revision of each report these cooperatives submitted for a period before `period` (given, or bound
    parameters to give them per call)."""
    return (
        select(ReportRevision)
        .join(Report, Report.id == ReportRevision.report_id)
        .where(Report.cooperative_id.in_(cooperative_ids), Report.period < period, Report.status == "submitted")
        .where(ReportRevision.number == Report.latest_revision)
    )


@cache
def _before_statement() -> Select[Any]:
    """`latest_submitted_before` of one cooperative, bound per call (read at every submission: built once)."""
    ids: BindParameter[Any] = bindparam("ids", expanding=True)
    return _submitted_before(ids, bindparam("period", type_=String)).order_by(Report.period.desc()).limit(1)


def _new_draft(cooperative_id: int, period: str, at: datetime) -> dict[str, Any]:
    """The row of a report opened and not yet answered."""
    return {
        "cooperative_id": cooperative_id,
        "period": period,
        "status": "draft",
        "draft": {},
        "latest_revision": 0,
        "created_at": at,
    }


DRAFT_COLUMNS = ("draft", "draft_officer_id", "draft_updated_at")


def take_drafts(session: AsyncSession) -> list[dict[str, Any]]:
    """The reports of this unit of work whose only changes are to their drafts (`ReportService.save_draft`), as rows
    (id and the draft's columns) for the caller to write, marked written in the session so its flush leaves them
    out (a report changed otherwise, as by a submission, is left to the flush).

    Marked written as a flush marks what it wrote (`InstanceState._commit_all`: no change left, and no longer
    counted as modified): with `set_committed_value` of each column the session still counted them modified, so
    the next statement's autoflush ran a unit of work over them that wrote nothing (3 % of a steady batch's CPU)."""
    rows = []
    identities = session.sync_session.identity_map
    for report in session.dirty:
        if type(report) is not Report:
            continue
        state = instance_state(report)
        changed = state.committed_state.keys()
        if not changed or not changed <= set(DRAFT_COLUMNS):
            continue
        rows.append({"id": report.id, **{c: getattr(report, c) for c in DRAFT_COLUMNS}})
        state._commit_all(state.dict, identities)
    return sorted(rows, key=lambda r: int(r["id"]))


class ReportRepo(Repo):
    """Monthly reports, drafts and their revisions."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._held: dict[tuple[int, str], Report] = {}  # rows this transaction locked, by (cooperative, period)
        self._before: dict[tuple[int, str], ReportRevision | None] = {}  # `latest_submitted_before`, read ahead

    async def lock_many(self, keys: Sequence[tuple[int, str]]) -> None:
        """Load and lock the reports of these (cooperative, period) pairs in one statement (in id order, so two
        processes queue instead of deadlocking), for the `get(..., lock=True)` calls of this transaction."""
        wanted = sorted({k for k in keys if k not in self._held})
        if not wanted:
            return
        stmt = _locking_statement(self.dialect)
        with self.session.no_autoflush:  # as in `get`
            for report in await self.session.scalars(stmt, _locking_params(self.dialect, wanted)):
                self._held[(report.cooperative_id, report.period)] = report

    async def open_many(self, keys: Sequence[tuple[int, str]]) -> None:
        """`get_or_create` for many (cooperative, period) pairs (a batch's report openings): the existing reports
        read and locked in one statement (`lock_many`), the missing ones made with one INSERT (in key order, so two
        processes making the same reports wait for each other), then read and locked in id order: the rows another
        process made first too."""
        await self.lock_many(keys)
        missing = sorted({k for k in keys if k not in self._held})
        if not missing:
            return
        now = utcnow()
        rows = [_new_draft(c, p, now) for c, p in missing]
        with self.session.no_autoflush:  # as in `get_or_create`
            await self._insert_ignore_many(Report, rows)
        await self.lock_many(missing)

    async def get(self, cooperative_id: int, period: str, *, lock: bool = False) -> Report | None:
        if lock and (cooperative_id, period) in self._held:
            return self._held[(cooperative_id, period)]
        stmt = _report_statement(self.dialect if lock else "")
        # Asked on every report answer: without flushing first, so the rows this unit of work changed (the sender's
        # conversation, the previous draft) are written together at its end, one statement per table, not one each.
        # Safe: the row is found by its key whatever is pending, and a row already loaded keeps its pending changes.
        with self.session.no_autoflush:
            report: Report | None = (
                await self.session.scalars(stmt, {"cooperative_id": cooperative_id, "period": period})
            ).first()
        if lock and report is not None:
            self._held[(cooperative_id, period)] = report
        return report

    async def by_id(self, report_id: int, *, lock: bool = False) -> Report | None:
        stmt = select(Report).where(Report.id == report_id)
        return (await self.session.scalars(self._locked(stmt) if lock else stmt)).first()

    async def get_or_create(self, cooperative_id: int, period: str) -> Report:
        report = await self.get(cooperative_id, period, lock=True)
        if report is not None:
            return report
        made = dialect_insert(self.dialect, Report).values(_new_draft(cooperative_id, period, utcnow()))
        # The new row itself comes back (ours until commit: no lock to take). Without flushing first, as `get` (a
        # report opening is in the officers' batch). Safe: a report row is only ever made here, never as a pending
        # object.
        with self.session.no_autoflush:
            report = (await self.session.scalars(made.on_conflict_do_nothing().returning(Report))).first()
        if report is None:  # another transaction made it meanwhile: read it once that one is done
            report = await self.get(cooperative_id, period, lock=True)
            assert report is not None
        self._held[(cooperative_id, period)] = report
        return report

    async def add_revision(
        self,
        report: Report,
        figures: dict[str, Any],
        *,
        at: datetime,
        officer_id: int | None = None,
        staff_id: int | None = None,
        reason: str | None = None,
    ) -> ReportRevision:
        """Store a new submitted revision with what changed since the previous one."""
        previous = await self.revision(report.id, report.latest_revision) if report.latest_revision else None
        old = previous.figures if previous else {}
        changes = {k: [old.get(k), v] for k, v in figures.items() if old.get(k) != v} if previous else {}
        revision = ReportRevision(
            report_id=report.id,
            number=report.latest_revision + 1,
            figures=figures,
            changes=changes,
            reason=reason,
            officer_id=officer_id,
            staff_id=staff_id,
            created_at=at,
        )
        self.session.add(revision)
        report.latest_revision = revision.number
        report.status = "submitted"
        report.review_state = "waiting"  # the new revision has no decision yet
        report.first_submitted_at = report.first_submitted_at or at
        report.draft = {}
        report.draft_officer_id = None
        await self.session.flush()
        self._before = {k: v for k, v in self._before.items() if k[0] != report.cooperative_id}
        return revision

    async def revision(self, report_id: int, number: int) -> ReportRevision | None:
        params = {"report_id": report_id, "number": number}
        return (await self.session.scalars(_revision_statement(), params)).first()

    async def revisions(self, report_id: int) -> list[ReportRevision]:
        stmt = select(ReportRevision).where(ReportRevision.report_id == report_id)
        return list((await self.session.scalars(stmt.order_by(ReportRevision.number))).all())

    async def before_many(self, keys: Sequence[tuple[int, str]]) -> None:
        """Read ahead `latest_submitted_before` for these (cooperative, period) pairs: one statement per period."""
        by_period: dict[str, set[int]] = {}
        for cooperative_id, period in keys:
            if (cooperative_id, period) not in self._before:
                by_period.setdefault(period, set()).add(cooperative_id)
        for period, ids in sorted(by_period.items()):
            newest = func.row_number().over(partition_by=Report.cooperative_id, order_by=Report.period.desc())
            ranked = (
                _submitted_before(ids, period)
                .add_columns(Report.cooperative_id.label("cooperative"), newest.label("rank"))
                .subquery()
            )
            found = aliased(ReportRevision, ranked)
            self._before.update(dict.fromkeys(((i, period) for i in ids), None))
            with self.session.no_autoflush:  # as in `latest_submitted_before`
                rows = await self.session.execute(select(found, ranked.c.cooperative).where(ranked.c.rank == 1))
            for revision, cooperative_id in rows:
                self._before[(cooperative_id, period)] = revision

    async def latest_submitted_before(self, cooperative_id: int, period: str) -> ReportRevision | None:
        if (cooperative_id, period) in self._before:
            return self._before[(cooperative_id, period)]
        params = {"ids": [cooperative_id], "period": period}
        # Read when a report opens, without flushing first (as `get`). Safe: a revision and the report's submitted
        # state are written only by `add_revision`, which flushes them.
        with self.session.no_autoflush:
            return (await self.session.scalars(_before_statement(), params)).first()

    async def latest_submitted(self, cooperative_id: int) -> tuple[Report, ReportRevision] | None:
        stmt = (
            select(Report, ReportRevision)
            .join(ReportRevision, ReportRevision.report_id == Report.id)
            .where(Report.cooperative_id == cooperative_id, Report.status == "submitted")
            .where(ReportRevision.number == Report.latest_revision)
            .order_by(Report.period.desc())
        )
        row = (await self.session.execute(stmt.limit(1))).first()
        return (row[0], row[1]) if row else None

    async def submitted_periods(self, cooperative_id: int) -> list[str]:
        params = {"cooperative_id": cooperative_id}
        return list((await self.session.scalars(_periods_statement(), params)).all())

    async def submitted_cooperative_ids(self, period: str) -> dict[int, datetime | None]:
        stmt = select(Report.cooperative_id, Report.first_submitted_at).where(
            Report.period == period, Report.status == "submitted"
        )
        return {row[0]: row[1] for row in await self.session.execute(stmt)}
