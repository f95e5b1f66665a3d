"""What the commands' arguments share: the subparsers' type, dates for --help examples, and --segment."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.segments import Segment

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def example_moment(days: int, clock: str) -> str:
    """A date and time `days` from today for --help and error examples ("2026-11-19 09:00"), never one past."""
    return f"{date.today() + timedelta(days=days):%Y-%m-%d} {clock}"


def segment_argument(text: str) -> Segment:
    """An argparse type for --segment: a bad segment is a usage error naming what is wrong. The segments are read
    by the use cases, imported here when a command given --segment runs."""
    from bot.services.segments import SegmentError, parse

    try:
        return parse(text)
    except SegmentError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
