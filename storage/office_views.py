"""The office web app's reads: counts, the filtered list and one cooperative's record, as aggregate SQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from storage.models import (
    Assessment,
    ChannelIdentity,
    CoachingEntry,
    Cooperative,
    LatestStanding,
    Officer,
    Region,
    Report,
    ReportRevision,
)
from storage.repositories import Repositories

AnySelect = Select[*tuple[Any, ...]]
S = TypeVar("S", bound=AnySelect)
Deadlines = Mapping[str, datetime]  # a cooperative's time zone -> the deadline of the period in that zone


@dataclass(frozen=True)
class ListFilter:
    """What the cooperative list is narrowed to; every field already checked by the service."""

    scope: int | None = None  # the kecamatan the staff member is limited to
    query: str = ""  # part of the name, or the start of the NIK
    type: str | None = None
    tag: str | None = None
    kabupaten_id: int | None = None  # the kabupaten/kota: its kecamatan's cooperatives
    kecamatan_id: int | None = None
    kelurahan_id: int | None = None
    category: str | None = None  # a category key, or "none": never assessed
    reporting: str | None = None  # submitted | on_time | late | missing (for the open period)
    sort: str = "name"  # name | nik | score | kecamatan


@dataclass(frozen=True)
class CooperativeRow:
    """One line of the list and the export."""

    id: int
    nik: str | None
    name: str
    type: str
    tags: tuple[str, ...]
    kecamatan: str | None
    kelurahan: str | None
    timezone: str
    score_period: str | None
    total: Any  # Decimal | None
    category: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class AreaCount:
    """Reporting of one kecamatan for one period."""

    kecamatan_id: int | None
    total: int
    reported: int
    on_time: int


def in_scope(stmt: S, scope: int | None) -> S:
    return stmt.where(Cooperative.kecamatan_id == scope) if scope is not None else stmt


def _on_time(deadlines: Deadlines) -> ColumnElement[bool]:
    """The report was first submitted by the deadline of the cooperative's zone."""
    checks = [and_(Cooperative.timezone == zone, Report.first_submitted_at <= due) for zone, due in deadlines.items()]
    # submitted without a time counts as on time; nothing submitted (the outer join found no report) does not
    # (cooperative_id, not id: what ix_reports_period_status holds, so the counts read the index alone)
    return and_(Report.cooperative_id.is_not(None), or_(Report.first_submitted_at.is_(None), *checks))


async def timezones(repos: Repositories) -> list[str]:
    """The time zones the cooperatives are in."""
    return [str(z) for z in (await repos.session.scalars(select(Cooperative.timezone).distinct())).all()]


async def cooperative_count(repos: Repositories, scope: int | None) -> int:
    """Cooperatives of the city or of one kecamatan."""
    stmt = in_scope(select(func.count(Cooperative.id)), scope)
    return int(await repos.session.scalar(stmt) or 0)


