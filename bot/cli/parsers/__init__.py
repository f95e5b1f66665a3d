"""The command line's arguments, one module per command: only argparse and plain values, so that `kopsehat --help`,
a usage error or a light command does not load what the other commands need (the bot service, charts, Excel, the
chat platforms). Each command's work is imported from its module in bot.cli when it runs."""

from __future__ import annotations

import argparse

from bot import __version__
from bot.cli.parsers import (  # each is light: argparse and plain values
    announce,
    assess,
    chat,
    cooperatives,
    db,
    demo,
    invites,
    report_status,
    reports,
    run,
    trainings,
)

COMMANDS = [run, chat, db, cooperatives, invites, demo, trainings, announce, report_status, reports, assess]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="kopsehat",
        description=(
            "kopsehat: chatbot for Indonesian cooperatives (monthly self-reports, health assessment, "
            "coaching, reminders) on Telegram and WhatsApp. Settings come from KOPSEHAT_* environment "
            "variables or a .env file; see README.md."
        ),
    )
    parser.add_argument("--version", action="version", version=f"kopsehat {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser
