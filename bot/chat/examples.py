"""Example values for the questions, computed from today so that an example is never a date already past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.periods import MONTHS_ID, reporting_period_for


@dataclass(frozen=True)
class Examples:
    """`period`: the month being reported now ("2026-10"), `month`: its name ("oktober"); `moment`: a week ahead at
    09.00 ("19-11-2026 09.00"); `send_at`: eight days ahead at 08.00; `deadline`: two days before `moment` at 16.00."""

    period: str
    month: str
    moment: str
    send_at: str
    deadline: str


def examples(now: datetime, zone: ZoneInfo) -> Examples:
    """The examples as of `now` in `zone`."""
    today = now.astimezone(zone).date()
    period = reporting_period_for(now, zone)

    def at(days: int, clock: str) -> str:
        return f"{today + timedelta(days=days):%d-%m-%Y} {clock}"

    return Examples(str(period), MONTHS_ID[period.month - 1].lower(), at(7, "09.00"), at(8, "08.00"), at(5, "16.00"))
