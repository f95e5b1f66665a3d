"""The kopsehat command line: the composition root that wires everything together."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import announce, assess, chat, cooperatives, db, demo, invites, report_status, reports, run, trainings

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


BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell shows for a program stopped by SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kopsehat` console script."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        code: int = args.func(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe can no longer be caught
        return code
    except BrokenPipeError:
        # The reader stopped reading (`| head`): stop quietly, and let nothing try to write to it again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
