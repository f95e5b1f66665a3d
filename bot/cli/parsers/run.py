"""`kopsehat run`: its arguments."""

from __future__ import annotations

import argparse

from bot.cli.parsers.shared import SubParsers


def register(subparsers: SubParsers) -> None:
    """Add the `run` command."""
    parser = subparsers.add_parser(
        "run",
        help="run the bot service (HTTP server, channels, reminders)",
        description=(
            "Run kopsehat: the HTTP server with GET /healthz, the webhooks and the office web app (/kantor/), "
            "the configured chat channels "
            "(Telegram, WhatsApp), delivery workers and the reminder scheduler. The embedded SQLite database "
            "is created and upgraded automatically. Runs on uvloop's event loop where it is installed (a "
            "dependency except on Windows), otherwise on asyncio's. Stop with Ctrl+C (SIGINT) or SIGTERM."
        ),
    )
    parser.add_argument("--host", help="listen address (default KOPSEHAT_HTTP_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default KOPSEHAT_HTTP_PORT, 8080; 0 = any free)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.cli import run

    return run.run(args)
