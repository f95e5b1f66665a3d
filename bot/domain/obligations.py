"""The RAT, ODS and NIK obligations of §10.5 for calendar-year books: the reminder calendar and the RAT's dates.

The RAT held in a year approves the book year before it, so the RAT of book year 2025 is held from 1 January 2026
(the books are closed), by the office's target (31 March) and the legal limit (30 June); its results go into ODS
within 30 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

RAT_REMINDER_DAYS: Final = ((1, 5), (2, 1), (3, 1), (3, 25), (6, 1))  # (month, day)
RAT_FINAL_REMINDER: Final = (6, 1)
RAT_TARGET: Final = (3, 31)
RAT_LEGAL_LIMIT: Final = (6, 30)
NIK_REMINDER_DAYS_BEFORE: Final = (60, 14)
ODS_REMINDER_DAYS_AFTER_RAT: Final = (7, 25)
ODS_LIMIT_DAYS: Final = 30

RatDateProblem = Literal["future", "before_books_closed"]


def rat_book_year(day: date) -> int:
    """The book year whose RAT is due in the year of `day` (the year before)."""
    return day.year - 1


def books_closed(book_year: int) -> date:
    """The last day of a book year."""
    return date(book_year, 12, 31)


def rat_target(book_year: int) -> date:
    """The office's target for the RAT of a book year (31 March of the next year)."""
    return date(book_year + 1, *RAT_TARGET)


def rat_legal_limit(book_year: int) -> date:
    """The legal limit for the RAT of a book year (30 June of the next year)."""
    return date(book_year + 1, *RAT_LEGAL_LIMIT)


def rat_held_for(book_year: int, rat: date | None) -> bool:
    """Whether a recorded RAT date is the RAT of `book_year` (or a later one): held after its books closed."""
    return rat is not None and rat > books_closed(book_year)


def rat_date_problem(rat: date, today: date) -> RatDateProblem | None:
    """Why `rat` cannot be the RAT of the book year due `today`: not yet come, or before that book year closed."""
    if rat > today:
        return "future"
    if not rat_held_for(rat_book_year(today), rat):
        return "before_books_closed"
    return None


def ods_deadline(rat: date) -> date:
    """The last day to enter a RAT's results in ODS."""
    return rat + timedelta(days=ODS_LIMIT_DAYS)


def ods_updated_since(rat: date | None, ods_updated_on: date | None) -> bool:
    """Whether ODS was updated on or after the recorded RAT."""
    return rat is not None and ods_updated_on is not None and ods_updated_on >= rat
