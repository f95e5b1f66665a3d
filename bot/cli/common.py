"""What the commands' work shares: settings loading with one-line errors, the database, a segment's audience."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.config import ConfigError, Settings, load_settings
from bot.services import keys
from bot.services.segments import Audience, Segment, SegmentError, resolve
from storage.db import Database
from storage.migrate import upgrade

T = TypeVar("T")


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


REASONS = {
    "no_account": "without a chat account (not registered)",
    "unreachable": "unreachable on Telegram and WhatsApp",
    "paused": "stopped announcements (BERHENTI)",
}


def audience_line(audience: Audience) -> str:
    """The preview's count of who receives it now: "segment type:ksp: 3 officers of 2 cooperatives"."""
    return f"segment {audience.segment.spec}: {audience.reach().now} officers of {audience.cooperatives} cooperatives"


def missed_line(audience: Audience) -> str:
    """Who cannot receive it now and why: "2 cannot receive it now: 1 without a chat account, ..." ("" for none)."""
    reach = audience.reach()
    if not reach.missed:
        return ""
    reasons = ", ".join(f"{count} {REASONS[why]}" for why, count in reach.missed)
    return f"{reach.missing} cannot receive it now: {reasons}"