async def reporting_by_kecamatan(
    repos: Repositories, period: str, deadlines: Deadlines, scope: int | None
) -> list[AreaCount]:
    """Per kecamatan: cooperatives, those that submitted `period`, and those that did by their deadline."""
    joined = and_(Report.cooperative_id == Cooperative.id, Report.period == period, Report.status == "submitted")
    stmt = (
        select(
            Cooperative.kecamatan_id,
            func.count(Cooperative.id),
            func.count(Report.cooperative_id),  # from ix_reports_period_status alone (Report.id: 7,000 heap pages)
            func.coalesce(func.sum(case((_on_time(deadlines), 1), else_=0)), 0),
        )
        .select_from(Cooperative)
        .outerjoin(Report, joined)
        .group_by(Cooperative.kecamatan_id)
    )
    rows = await repos.session.execute(in_scope(stmt, scope))
    return [AreaCount(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


Columns = Callable[[Any, Any, Any], list[Any]]  # (latest assessment, kecamatan, kelurahan) -> what is selected


def _filtered(
    columns: Columns, where: ListFilter, framework: str, period: str, deadlines: Deadlines, *, slim: bool = False
) -> AnySelect:
    """The list's joins and filters; `slim`: only the joins the filter and the sort need (counting, and choosing
    one page's cooperatives before their rows are read)."""
    latest = LatestStanding.__table__.alias("latest")  # the cooperative's latest assessment, kept when one is stored
    kecamatan, kelurahan = aliased(Region), aliased(Region)
    joined = and_(Report.cooperative_id == Cooperative.id, Report.period == period, Report.status == "submitted")
    stmt: AnySelect = select(*columns(latest, kecamatan, kelurahan)).select_from(Cooperative)
    if not slim or where.sort == "kecamatan":
        stmt = stmt.outerjoin(kecamatan, kecamatan.id == Cooperative.kecamatan_id)
    if not slim:
        stmt = stmt.outerjoin(kelurahan, kelurahan.id == Cooperative.kelurahan_id)
    if not slim or where.category or where.sort == "score":
        stmt = stmt.outerjoin(latest, and_(latest.c.cooperative_id == Cooperative.id, latest.c.framework == framework))
    if not slim or where.reporting:
        stmt = stmt.outerjoin(Report, joined)
    stmt = in_scope(stmt, where.scope)
    if where.query:
        words = where.query.strip().lower()
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(
                func.lower(Cooperative.name).like(f"%{escaped}%", escape="\\"),
                Cooperative.nik.like(f"{escaped}%", escape="\\"),
            )
        )
    if where.type:
        stmt = stmt.where(Cooperative.type == where.type)
    if where.tag:  # the tags are a JSON list of plain words: '["kkmp", "kopontren"]'
        stmt = stmt.where(cast(Cooperative.tags, String).like(f'%"{where.tag}"%'))
    if where.kabupaten_id is not None:
        within = select(Region.id).where(Region.parent_id == where.kabupaten_id)
        stmt = stmt.where(Cooperative.kecamatan_id.in_(within))
    if where.kecamatan_id is not None:
        stmt = stmt.where(Cooperative.kecamatan_id == where.kecamatan_id)
    if where.kelurahan_id is not None:
        stmt = stmt.where(Cooperative.kelurahan_id == where.kelurahan_id)
    if where.category == "none":
        stmt = stmt.where(latest.c.category.is_(None))
    elif where.category:
        stmt = stmt.where(latest.c.category == where.category)
    # whether the outer join found a report, by its join key: PostgreSQL then reads ix_reports_period_status alone
    # and makes "missing" an anti-join (Report.id: a heap visit per cooperative; 49 ms against 79 ms, 1,839 KSPs)
    on_time, found = _on_time(deadlines), Report.cooperative_id.is_not(None)
    if where.reporting == "submitted":
        stmt = stmt.where(found)
    elif where.reporting == "on_time":
        stmt = stmt.where(found, on_time)
    elif where.reporting == "late":
        stmt = stmt.where(found, ~on_time)
    elif where.reporting == "missing":
        stmt = stmt.where(Report.cooperative_id.is_(None))
    return stmt


def _row_columns(latest: Any, kecamatan: Any, kelurahan: Any) -> list[Any]:
    return [
        Cooperative.id,
        Cooperative.nik,
        Cooperative.name,
        Cooperative.type,
        Cooperative.tags,
        kecamatan.name.label("kecamatan_name"),
        kelurahan.name.label("kelurahan_name"),
        Cooperative.timezone,
        latest.c.period,
        latest.c.total,
        latest.c.category,
        Report.first_submitted_at,
    ]


async def list_count(repos: Repositories, where: ListFilter, framework: str, period: str, deadlines: Deadlines) -> int:
    """How many cooperatives the filter leaves."""
    stmt = _filtered(lambda *_: [func.count(Cooperative.id)], where, framework, period, deadlines, slim=True)
    return int(await repos.session.scalar(stmt) or 0)


def _order(where: ListFilter, latest: Any, kecamatan: Any, *, backwards: bool = False) -> list[Any]:
    """The list's order: the sort asked for, then the id (pages never overlap); `backwards`: the same reversed."""
    keys: list[tuple[Any, bool]]  # (what, descending)
    if where.sort == "nik":
        keys = [(Cooperative.nik.is_(None), False), (Cooperative.nik, False)]
    elif where.sort == "score":
        keys = [(latest.c.total.is_(None), False), (latest.c.total, True)]
    elif where.sort == "kecamatan":
        keys = [(kecamatan.name.is_(None), False), (kecamatan.name, False), (func.lower(Cooperative.name), False)]
    else:
        keys = [(func.lower(Cooperative.name), False)]
    keys.append((Cooperative.id, False))
    return [what.desc() if descending != backwards else what.asc() for what, descending in keys]


def _row(r: Any) -> CooperativeRow:
    return CooperativeRow(
        r[0], r[1], r[2], r[3], tuple(r[4] or ()), r[5], r[6], r[7] or "Asia/Jakarta", r[8], r[9], r[10], r[11]
    )


async def list_rows(
    repos: Repositories,
    where: ListFilter,
    framework: str,
    period: str,
    deadlines: Deadlines,
    *,
    limit: int | None,
    offset: int = 0,
    total: int | None = None,
) -> list[CooperativeRow]:
    """The cooperatives the filter leaves, sorted (then by id, so pages never overlap), one page (or all). A page
    is chosen first by id with only the joins its filter and sort need (a deep page skips narrow rows, not whole
    ones), walking the order from the nearer end when `total` (the filter's count) is known, then its rows are read
    by id."""
    if limit is None:
        every: list[Any] = []

        def ordered(latest: Any, kecamatan: Any, kelurahan: Any) -> list[Any]:
            every.extend(_order(where, latest, kecamatan))
            return _row_columns(latest, kecamatan, kelurahan)

        stmt = _filtered(ordered, where, framework, period, deadlines)
        return [_row(r) for r in await repos.session.execute(stmt.order_by(*every).offset(offset))]
    chosen: list[Any] = []
    backwards = total is not None and offset > total // 2  # a deep page: from the end, the shorter way
    skip, take = (
        (max(0, total - offset - limit), min(limit, total - offset)) if total and backwards else (offset, limit)
    )

    def page_ids(latest: Any, kecamatan: Any, _kelurahan: Any) -> list[Any]:
        chosen.extend(_order(where, latest, kecamatan, backwards=backwards))
        return [Cooperative.id]

    stmt = _filtered(page_ids, where, framework, period, deadlines, slim=True)
    ids = list((await repos.session.scalars(stmt.order_by(*chosen).offset(skip).limit(max(0, take)))).all())
    if backwards:
        ids.reverse()
    if not ids:
        return []
    rows = _filtered(_row_columns, ListFilter(), framework, period, deadlines).where(Cooperative.id.in_(ids))
    found = {r[0]: _row(r) for r in await repos.session.execute(rows)}
    return [found[i] for i in ids if i in found]


async def regions_in_scope(
    repos: Repositories, kind: str, scope: int | None, within: int | None = None
) -> list[tuple[int, str]]:
    """The kabupaten/kota, kecamatan or kelurahan that have cooperatives in the scope, by name; `within`: only those
    in that region (the kecamatan of a kabupaten, the kelurahan of a kecamatan)."""
    column = Cooperative.kelurahan_id if kind == "kelurahan" else Cooperative.kecamatan_id
    used = in_scope(select(column).where(column.is_not(None)).distinct(), scope)
    if kind == "kelurahan" and within is not None:  # of the cooperatives in that kecamatan
        used = used.where(Cooperative.kecamatan_id == within)
    if kind == "kabupaten":  # the kabupaten/kota of the kecamatan with cooperatives
        kecamatan = aliased(Region)
        used = select(kecamatan.parent_id).where(kecamatan.id.in_(used), kecamatan.parent_id.is_not(None))
    stmt = select(Region.id, Region.name).where(Region.id.in_(used)).order_by(Region.name)
    if kind == "kecamatan" and within is not None:
        stmt = stmt.where(Region.parent_id == within)
    return [(int(r[0]), str(r[1])) for r in await repos.session.execute(stmt)]


async def parent_of(repos: Repositories, region_id: int) -> int | None:
    """The region a region lies in (a kelurahan's kecamatan, a kecamatan's kabupaten/kota)."""
    return await repos.session.scalar(select(Region.parent_id).where(Region.id == region_id))


async def types_and_tags(repos: Repositories, scope: int | None) -> tuple[list[str], list[str]]:
    """The cooperative types and tags in use in the scope."""
    types = in_scope(select(Cooperative.type).distinct(), scope)
    tags = in_scope(select(cast(Cooperative.tags, String)).distinct(), scope)
    found: set[str] = set()
    for text in (await repos.session.scalars(tags)).all():
        found.update(str(t) for t in (json.loads(text) if text else []) or [])
    return sorted(str(t) for t in (await repos.session.scalars(types)).all()), sorted(found)


async def cooperative_in_scope(repos: Repositories, nik: str, scope: int | None) -> Cooperative | None:
    """The cooperative with this NIK, if the scope includes it."""
    stmt = in_scope(select(Cooperative).where(Cooperative.nik == nik), scope)
    return (await repos.session.scalars(stmt)).first()


async def officers_with_identities(
    repos: Repositories, cooperative_id: int
) -> list[tuple[Officer, list[ChannelIdentity]]]:
    """The cooperative's officers (active first) with their chat accounts."""
    officers = list(
        (
            await repos.session.scalars(
                select(Officer)
                .where(Officer.cooperative_id == cooperative_id)
                .order_by(Officer.status != "active", Officer.id)
            )
        ).all()
    )
    ids = [o.id for o in officers]
    identities = (
        (await repos.session.scalars(select(ChannelIdentity).where(ChannelIdentity.officer_id.in_(ids)))).all()
        if ids
        else []
    )
    return [(o, [i for i in identities if i.officer_id == o.id]) for o in officers]


async def reports_with_revisions(
    repos: Repositories, cooperative_id: int, limit: int
) -> list[tuple[Report, list[ReportRevision]]]:
    """The cooperative's latest `limit` reports, newest period first, each with its revisions (newest first)."""
    stmt = select(Report).where(Report.cooperative_id == cooperative_id).order_by(Report.period.desc()).limit(limit)
    reports = list((await repos.session.scalars(stmt)).all())
    ids = [r.id for r in reports]
    revisions = (
        (
            await repos.session.scalars(
                select(ReportRevision).where(ReportRevision.report_id.in_(ids)).order_by(ReportRevision.number.desc())
            )
        ).all()
        if ids
        else []
    )
    return [(r, [v for v in revisions if v.report_id == r.id]) for r in reports]


async def officer_names(repos: Repositories, ids: Sequence[int]) -> dict[int, str]:
    """Officers' names by id."""
    if not ids:
        return {}
    rows = await repos.session.execute(select(Officer.id, Officer.name).where(Officer.id.in_(set(ids))))
    return {int(r[0]): str(r[1]) for r in rows}


async def assessments_of(repos: Repositories, cooperative_id: int, first: str) -> list[Assessment]:
    """The cooperative's latest assessment per period and framework since `first`, oldest period first."""
    latest = (
        select(func.max(Assessment.id))
        .where(Assessment.cooperative_id == cooperative_id, Assessment.period >= first)
        .group_by(Assessment.period, Assessment.framework)
    )
    stmt = select(Assessment).where(Assessment.id.in_(latest)).order_by(Assessment.period, Assessment.framework)
    return list((await repos.session.scalars(stmt)).all())


async def coaching_of(repos: Repositories, cooperative_id: int, limit: int) -> list[CoachingEntry]:
    """The cooperative's coaching record, newest first."""
    stmt = (
        select(CoachingEntry)
        .where(CoachingEntry.cooperative_id == cooperative_id)
        .order_by(CoachingEntry.id.desc())
        .limit(limit)
    )
    return list((await repos.session.scalars(stmt)).all())


async def reporting_rows(
    repos: Repositories, period: str, scope: int | None
) -> list[tuple[int, str, int | None, str | None, str | None, str, bool, datetime | None]]:
    """Every cooperative (of the kecamatan `scope`) in name order: id, name, kecamatan id and name, NIK, time zone,
    whether it submitted `period` and when first, read as plain columns (no objects)."""
    joined = and_(Report.cooperative_id == Cooperative.id, Report.period == period, Report.status == "submitted")
    stmt = (
        select(
            Cooperative.id,
            Cooperative.name,
            Cooperative.kecamatan_id,
            Region.name,
            Cooperative.nik,
            Cooperative.timezone,
            Report.id.is_not(None),
            Report.first_submitted_at,
        )
        .select_from(Cooperative)
        .outerjoin(Region, Region.id == Cooperative.kecamatan_id)
        .outerjoin(Report, joined)
        .order_by(Cooperative.name)
    )
    return [
        (int(r[0]), str(r[1]), r[2], r[3], r[4], str(r[5] or "Asia/Jakarta"), bool(r[6]), r[7])
        for r in await repos.session.execute(in_scope(stmt, scope))
    ]
