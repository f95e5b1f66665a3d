"""`kopsehat invites create` and `kopsehat staff add|login-link|password`: their arguments."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from bot.cli.parsers import staff_login
from bot.cli.parsers.shared import SubParsers
from bot.domain.names import OFFICER_ROLES, STAFF_ROLES


def register(subparsers: SubParsers) -> None:
    """Add the `invites` and `staff` commands."""
    parser = subparsers.add_parser(
        "invites", help="create invitation codes for officers", description="Invitation codes for officers."
    )
    actions = parser.add_subparsers(dest="invites_command", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="create codes for a cooperative's officers",
        description=(
            "Create invitation codes: an officer sends `/start CODE` on Telegram or `DAFTAR CODE` on WhatsApp "
            "(or opens the printed link) and is registered for that cooperative with that role. Codes are "
            "random, stored only as a hash, single-use unless --uses, and expire."
        ),
    )
    create.add_argument("--cooperative", required=True, metavar="NIK", help="the cooperative's NIK")
    create.add_argument("--role", required=True, choices=OFFICER_ROLES, help="the officer's role")
    create.add_argument("--count", type=int, default=1, help="how many codes (default 1)")
    create.add_argument("--uses", type=int, default=1, help="how many registrations per code (default 1)")
    create.add_argument("--expires", type=_duration, default="30d", help="validity: 30d, 12h, 2w (default 30d)")
    create.add_argument(
        "--qr",
        type=Path,
        metavar="DIR",
        help="also write a picture per invite into DIR to print or forward: the cooperative, role, code, expiry "
        "(the cooperative's local time), a QR code for Telegram and one for WhatsApp, and how to use them",
    )
    create.set_defaults(func=_create)

    staff = subparsers.add_parser("staff", help="office staff accounts", description="Office staff accounts.")
    staff_actions = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = staff_actions.add_parser(
        "add",
        help="add an office staff member and print their invitation",
        description="Add an office staff member (admin, pembina, viewer) and print the code they register with.",
    )
    add.add_argument("--name", required=True, help="the staff member's name")
    add.add_argument("--role", required=True, choices=STAFF_ROLES, help="admin: everything; pembina: coaches")
    add.add_argument("--kecamatan", help="limit a pembina to one kecamatan (name)")
    add.add_argument(
        "--login", help="their login for the office web app (default: from the name, e.g. siti.aminah; printed)"
    )
    add.add_argument("--expires", type=_duration, default="7d", help="validity of the code (default 7d)")
    add.add_argument("--qr", type=Path, metavar="DIR", help="also write the invitation picture (QR codes) into DIR")
    add.set_defaults(func=_staff_add)
    staff_login.register(staff_actions)


def _duration(text: str) -> timedelta:
    """An argparse type for --expires ("30d", "12h", "2w"); the use case that reads it is imported when it runs."""
    from bot.services.invites import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _create(args: argparse.Namespace) -> int:
    from bot.cli import invites

    return invites.create(args)


def _staff_add(args: argparse.Namespace) -> int:
    from bot.cli import invites

    return invites.staff_add(args)
