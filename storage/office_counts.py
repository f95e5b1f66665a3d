"""The office overview's category counts: per period over the period standings (the trend), and over each
cooperative's latest standing (the headline). The whole city's are sums of the kept standing counts (a few hundred
rows); one kecamatan's are counted from its cooperatives' standings (a hundred cooperatives, by key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import aliased

from storage.models import Cooperative, LatestStanding, PeriodStanding, StandingCount
from storage.office_views import in_scope
from storage.repositories import Repositories


async def category_counts(
    repos: Repositories, framework: str, first: str, last: str, scope: int | None, official_types: Sequence[str]
) -> list[tuple[str, str | None, bool, int]]:
    """(period, category, of an official type, cooperatives) for periods first..last: each cooperative's latest
    assessment of `framework` in each period, read from the period standings (kept when an assessment is stored);
    the official types' cooperatives are one hashed set (cheaper than joining every row to its cooperative)."""
    if scope is None:
        columns = (StandingCount.period, StandingCount.category, _official(official_types))
        kept = _kept(False, framework, *columns).where(StandingCount.period.between(first, last))
        return [
            (str(r[0]), r[1] or None, bool(r[2]), int(r[3]))
            for r in await repos.session.execute(kept.group_by(*columns))
        ]
    standing = PeriodStanding
    official = standing.cooperative_id.in_(
        in_scope(select(Cooperative.id).where(Cooperative.type.in_(list(official_types))), scope)
    )
    stmt = (
        select(standing.period, standing.category, official, func.count())
        .where(standing.framework == framework, standing.period >= first, standing.period <= last)
        .group_by(standing.period, standing.category, official)
    )
    if scope is not None:
        stmt = stmt.where(standing.cooperative_id.in_(select(Cooperative.id).where(Cooperative.kecamatan_id == scope)))
    rows = await repos.session.execute(stmt)
    return [(str(r[0]), r[1], bool(r[2]), int(r[3])) for r in rows]


async def latest_category_counts(
    repos: Repositories, framework: str, scope: int | None, official_types: Sequence[str]
) -> tuple[list[tuple[str | None, bool, int]], str | None]:
    """(category, of an official type, cooperatives) over each cooperative's latest assessment of `framework` (its
    latest standing, as the list shows it), and the newest period among them."""
    if scope is None:
        columns = (StandingCount.category, _official(official_types))
        kept = _kept(True, framework, *columns, func.max(StandingCount.period)).group_by(*columns)
        found = list(await repos.session.execute(kept))
        newest = max((str(r[2]) for r in found), default=None)
        return [(r[0] or None, bool(r[1]), int(r[3])) for r in found], newest
    standing = LatestStanding
    official = Cooperative.type.in_(list(official_types))
    stmt = (
        select(standing.category, official, func.count(), func.max(standing.period))
        .join(Cooperative, Cooperative.id == standing.cooperative_id)
        .where(standing.framework == framework)
        .group_by(standing.category, official)
    )
    rows = list(await repos.session.execute(in_scope(stmt, scope)))
    newest = max((str(r[3]) for r in rows if r[3]), default=None)
    return [(r[0], bool(r[1]), int(r[2])) for r in rows], newest


async def latest_assessed_without(repos: Repositories, framework: str, without: str, scope: int | None) -> int:
    """Cooperatives whose latest standings hold `framework` but not `without` (assessed indicatively only)."""
    if scope is None:  # `without` is the only other framework: a standing without it is one not paired
        alone = _kept(True, framework).where(StandingCount.paired.is_(False))
        return int(await repos.session.scalar(alone) or 0)
    standing, other = LatestStanding, aliased(LatestStanding)
    stmt = (
        select(func.count())
        .select_from(standing)
        .join(Cooperative, Cooperative.id == standing.cooperative_id)
        .outerjoin(other, and_(other.cooperative_id == standing.cooperative_id, other.framework == without))
        .where(standing.framework == framework, other.cooperative_id.is_(None))
    )
    return int(await repos.session.scalar(in_scope(stmt, scope)) or 0)


async def assessed_without(
    repos: Repositories, framework: str, without: str, first: str, last: str, scope: int | None
) -> dict[str, int]:
    """Per period, cooperatives assessed with `framework` but not with `without` (indicative only), from the period
    standings: those of `framework` less those that have both (one hashed join, not a probe per row)."""
    if scope is None:  # `without` is the only other framework: a standing without it is one not paired
        alone = _kept(False, framework, StandingCount.period).where(
            StandingCount.paired.is_(False), StandingCount.period.between(first, last)
        )
        return {str(r[0]): int(r[1]) for r in await repos.session.execute(alone.group_by(StandingCount.period))}
    standing, other = PeriodStanding, aliased(PeriodStanding)
    both = and_(
        other.cooperative_id == standing.cooperative_id,
        other.period == standing.period,
        other.framework == without,
        other.period >= first,
        other.period <= last,
    )
    stmt = (
        select(standing.period, func.count() - func.count(other.cooperative_id))
        .outerjoin(other, both)
        .where(standing.framework == framework, standing.period >= first, standing.period <= last)
        .group_by(standing.period)
    )
    if scope is not None:
        stmt = stmt.where(standing.cooperative_id.in_(select(Cooperative.id).where(Cooperative.kecamatan_id == scope)))
    return {str(r[0]): int(r[1]) for r in await repos.session.execute(stmt)}


def _kept(latest: bool, framework: str, *columns: Any) -> Select[Any]:
    """`columns` and the cooperatives summed, from the kept standing counts of the period (or latest) standings of
    `framework`."""
    count = StandingCount
    return select(*columns, func.sum(count.cooperatives)).where(
        count.latest.is_(latest), count.framework == framework, count.cooperatives != 0
    )


def _official(official_types: Sequence[str]) -> ColumnElement[bool]:
    return StandingCount.cooperative_type.in_(list(official_types))
