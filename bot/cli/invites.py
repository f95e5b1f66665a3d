"""`kopsehat invites create` and `kopsehat staff add`: how officers and office staff get into the bot."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import run_with_database, settings_or_exit
from bot.config import Settings
from bot.domain.periods import format_datetime
from bot.services.invites import (
    TELEGRAM_PLACEHOLDER,
    WHATSAPP_PLACEHOLDER,
    IssuedInvite,
    create_invite,
    links,
)
from bot.services.staff_access import LoginTaken, StaffAccessService, valid_login
from storage.db import Database
from storage.models import utcnow


@dataclass(frozen=True)
class Issued:
    """What one command run made, for printing: the codes, for whom (organisation, role) and their time zone."""

    header: str
    invites: list[IssuedInvite]
    problem: str | None = None
    organisation: str = ""
    role: str = ""
    zone: str = "Asia/Jakarta"


def missing_platforms(settings: Settings) -> list[str]:
    """One warning per chat platform whose address is not configured (its links would be placeholders)."""
    warnings = []
    if not settings.telegram_bot_username:
        warnings.append(
            "KOPSEHAT_TELEGRAM_BOT_USERNAME is not set: the Telegram links below are placeholders "
            f"({TELEGRAM_PLACEHOLDER}) and the QR pictures have no Telegram code; set it to the bot's username"
        )
    if not settings.whatsapp_number:
        warnings.append(
            "KOPSEHAT_WHATSAPP_NUMBER is not set: the WhatsApp links below are placeholders "
            f"({WHATSAPP_PLACEHOLDER}) and the QR pictures have no WhatsApp code; set it to the bot's number"
        )
    return warnings


def _issue(code: str, expires_at: datetime, uses: int, username: str | None, number: str | None) -> IssuedInvite:
    telegram, whatsapp = links(code, username, number)
    return IssuedInvite(code, telegram, whatsapp, expires_at, uses)


def _print(issued: Issued, qr_dir: Path | None, settings: Settings) -> int:
    if issued.problem:
        print(f"kopsehat: {issued.problem}", file=sys.stderr)
        return 2
    for warning in missing_platforms(settings):
        print(f"kopsehat: warning: {warning}", file=sys.stderr)
    print(issued.header)
    zone = ZoneInfo(issued.zone)
    for invite in issued.invites:
        print(f"\n  code:     {invite.code}")
        print(f"  telegram: {invite.telegram_link}")
        print(f"  whatsapp: {invite.whatsapp_link}")
        print(f"  expires:  {format_datetime(invite.expires_at, zone, 'en')}  uses: {invite.uses}")
        if qr_dir is not None:
            from bot.services.invite_cards import InviteCard, card_png

            card = InviteCard(
                issued.organisation,
                issued.role,
                invite.code,
                invite.expires_at,
                zone,
                invite.uses,
                invite.telegram_link if settings.telegram_bot_username else None,
                invite.whatsapp_link if settings.whatsapp_number else None,
                settings.telegram_bot_username,
                settings.whatsapp_number,
            )
            qr_dir.mkdir(parents=True, exist_ok=True)
            path = qr_dir / f"undangan-{invite.code}.png"
            path.write_bytes(card_png(card))
            print(f"  picture:  {path}")
    return 0


def create(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    expires_in: timedelta = args.expires
    if args.count < 1 or args.uses < 1:
        print("kopsehat: --count and --uses must be at least 1", file=sys.stderr)
        return 2

    async def work(db: Database) -> Issued:
        async with db.transaction() as repos:
            cooperative = await repos.cooperatives.by_nik(args.cooperative)
            if cooperative is None:
                return Issued("", [], f"no cooperative with NIK {args.cooperative} (see: kopsehat cooperatives list)")
            made = []
            for _ in range(args.count):
                code, row = await create_invite(
                    repos,
                    role=args.role,
                    now=utcnow(),
                    expires_in=expires_in,
                    uses=args.uses,
                    cooperative_id=cooperative.id,
                )
                made.append(
                    _issue(code, row.expires_at, args.uses, settings.telegram_bot_username, settings.whatsapp_number)
                )
            await repos.audit.add("cli", "invites.create", f"cooperative:{cooperative.id}", count=args.count)
            header = f"{len(made)} invitation(s) for {args.role} of {cooperative.name}:"
            return Issued(header, made, organisation=cooperative.name, role=args.role, zone=cooperative.timezone)

    return _print(run_with_database(settings, work), args.qr, settings)


def staff_add(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    expires_in: timedelta = args.expires
    if args.login is not None and not valid_login(args.login.strip().lower()):
        print(f"kopsehat: {args.login!r} is not a login (a-z, 0-9, dot, dash, underscore; 2 to 60)", file=sys.stderr)
        return 2

    async def work(db: Database) -> Issued:
        try:
            return await _add_staff(db)
        except LoginTaken:
            return Issued("", [], f"the login {args.login!r} is taken; choose another with --login")

    async def _add_staff(db: Database) -> Issued:
        async with db.transaction() as repos:
            kecamatan_id = None
            if args.kecamatan:
                region = await repos.regions.find("kecamatan", args.kecamatan)
                if region is None:
                    return Issued("", [], f"unknown kecamatan {args.kecamatan!r}")
                kecamatan_id = region.id
            staff = await repos.staff.add(args.name, args.role, kecamatan_id)
            login = await StaffAccessService(repos).give_login(staff.id, args.login)
            code, row = await create_invite(
                repos, role=args.role, now=utcnow(), expires_in=expires_in, uses=1, staff_id=staff.id
            )
            await repos.audit.add("cli", "staff.add", f"staff:{staff.id}", role=args.role)
            issued = _issue(code, row.expires_at, 1, settings.telegram_bot_username, settings.whatsapp_number)
            header = f"staff #{staff.id} {args.name} ({args.role}) added, login {login}; their invitation:"
            return Issued(header, [issued], organisation=args.name, role=args.role, zone=settings.timezone)

    return _print(run_with_database(settings, work), args.qr, settings)
