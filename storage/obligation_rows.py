"""The RAT, NIK and ODS reminders made by the database, a part of cooperatives at a time (as `storage.cycle_rows`).

One `INSERT ... SELECT` per kind of reminder due and part: every active officer of the part's cooperatives whose
recorded dates pass the kind's test (`passes`, the SQL of `bot.services.obligation_notices.Obligation.applies`) gets
the row the per-officer path makes, its payload rendered once per language with marks for the officer's and the
cooperative's names and, for an overdue RAT, the RAT's date (written by the database: `date_text`). Names the
database cannot put in go the per-officer path (`cycle_rows.named_pairs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)

from storage.cycle_rows import (
    COOPERATIVE_MARK,
    OFFICER_MARK,
    bound,
    english_officer,
    insert_named,
    named_pairs,
    next_of,
)
from storage.fanout import CooperativeRow, OfficerRow
from storage.models import Cooperative, Officer
from storage.repositories import Repositories
from storage.shaped import Shaped

DATE_MARK = "\ue000date\ue000"  # where a notice rendered once takes the cooperative's RAT date
MARKS = (OFFICER_MARK, COOPERATIVE_MARK, DATE_MARK)
Test = Literal["rat_not_held", "rat_before", "nik_on", "ods_due"]
DATED: Test = "rat_before"  # an overdue RAT's reminder: its key and text name the cooperative's RAT date


def passes(test: Test, on: date) -> ColumnElement[bool]:
    """The cooperative's recorded dates pass `test` against `on` (see `Obligation`)."""
    c = Cooperative
    if test == "rat_not_held":
        return or_(c.rat_date.is_(None), c.rat_date <= on)
    if test == "rat_before":
        return and_(c.rat_date.is_not(None), c.rat_date < on)
    if test == "nik_on":
        return c.nik_valid_until == on
    return and_(c.rat_date == on, or_(c.ods_updated_on.is_(None), c.ods_updated_on < on))


def passes_any(tests: Sequence[tuple[Test, date]]) -> ColumnElement[bool]:
    """The cooperative's recorded dates pass at least one of `tests`."""
    return or_(*(passes(t, on) for t, on in tests))


DateWords = tuple[Sequence[str], Sequence[str]]  # the weekdays' names (Monday first) and the months'


def date_text(day: SQLColumnExpression[date | None], words: DateWords | None) -> ColumnElement[str]:
    """`day` written as `bot.domain.periods.format_date` writes it ("Senin, 9 November 2026"), with `words` (None:
    an empty text), by the database."""
    if words is None:
        return literal("", String)
    weekdays, months = words
    dow = extract("dow", day)  # 0 is Sunday on both databases
    weekday = case({(n + 1) % 7: name for n, name in enumerate(weekdays)}, value=dow)
    month = case({n + 1: name for n, name in enumerate(months)}, value=extract("month", day))
    number = cast(extract("day", day), Integer)
    year = cast(extract("year", day), Integer)
    return weekday + literal(", ") + cast(number, String) + literal(" ") + month + literal(" ") + cast(year, String)


def _key(head: str, dated: bool) -> ColumnElement[str]:
    """The dedupe key up to the cooperative's id: `head`, and for a dated kind the RAT's date and ":coop-"."""
    if not dated:
        return literal(head) + literal("coop-")
    return literal(head) + cast(Cooperative.rat_date, String) + literal(":coop-")


@dataclass(frozen=True)
class ObligationRows:
    """One kind of reminder for one part: the cooperatives with ids in (after, upto] whose dates pass `test` against
    `on`, the key `head` (+ the RAT's date + ":" for an overdue RAT's) + "coop-" + cooperative id + ":officer-" +
    officer id, the payload by language ("id", also every other language, or "en") shaped with `MARKS`, and for an
    overdue RAT's the names its date is written with, by language."""

    after: int
    upto: int
    test: Test
    on: date
    head: str
    kind: str
    priority: int
    payloads: Mapping[str, Shaped]
    zones: frozenset[str]
    words: Mapping[str, DateWords]  # by language, for an overdue RAT's: how its date is written

    @property
    def dated(self) -> bool:
        """An overdue RAT's reminder: its key and text name the cooperative's RAT date."""
        return self.test == DATED

    async def insert(self, repos: Repositories, release_by_zone: Mapping[str, datetime], now: datetime) -> int:
        """The rows for the part's officers whose names are plain; how many are new. An overdue RAT's reminder is
        asked for every day: officers whose key is stored are not looked at."""
        english = english_officer()
        which = passes(self.test, self.on)
        payloads = [
            (
                english if lang == "en" else ~english,
                shaped,
                (Officer.name, Cooperative.name, date_text(Cooperative.rat_date, self.words.get(lang))),
            )
            for lang, shaped in self.payloads.items()
        ]
        key = _key(self.head, self.dated)
        return await insert_named(
            repos,
            self.after,
            self.upto,
            which,
            key,
            self.kind,
            self.priority,
            payloads,
            release_by_zone,
            now,
            unsent=self.dated,
        )


async def next_part(
    repos: Repositories, tests: list[tuple[Test, date]], after: int, size: int
) -> tuple[int | None, bool]:
    """The last id of the next `size` cooperatives (ids above `after`) that pass any of `tests`, and whether more may
    follow."""
    return await next_of(repos, passes_any(tests), after, size)


async def due_in_part(repos: Repositories, tests: list[tuple[Test, date]], after: int, upto: int) -> list[bool]:
    """For each of `tests`: whether any cooperative of the part (ids in (after, upto]) passes it."""
    c = Cooperative
    found = [func.max(case((passes(t, on), 1), else_=0)) for t, on in tests]
    row = (await repos.session.execute(select(*found).where(c.id > bound(after), c.id <= bound(upto)))).one()
    return [bool(n) for n in row]


async def awkward_pairs(
    repos: Repositories, tests: list[tuple[Test, date]], after: int, upto: int
) -> list[tuple[CooperativeRow, OfficerRow]]:
    """The part's officers left out of `ObligationRows.insert` (a name the database cannot put in), of cooperatives
    that pass any of `tests`, with the cooperatives' recorded dates, by cooperative then officer."""
    return await named_pairs(repos, after, upto, passes_any(tests))
