"""What the office web app's handlers share: the database, the rules, the settings it needs; who is signed in."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.domain.health.rules import Rules
from bot.services.notices import QuietHours
from bot.services.staff_access import StaffAccount
from storage.db import Database


@dataclass(frozen=True)
class Office:
    """The office web app's world."""

    db: Database
    rules: Rules
    office_zone: str
    deadline_day: int
    language: str  # for pages before sign-in
    base_url: str
    quiet: QuietHours | None = None  # office notices (invitations, announcements) wait out these hours


OFFICE = web.AppKey("office", Office)
ACCOUNT = web.RequestKey("kopsehat.office.account", StaffAccount)  # the signed-in staff member


def account_of(request: web.Request) -> StaffAccount:
    """The signed-in staff member (the guard let the request through)."""
    return request[ACCOUNT]
