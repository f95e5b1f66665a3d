"""`kopsehat staff login-link` and `kopsehat staff password`: how office staff get into the office web app."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.cli.common import run_with_database, settings_or_exit
from bot.domain.names import MIN_PASSWORD_LENGTH
from bot.services.staff_access import StaffAccessService
from storage.db import Database
from storage.models import utcnow


def login_link(args: argparse.Namespace) -> int:
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


def set_password(args: argparse.Namespace) -> int:
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
