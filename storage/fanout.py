"""Fan-out in SQL: a province's recipients read and written a chunk of cooperatives at a time, by key.

Every function here is one short statement over at most `size` cooperatives (keyset: `id > after`, in id order), so a
caller gives the event loop its turn between chunks and never holds it for a whole province; an announcement's and a
training invitation's outbox rows are made by the database itself (`INSERT ... SELECT`), one statement per chunk, no
row passing through Python (an invitation's text greets each officer by name: `Greeting`). The chat account chosen
is the one `bot.services.notices.pick_identity` would choose (the reachable one used last), or, when none is
reachable, the first one, recorded as unreachable with the reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    true,
    type_coerce,
)

from storage.audience_counts import Criterion, matching
from storage.models import ChannelIdentity, Cooperative, Officer, OutboxMessage, Region, Report
from storage.repositories import Repositories
from storage.repositories._base import dialect_insert, rowcount
from storage.shaped import Shaped, shape, shaped_json

NO_ACCOUNT = "no chat account"  # as bot.services.notices stores them
UNREACHABLE = "unreachable on every channel"
DEFAULT_ZONE = "Asia/Jakarta"
STREAM_PART = 2000  # rows read between two turns of the event loop


@dataclass(frozen=True, slots=True)
class CooperativeRow:
    """A cooperative as notices read it (its name, zone and recorded dates), not an ORM object."""

    id: int
    name: str
    timezone: str
    rat_date: date | None = None
    nik_valid_until: date | None = None
    ods_updated_on: date | None = None


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """An active officer as notices read them."""

    id: int
    cooperative_id: int
    name: str
    language: str


def unsubmitted(period: str) -> ColumnElement[bool]:
    """The cooperative (`Cooperative`, of the outer query) has no submitted report for `period`."""
    submitted = exists().where(
        Report.cooperative_id == Cooperative.id, Report.period == period, Report.status == "submitted"
    )
    return ~submitted


async def cooperatives_after(
    repos: Repositories, after: int, size: int, *, not_submitted: str | None = None
) -> list[CooperativeRow]:
    """At most `size` cooperatives with an id above `after`, in id order; with `not_submitted`, only those without a
    submitted report for that period."""
    c = Cooperative
    stmt = select(c.id, c.name, c.timezone, c.rat_date, c.nik_valid_until, c.ods_updated_on).where(c.id > after)
    if not_submitted is not None:
        stmt = stmt.where(unsubmitted(not_submitted))
    rows = await repos.session.execute(stmt.order_by(c.id).limit(size))
    return [CooperativeRow(r[0], r[1], r[2] or DEFAULT_ZONE, r[3], r[4], r[5]) for r in rows]


async def officers_of(repos: Repositories, cooperative_ids: Sequence[int]) -> list[OfficerRow]:
    """The active officers of these cooperatives (one chunk's), by cooperative then id."""
    if not cooperative_ids:
        return []
    o = Officer
    stmt = (
        select(o.id, o.cooperative_id, o.name, o.language)
        .where(o.status == "active", o.cooperative_id.between(min(cooperative_ids), max(cooperative_ids)))
        .order_by(o.cooperative_id, o.id)
    )
    wanted = set(cooperative_ids)
    return [OfficerRow(r[0], r[1], r[2], r[3] or "id") for r in await repos.session.execute(stmt) if r[1] in wanted]


def _announced(criteria: Sequence[Criterion], scope: int | None) -> ColumnElement[bool]:
    """An officer an announcement goes to: active, did not say BERHENTI, of a cooperative the criteria leave."""
    o = Officer
    return and_(
        o.status == "active", o.announcements_paused.is_not(True), o.cooperative_id.in_(matching(criteria, scope))
    )


async def recipients_after(
    repos: Repositories, criteria: Sequence[Criterion], scope: int | None, after: int, size: int
) -> int | None:
    """The id of the last of the next `size` officers (id above `after`) an announcement to the criteria goes to;
    None: no more."""
    ids = select(Officer.id).where(Officer.id > after, _announced(criteria, scope)).order_by(Officer.id).limit(size)
    last = await repos.session.scalar(select(func.max(ids.subquery().c.id)))
    return None if last is None else int(last)


def chosen_accounts(officers: ColumnElement[bool]) -> Any:
    """The accounts of the officers `officers` (a condition on `ChannelIdentity.officer_id`) leaves, ranked per
    officer: 1 is the one a notice goes to (the reachable one used last, or, none reachable, the first one)."""
    i = ChannelIdentity
    order = (
        i.reachable.desc(),
        case((i.reachable.is_(True), i.last_inbound_at), else_=null()).desc().nulls_last(),
        case((i.reachable.is_(True), -i.id), else_=i.id),
    )
    return (
        select(
            i.id,
            i.channel,
            i.external_id,
            i.officer_id,
            i.reachable,
            func.row_number().over(partition_by=i.officer_id, order_by=order).label("rank"),
        )
        .where(officers)
        .subquery()
    )


@dataclass(frozen=True)
class Greeting:
    """A payload per language whose text greets each officer by name, made by the database (`storage.shaped`)."""

    parts: Mapping[str, Shaped]  # "id" (also every other language) and "en"

    @classmethod
    def of(cls, payloads: Mapping[str, dict[str, Any]], mark: str) -> Greeting:
        """From the payloads whose "text" holds `mark` where the name goes (rendered once per language)."""
        return cls({lang: shape(payload, [mark]) for lang, payload in payloads.items()})


@dataclass(frozen=True)
class FanoutRows:
    """What every outbox row of one fan-out shares: the dedupe key around the officer's id, the kind, the payload per
    language (officers' `language`; one for everyone, or greeting each by name) and the due times."""

    key: tuple[str, str]  # dedupe key: key[0] + officer id + key[1]
    kind: str
    payloads: Mapping[str, dict[str, Any]] | Greeting  # by language: "id" (also every other language) and "en"
    release_by_zone: Mapping[str, datetime]  # when a reachable row is due, by the cooperative's time zone
    when: datetime  # due time of an unreachable row, and of a zone not in `release_by_zone`
    now: datetime
    priority: int = 7
    announcement_id: int | None = None


async def insert_rows(
    repos: Repositories,
    rows: FanoutRows,
    criteria: Sequence[Criterion],
    scope: int | None,
    after: int,
    upto: int,
) -> int:
    """One `INSERT ... SELECT` of the outbox rows for the officers with ids in (after, upto] an announcement to the
    criteria goes to; how many rows are new (a dedupe key seen is skipped)."""
    stmt = fanout_insert(repos.outbox.dialect, rows, criteria, scope, after, upto)
    return rowcount(await repos.session.execute(stmt))


def _payload(dialect: str, payloads: Mapping[str, dict[str, Any]] | Greeting) -> ColumnElement[Any]:
    """The officer's payload: the one of their language, or (a Greeting) its JSON made with their name put in."""
    english = Officer.language == "en"
    if not isinstance(payloads, Greeting):
        return case((english, literal(payloads["en"], JSON)), else_=literal(payloads["id"], JSON))
    named = {lang: shaped_json(dialect, part, [Officer.name]) for lang, part in payloads.parts.items()}
    return as_json(dialect, case((english, named["en"]), else_=named["id"]))


def as_json(dialect: str, text: ColumnElement[str]) -> ColumnElement[Any]:
    """JSON text made by the database, as the JSON column takes it."""
    return cast(text, JSON) if dialect == "postgresql" else type_coerce(text, JSON)


def outbox_columns(
    account: Any,
    zone: ColumnElement[str],
    *,
    key: ColumnElement[str],
    kind: str,
    priority: int,
    payload: ColumnElement[Any],
    release_by_zone: Mapping[str, datetime],
    when: datetime,
    now: datetime,
    announcement_id: int | None = None,
) -> dict[str, ColumnElement[Any]]:
    """An officer's outbox row as `bot.services.notices.notice_row` makes it, by column, from their chosen account
    (`chosen_accounts`, joined at rank 1), their cooperative's `zone` and what the rows share."""
    at_type = OutboxMessage.__table__.c.next_attempt_at.type
    release: ColumnElement[Any] = literal(when, at_type)
    if release_by_zone:
        release = case(*((zone == name, literal(at, at_type)) for name, at in release_by_zone.items()), else_=release)
    reachable = and_(account.c.id.is_not(None), account.c.reachable.is_(True))
    return {
        "dedupe_key": key,
        "channel": func.coalesce(account.c.channel, "none"),
        "recipient": func.coalesce(account.c.external_id, ""),
        "identity_id": account.c.id,
        "officer_id": Officer.id,
        "kind": literal(kind),
        "business_initiated": true(),
        "priority": literal(priority),
        "payload": payload,
        "status": case((reachable, "pending"), else_="unreachable"),
        "attempts": literal(0),
        "next_attempt_at": case((reachable, release), else_=literal(when, at_type)),
        "last_error": case(
            (account.c.id.is_(None), NO_ACCOUNT), (account.c.reachable.is_not(True), UNREACHABLE), else_=null()
        ),
        "announcement_id": literal(announcement_id, Integer),
        "created_at": literal(now, at_type),
        "updated_at": literal(now, at_type),
    }


def fanout_insert(
    dialect: str, rows: FanoutRows, criteria: Sequence[Criterion], scope: int | None, after: int, upto: int
) -> Any:
    """The statement of `insert_rows`."""
    o, c = Officer, Cooperative
    i = ChannelIdentity
    account = chosen_accounts(and_(i.officer_id > after, i.officer_id <= upto))  # an index range on officer_id
    columns = outbox_columns(
        account,
        func.coalesce(c.timezone, DEFAULT_ZONE),
        key=literal(rows.key[0]) + cast(o.id, String) + literal(rows.key[1]),
        kind=rows.kind,
        priority=rows.priority,
        payload=_payload(dialect, rows.payloads),
        release_by_zone=rows.release_by_zone,
        when=rows.when,
        now=rows.now,
        announcement_id=rows.announcement_id,
    )
    source = (
        select(*columns.values())
        .select_from(o)
        .join(c, c.id == o.cooperative_id)
        .outerjoin(account, and_(account.c.officer_id == o.id, account.c.rank == 1))
        .where(o.id > after, o.id <= upto, _announced(criteria, scope))
        .order_by(o.id)
    )
    table = OutboxMessage.__table__
    return dialect_insert(dialect, table).from_select(list(columns), source).on_conflict_do_nothing()


async def rows_by_reason(repos: Repositories, announcement_id: int) -> dict[str | None, int]:
    """How many outbox rows of the announcement there are per reason they cannot be sent (`NO_ACCOUNT`,
    `UNREACHABLE`; None: to be sent); read by the announcement's index."""
    o = OutboxMessage
    unsendable = case((o.status == "unreachable", o.last_error), else_=null())
    stmt = select(unsendable, func.count()).where(o.announcement_id == announcement_id).group_by(unsendable)
    return {r[0]: int(r[1]) for r in await repos.session.execute(stmt)}


async def missing_names(repos: Repositories, period: str, scope: int | None, limit: int) -> list[str]:
    """The names of the first `limit` cooperatives (by name; of the kecamatan `scope`) that did not submit `period`."""
    stmt = select(Cooperative.name).where(unsubmitted(period))
    if scope is not None:
        stmt = stmt.where(Cooperative.kecamatan_id == scope)
    return [str(n) for n in (await repos.session.scalars(stmt.order_by(Cooperative.name).limit(limit))).all()]


async def missing_names_by_kecamatan(repos: Repositories, period: str, limit: int) -> dict[int, list[str]]:
    """`missing_names` of every kecamatan at once: its first `limit` cooperatives (by name) that did not submit, read a
    part at a time."""
    rank = func.row_number().over(partition_by=Cooperative.kecamatan_id, order_by=Cooperative.name).label("rank")
    ranked = (
        select(Cooperative.kecamatan_id, Cooperative.name, rank)
        .where(unsubmitted(period), Cooperative.kecamatan_id.is_not(None))
        .subquery()
    )
    stmt = select(ranked.c.kecamatan_id, ranked.c.name).where(ranked.c.rank <= limit)
    found: dict[int, list[str]] = {}
    result = await repos.session.stream(stmt.order_by(ranked.c.kecamatan_id, ranked.c.rank))
    async for part in result.partitions(STREAM_PART):  # a province's 24,000 names: the event loop's turn between
        for kecamatan, name in part:
            found.setdefault(int(kecamatan), []).append(str(name))
    return found


async def not_reported(repos: Repositories, period: str, scope: int | None) -> AsyncIterator[list[tuple[str, str]]]:
    """(name, kecamatan or "-") of every cooperative (of the kecamatan `scope`) that did not submit `period`, in
    name order, streamed a part at a time."""
    stmt = (
        select(Cooperative.name, func.coalesce(Region.name, "-"))
        .outerjoin(Region, Region.id == Cooperative.kecamatan_id)
        .where(unsubmitted(period))
        .order_by(Cooperative.name)
    )
    if scope is not None:
        stmt = stmt.where(Cooperative.kecamatan_id == scope)
    result = await repos.session.stream(stmt)
    async for part in result.partitions(STREAM_PART):
        yield [(str(r[0]), str(r[1])) for r in part]
