"""What subcommands share: settings loading with one-line errors, and the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from bot.config import ConfigError, Settings, load_settings
from bot.services import keys
from bot.services.segments import Audience, Segment, SegmentError, parse, resolve
from storage.db import Database
from storage.migrate import upgrade

T = TypeVar("T")
if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def settings_or_exit() -> Settings:
    """Load settings; a bad value prints one line naming the variable and exits with status 2."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"kopsehat: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    keys.configure(settings.secret_key.get_secret_value() if settings.secret_key else None)
    return settings


def run_with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database (upgrading its schema), run `work`, close it."""

    async def _go() -> T:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(_go())


def segment_audience(settings: Settings, segment: Segment) -> Audience | None:
    """Who `segment` reaches now, for the preview before a send; None (after one `--segment:` line on stderr, the
    caller exits with 2) when it names what does not exist, such as an unknown kecamatan or NIK."""

    async def work(db: Database) -> Audience | str:
        async with db.transaction() as repos:
            try:
                return await resolve(repos, segment)
            except SegmentError as exc:
                return str(exc)

    found = run_with_database(settings, work)
    if isinstance(found, str):
        print(f"kopsehat: --segment: {found}", file=sys.stderr)
        return None
    return found


def audience_line(audience: Audience) -> str:
    """The preview's count: "segment type:ksp: 3 officers of 2 cooperatives" (not counting who said BERHENTI)."""
    return (
        f"segment {audience.segment.spec}: {len(audience.reachable)} officers of {audience.cooperatives} cooperatives"
    )


def segment_argument(text: str) -> Segment:
    """An argparse type for --segment: a bad segment is a usage error naming what is wrong."""
    try:
        return parse(text)
    except SegmentError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
