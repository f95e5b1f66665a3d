"""Links to the report form on the phone (/formulir/{token}): signed, bound to one officer, their cooperative and one
reporting period, valid for 24 hours, and refused once that report is sent.

The token is `<officer>.<cooperative>.<YYYYMM>.<expiry>.<signature>`: the ids are not secret, the signature (an HMAC
with a key derived from the server key for this purpose only) is what a forger cannot make.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.periods import Period, reporting_period_for
from bot.services.keys import derived_key, server_key
from bot.services.notices import pick_identity
from storage.repositories import Repositories

FORM_PATH = "/formulir/"
LIFETIME = timedelta(hours=24)
PURPOSE = "report-form"
_TOKEN = re.compile(r"(\d{1,12})\.(\d{1,12})\.(\d{6})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")
Outcome = Literal["ok", "invalid", "expired", "not_officer", "sent"]


@dataclass(frozen=True)
class FormGrant:
    """What a valid token lets its bearer do: fill in one cooperative's report of one period as one officer."""

    officer_id: int
    cooperative_id: int
    period: Period
    expires_at: datetime


@dataclass(frozen=True)
class FormLink:
    """A link to the form, and until when it works."""

    url: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Opened:
    """A token checked: `ok` with its grant, or why not (the grant is kept for a friendly page when it was signed)."""

    outcome: Outcome
    grant: FormGrant | None = None
    language: str = "id"  # the officer's


@dataclass(frozen=True)
class ChatAddress:
    """Where an officer talks to the bot: the chat account used last (reachable ones first)."""

    channel: str
    external_id: str


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(derived_key(key, PURPOSE), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(key: bytes, grant: FormGrant) -> str:
    """The token of `grant`."""
    period = f"{grant.period.year:04d}{grant.period.month:02d}"
    payload = f"{grant.officer_id}.{grant.cooperative_id}.{period}.{int(grant.expires_at.timestamp())}"
    return f"{payload}.{_signature(key, payload)}"


def read(key: bytes, token: str) -> FormGrant | None:
    """The grant of a token signed with `key` (None: not a token, or forged or altered)."""
    found = _TOKEN.fullmatch(token) if len(token) < 120 else None
    if found is None:
        return None
    officer, cooperative, period, expiry, signature = found.groups()
    payload = f"{officer}.{cooperative}.{period}.{expiry}"
    if not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        parsed = Period(int(period[:4]), int(period[4:]))
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return FormGrant(int(officer), int(cooperative), parsed, expires_at)


class FormLinkService:
    """The form's links, of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def issue(self, officer_id: int, base_url: str, now: datetime) -> FormLink | None:
        """A link for the officer's report of the period being reported now (None: no active officer)."""
        officer = await self._repos.officers.get(officer_id)
        cooperative = await self._repos.cooperatives.get(officer.cooperative_id) if officer else None
        if officer is None or cooperative is None or officer.status != "active":
            return None
        period = reporting_period_for(now, ZoneInfo(cooperative.timezone))
        grant = FormGrant(officer.id, cooperative.id, period, now + LIFETIME)
        token = sign(await server_key(self._repos), grant)
        await self._repos.audit.add(f"officer:{officer.id}", "report.form_link", f"cooperative:{cooperative.id}")
        return FormLink(f"{base_url.rstrip('/')}{FORM_PATH}{token}", token, grant.expires_at)

    async def open(self, token: str, now: datetime) -> Opened:
        """Check a token: signed by this server, not expired, its officer still reporting for its cooperative, its
        report not sent yet."""
        grant = read(await server_key(self._repos), token)
        if grant is None:
            return Opened("invalid")
        if now >= grant.expires_at:
            return Opened("expired", grant)
        officer = await self._repos.officers.get(grant.officer_id)
        if officer is None or officer.status != "active" or officer.cooperative_id != grant.cooperative_id:
            return Opened("not_officer", grant)
        report = await self._repos.reports.get(grant.cooperative_id, str(grant.period))
        if report is not None and report.status == "submitted":
            return Opened("sent", grant, officer.language or "id")
        return Opened("ok", grant, officer.language or "id")

    async def chat_address(self, officer_id: int) -> ChatAddress | None:
        """The chat account the officer used last (a reachable one if any), where the form's results go."""
        identities = await self._repos.identities.of_officer(officer_id)
        chosen = pick_identity(identities) or (identities[0] if identities else None)
        return ChatAddress(chosen.channel, chosen.external_id) if chosen else None

    async def is_officers_account(self, officer_id: int, channel: str, external_id: str) -> bool:
        """Whether this chat account belongs to the officer (a Telegram Mini App names its user)."""
        return any(
            i.channel == channel and i.external_id == external_id
            for i in await self._repos.identities.of_officer(officer_id)
        )
