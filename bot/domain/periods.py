"""Reporting periods, deadlines and Indonesian time zones; dates and times written the Indonesian way.

The report for a month opens on the 1st of the next month and is due by the end of `DEFAULT_DUE_DAY` (the
10th) in the cooperative's zone; after that it is late but still for the same month, until that month ends.
Everything is timezone-aware: a naive datetime is a programming error and raises ValueError.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property, lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo

Lang = Literal["id", "en"]
DEFAULT_DUE_DAY: Final = 10

ZONES: Final[dict[str, str]] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_ABBREVS: Final[dict[str, str]] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}

MONTHS_ID: Final = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS_ID: Final = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAYS_EN: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

TimeZoneLike = tzinfo | str


def to_zone(tz: TimeZoneLike) -> tzinfo:
    """A tzinfo from a tzinfo, an IANA name ("Asia/Makassar") or an Indonesian abbreviation ("WITA")."""
    if isinstance(tz, tzinfo):
        return tz
    return ZoneInfo(ZONES.get(tz.upper(), tz))


def zone_abbrev(tzname: str) -> str:
    """ "WIB", "WITA" or "WIT" for an Indonesian zone name; other names come back unchanged."""
    if tzname.upper() in ZONES:
        return tzname.upper()
    return _ABBREVS.get(tzname, tzname)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9998:
            raise ValueError(f"not a reporting period: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``Period.parse("2026-11")``; raises ValueError for anything else."""
        return _parsed(text)

    @classmethod
    def of(cls, day: date) -> Period:
        """The period a date falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        """ "2026-11", made once a period (a report's messages each name theirs several times)."""
        return f"{self.year:04d}-{self.month:02d}"

    def label(self, lang: Lang = "id") -> str:
        """ "Oktober 2026" / "October 2026"."""
        names = MONTHS_ID if lang == "id" else MONTHS_EN
        return f"{names[self.month - 1]} {self.year}"

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def start_date(self) -> date:
        return date(self.year, self.month, 1)

    def end_date(self) -> date:
        """The last day of the month (the balance sheet date)."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def local_date(now: datetime, tz: TimeZoneLike) -> date:
    """The calendar date of an aware moment in a zone."""
    _require_aware(now)
    return now.astimezone(to_zone(tz)).date()


def reporting_period_for(now: datetime, tz: TimeZoneLike) -> Period:
    """The month being reported at `now`: always the previous month in the cooperative's zone."""
    return Period.of(local_date(now, tz)).previous()


def deadline(period: Period, tz: TimeZoneLike, day: int = DEFAULT_DUE_DAY) -> datetime:
    """The last moment (23:59:59.999999 local) of day `day` of the month after `period`."""
    following = period.next()
    last = calendar.monthrange(following.year, following.month)[1]
    due = date(following.year, following.month, min(max(day, 1), last))
    return datetime.combine(due, time.max, tzinfo=to_zone(tz))


def closed_periods(now: datetime, tz: TimeZoneLike, day: int = DEFAULT_DUE_DAY) -> tuple[Period, Period]:
    """The last two report periods whose deadline has passed at `now` (newest first)."""
    period = reporting_period_for(now, tz)
    if now <= deadline(period, tz, day):
        period = period.previous()
    return period, period.previous()


def is_late(period: Period, now: datetime, tz: TimeZoneLike, day: int = DEFAULT_DUE_DAY) -> bool:
    """Whether a report for `period` sent at `now` is after its deadline."""
    _require_aware(now)
    return now > deadline(period, tz, day)


def months_elapsed(period: Period, fiscal_year_start_month: int = 1) -> int:
    """Months of the book year up to and including `period` (1..12), for a book year starting that month."""
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError("fiscal_year_start_month must be 1..12")
    return (period.month - fiscal_year_start_month) % 12 + 1


def date_words(lang: Lang = "id") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names `format_date` writes in `lang`: the weekdays (Monday first) and the months."""
    return (WEEKDAYS_ID, MONTHS_ID) if lang == "id" else (WEEKDAYS_EN, MONTHS_EN)


def format_date(day: date, lang: Lang = "id", *, weekday: bool = True) -> str:
    """ "Senin, 9 November 2026" / "Monday, 9 November 2026" ("9 November 2026" without the weekday); a datetime
    must go through format_datetime."""
    if isinstance(day, datetime):
        raise TypeError("format_date takes a date; use format_datetime for a moment")
    weekdays, months = date_words(lang)
    written = f"{day.day} {months[day.month - 1]} {day.year}"
    return f"{weekdays[day.weekday()]}, {written}" if weekday else written


def format_date_numeric(day: date) -> str:
    """ "09-11-2026": the short way officers type a date (day first)."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def _zone_label(local: datetime, tz: TimeZoneLike) -> str:
    name = tz if isinstance(tz, str) else getattr(tz, "key", None)
    if isinstance(name, str):
        abbrev = zone_abbrev(name)
        if abbrev in ZONES:
            return abbrev
    return local.tzname() or "UTC"


def format_time(moment: datetime, tz: TimeZoneLike, lang: Lang = "id") -> str:
    """ "09.00 WIB" (Indonesian uses a dot) / "09:00 WIB"."""
    _require_aware(moment)
    local = moment.astimezone(to_zone(tz))
    separator = "." if lang == "id" else ":"
    return f"{local.hour:02d}{separator}{local.minute:02d} {_zone_label(local, tz)}"


def format_datetime(moment: datetime, tz: TimeZoneLike, lang: Lang = "id") -> str:
    """ "Senin, 9 November 2026 10.14 WIB"."""
    _require_aware(moment)
    local = moment.astimezone(to_zone(tz))
    return f"{format_date(local.date(), lang)} {format_time(local, tz, lang)}"


MAX_DATE_TEXT: Final = 40
_DATE_ISO: Final = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$")
_DATE_NUMERIC: Final = re.compile(r"^([0-9]{1,2})[-/. ]([0-9]{1,2})(?:[-/. ]([0-9]{4}|[0-9]{2}))?$")
_DATE_WORDS: Final = re.compile(r"^([0-9]{1,2})[ -]?([a-z]+)\.?(?:[ -]([0-9]{4}))?$")
_MONTH_NAMES: Final[dict[str, int]] = {
    **{name.lower(): i + 1 for i, name in enumerate(MONTHS_ID)},
    **{name.lower(): i + 1 for i, name in enumerate(MONTHS_EN)},
    **{name.lower()[:3]: i + 1 for i, name in enumerate(MONTHS_ID)},
    **{name.lower()[:3]: i + 1 for i, name in enumerate(MONTHS_EN)},
    "agt": 8,
    "agu": 8,
    "okt": 10,
    "des": 12,
    "peb": 2,
    "pebruari": 2,
    "nopember": 11,
    "nop": 11,
    "sept": 9,
}
_WEEKDAY_NAMES: Final[dict[str, int]] = {
    **{name.lower(): i for i, name in enumerate(WEEKDAYS_EN)},
    **{name.lower(): i for i, name in enumerate(WEEKDAYS_ID)},
    "jum'at": 4,
    "ahad": 6,
}
_DAYS_AGO: Final[dict[str, int]] = {
    "hari ini": 0, "hr ini": 0, "today": 0,
    "kemarin": 1, "kemaren": 1, "kmrn": 1, "yesterday": 1,
    "kemarin lusa": 2,
    "besok": -1, "tomorrow": -1, "lusa": -2,
}  # fmt: skip


def parse_date(text: str) -> date | None:
    """A date written in full: "30 Juni 2026", "30 Jun 2026", "Selasa, 30 Juni 2026", "30-06-2026", "30/6/2026",
    "30.6.26", "2026-06-30" (day first, except year-first ISO); else None. A weekday that does not fit is None."""
    return _read(text, None)


def read_date(text: str, today: date) -> date | None:
    """A date as officers write it, relative to `today`: everything `parse_date` reads, "hari ini", "kemarin",
    "besok", and a date without its year ("15 Maret", "15/3"), which is taken in today's year; else None."""
    return _read(text, today)


def _read(text: str, today: date | None) -> date | None:
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    if len(cleaned) > MAX_DATE_TEXT:
        return None
    if cleaned in _DAYS_AGO:
        try:
            return None if today is None else today - timedelta(days=_DAYS_AGO[cleaned])
        except OverflowError:  # the day before 1 January of year 1, or after 31 December 9999
            return None
    first, _, rest = cleaned.partition(" ")
    weekday = _WEEKDAY_NAMES.get(first)
    if weekday is not None:
        cleaned = rest
    found = _date_of(cleaned, today)
    if found is None or (weekday is not None and found.weekday() != weekday):
        return None
    return found


def _date_of(cleaned: str, today: date | None) -> date | None:
    iso, numeric, words = _DATE_ISO.match(cleaned), _DATE_NUMERIC.match(cleaned), _DATE_WORDS.match(cleaned)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if numeric:
            year = numeric[3]
            if year is None:
                return None if today is None else date(today.year, int(numeric[2]), int(numeric[1]))
            return date(int(year) + (2000 if len(year) == 2 else 0), int(numeric[2]), int(numeric[1]))
        if words and words[2] in _MONTH_NAMES:
            year_of = int(words[3]) if words[3] else (today.year if today else None)
            return None if year_of is None else date(year_of, _MONTH_NAMES[words[2]], int(words[1]))
    except ValueError:
        return None
    return None


def read_period(text: str, current: Period) -> Period | None:
    """A reporting month as staff write it: "2026-10", "oktober", "okt 2026", "Oktober 2026", "10/2026"; a month
    without its year is the latest one not after `current`; else None."""
    cleaned = " ".join(text.strip().lower().replace(".", " ").replace(",", " ").split())
    numeric = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})|([0-9]{1,2})[/-]([0-9]{4})", cleaned)
    if numeric:
        year, month = (numeric[1], numeric[2]) if numeric[1] else (numeric[4], numeric[3])
        return Period(int(year), int(month)) if 1 <= int(month) <= 12 and 2000 <= int(year) <= 9998 else None
    words = cleaned.split()
    if not words or len(words) > 2 or words[0] not in _MONTH_NAMES:
        return None
    month = _MONTH_NAMES[words[0]]
    if len(words) == 2:
        return (
            Period(int(words[1]), month)
            if re.fullmatch(r"[0-9]{4}", words[1]) and "2000" <= words[1] <= "9998"
            else None
        )
    return Period(current.year if month <= current.month else current.year - 1, month)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> Period:
    """`Period.parse`, once a text (a report's every message parses its period again; a period is immutable)."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
    if match is None:
        raise ValueError(f"not a period (YYYY-MM): {text!r}")
    return Period(int(match[1]), int(match[2]))
