"""Invitation codes: random, short enough to type, stored only hashed, expiring, limited in uses."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from storage.models import Invite

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read aloud and type
CODE_LENGTH = 10  # 31**10 ≈ 2**49.5 possibilities
TELEGRAM_PLACEHOLDER = "<USERNAME_BOT_TELEGRAM>"
WHATSAPP_PLACEHOLDER = "<NOMOR_WHATSAPP>"
OFFICER_ROLES = ("ketua", "sekretaris", "bendahara", "pengawas", "manajer")
STAFF_ROLES = ("admin", "pembina", "viewer")


def new_code() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """What the user typed, reduced to the code's characters (case, spaces and dashes do not matter)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(f"kopsehat-invite:{normalise(code)}".encode()).hexdigest()


def parse_duration(text: str) -> timedelta:
    """ "30d", "12h", "2w" -> timedelta; ValueError with a clear message otherwise."""
    units = {"h": "hours", "d": "days", "w": "weeks"}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) == 0:
        raise ValueError(f"{text!r} is not a duration like 30d, 12h or 2w")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


@dataclass(frozen=True)
class IssuedInvite:
    """A code as printed for the office, with its links."""

    code: str
    telegram_link: str
    whatsapp_link: str
    expires_at: datetime
    uses: int


def links(code: str, telegram_username: str | None, whatsapp_number: str | None) -> tuple[str, str]:
    """The Telegram deep link and the WhatsApp click-to-chat link for a code (placeholders when unknown)."""
    username = (telegram_username or TELEGRAM_PLACEHOLDER).lstrip("@")
    number = "".join(ch for ch in whatsapp_number if ch.isdigit()) if whatsapp_number else WHATSAPP_PLACEHOLDER
    return f"https://t.me/{username}?start={code}", f"https://wa.me/{number}?text={quote('DAFTAR ' + code)}"


def make_invite(
    *,
    role: str,
    now: datetime,
    expires_in: timedelta,
    uses: int,
    cooperative_id: int | None = None,
    staff_id: int | None = None,
    created_by: str = "cli",
) -> tuple[str, Invite]:
    """A new code and the row to store (which holds only the hash)."""
    code = new_code()
    row = Invite(
        code_hash=code_hash(code),
        cooperative_id=cooperative_id,
        staff_id=staff_id,
        role=role,
        expires_at=now + expires_in,
        uses_left=uses,
        created_by=created_by,
        created_at=now,
    )
    return code, row
