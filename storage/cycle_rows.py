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

from collections.abc import Mapping, Sequence
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
    exists,
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

    @property
    def zones(self) -> frozenset[str]:
        return frozenset(zone for _, zone in self.payloads)

    async def insert(self, repos: Repositories, release_by_zone: Mapping[str, datetime], now: datetime) -> int:
        """The rows for the part's officers whose names are plain; how many are new."""
        english, at, names = english_officer(), zone(), (Officer.name, Cooperative.name)
        payloads = [
            (and_(english if lang == "en" else ~english, at == place), shaped, names)
            for (lang, place), shaped in self.payloads.items()
        ]
        which = unsubmitted(self.period)
        return await insert_named(
            repos, self.after, self.upto, which, literal(self.key), self.kind, self.priority, payloads,
            release_by_zone, now,
        )  # fmt: skip


def zone() -> ColumnElement[str]:
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
    return await next_of(repos, unsubmitted(period), after, size)


async def next_of(repos: Repositories, which: ColumnElement[bool], after: int, size: int) -> tuple[int | None, bool]:
    """The last id of the next `size` cooperatives (ids above `after`) that `which` leaves (None: none left), and
    whether more may follow (there were `size`)."""
    ids = select(Cooperative.id).where(Cooperative.id > after, which).order_by(Cooperative.id).limit(size).subquery()
    found = (await repos.session.execute(select(func.max(ids.c.id), func.count()))).one()
    return (None if found[0] is None else int(found[0])), int(found[1]) == size


def english_officer() -> ColumnElement[bool]:
    """The officer reads English (every other language gets the Indonesian text)."""
    return func.coalesce(Officer.language, "id") == "en"


def officer_key(key: ColumnElement[str]) -> ColumnElement[str]:
    """An officer's dedupe key: `key` + cooperative id + ":officer-" + officer id."""
    return key + cast(Cooperative.id, String) + literal(":officer-") + cast(Officer.id, String)


def bound(n: int) -> ColumnElement[int]:
    """A part's bound written into the statement's text: each part is planned for its own range (as a parameter,
    PostgreSQL's generic plan for the sixth run of one prepared statement took 14 s instead of 0.3 s)."""
    return literal(n, Integer, literal_execute=True)


def in_part(after: int, upto: int, which: ColumnElement[bool]) -> ColumnElement[bool]:
    """The active officers of the part's cooperatives that `which` (a condition on `Cooperative`) leaves."""
    c = Cooperative
    return and_(c.id > bound(after), c.id <= bound(upto), which, Officer.status == "active")


Payloads = Sequence[tuple[ColumnElement[bool], Shaped, Sequence[SQLColumnExpression[str]]]]


async def insert_named(
    repos: Repositories,
    after: int,
    upto: int,
    which: ColumnElement[bool],
    key: ColumnElement[str],
    kind: str,
    priority: int,
    payloads: Payloads,
    release_by_zone: Mapping[str, datetime],
    now: datetime,
    *,
    unsent: bool = False,
) -> int:
    """One `INSERT ... SELECT` of a notice's rows for the active officers of the cooperatives with ids in
    (after, upto] that `which` leaves and whose and whose cooperative's names are plain: the key `key` + cooperative
    id + ":officer-" + officer id, the payload the first of `payloads` whose condition holds (its JSON made
    with the values given); how many rows are new. `unsent`: officers whose key is in the outbox are not looked at
    (for a notice asked for again every day: its rows would only meet their keys)."""
    dialect = repos.outbox.dialect
    o, c = Officer, Cooperative
    officers = select(o.id).join(c, c.id == o.cooperative_id).where(in_part(after, upto, which))  # a few, or many
    account = chosen_accounts(ChannelIdentity.officer_id.in_(officers.scalar_subquery()))
    made = [(when, shaped_json(dialect, shaped, values)) for when, shaped, values in payloads]
    full_key = officer_key(key)
    columns = outbox_columns(
        account,
        zone(),
        key=full_key,
        kind=kind,
        priority=priority,
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
        .where(in_part(after, upto, which), _plain(o.name), _plain(c.name))
        .order_by(c.id, o.id)
    )
    if unsent:
        source = source.where(~exists().where(OutboxMessage.dedupe_key == full_key))
    stmt = dialect_insert(dialect, OutboxMessage.__table__).from_select(list(columns), source)
    return rowcount(await repos.session.execute(stmt.on_conflict_do_nothing()))


async def named_pairs(
    repos: Repositories, after: int, upto: int, which: ColumnElement[bool]
) -> list[tuple[CooperativeRow, OfficerRow]]:
    """The part's officers left out of `insert_named` (their or their cooperative's name is not plain), as plain
    rows with the cooperative's recorded dates, by cooperative then officer."""
    o, c = Officer, Cooperative
    stmt = (
        select(c.id, c.name, zone(), c.rat_date, c.nik_valid_until, c.ods_updated_on, o.id, o.name, o.language)
        .join(o, o.cooperative_id == c.id)
        .where(in_part(after, upto, which), ~and_(_plain(o.name), _plain(c.name)))
        .order_by(c.id, o.id)
    )
    return [
        (CooperativeRow(r[0], r[1], r[2], r[3], r[4], r[5]), OfficerRow(r[6], r[0], r[7], r[8] or "id"))
        for r in await repos.session.execute(stmt)
    ]


async def awkward_pairs(
    repos: Repositories, period: str, after: int, upto: int
) -> list[tuple[CooperativeRow, OfficerRow]]:
    """The part's officers left out of `insert` (their or their cooperative's name is not plain), as plain rows, by
    cooperative then officer."""
    return await named_pairs(repos, after, upto, unsubmitted(period))
