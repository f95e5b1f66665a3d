"""Segments in SQL: which cooperatives a segment's criteria leave, and how many of their officers a message reaches.

The criteria arrive already read and checked (kind, value); region names already turned into ids by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, exists, func, select, true

from storage.models import Assessment, ChannelIdentity, Cooperative, Officer, Report
from storage.repositories import Repositories

Criterion = tuple[str, str, Sequence[int]]  # kind, value, region ids (kecamatan and kelurahan criteria)


def _latest_category(value: str) -> ColumnElement[bool]:
    """The cooperative's latest category (by period, then newest assessment) is `value`."""
    ranked = (
        select(
            Assessment.cooperative_id,
            Assessment.category,
            func.row_number()
            .over(partition_by=Assessment.cooperative_id, order_by=(Assessment.period.desc(), Assessment.id.desc()))
            .label("rank"),
        )
        .where(Assessment.category.is_not(None))
        .subquery()
    )
    return Cooperative.id.in_(select(ranked.c.cooperative_id).where(ranked.c.rank == 1, ranked.c.category == value))


def _condition(kind: str, value: str, region_ids: Sequence[int]) -> ColumnElement[bool]:
    if kind == "type":
        return func.lower(Cooperative.type) == value
    if kind == "tag":  # the tags are a JSON list of plain words: '["kkmp", "kopontren"]'
        return func.lower(cast(Cooperative.tags, String)).like(f'%"{value}"%')
    if kind == "kecamatan":
        return Cooperative.kecamatan_id.in_(list(region_ids))
    if kind == "kelurahan":
        return Cooperative.kelurahan_id.in_(list(region_ids))
    if kind == "category":
        return _latest_category(value)
    if kind in ("reported", "not-reported"):
        submitted = exists().where(
            Report.cooperative_id == Cooperative.id, Report.period == value, Report.status == "submitted"
        )
        return submitted if kind == "reported" else ~submitted
    if kind == "nik":
        return Cooperative.nik.in_(value.split(","))
    return true()


def matching(criteria: Sequence[Criterion], scope: int | None) -> Any:
    """SELECT the ids of the cooperatives every criterion holds for (within the kecamatan `scope`)."""
    stmt = select(Cooperative.id).correlate(None)  # never tied to a `cooperatives` of the statement it is put in
    for kind, value, regions in criteria:
        stmt = stmt.where(_condition(kind, value, regions))
    return stmt.where(Cooperative.kecamatan_id == scope) if scope is not None else stmt


async def cooperative_ids(repos: Repositories, criteria: Sequence[Criterion], scope: int | None) -> set[int]:
    """The ids of the cooperatives the criteria leave."""
    return {int(i) for i in (await repos.session.scalars(matching(criteria, scope))).all()}


async def known_niks(repos: Repositories, niks: Sequence[str]) -> set[str]:
    """Which of these NIKs belong to a cooperative."""
    found = await repos.session.scalars(select(Cooperative.nik).where(Cooperative.nik.in_(list(niks))))
    return {str(n) for n in found.all()}


async def reach(
    repos: Repositories, criteria: Sequence[Criterion], scope: int | None, *, announcement: bool
) -> tuple[int, dict[str | None, int]]:
    """(cooperatives, active officers per obstacle): "no_account", "unreachable", "paused" (announcements only) or
    None for those a message reaches now."""
    chosen = matching(criteria, scope).subquery()
    coops = int(await repos.session.scalar(select(func.count()).select_from(chosen)) or 0)
    return coops, await obstacles(repos, select(chosen.c.id), announcement=announcement)


async def paused_obstacles(repos: Repositories, criteria: Sequence[Criterion], scope: int | None) -> dict[str, int]:
    """The active officers the criteria leave who said BERHENTI, per obstacle as `reach` counts them ("no_account"
    and "unreachable" come before "paused"): those an announcement's fan-out writes no row for."""
    counted = await obstacles(repos, matching(criteria, scope), announcement=True, paused_only=True)
    return {str(why): n for why, n in counted.items() if why is not None}


async def obstacles(
    repos: Repositories, cooperatives: Any, *, announcement: bool, paused_only: bool = False
) -> dict[str | None, int]:
    """The active officers of `cooperatives` (a SELECT of ids) per obstacle, as `reach` says it."""
    i = ChannelIdentity
    chosen = [Officer.status == "active", Officer.cooperative_id.in_(cooperatives)]
    if paused_only:
        chosen.append(Officer.announcements_paused.is_(True))
    officers = (  # one pass: each chosen officer with how many accounts it has and whether one is reachable
        select(
            Officer.announcements_paused.label("paused"),
            func.count(i.id).label("accounts"),
            func.max(case((i.reachable.is_(True), 1), else_=0)).label("reachable"),
        )
        .outerjoin(i, i.officer_id == Officer.id)
        .where(*chosen)
        .group_by(Officer.id, Officer.announcements_paused)
        .subquery()
    )
    whens: list[tuple[ColumnElement[bool], str]] = [
        (officers.c.accounts == 0, "no_account"),
        (officers.c.reachable == 0, "unreachable"),
    ]
    if announcement:
        whens.append((officers.c.paused.is_(True), "paused"))
    obstacle = case(*whens, else_=None)
    stmt = select(obstacle, func.count()).select_from(officers).group_by(obstacle)
    return {r[0]: int(r[1]) for r in await repos.session.execute(stmt)}


RecipientRow = tuple[int, int, str, str, str, bool]  # officer id, cooperative id, name, language, time zone, paused
STREAM_PART = 2000  # rows read between two turns of the event loop


async def recipients(
    repos: Repositories, criteria: Sequence[Criterion], scope: int | None, after: int = 0, limit: int | None = None
) -> list[RecipientRow]:
    """The active officers of the cooperatives the criteria leave, in id order (those with ids above `after`, at most
    `limit`), with their cooperative's time zone; plain rows streamed a part at a time (the event loop gets its turn
    between parts)."""
    o = Officer
    stmt = (
        select(
            o.id,
            o.cooperative_id,
            o.name,
            o.language,
            func.coalesce(Cooperative.timezone, "Asia/Jakarta"),
            o.announcements_paused,
        )
        .join(Cooperative, Cooperative.id == o.cooperative_id)
        .where(o.id > after, o.status == "active", o.cooperative_id.in_(matching(criteria, scope)))
        .order_by(o.id)
        .limit(limit)
    )
    found: list[RecipientRow] = []
    result = await repos.session.stream(stmt)
    async for part in result.partitions(STREAM_PART):
        found.extend((r[0], r[1], r[2], r[3] or "id", r[4], bool(r[5])) for r in part)
    return found


async def cooperative_count(repos: Repositories, criteria: Sequence[Criterion], scope: int | None) -> int:
    """How many cooperatives the criteria leave."""
    chosen = matching(criteria, scope).subquery()
    return int(await repos.session.scalar(select(func.count()).select_from(chosen)) or 0)
