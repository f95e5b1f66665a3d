"""`kopsehat staff login-link|password`: their arguments."""

from __future__ import annotations

import argparse

from bot.cli.parsers.shared import SubParsers
from bot.domain.names import MIN_PASSWORD_LENGTH


def register(staff_actions: SubParsers) -> None:
    """Add `login-link` and `password` to the `staff` command."""
    link = staff_actions.add_parser(
        "login-link",
        help="print a one-time link into the office web app",
        description=(
            "Print a one-time URL into the office web app (/kantor/) for the staff member with this login: "
            "{KOPSEHAT_PUBLIC_URL or http://HOST:PORT}/kantor/masuk/{token}, valid 15 minutes, single use. "
            "Staff get the same link in chat by typing `masuk`."
        ),
    )
    link.add_argument("login", metavar="LOGIN", help="the staff member's login (printed by `staff add`)")
    link.set_defaults(func=_login_link)
    password = staff_actions.add_parser(
        "password",
        help="set a staff member's password for the office web app",
        description=(
            "Set the password of the staff member with this login (stored with Argon2). Asked twice on a "
            "terminal; read from standard input (its first line) when that is not a terminal. At least "
            f"{MIN_PASSWORD_LENGTH} characters. Passwords are optional: login links need none."
        ),
    )
    password.add_argument("login", metavar="LOGIN", help="the staff member's login")
    password.set_defaults(func=_password)


def _login_link(args: argparse.Namespace) -> int:
    from bot.cli import staff_login

    return staff_login.login_link(args)


def _password(args: argparse.Namespace) -> int:
    from bot.cli import staff_login

    return staff_login.set_password(args)
