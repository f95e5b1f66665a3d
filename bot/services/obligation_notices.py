"""The RAT, NIK and ODS reminders of §10.5: which are due on a day, for which cooperatives, and each one's notice.

`obligations_on(day)` lists the kinds of reminder due on a day, each with the test a cooperative's recorded dates must
pass (`Obligation.test`, `Obligation.on`): one description that the per-officer path asks in Python (`applies`) and
the daily tick asks in SQL (`storage.obligation_rows`), so the two cannot drift apart. An officer's notice names the
day or the recorded date in its dedupe key, so the same day computed twice yields the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.obligations import (
    NIK_REMINDER_DAYS_BEFORE,
    ODS_REMINDER_DAYS_AFTER_RAT,
    RAT_FINAL_REMINDER,
    RAT_REMINDER_DAYS,
    books_closed,
    ods_deadline,
    ods_updated_since,
    rat_book_year,
    rat_legal_limit,
    rat_target,
)
from bot.domain.periods import format_date
from bot.services.cycle import PRIORITY_OBLIGATION, RAT_ROUTE, Due
from bot.words import render
from bot.words.messages import Choice, Notice, NoticeKind, Reply
from storage.fanout import CooperativeRow, OfficerRow
from storage.models import Cooperative, Officer
from storage.obligation_rows import DATED, Test


@dataclass(frozen=True)
class Obligation:
    """A kind of reminder due on a day, for the cooperatives whose recorded dates pass `test` against `on`:
    rat_not_held: no RAT after `on` (the book year's close); rat_before: a RAT recorded before `on`; nik_on: the NIK
    valid until `on`; ods_due: the RAT held on `on` and ODS not updated since. `key` is the dedupe key up to
    "coop-" (an overdue RAT's: up to the RAT's date, then ":coop-"); `values` the template's dates and numbers
    (`last_rat`: the cooperative's RAT date), `params` the WhatsApp template's values after the two names."""

    kind: NoticeKind
    message: str
    key: str
    test: Test
    on: date
    values: tuple[tuple[str, date | int | None], ...] = ()
    params: tuple[date | None, ...] = ()
    button: bool = False  # the RAT's button to record its date

    def applies(self, coop: Cooperative | CooperativeRow) -> bool:
        rat = coop.rat_date
        if self.test == "rat_not_held":
            return rat is None or rat <= self.on
        if self.test == "rat_before":
            return rat is not None and rat < self.on
        if self.test == "nik_on":
            return coop.nik_valid_until == self.on
        return rat == self.on and not ods_updated_since(rat, coop.ods_updated_on)

    @property
    def dated(self) -> bool:
        """Whether the key and the text take the cooperative's own RAT date (None in `values` and `params`)."""
        return self.test == DATED


def obligations_on(day: date) -> list[Obligation]:
    """The kinds of RAT, NIK and ODS reminder due on `day`, in the order an officer gets them."""
    due: list[Obligation] = []
    book_year = rat_book_year(day)
    values: tuple[tuple[str, date | int | None], ...]
    if (day.month, day.day) in RAT_REMINDER_DAYS:
        final = (day.month, day.day) == RAT_FINAL_REMINDER
        target = rat_legal_limit(book_year) if final else rat_target(book_year)
        message = "rat_final" if final else "rat_reminder"
        values = (("target", target), ("book_year", book_year))
        closed = books_closed(book_year)
        due.append(
            Obligation("rat_reminder", message, f"reminder:rat:{day}:", "rat_not_held", closed, values, (target,), True)
        )
    overdue = day - timedelta(days=365)  # once per recorded RAT date (the key names it)
    last_rat = (("last_rat", None),)
    due.append(
        Obligation(
            "rat_reminder", "rat_overdue", "reminder:rat-overdue:", "rat_before", overdue, last_rat, (None,), True
        )
    )
    for days in NIK_REMINDER_DAYS_BEFORE:
        nik = day + timedelta(days=days)
        values = (("valid_until", nik), ("days", days))
        due.append(
            Obligation("nik_reminder", "nik_reminder", f"reminder:nik-expiry:{nik}:{days}d:", "nik_on", nik, values)
        )
    for days in ODS_REMINDER_DAYS_AFTER_RAT:
        rat = day - timedelta(days=days)
        values = (("rat", rat), ("limit", ods_deadline(rat)))
        due.append(
            Obligation("ods_reminder", "ods_reminder", f"reminder:ods-update:{rat}:{days}d:", "ods_due", rat, values)
        )
    return due


def obligation_notice(
    obligation: Obligation,
    coop: Cooperative | CooperativeRow,
    officer: Officer | OfficerRow,
    key: str,
    rat_text: str | None = None,
) -> Due:
    """`obligation`'s notice for one officer of `coop` with the dedupe key `key`; the cooperative's RAT date (where
    the notice names it) written as `rat_text` if given."""
    lang = render.as_lang(officer.language)
    own = [k for k, v in obligation.values if v is None]
    rat = ""
    if own or None in obligation.params:
        rat = format_date(_rat(coop), lang) if rat_text is None else rat_text
    values = {k: v for k, v in obligation.values if v is not None}
    dates = {k: format_date(v, lang) for k, v in values.items() if isinstance(v, date)} | dict.fromkeys(own, rat)
    text = render.text(
        lang, f"notices.{obligation.message}", name=officer.name, cooperative=coop.name, **{**values, **dates}
    )
    params = tuple(rat if p is None else format_date(p, lang) for p in obligation.params)
    choices = (Choice(f"go:{RAT_ROUTE}", render.text(lang, "notices.button_rat")),) if obligation.button else ()
    notice = Notice(
        obligation.kind,
        key,
        Reply(text, choices),
        priority=PRIORITY_OBLIGATION,
        template_params=(officer.name, coop.name, *params, *(c.id for c in choices)),
    )
    return Due(notice, ZoneInfo(coop.timezone), officer_id=officer.id)


def _rat(coop: Cooperative | CooperativeRow) -> date:
    """The cooperative's RAT date, where a notice's value is None."""
    if coop.rat_date is None:
        raise ValueError("a notice about the cooperative's RAT needs its RAT date")
    return coop.rat_date


def officer_key(obligation: Obligation, coop: Cooperative | CooperativeRow, officer: Officer | OfficerRow) -> str:
    dated = f"{coop.rat_date}:" if obligation.dated else ""
    return f"{obligation.key}{dated}coop-{coop.id}:officer-{officer.id}"


def obligations_of(coop: Cooperative | CooperativeRow, officer: Officer | OfficerRow, day: date) -> list[Due]:
    """The RAT, NIK and ODS reminders one officer of `coop` gets on `day` (§10.5), from the recorded dates."""
    return [
        obligation_notice(ob, coop, officer, officer_key(ob, coop, officer))
        for ob in obligations_on(day)
        if ob.applies(coop)
    ]
