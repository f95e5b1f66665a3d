"""`kopsehat db upgrade|current`: schema migrations."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import settings_or_exit
from storage.db import Database
from storage.migrate import current, upgrade


def upgrade_schema(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def go() -> str | None:
        db = Database(settings.database_url)
        try:
            await upgrade(db, args.revision)
            return await current(db)
        finally:
            await db.dispose()

    print(f"database at revision {asyncio.run(go())}")
    return 0


def current_revision(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def go() -> str | None:
        db = Database(settings.database_url)
        try:
            return await current(db)
        finally:
            await db.dispose()

    print(asyncio.run(go()) or "empty (run: kopsehat db upgrade)")
    return 0
