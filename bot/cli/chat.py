"""`kopsehat chat`: talk to the bot in the terminal, with the same engine and database."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import timedelta

from bot.channels.console import ConsoleChannel, inbound_from_line
from bot.chat.dispatch import Dispatcher
from bot.cli.common import SubParsers, settings_or_exit
from bot.config import Settings
from bot.domain.health.rules import RulesError
from bot.runtime import console_chat, load_assessment_rules
from bot.services.invites import OFFICER_ROLES, STAFF_ROLES, create_invite
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OfficeStaff, utcnow
from storage.repositories import Repositories


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


async def _register(
    db: Database, args: argparse.Namespace, dispatcher: Dispatcher, console: ConsoleChannel
) -> str | None:
    """Make and use an invite for the terminal user, as an officer would with DAFTAR."""
    if not args.cooperative and not args.staff:
        return None
    async with db.transaction() as repos:
        now = utcnow()
        if args.staff:
            staff = await _staff_of(repos, args.user, args.staff) or await repos.staff.add(
                f"Petugas {args.user}", args.staff
            )
            code, _invite = await create_invite(
                repos, role=args.staff, now=now, expires_in=timedelta(hours=1), uses=1, staff_id=staff.id
            )
        else:
            cooperative = await repos.cooperatives.by_nik(args.cooperative)
            if cooperative is None:
                return f"kopsehat: no cooperative with NIK {args.cooperative} (see: kopsehat cooperatives list)"
            code, _invite = await create_invite(
                repos, role=args.role, now=now, expires_in=timedelta(hours=1), uses=1, cooperative_id=cooperative.id
            )
    result = await dispatcher.handle(
        inbound_from_line(args.user, f"DAFTAR {code}", 0, f"register-{uuid.uuid4().hex}", args.name)
    )
    await console.delivery.send_now(result.outgoing)
    return None


async def _staff_of(repos: Repositories, user: str, role: str) -> OfficeStaff | None:
    """The staff member with `role` this terminal user already is (from an earlier `--staff`): used again, not made
    anew on every run."""
    identity = await repos.identities.find("console", user)
    staff = await repos.staff.get(identity.staff_id) if identity and identity.staff_id else None
    return staff if staff is not None and staff.role == role and staff.status == "active" else None


async def chat(settings: Settings, args: argparse.Namespace) -> int:
    """The read-dispatch-print loop."""
    try:
        rules = load_assessment_rules(settings)
    except RulesError as exc:
        print(f"kopsehat: {exc}", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        await upgrade(db)
        dispatcher, console = console_chat(settings, db, rules, args.user)
        # what reaches this chat from elsewhere (the report form's results, reminders) is printed as it comes
        await console.delivery.start()
        try:
            return await _converse(db, args, dispatcher, console)
        finally:
            await console.delivery.stop()
    finally:
        await db.dispose()


async def _converse(db: Database, args: argparse.Namespace, dispatcher: Dispatcher, console: ConsoleChannel) -> int:
    problem = await _register(db, args, dispatcher, console)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        print("kopsehat chat: ketik pesan lalu Enter (Ctrl+D untuk keluar). Coba: menu", file=sys.stderr)
    session = uuid.uuid4().hex[:12]
    loop = asyncio.get_running_loop()
    number = 0
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        if not line.strip():
            continue
        number += 1
        result = await dispatcher.handle(inbound_from_line(args.user, line, number, session, args.name))
        await console.delivery.send_now(result.outgoing)
    return 0


def _chat(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    return asyncio.run(chat(settings, args))
