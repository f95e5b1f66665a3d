"""The office web app's sign-in: logins, one-time login links, optional passwords (Argon2), limits on failures."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.domain.names import MIN_PASSWORD_LENGTH
from storage import staff_access
from storage.models import OfficeStaff
from storage.repositories import Repositories

LINK_LIFETIME = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 10  # per login and per address within FAILURE_WINDOW
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")
LOGIN_PATH = "/kantor/masuk/"
_hasher = PasswordHasher()
# Verified when the login is unknown (or has no password), so that the answer takes as long as for a known one: the
# hash of a random password nobody kept, with the hasher's parameters (tests/services/test_staff_access_hash.py checks
# they still are). Hashing one here cost every process that loads the use cases about 0.14 s, `kopsehat db current` too.
UNKNOWN_LOGIN_HASH = "$argon2id$v=19$m=65536,t=3,p=4$1AU1WM0t3CviZ6tuU6U5lA$0Habx7b9np9eWhj6BDIqc7nSfxX+6wKFcYHEuMxfRi8"


class LoginTaken(Exception):
    """Another staff member has this login."""


@dataclass(frozen=True)
class StaffAccount:
    """A staff member as the office web app knows them."""

    id: int
    name: str
    login: str | None
    role: str  # admin | pembina | viewer
    kecamatan_id: int | None
    language: str

    @property
    def scope(self) -> int | None:
        """The kecamatan they are limited to (None: the whole city), as in the chat's `rekap`."""
        return None if self.role == "admin" else self.kecamatan_id

    @property
    def may_change(self) -> bool:
        """Admins and pembina change and send; viewers only read."""
        return self.role in ("admin", "pembina")


@dataclass(frozen=True)
class LoginLink:
    """A one-time link into the office web app."""

    url: str
    expires_at: datetime
    account: StaffAccount


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: `ok` with the account, `wrong` (nothing said about why), or `limited`."""

    outcome: Literal["ok", "wrong", "limited"]
    account: StaffAccount | None = None


def account_of(staff: OfficeStaff) -> StaffAccount:
    """The account of a staff row."""
    return StaffAccount(staff.id, staff.name, staff.login, staff.role, staff.kecamatan_id, staff.language or "id")


def login_from_name(name: str) -> str:
    """A login from a name: ASCII letters and digits, words joined by dots ("Siti Aminah" -> "siti.aminah")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    login = ".".join(words)[:50].strip(".")
    return login if len(login) >= 2 else "staf"


def valid_login(login: str) -> bool:
    """Whether `login` has the shape of a login (lower-case letters, digits, dot, dash, underscore; 2-60)."""
    return LOGIN_PATTERN.fullmatch(login) is not None


def token_hash(token: str) -> str:
    """The stored form of a login link's token."""
    return hashlib.sha256(f"kopsehat-login-link:{token}".encode()).hexdigest()


class StaffAccessService:
    """Sign-in use cases of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def account(self, staff_id: int) -> StaffAccount | None:
        """The active staff member with this id."""
        staff = await self._repos.staff.get(staff_id)
        return account_of(staff) if staff is not None and staff.status == "active" else None

    async def give_login(self, staff_id: int, login: str | None) -> str:
        """Set a staff member's login (None: derived from their name, made unique with a number); the login."""
        staff = await self._repos.staff.get(staff_id)
        if staff is None:
            raise LookupError(f"no staff member {staff_id}")
        if login is not None:
            login = login.strip().lower()
            if not valid_login(login):
                raise ValueError(f"{login!r} is not a login (a-z, 0-9, dot, dash, underscore; 2 to 60 characters)")
            other = await staff_access.staff_by_login(self._repos, login)
            if other is not None and other.id != staff_id:
                raise LoginTaken(login)
        else:
            base = login_from_name(staff.name)
            taken = await staff_access.logins_like(self._repos, base)
            login = next(c for c in (base, *(f"{base}{n}" for n in range(2, 10_000))) if c not in taken)
        staff.login = login
        return login

    async def issue_link(self, login: str, base_url: str, now: datetime) -> LoginLink | None:
        """A one-time link for the active staff member with this login (None: no such person)."""
        staff = await staff_access.staff_by_login(self._repos, login)
        if staff is None or staff.status != "active":
            return None
        return await self.link_for(staff.id, base_url, now)

    async def link_for(self, staff_id: int, base_url: str, now: datetime) -> LoginLink | None:
        """A one-time link for the active staff member `staff_id` (the chat's `masuk`)."""
        account = await self.account(staff_id)
        if account is None:
            return None
        token = secrets.token_urlsafe(32)
        expires_at = now + LINK_LIFETIME
        await staff_access.add_link(self._repos, staff_id, token_hash(token), expires_at)
        await self._repos.audit.add(f"staff:{staff_id}", "office.login_link", f"staff:{staff_id}")
        return LoginLink(f"{base_url.rstrip('/')}{LOGIN_PATH}{token}", expires_at, account)

    async def _limited(self, login: str | None, address: str, now: datetime) -> bool:
        by_login, by_address = await staff_access.failures_since(self._repos, login, address, now - FAILURE_WINDOW)
        return by_login >= MAX_FAILURES or by_address >= MAX_FAILURES

    async def open_link(self, token: str, address: str, now: datetime) -> SignIn:
        """Sign in with a link's token: once, within its lifetime, by an active staff member."""
        if await self._limited(None, address, now):
            return SignIn("limited")
        staff_id = await staff_access.use_link(self._repos, token_hash(token), now) if len(token) < 200 else None
        account = await self.account(staff_id) if staff_id is not None else None
        if account is None:
            await staff_access.record_failure(self._repos, None, address, now)
            return SignIn("wrong")
        await self._repos.audit.add(f"staff:{account.id}", "office.signed_in", f"staff:{account.id}", by="link")
        return SignIn("ok", account)

    async def set_password(self, login: str, password: str) -> StaffAccount | None:
        """Store `password` (Argon2) for the staff member with this login (None: no such person)."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        staff = await staff_access.staff_by_login(self._repos, login)
        if staff is None:
            return None
        staff.password_hash = await asyncio.to_thread(_hasher.hash, password)
        await self._repos.audit.add("cli", "office.password_set", f"staff:{staff.id}")
        return account_of(staff)

    async def sign_in(self, login: str, password: str, address: str, now: datetime) -> SignIn:
        """Sign in with login and password; every failure counts towards the limits, a limited one checks nothing."""
        login = login.strip().lower()[:60]
        if await self._limited(login, address, now):
            return SignIn("limited")
        staff = await staff_access.staff_by_login(self._repos, login) if login else None
        stored = staff.password_hash if staff is not None and staff.status == "active" else None
        if await asyncio.to_thread(_verify, stored or UNKNOWN_LOGIN_HASH, password[:1024]) and stored and staff:
            if _hasher.check_needs_rehash(stored):
                staff.password_hash = await asyncio.to_thread(_hasher.hash, password)
            await self._repos.audit.add(f"staff:{staff.id}", "office.signed_in", f"staff:{staff.id}", by="password")
            return SignIn("ok", account_of(staff))
        await staff_access.record_failure(self._repos, login or None, address, now)
        return SignIn("wrong")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
