"""`kopsehat staff login-link` and `kopsehat staff password`: how office staff get into the office web app."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from bot.cli.common import run_with_database, settings_or_exit
from bot.services.staff_access import MIN_PASSWORD_LENGTH, StaffAccessService
from storage.db import Database
from storage.models import utcnow

if TYPE_CHECKING:
    StaffActions = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    StaffActions = argparse._SubParsersAction


def register(staff_actions: StaffActions) -> None:
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
    settings = settings_or_exit()

    async def work(db: Database) -> str | None:
        async with db.transaction() as repos:
            link = await StaffAccessService(repos).issue_link(args.login, settings.office_url, utcnow())
            return link.url if link else None

    url = run_with_database(settings, work)
    if url is None:
        print(f"kopsehat: no active staff member with login {args.login!r}", file=sys.stderr)
        return 1
    print(url)
    return 0


def _read_password() -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            print("kopsehat: the two passwords differ", file=sys.stderr)
            return None
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _password(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    password = _read_password()
    if password is None:
        return 2
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"kopsehat: a password needs at least {MIN_PASSWORD_LENGTH} characters", file=sys.stderr)
        return 2

    async def work(db: Database) -> bool:
        async with db.transaction() as repos:
            return await StaffAccessService(repos).set_password(args.login, password) is not None

    if not run_with_database(settings, work):
        print(f"kopsehat: no staff member with login {args.login!r}", file=sys.stderr)
        return 1
    print(f"password set for {args.login}")
    return 0
