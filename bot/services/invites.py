"""Invitation codes: random, short enough to type, stored only as a keyed hash, expiring, limited in uses; and the
limits on wrong codes (invitation and attendance codes alike), per chat and overall."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote

from bot.services.keys import keyed_hash, server_key
from storage.models import ChannelIdentity, Invite, Officer
from storage.repositories import Repositories

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read aloud and type
CODE_LENGTH = 10  # 31**10 ≈ 2**49.5 possibilities
TELEGRAM_PLACEHOLDER = "<USERNAME_BOT_TELEGRAM>"
WHATSAPP_PLACEHOLDER = "<NOMOR_WHATSAPP>"
MAX_FAILURES_PER_HOUR = 5  # wrong codes (of either kind) one chat account may try within an hour
WRONG_OVERALL = 60  # wrong codes of one kind all chats together may send in OVERALL_WINDOW
OVERALL_WINDOW = timedelta(minutes=15)
KEEP_WRONG = timedelta(hours=1)  # the longest window: older attempts are deleted
CodeKind = Literal["daftar", "hadir"]


def new_code() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """What the user typed, reduced to the code's characters (case, spaces and dashes do not matter)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(key: bytes, code: str) -> str:
    """The stored form of a code: keyed, so that a copy of the database alone does not let codes be tried."""
    return keyed_hash(key, "invite", normalise(code))


def legacy_code_hash(code: str) -> str:
    """How codes made before the keyed hash were stored (plain SHA-256); still accepted, and rewritten when used."""
    return hashlib.sha256(f"kopsehat-invite:{normalise(code)}".encode()).hexdigest()


async def stored_hashes(repos: Repositories, code: str) -> list[str]:
    """The hashes an invitation of this code may be stored under: the keyed one first, then the older plain one."""
    return [code_hash(await server_key(repos), code), legacy_code_hash(code)]


async def find_usable(repos: Repositories, code: str, now: datetime) -> Invite | None:
    """The invitation this code opens (locked), if it has uses left and has not expired."""
    hashes = await stored_hashes(repos, code)
    keyed = hashes[0]
    invite = await repos.invites.usable(hashes, now)
    if invite is not None and invite.code_hash != keyed:
        invite.code_hash = keyed
    return invite


async def code_refused(
    repos: Repositories, identity_id: int, kind: CodeKind, now: datetime
) -> Literal["chat", "everyone"] | None:
    """Why a code from this chat is not even looked at now: this chat sent too many wrong ones ("chat"), or all
    chats together did ("everyone": someone is guessing from many chats); None when it may be tried."""
    if await repos.invites.failed_attempts_since(identity_id, now - timedelta(hours=1)) >= MAX_FAILURES_PER_HOUR:
        return "chat"
    if await repos.invites.all_failures_since(kind, now - OVERALL_WINDOW) >= WRONG_OVERALL:
        return "everyone"
    return None


async def record_wrong_code(repos: Repositories, identity_id: int, kind: CodeKind, now: datetime) -> None:
    """Count a wrong code against the chat and the overall limit, and delete attempts too old to count."""
    await repos.invites.record_failure(identity_id, now, kind)
    await repos.invites.prune_failures(now - KEEP_WRONG)


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


async def create_invite(
    repos: Repositories,
    *,
    role: str,
    now: datetime,
    expires_in: timedelta,
    uses: int,
    cooperative_id: int | None = None,
    staff_id: int | None = None,
    created_by: str = "cli",
) -> tuple[str, Invite]:
    """A new code, and its stored row (which holds only the code's keyed hash)."""
    code = new_code()
    row = Invite(
        code_hash=code_hash(await server_key(repos), code),
        cooperative_id=cooperative_id,
        staff_id=staff_id,
        role=role,
        expires_at=now + expires_in,
        uses_left=uses,
        created_by=created_by,
        created_at=now,
    )
    return code, await repos.invites.add(row)


