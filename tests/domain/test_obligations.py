"""The RAT's dates (§10.5): which book year, when it may have been held, what follows."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.obligations import (
    ods_deadline,
    ods_updated_since,
    rat_book_year,
    rat_date_problem,
    rat_held_for,
    rat_legal_limit,
    rat_target,
)


def test_the_rat_of_book_year_2025_is_held_in_2026() -> None:
    assert rat_book_year(date(2026, 1, 5)) == rat_book_year(date(2026, 12, 31)) == 2025
    assert (rat_target(2025), rat_legal_limit(2025)) == (date(2026, 3, 31), date(2026, 6, 30))
    assert rat_held_for(2025, date(2026, 1, 1)) and rat_held_for(2025, date(2026, 3, 15))
    assert not rat_held_for(2025, date(2025, 12, 31)) and not rat_held_for(2025, None)


def test_a_rat_date_is_neither_to_come_nor_before_the_books_closed() -> None:
    today = date(2026, 3, 20)
    assert rat_date_problem(today, today) is None and rat_date_problem(date(2026, 1, 1), today) is None
    assert rat_date_problem(date(2026, 3, 21), today) == "future"
    assert rat_date_problem(date(2025, 12, 31), today) == "before_books_closed"
    assert rat_date_problem(date(1926, 3, 15), today) == "before_books_closed"


def test_ods_within_30_days_of_the_rat() -> None:
    assert ods_deadline(date(2026, 3, 15)) == date(2026, 4, 14)
    assert ods_updated_since(date(2026, 3, 15), date(2026, 3, 15))
    assert not ods_updated_since(date(2026, 3, 15), date(2025, 7, 1)) and not ods_updated_since(None, date(2026, 4, 1))


@given(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)), st.dates(max_value=date(9998, 12, 31)))
def test_an_accepted_rat_date_stops_that_years_reminders(today: date, rat: date) -> None:
    if rat_date_problem(rat, today) is None:
        assert rat <= today and rat_held_for(rat_book_year(today), rat)
    assert rat_date_problem(today, today) is None
    assert rat_date_problem(today + timedelta(days=1), today) == "future"
