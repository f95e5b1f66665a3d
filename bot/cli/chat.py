"""`kopsehat chat`: talk to the bot in the terminal, with the same engine and database."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import timedelta

from bot.channels.console import ConsoleChannel, inbound_from_line
from bot.chat.dispatch import Dispatcher
from bot.cli.common import settings_or_exit
from bot.config import Settings
from bot.domain.health.rules import RulesError
from bot.runtime import console_chat, load_assessment_rules
from bot.services.invites import create_invite
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OfficeStaff, utcnow
from storage.repositories import Repositories


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


def run(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    return asyncio.run(chat(settings, args))
