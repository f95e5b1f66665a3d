"""`kopsehat db upgrade|current`: their arguments."""

from __future__ import annotations

import argparse

from bot.cli.parsers.shared import SubParsers


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
    from bot.cli import db

    return db.upgrade_schema(args)


def _current(args: argparse.Namespace) -> int:
    from bot.cli import db

    return db.current_revision(args)