@dataclass(frozen=True)
class Redemption:
    """What typing a code did: refused (too many wrong codes lately from this chat, or from all chats together, or
    a wrong one), or who the chat now is."""

    outcome: Literal["too_many_tries", "codes_paused", "wrong_code", "staff", "officer"]
    staff_id: int | None = None
    officer_id: int | None = None
    cooperative_id: int | None = None
    cooperative_name: str = ""
    role: str = ""


def _actor(identity: ChannelIdentity) -> str:
    if identity.officer_id:
        return f"officer:{identity.officer_id}"
    return f"staff:{identity.staff_id}" if identity.staff_id else f"identity:{identity.id}"


class InviteService:
    """The invitation use cases of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def redeem(self, identity_id: int, code: str, *, now: datetime, name: str, language: str) -> Redemption:
        """Bind a chat account to the cooperative (a new officer named `name`, or the officer it already is there,
        now in the code's role and using none of its uses) or the office staff member the code was made for; wrong
        codes are counted, and codes refused altogether after too many from this chat within an hour, or from all
        chats within 15 minutes."""
        identity = await self._repos.identities.get(identity_id)
        if identity is None:
            raise LookupError(f"no chat account {identity_id}")
        refused = await code_refused(self._repos, identity.id, "daftar", now)
        if refused is not None:
            return Redemption("too_many_tries" if refused == "chat" else "codes_paused")
        invite = await find_usable(self._repos, code, now)
        if invite is None and (again := await self._used_by(identity, code)) is not None:
            return again  # the link pressed again after registering with it: welcomed, not a wrong code
        if invite is None:
            await record_wrong_code(self._repos, identity.id, "daftar", now)
            await self._repos.audit.add(_actor(identity), "invite.failed", None)
            return Redemption("wrong_code")
        if invite.staff_id is not None:
            invite.uses_left -= 1
            identity.staff_id, identity.officer_id = invite.staff_id, None
            await self._repos.audit.add(f"staff:{invite.staff_id}", "staff.registered", f"staff:{invite.staff_id}")
            return Redemption("staff", staff_id=invite.staff_id, role=invite.role)
        cooperative = await self._repos.cooperatives.get(invite.cooperative_id) if invite.cooperative_id else None
        if cooperative is None:
            raise LookupError(f"invite {invite.id} names neither a cooperative nor a staff member")
        # a chat already registered there (a second code, /start with the link again) stays the one officer
        officer = await self._registered_officer(identity, cooperative.id)
        if officer is None:
            invite.uses_left -= 1
            officer = await self._repos.officers.add(cooperative.id, name or invite.role.title(), invite.role, language)
        officer.role = invite.role
        identity.officer_id, identity.staff_id = officer.id, None
        await self._repos.audit.add(
            f"officer:{officer.id}", "officer.registered", f"cooperative:{cooperative.id}", role=invite.role
        )
        return Redemption("officer", None, officer.id, cooperative.id, cooperative.name, invite.role)

    async def _used_by(self, identity: ChannelIdentity, code: str) -> Redemption | None:
        """What this chat already is through `code` (used up or expired since): the staff member it was made for,
        or an officer of its cooperative; None when the code is not one this chat is registered by."""
        invite = await self._repos.invites.by_hashes(await stored_hashes(self._repos, code))
        if invite is None:
            return None
        if invite.staff_id is not None:
            same = invite.staff_id == identity.staff_id
            return Redemption("staff", staff_id=invite.staff_id, role=invite.role) if same else None
        officer = await self._registered_officer(identity, invite.cooperative_id) if invite.cooperative_id else None
        cooperative = await self._repos.cooperatives.get(officer.cooperative_id) if officer else None
        if officer is None or cooperative is None:
            return None
        return Redemption("officer", None, officer.id, cooperative.id, cooperative.name, officer.role)

    async def _registered_officer(self, identity: ChannelIdentity, cooperative_id: int) -> Officer | None:
        """The active officer of `cooperative_id` this chat account already is, if any."""
        if identity.officer_id is None:
            return None
        officer = await self._repos.officers.get(identity.officer_id)
        if officer is None or officer.cooperative_id != cooperative_id or officer.status != "active":
            return None
        return officer
