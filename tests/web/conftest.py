"""The office web app on a real aiohttp server over each database, with a small city in it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.domain.health.rules import default_rules
from bot.services.staff_access import StaffAccessService
from bot.web.app import make_app
from bot.web.office import add_office
from storage.db import Database
from tests.web.city import City, build_city

AiohttpClient = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Office:
    """The app's client, its database and the city in it."""

    client: Client
    db: Database
    city: City

    async def link(self, login: str) -> str:
        """A fresh one-time login link's path."""
        async with self.db.transaction() as repos:
            link = await StaffAccessService(repos).issue_link(login, "http://kantor.test", datetime.now(UTC))
        assert link is not None
        return link.url.removeprefix("http://kantor.test")

    async def sign_in(self, login: str) -> None:
        """Sign in by link; the overview answers."""
        response = await self.client.get(await self.link(login))
        assert response.status == 200 and str(response.url).endswith("/kantor/")

    async def csrf(self, path: str = "/kantor/") -> str:
        """The CSRF token of the session, from a page's form."""
        found = CSRF.search(await (await self.client.get(path)).text())
        assert found is not None
        return found.group(1)


def office_settings(db: Database, public_url: str | None = None) -> Settings:
    return Settings(database_url=db.url, public_url=public_url, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def office(db: Database, aiohttp_client: AiohttpClient) -> AsyncIterator[Office]:
    """The office web app with the city, on SQLite and PostgreSQL."""
    city = await build_city(db)
    app = make_app(db)
    add_office(app, db, office_settings(db), default_rules())
    yield Office(await aiohttp_client(app), db, city)
