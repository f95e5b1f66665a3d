"""The reporting cycle's notices (report open, reminders, late) made by the database, a part of cooperatives at a time.

One `INSERT ... SELECT` per kind of notice and part: every active officer of the part's cooperatives that have not
submitted the period gets the row `bot.services.notices.notice_row` would make (the chat chosen, quiet hours in the
cooperative's zone, unreachable with the reason), its key naming the cooperative and the officer, its payload the one
rendered for the officer's language and the cooperative's zone with the officer's and the cooperative's names put in
by the database (`storage.shaped`). A name the rendering would change (`render.text` trims each line's end and reads
any line break as a new line: a name with a line break, white space at either end, or none at all) is left out here;
`awkward_pairs` reads those few for the Python path, so every row stays the one the per-officer path makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
)

from storage.fanout import (
    DEFAULT_ZONE,
    CooperativeRow,
    OfficerRow,
    as_json,
    chosen_accounts,
    outbox_columns,
    unsubmitted,
)
from storage.models import ChannelIdentity, Cooperative, Officer, OutboxMessage
from storage.repositories import Repositories
from storage.repositories._base import dialect_insert, rowcount
from storage.shaped import Shaped, shaped_json

OFFICER_MARK = "\ue000officer\ue000"  # where a notice rendered once takes the officer's name
COOPERATIVE_MARK = "\ue000cooperative\ue000"  # and the cooperative's
MARKS = (OFFICER_MARK, COOPERATIVE_MARK)
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines breaks at
WHITE = (  # what str.strip takes away (every character whose str.isspace() is true)
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True)
class CycleRows:
    """One kind of the cycle's notices for one part: the cooperatives with ids in (after, upto] that did not submit
    `period`, the key `key` + cooperative id + ":officer-" + officer id, the payload by (language, zone) shaped with
    `MARKS`."""

    period: str
    after: int
    upto: int
    key: str
    kind: str
    priority: int
    payloads: Mapping[tuple[str, str], Shaped]  # ("id" (also every other language) or "en", the cooperative's zone)


def _zone() -> ColumnElement[str]:
    return func.coalesce(func.nullif(Cooperative.timezone, ""), DEFAULT_ZONE)  # as fanout.cooperatives_after


def _plain(name: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """A name the rendered text holds as it is: not empty, no line break, no white space at either end."""
    return and_(
        func.length(name) > 0,
        not_(or_(*(name.contains(c, autoescape=True) for c in LINE_BREAKS))),
        func.substr(name, 1, 1).not_in(list(WHITE)),
        func.substr(name, func.length(name), 1).not_in(list(WHITE)),
    )


async def next_part(repos: Repositories, period: str, after: int, size: int) -> tuple[int | None, bool]:
    """The last id of the next `size` cooperatives (ids above `after`) that did not submit `period` (None: none
    left), and whether more may follow (there were `size`)."""
    ids = (
        select(Cooperative.id)
        .where(Cooperative.id > after, unsubmitted(period))
        .order_by(Cooperative.id)
        .limit(size)
        .subquery()
    )
    found = (await repos.session.execute(select(func.max(ids.c.id), func.count()))).one()
    return (None if found[0] is None else int(found[0])), int(found[1]) == size


def _bound(n: int) -> ColumnElement[int]:
    """A part's bound written into the statement's text: each part is planned for its own range (as a parameter,
    PostgreSQL's generic plan for the sixth run of one prepared statement took 14 s instead of 0.3 s)."""
    return literal(n, Integer, literal_execute=True)


def _officers(period: str, after: int, upto: int) -> ColumnElement[bool]:
    """The active officers of the part's cooperatives that did not submit `period`."""
    c = Cooperative
    return and_(c.id > _bound(after), c.id <= _bound(upto), unsubmitted(period), Officer.status == "active")


async def insert(repos: Repositories, rows: CycleRows, release_by_zone: Mapping[str, datetime], now: datetime) -> int:
    """One `INSERT ... SELECT` of the rows of the part's officers whose names are plain; how many are new."""
    dialect = repos.outbox.dialect
    o, c = Officer, Cooperative
    after, upto = _bound(rows.after), _bound(rows.upto)
    in_part = select(o.id).where(o.cooperative_id > after, o.cooperative_id <= upto)
    account = chosen_accounts(ChannelIdentity.officer_id.in_(in_part.scalar_subquery()))
    zone, english = _zone(), func.coalesce(o.language, "id") == "en"
    made = [
        (and_(english if lang == "en" else ~english, zone == at), shaped_json(dialect, shaped, [o.name, c.name]))
        for (lang, at), shaped in rows.payloads.items()
    ]
    columns = outbox_columns(
        account,
        zone,
        key=literal(rows.key) + cast(c.id, String) + literal(":officer-") + cast(o.id, String),
        kind=rows.kind,
        priority=rows.priority,
        payload=as_json(dialect, case(*made)),
        release_by_zone=release_by_zone,
        when=now,
        now=now,
    )
    source = (
        select(*columns.values())
        .select_from(o)
        .join(c, c.id == o.cooperative_id)
        .outerjoin(account, and_(account.c.officer_id == o.id, account.c.rank == 1))
        .where(_officers(rows.period, rows.after, rows.upto), _plain(o.name), _plain(c.name))
        .order_by(c.id, o.id)
    )
    stmt = dialect_insert(dialect, OutboxMessage.__table__).from_select(list(columns), source)
    return rowcount(await repos.session.execute(stmt.on_conflict_do_nothing()))


async def awkward_pairs(
    repos: Repositories, period: str, after: int, upto: int
) -> list[tuple[CooperativeRow, OfficerRow]]:
    """The part's officers left out of `insert` (their or their cooperative's name is not plain), as plain rows, by
    cooperative then officer."""
    o, c = Officer, Cooperative
    stmt = (
        select(c.id, c.name, _zone(), o.id, o.name, o.language)
        .join(o, o.cooperative_id == c.id)
        .where(_officers(period, after, upto), ~and_(_plain(o.name), _plain(c.name)))
        .order_by(c.id, o.id)
    )
    return [
        (CooperativeRow(r[0], r[1], r[2]), OfficerRow(r[3], r[0], r[4], r[5] or "id"))
        for r in await repos.session.execute(stmt)
    ]
