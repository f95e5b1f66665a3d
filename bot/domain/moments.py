"""Moments the office types: a date and a time in the office's zone ("19-11-2026 09.00"), or a time on a given day."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.periods import parse_date

_ISO: Final = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2})[:.]([0-9]{2})$")
_TIME: Final = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})$")


def parse_moment(text: str, zone: ZoneInfo) -> datetime | None:
    """ "2026-11-19 09:00", "19-11-2026 09.00" or "19 November 2026 09.00" in `zone`, else None."""
    cleaned = " ".join(text.strip().split())
    iso = _ISO.match(cleaned)
    try:
        if iso:
            y, m, d, hh, mm = (int(g) for g in iso.groups())
            return datetime(y, m, d, hh, mm, tzinfo=zone)
        head, _, clock = cleaned.rpartition(" ")
        day, hhmm = parse_date(head), _TIME.match(clock)
        if day is not None and hhmm:
            return datetime(day.year, day.month, day.day, int(hhmm[1]), int(hhmm[2]), tzinfo=zone)
    except ValueError:
        return None
    return None


def parse_end(text: str, start: datetime, zone: ZoneInfo) -> datetime | None:
    """The end: a full date and time, or a time only ("12.00") on the start's day."""
    hhmm = _TIME.match(text.strip())
    if hhmm:
        try:
            local: date = start.astimezone(zone).date()
            return datetime(local.year, local.month, local.day, int(hhmm[1]), int(hhmm[2]), tzinfo=zone)
        except ValueError:
            return None
    return parse_moment(text, zone)
