"""`kopsehat chat`: its arguments."""

from __future__ import annotations

import argparse

from bot.cli.parsers.shared import SubParsers
from bot.domain.names import OFFICER_ROLES, STAFF_ROLES


def register(subparsers: SubParsers) -> None:
    """Add the `chat` command."""
    parser = subparsers.add_parser(
        "chat",
        help="talk to the bot in this terminal",
        description=(
            "Talk to the bot in the terminal: each line you type is one message; the bot's replies are printed "
            "with their choices numbered (answer with the number or the words). Pictures are saved to files "
            "whose paths are printed. Works in a pipe too. Without --cooperative or --staff you are a stranger "
            "and can register with DAFTAR <code> from `kopsehat invites create`. The bot speaks KOPSEHAT_LANGUAGE "
            "(id, the default, or en: KOPSEHAT_LANGUAGE=en kopsehat chat ...) to a user it has not met; type "
            "`bahasa` to choose another. Running it again with the same --user is the same person again."
        ),
    )
    parser.add_argument("--user", default="terminal", help="your chat address (default: terminal)")
    parser.add_argument("--name", help='your name, as a chat platform would show it (e.g. "Bu Siti")')
    parser.add_argument("--cooperative", metavar="NIK", help="register this user as an officer of that cooperative")
    parser.add_argument("--role", choices=OFFICER_ROLES, default="bendahara", help="officer role (default bendahara)")
    parser.add_argument("--staff", choices=STAFF_ROLES, help="register this user as office staff with that role")
    parser.set_defaults(func=_chat)


def _chat(args: argparse.Namespace) -> int:
    from bot.cli import chat

    return chat.run(args)
