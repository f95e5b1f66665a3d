"""`kopsehat report-status` and `kopsehat outbox status` on a small city."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from storage.db import Database
from storage.migrate import upgrade
from tests.test_cycle import make_city, submit

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def city_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "k.db"
    monkeypatch.setenv("KOPSEHAT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.chdir(tmp_path)

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(db)
            city = await make_city(db)
            await submit(db, city.coops["KSP Maju"], "2026-10", datetime(2026, 11, 4, 9, tzinfo=WIB))
            await submit(db, city.coops["KSP Rukun"], "2026-10", datetime(2026, 11, 12, 9, tzinfo=WIB))
            async with db.transaction() as repos:
                await repos.outbox.enqueue(
                    dedupe_key="w1", channel="whatsapp", recipient="62", kind="announcement",
                    business_initiated=True, payload={"text": "a"}, status="waiting",
                    last_error="WhatsApp daily limit reached", next_attempt_at=datetime(2026, 11, 13, 7, tzinfo=WIB),
                )  # fmt: skip
        finally:
            await db.dispose()

    asyncio.run(build())
    return path


def test_report_status_text_and_csv(city_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report-status", "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert "reported: 2 of 3 (67%)  on time: 1 (33%)  missing: 1" in out
    assert "Prajurit Kulon" in out and "  KSP Sejahtera (Magersari)" in out
    assert main(["report-status", "--period", "2026-10", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["cooperative"], r["on_time"]) for r in rows] == [
        ("KSP Maju", "yes"),
        ("KSP Rukun", "no"),
        ("KSP Sejahtera", "no"),
    ]
    assert main(["report-status", "--period", "2026-10", "--kecamatan", "magersari"]) == 0
    assert "reported: 0 of 1 (0%)" in capsys.readouterr().out
    assert main(["report-status", "--period", "oktober"]) == 2


def test_outbox_status_shows_what_waits_and_why(city_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "waiting: 1" in out and "WhatsApp daily limit reached" in out
    assert "next waiting message goes at 2026-11-13T07:00+07:00" in out
