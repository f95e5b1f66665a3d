"""`kopsehat db upgrade|current`: schema migrations."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import SubParsers, settings_or_exit
from storage.db import Database
from storage.migrate import current, upgrade


def register(subparsers: SubParsers) -> None:
    """Add the `db` command."""
    parser = subparsers.add_parser(
        "db", help="database schema migrations", description="Apply or inspect database migrations (Alembic)."
    )
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="bring the schema to the newest version (KOPSEHAT_DATABASE_URL)")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(func=_upgrade)
    cur = actions.add_parser("current", help="print the schema version of the database")
    cur.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
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


def _current(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def go() -> str | None:
        db = Database(settings.database_url)
        try:
            return await current(db)
        finally:
            await db.dispose()

    print(asyncio.run(go()) or "empty (run: kopsehat db upgrade)")
    return 0
