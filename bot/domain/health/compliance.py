"""The §9.4 compliance checklist, from the cooperative's record (dates and yes/no facts) and today's date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from bot.domain.health.keys import SAVINGS_AND_LOAN_TYPES
from bot.domain.health.rules import ComplianceSettings

Status = Literal["ok", "due_soon", "not_met", "unknown"]


@dataclass(frozen=True)
class CooperativeRecord:
    """What the bot knows of a cooperative; None means 'not known yet'."""

    cooperative_type: str = "ksp"
    is_kkmp: bool = False
    has_savings_and_loan_unit: bool = False
    last_rat_book_year: int | None = None
    last_rat_date: date | None = None
    rat_reported_on: date | None = None
    nik_expires_on: date | None = None
    ods_updated_on: date | None = None
    has_nib: bool | None = None
    has_npwp: bool | None = None
    ad_art_sop: bool | None = None
    separate_books: bool | None = None
    kkmp_data_entered: bool | None = None
    loans_outstanding: Decimal | None = None
    audited: bool | None = None
    founded_on: date | None = None
    tags: frozenset[str] = frozenset()
    readiness: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ComplianceItem:
    """One checklist line."""

    key: str
    status: Status
    due: date | None = None


def _fact(value: bool | None) -> Status:
    return "unknown" if value is None else "ok" if value else "not_met"


def last_closed_book_year(today: date, s: ComplianceSettings) -> int:
    """The latest book year whose end (book_year_end) is before `today`."""
    return today.year if today > s.on(s.book_year_end, today.year) else today.year - 1


def rat_due(today: date, s: ComplianceSettings) -> date:
    """The deadline of the RAT of the last closed book year (rat_deadline of the year after it)."""
    return s.on(s.rat_deadline, last_closed_book_year(today, s) + 1)


def _rat_held(record: CooperativeRecord, today: date, s: ComplianceSettings) -> Status:
    # Book year Y closes on book_year_end; its RAT is due by rat_deadline of Y + 1.
    closed = last_closed_book_year(today, s)
    if record.last_rat_book_year is None:
        return "unknown"
    if record.last_rat_book_year >= closed:
        return "ok"
    deadline = s.on(s.rat_deadline, closed + 1)
    if record.last_rat_book_year < closed - 1 or today > deadline:
        return "not_met"
    return "due_soon" if today >= s.on(s.rat_due_soon_from, closed + 1) else "ok"


def _within_days_of_rat(done_on: date | None, record: CooperativeRecord, today: date, days: int) -> Status:
    if record.last_rat_date is None:
        return "unknown"
    if done_on is not None and done_on >= record.last_rat_date:
        return "ok"
    return "not_met" if today > record.last_rat_date + timedelta(days=days) else "due_soon"


def _nik(record: CooperativeRecord, today: date, s: ComplianceSettings) -> Status:
    if record.nik_expires_on is None:
        return "unknown"
    if today >= record.nik_expires_on:
        return "not_met"
    return "due_soon" if today >= record.nik_expires_on - timedelta(days=s.nik_due_soon_days) else "ok"


def _audit(record: CooperativeRecord, s: ComplianceSettings) -> Status:
    if record.loans_outstanding is None:
        return "unknown"
    if record.loans_outstanding <= s.audit_loans_threshold:
        return "ok"
    return _fact(record.audited)


def _due(key: str, record: CooperativeRecord, today: date, s: ComplianceSettings) -> date | None:
    """By when an item must be done: the RAT deadline, 30 days after the RAT, the NIK expiry; else None."""
    if key == "rat_held":
        return rat_due(today, s)
    if key in ("rat_reported", "ods_updated") and record.last_rat_date is not None:
        return record.last_rat_date + timedelta(days=s.rat_report_days)
    if key == "nik_valid":
        return record.nik_expires_on
    return None


def checklist(record: CooperativeRecord, today: date, settings: ComplianceSettings) -> tuple[ComplianceItem, ...]:
    """Status and due date of each applicable checklist item, in the order of §9.4."""
    items: list[tuple[str, Status]] = [
        ("rat_held", _rat_held(record, today, settings)),
        ("rat_reported", _within_days_of_rat(record.rat_reported_on, record, today, settings.rat_report_days)),
        ("nik_valid", _nik(record, today, settings)),
        ("ods_updated", _within_days_of_rat(record.ods_updated_on, record, today, settings.rat_report_days)),
        ("nib", _fact(record.has_nib)),
        ("npwp", _fact(record.has_npwp)),
        ("ad_art_sop", _fact(record.ad_art_sop)),
        ("separate_books", _fact(record.separate_books)),
    ]
    if record.is_kkmp or "kkmp" in record.tags:
        items.append(("kkmp_data", _fact(record.kkmp_data_entered)))
    if record.cooperative_type in SAVINGS_AND_LOAN_TYPES or record.has_savings_and_loan_unit:
        items.append(("audit", _audit(record, settings)))
    return tuple(ComplianceItem(k, s, _due(k, record, today, settings)) for k, s in items)
