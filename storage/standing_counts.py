"""The standing counts (`StandingCount`): how many cooperatives stand in each category per framework, period and
cooperative type, kept as the standings change.

A transaction that stores an assessment reads the cooperative's standings it touches before and after (under the
cooperative's row lock) and notes the difference here; a change of a cooperative's type moves its standings from
the old type to the new one (seen at flush, the cooperative's row locked by its UPDATE). The differences are added
to the counts at the transaction's commit, in key order, so that two transactions never wait on each other's count
rows in opposite orders and each row is locked only while its transaction commits. A rolled-back transaction's
differences are dropped. (No savepoints: a rolled-back savepoint would leave its differences noted.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, event, exists, func, insert, literal, select, union_all
from sqlalchemy import inspect as inspect_state
from sqlalchemy.orm import Session, aliased, object_session

from storage.models import Cooperative, LatestStanding, PeriodStanding, StandingCount
from storage.repositories._base import dialect_insert

Key = tuple[bool, str, str, str, str, bool]  # latest, framework, period, cooperative type, category ("": none), paired
Row = tuple[bool, str, str, str | None]  # latest, framework, period, category: one standing
KEY = ("latest", "framework", "period", "cooperative_type", "category", "paired")
_PENDING = "kopsehat_standing_counts"  # the session's noted differences (Session.info)
_RETYPED = "kopsehat_retyped"  # the session's cooperatives given a type since its last flush (Session.info)


def counted(cooperative_type: str, rows: Iterable[Row]) -> Counter[Key]:
    """What one cooperative's standings add to the counts: a period standing is paired when the cooperative has a
    standing of another framework in that period, a latest standing when it has a latest standing of another
    framework."""
    rows = list(rows)
    frameworks: dict[tuple[bool, str], set[str]] = {}
    for latest, framework, period, _ in rows:
        frameworks.setdefault((latest, "" if latest else period), set()).add(framework)
    return Counter(
        (
            latest,
            framework,
            period,
            cooperative_type,
            category or "",
            len(frameworks[latest, "" if latest else period]) > 1,
        )
        for latest, framework, period, category in rows
    )


def standings_of(
    cooperative_id: int | ColumnElement[int], period: str | ColumnElement[str] | None = None
) -> Select[tuple[bool, str, str, str | None]]:
    """The cooperative's period standings (of `period`, or all) and its latest standings, as counted rows (the
    cooperative and period given, or bound parameters to give them per call)."""
    periods = select(
        literal(False, Boolean), PeriodStanding.framework, PeriodStanding.period, PeriodStanding.category
    ).where(PeriodStanding.cooperative_id == cooperative_id)
    if period is not None:
        periods = periods.where(PeriodStanding.period == period)
    latest = select(
        literal(True, Boolean), LatestStanding.framework, LatestStanding.period, LatestStanding.category
    ).where(LatestStanding.cooperative_id == cooperative_id)
    return select(union_all(periods, latest).subquery())


def rows_of(result: Iterable[Any]) -> list[Row]:
    return [(bool(r[0]), str(r[1]), str(r[2]), r[3]) for r in result]


def note(session: Session, before: Counter[Key], after: Counter[Key]) -> None:
    """Note that the counts go from `before` to `after` when this transaction commits."""
    pending: Counter[Key] = session.info.setdefault(_PENDING, Counter())
    pending.update(after)
    pending.subtract(before)


def forget(session: Session) -> None:
    """Drop what was noted (a rebuild counts everything afresh)."""
    session.info.pop(_PENDING, None)


def rebuilt() -> Any:
    """INSERT ... SELECT of every count from the standings (after a bulk load; the migration's backfill is the same
    in SQL)."""
    return _insert_counts(_period_counts(), _latest_counts())


def _period_counts() -> Select[Any]:
    other = aliased(PeriodStanding)
    paired = exists().where(
        other.cooperative_id == PeriodStanding.cooperative_id,
        other.period == PeriodStanding.period,
        other.framework != PeriodStanding.framework,
    )
    return _grouped(PeriodStanding, paired, latest=False)


def _latest_counts() -> Select[Any]:
    other = aliased(LatestStanding)
    paired = exists().where(
        other.cooperative_id == LatestStanding.cooperative_id, other.framework != LatestStanding.framework
    )
    return _grouped(LatestStanding, paired, latest=True)


def _grouped(standing: Any, paired: ColumnElement[bool], *, latest: bool) -> Select[Any]:
    each = (
        select(
            literal(latest, Boolean).label("latest"),
            standing.framework.label("framework"),
            standing.period.label("period"),
            Cooperative.type.label("cooperative_type"),
            func.coalesce(standing.category, "").label("category"),
            paired.label("paired"),
        )
        .join(Cooperative, Cooperative.id == standing.cooperative_id)
        .subquery()
    )
    columns = [each.c[key] for key in KEY]
    return select(*columns, func.count()).group_by(*columns)


def _insert_counts(*parts: Select[Any]) -> Any:
    return insert(StandingCount).from_select([*KEY, "cooperatives"], union_all(*parts))


def _apply(session: Session, difference: Counter[Key]) -> None:
    rows = [dict(zip(KEY, key, strict=True), cooperatives=n) for key, n in sorted(difference.items()) if n]
    if not rows:
        return
    add = dialect_insert(session.get_bind().dialect.name, StandingCount).values(rows)
    add = add.on_conflict_do_update(
        index_elements=list(KEY), set_={"cooperatives": StandingCount.cooperatives + add.excluded.cooperatives}
    )
    session.execute(add)


@event.listens_for(Session, "before_commit")
def _at_commit(session: Session) -> None:
    session.flush()  # a type change still pending is noted first
    session.info.pop(_RETYPED, None)
    difference = session.info.pop(_PENDING, None)
    if difference:
        _apply(session, difference)


@event.listens_for(Session, "after_rollback")
def _at_rollback(session: Session) -> None:
    forget(session)
    session.info.pop(_RETYPED, None)


@event.listens_for(Cooperative.type, "set")
def _type_set(target: Cooperative, _value: Any, _old: Any, _initiator: Any) -> None:
    """A cooperative of a session given a type (the same or another: its flush tells): noted for that flush, so that
    a flush where no cooperative's type was set costs nothing here."""
    session = object_session(target)
    if session is not None:
        _retyped(session, target)


@event.listens_for(Session, "detached_to_persistent")
def _added_back(session: Session, instance: object) -> None:
    """A cooperative given a type while in no session, then added to this one: noted likewise."""
    if isinstance(instance, Cooperative) and inspect_state(instance).attrs.type.history.has_changes():
        _retyped(session, instance)


def _retyped(session: Session, cooperative: Cooperative) -> None:
    session.info.setdefault(_RETYPED, {})[id(cooperative)] = cooperative


@event.listens_for(Session, "after_flush")
def _types_changed(session: Session, _context: Any) -> None:
    """A cooperative whose type changed in this flush: its standings move from the old type's counts to the new
    one's (its row is locked by the UPDATE until commit, and storing an assessment locks it first)."""
    if _RETYPED not in session.info:
        return
    for instance in session.info.pop(_RETYPED).values():
        state = inspect_state(instance)
        if state.session is not session or not state.persistent:
            continue
        history = state.attrs.type.history
        if not history.deleted or not history.added or history.deleted[0] == history.added[0]:
            continue
        rows = rows_of(session.connection().execute(standings_of(instance.id)))
        note(session, counted(str(history.deleted[0]), rows), counted(str(history.added[0]), rows))
