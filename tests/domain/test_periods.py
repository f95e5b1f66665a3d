"""Reporting periods, deadlines, zones and Indonesian dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.periods import (
    ZONES,
    Lang,
    Period,
    deadline,
    format_date,
    format_date_numeric,
    format_datetime,
    format_time,
    is_late,
    months_elapsed,
    parse_date,
    read_date,
    reporting_period_for,
    to_zone,
    zone_abbrev,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


def test_parse_and_str() -> None:
    assert Period.parse("2026-11") == Period(2026, 11)
    assert str(Period(2026, 1)) == "2026-01"
    for bad in ["2026-13", "2026-1", "26-11", "November 2026", ""]:
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_labels() -> None:
    assert Period(2026, 10).label("id") == "Oktober 2026"
    assert Period(2026, 10).label("en") == "October 2026"
    assert Period(2026, 2).label() == "Februari 2026"


def test_previous_next_and_end() -> None:
    assert Period(2026, 1).previous() == Period(2025, 12)
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2026, 5).next().previous() == Period(2026, 5)
    assert Period(2028, 2).end_date() == date(2028, 2, 29)
    assert Period(2026, 2).end_date() == date(2026, 2, 28)
    assert Period(2026, 10).end_date() == date(2026, 10, 31)
    assert Period(2026, 10) < Period(2026, 11) < Period(2027, 1)


@pytest.mark.parametrize(
    ("utc", "zone", "expected"),
    [
        # 16:59 UTC on 31 Oct is 23:59 WIB: still October locally, so September is reported.
        (datetime(2026, 10, 31, 16, 59, tzinfo=UTC), "WIB", Period(2026, 9)),
        (datetime(2026, 10, 31, 17, 0, tzinfo=UTC), "WIB", Period(2026, 10)),
        (datetime(2026, 10, 31, 15, 59, tzinfo=UTC), "WITA", Period(2026, 9)),
        (datetime(2026, 10, 31, 16, 0, tzinfo=UTC), "WITA", Period(2026, 10)),
        (datetime(2026, 10, 31, 14, 59, tzinfo=UTC), "WIT", Period(2026, 9)),
        (datetime(2026, 10, 31, 15, 0, tzinfo=UTC), "Asia/Jayapura", Period(2026, 10)),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), JAKARTA, Period(2026, 12)),
        (datetime(2027, 1, 20, 3, 0, tzinfo=UTC), JAKARTA, Period(2026, 12)),
    ],
)
def test_reporting_period_at_month_boundaries(utc: datetime, zone: str | ZoneInfo, expected: Period) -> None:
    assert reporting_period_for(utc, zone) == expected


def test_deadline_is_end_of_day_ten_next_month() -> None:
    due = deadline(Period(2026, 10), "WIB")
    assert due == datetime.combine(date(2026, 11, 10), time.max, tzinfo=JAKARTA)
    assert deadline(Period(2026, 12), "WITA", day=10).date() == date(2027, 1, 10)
    assert deadline(Period(2026, 1), "WIB", day=31).date() == date(2026, 2, 28)
    assert due.tzinfo is not None


def test_is_late() -> None:
    october = Period(2026, 10)
    assert not is_late(october, datetime(2026, 11, 10, 16, 59, tzinfo=UTC), "WIB")
    assert is_late(october, datetime(2026, 11, 10, 17, 0, tzinfo=UTC), "WIB")
    assert not is_late(october, datetime(2026, 11, 10, 15, 59, tzinfo=UTC), "WITA")
    assert is_late(october, datetime(2026, 11, 10, 16, 0, tzinfo=UTC), "WITA")


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 9, 10, 14)
    with pytest.raises(ValueError):
        reporting_period_for(naive, "WIB")
    with pytest.raises(ValueError):
        format_datetime(naive, "WIB")
    with pytest.raises(ValueError):
        format_time(naive, "WIB")
    with pytest.raises(ValueError):
        is_late(Period(2026, 10), naive, "WIB")
    with pytest.raises(TypeError):
        format_date(datetime(2026, 11, 9, tzinfo=UTC))


def test_months_elapsed() -> None:
    assert months_elapsed(Period(2026, 10)) == 10
    assert months_elapsed(Period(2026, 1)) == 1
    assert months_elapsed(Period(2026, 12)) == 12
    assert months_elapsed(Period(2026, 7), fiscal_year_start_month=7) == 1
    assert months_elapsed(Period(2026, 6), fiscal_year_start_month=7) == 12
    assert months_elapsed(Period(2026, 10), fiscal_year_start_month=7) == 4
    with pytest.raises(ValueError):
        months_elapsed(Period(2026, 10), 13)


def test_zones() -> None:
    assert ZONES == {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
    assert zone_abbrev("Asia/Jakarta") == "WIB"
    assert zone_abbrev("Asia/Pontianak") == "WIB"
    assert zone_abbrev("Asia/Makassar") == "WITA"
    assert zone_abbrev("Asia/Jayapura") == "WIT"
    assert zone_abbrev("wita") == "WITA"
    assert zone_abbrev("Europe/Paris") == "Europe/Paris"
    assert to_zone("WIT") == ZoneInfo("Asia/Jayapura")


def test_indonesian_dates_and_times() -> None:
    assert format_date(date(2026, 11, 9)) == "Senin, 9 November 2026"
    assert format_date(date(2026, 11, 9), "en") == "Monday, 9 November 2026"
    assert format_date(date(2026, 11, 15)) == "Minggu, 15 November 2026"
    moment = datetime(2026, 11, 9, 3, 14, tzinfo=UTC)
    assert format_datetime(moment, "WIB") == "Senin, 9 November 2026 10.14 WIB"
    assert format_datetime(moment, "Asia/Makassar") == "Senin, 9 November 2026 11.14 WITA"
    assert format_datetime(moment, ZoneInfo("Asia/Jayapura"), "en") == "Monday, 9 November 2026 12:14 WIT"
    assert format_time(datetime(2026, 11, 19, 2, 0, tzinfo=UTC), "WIB") == "09.00 WIB"
    assert format_datetime(datetime(2026, 11, 9, 17, 30, tzinfo=UTC), "WIB") == "Selasa, 10 November 2026 00.30 WIB"
    assert format_time(moment, "UTC") == "03.14 UTC"


def test_parse_date() -> None:
    assert parse_date("30-06-2026") == date(2026, 6, 30)
    assert parse_date("30/6/2026") == date(2026, 6, 30)
    assert parse_date("30 Juni 2026") == date(2026, 6, 30)
    assert parse_date("1 agt 2026") == date(2026, 8, 1)
    assert parse_date("31-02-2026") is None
    assert parse_date("besok") is None
    assert parse_date("x" * 5000) is None


MARCH_15_2026 = (
    "15 Maret 2026", "15 maret 2026", "15 Mar 2026", "15 mar. 2026", "15-mar-2026", "15 March 2026", "15/3/2026",
    "15-03-2026", "15.03.2026", "15 03 2026", "15/3/26", "2026-03-15", "2026/3/15", "Minggu, 15 Maret 2026",
    "minggu 15 maret 2026", "Sunday, 15 March 2026", "  15  Maret  2026 ",
)  # fmt: skip


def test_dates_the_way_officers_write_them() -> None:
    for text in MARCH_15_2026:
        assert parse_date(text) == date(2026, 3, 15), text
    assert parse_date("17 Agustus 2026") == parse_date("17 agt 2026") == parse_date("17 Aug 2026") == date(2026, 8, 17)
    assert parse_date("1 Nopember 2026") == date(2026, 11, 1) and parse_date("1 Pebruari 2026") == date(2026, 2, 1)
    assert parse_date("Senin, 15 Maret 2026") is None  # 15 March 2026 is a Sunday: which one was meant?
    assert parse_date("15 Maret") is None and parse_date("kemarin") is None  # no year, no today


def test_read_date_knows_today_yesterday_and_a_date_without_its_year() -> None:
    today = date(2026, 3, 20)
    assert read_date("hari ini", today) == read_date("Hari Ini", today) == today
    assert read_date("kemarin", today) == read_date("kmrn", today) == date(2026, 3, 19)
    assert read_date("kemarin lusa", today) == date(2026, 3, 18)
    assert read_date("besok", today) == date(2026, 3, 21)  # read, so that it can be refused as not yet come
    assert read_date("15 Maret", today) == read_date("15/3", today) == date(2026, 3, 15)
    assert read_date("15 Maret 2025", today) == date(2025, 3, 15)
    assert read_date("kemarin", date.min) is None and read_date("besok", date.max) is None
    assert read_date("minggu lalu", today) is None and read_date("15", today) is None


def test_dates_are_written_with_or_without_the_weekday_and_the_short_way() -> None:
    assert format_date(date(2026, 3, 15), weekday=False) == "15 Maret 2026"
    assert format_date(date(2026, 3, 15), "en", weekday=False) == "15 March 2026"
    assert format_date_numeric(date(2026, 3, 5)) == "05-03-2026"


WRITTEN = st.dates(min_value=date(1000, 1, 1))
DATE_LIKE = st.text(alphabet="0123456789 -/.,:'abdeijklmnoprstuyAMJS", max_size=30)


@given(WRITTEN, st.sampled_from(["id", "en"]), st.booleans(), st.dates())
def test_a_written_date_reads_back(day: date, lang: Lang, weekday: bool, today: date) -> None:
    for written in (format_date(day, lang, weekday=weekday), format_date_numeric(day), day.isoformat()):
        assert parse_date(written) == day, written
        assert read_date(written, today) == day, written
        assert read_date(written.upper(), today) == day, written


@given(st.one_of(st.text(max_size=60), DATE_LIKE), st.dates())
def test_any_text_is_a_date_or_none_and_never_raises(text: str, today: date) -> None:
    for found in (parse_date(text), read_date(text, today)):
        assert found is None or isinstance(found, date)


def test_a_period_is_parsed_and_written_once() -> None:
    """A report's every message parses its period and writes it several times: made once per text (main: a regular
    expression and a new period each time), the same values as before, a bad text refused every time."""
    period = Period.parse(" 2026-10 ")
    assert period is Period.parse(" 2026-10 ") and period == Period(2026, 10) == Period.parse("2026-10")
    assert str(period) is str(period) and str(period) == "2026-10" == str(Period(2026, 10))
    assert str(Period(987 + 1000, 1)) == "1987-01" and str(replace(period, month=3)) == "2026-03"
    for bad in ("2026-13", "2026-1", "x", "2026-10-01"):
        for _ in range(2):
            with pytest.raises(ValueError):
                Period.parse(bad)
