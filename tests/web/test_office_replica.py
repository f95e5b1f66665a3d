"""With KOPSEHAT_REPLICA_DATABASE_URL the office's heavy pages (overview, list, exports) read the replica, which may
be a moment behind; the rekam medis, which follows a change just made, reads the primary; a replica that does not
answer is read around, said once in the log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from aiohttp import web
from openpyxl import load_workbook
from sqlalchemy import update

from bot.domain.health.rules import default_rules
from bot.web.app import make_app
from bot.web.office import add_office
from storage.db import Database
from storage.models import Cooperative
from tests.conftest import drop_test_database, make_test_database
from tests.web.city import City, build_city
from tests.web.conftest import AiohttpClient, Office, office_settings

OLD, NEW = "Koperasi KSP Nomor 01", "Koperasi Sehat Sentosa"
UNREACHABLE = {
    "sqlite": "sqlite+aiosqlite:////nonexistent-kopsehat-replica/replica.db",
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:1/replica",  # nothing listens on port 1
}


@dataclass
class Pair:
    """A primary (its URL and test schema) and a replica one change behind it, with the same city."""

    backend: str
    url: str
    schema: str | None
    replica: Database
    city: City


@pytest.fixture(params=["sqlite", "postgresql"])
async def pair(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Pair]:
    """Two databases with the same city; then a cooperative renamed on the primary only (the replica's copy was
    taken before)."""
    (tmp_path / "primary").mkdir()
    (tmp_path / "replica").mkdir()
    primary, primary_schema = await make_test_database(request.param, tmp_path / "primary")
    replica, replica_schema = await make_test_database(request.param, tmp_path / "replica")
    try:
        city = await build_city(primary)
        await build_city(replica)
        async with primary.transaction() as repos:
            await repos.session.execute(update(Cooperative).where(Cooperative.name == OLD).values(name=NEW))
        await primary.dispose()
        yield Pair(request.param, primary.url, primary_schema, replica, city)
    finally:
        await drop_test_database(replica, replica_schema)
        await drop_test_database(primary, primary_schema)


async def open_office(aiohttp_client: AiohttpClient, pair: Pair, replica: Database) -> Office:
    """The office web app on the primary with `replica` as its read replica, signed in as the admin."""
    db = Database(pair.url, schema=pair.schema, replica=replica)
    app = make_app(db)
    add_office(app, db, office_settings(db), default_rules())

    async def _close(_app: web.Application) -> None:
        await db.engine.dispose()  # the replica is the fixture's to close

    app.on_cleanup.append(_close)
    office = Office(await aiohttp_client(app), db, pair.city)
    await office.sign_in("ibu.admin")
    return office


def names_in_export(body: bytes) -> set[str]:
    sheet = load_workbook(BytesIO(body), read_only=True).worksheets[0]
    return {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None}


async def test_heavy_pages_read_the_replica_and_the_record_the_primary(
    pair: Pair, aiohttp_client: AiohttpClient
) -> None:
    office = await open_office(aiohttp_client, pair, pair.replica)
    listing = await (await office.client.get("/kantor/koperasi?q=35760")).text()
    assert OLD in listing and NEW not in listing  # the replica's rows: a moment behind
    export = await office.client.get("/kantor/koperasi.xlsx")
    assert export.status == 200
    names = names_in_export(await export.read())
    assert OLD in names and NEW not in names
    record = await (await office.client.get("/kantor/koperasi/3576000001")).text()
    assert NEW in record and OLD not in record  # the primary: what was just changed


async def test_a_replica_that_does_not_answer_is_read_around(
    pair: Pair, aiohttp_client: AiohttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    away = Database(UNREACHABLE[pair.backend], connect_timeout=2)
    office = await open_office(aiohttp_client, pair, away)
    with caplog.at_level(logging.WARNING, logger="storage.db"):
        for _ in range(2):
            response = await office.client.get("/kantor/koperasi?q=35760")
            assert response.status == 200
            listing = await response.text()
            assert NEW in listing and OLD not in listing
        assert (await office.client.get("/kantor/")).status == 200
    said = [r.getMessage() for r in caplog.records if "replica" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("the read replica cannot be reached"), said
    await away.dispose()


async def test_health_shows_the_replica_away_as_degraded(pair: Pair, aiohttp_client: AiohttpClient) -> None:
    away = Database(UNREACHABLE[pair.backend], connect_timeout=2)
    office = await open_office(aiohttp_client, pair, away)
    response = await office.client.get("/healthz")
    body = await response.json()
    assert response.status == 200  # the primary answers: the service is up
    assert body["status"] == "degraded" and body["database"]["replica"] == {"reachable": False}
    await away.dispose()
    office = await open_office(aiohttp_client, pair, pair.replica)
    body = await (await office.client.get("/healthz")).json()
    assert body["status"] == "ok" and body["database"]["replica"] == {"reachable": True}
