"""`kopsehat report-status` and `kopsehat outbox status` on a small city."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Assessment
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
                rukun = await repos.cooperatives.get(city.coops["KSP Rukun"])
                assert rukun is not None
                rukun.timezone = "Asia/Makassar"  # a cooperative in WITA: its own local time
                await repos.assessments.add(
                    Assessment(
                        cooperative_id=city.coops["KSP Maju"], period="2026-10", framework="ksp_usp",
                        total=Decimal("72.50"), category="cukup_sehat", result={"category_label": "Cukup Sehat"},
                        rules_hash="x",
                    )
                )  # fmt: skip
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
    out = capsys.readouterr().out
    assert out.startswith("\ufeffPeriode;NIK;Koperasi;Kecamatan;")  # Excel set to Indonesian: columns, not one
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    assert [(r["Koperasi"], r["NIK"], r["Tepat waktu"]) for r in rows] == [
        ("KSP Maju", "N1", "ya"),
        ("KSP Rukun", "N2", "terlambat"),
        ("KSP Sejahtera", "N3", "belum lapor"),
    ]
    maju, rukun, sejahtera = rows
    assert (maju["Dikirim (waktu setempat)"], maju["Zona waktu"]) == ("2026-11-04 09:00", "WIB")
    assert (rukun["Dikirim (waktu setempat)"], rukun["Zona waktu"]) == ("2026-11-12 10:00", "WITA")
    assert (maju["Skor"], maju["Kategori"]) == ("72,50", "Cukup Sehat")
    assert (sejahtera["Dikirim (waktu setempat)"], sejahtera["Skor"], sejahtera["Kategori"]) == ("", "", "")
    assert main(["report-status", "--period", "2026-10", "--kecamatan", "magersari"]) == 0
    assert "reported: 0 of 1 (0%)" in capsys.readouterr().out
    assert main(["report-status", "--period", "oktober"]) == 2


def test_report_status_xlsx_has_indonesian_headers_widths_and_a_frozen_header(
    city_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    assert main(["report-status", "--period", "2026-10", "--format", "xlsx"]) == 2
    assert "--format xlsx needs --out FILE" in capsys.readouterr().err
    out = city_db.parent / "status.xlsx"
    assert main(["report-status", "--period", "2026-10", "--format", "xlsx", "--out", str(out)]) == 0
    assert "3 cooperatives written to" in capsys.readouterr().out
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.title == "Status laporan 2026-10"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == (
        "Periode", "NIK", "Koperasi", "Kecamatan", "Dikirim (waktu setempat)", "Zona waktu", "Tepat waktu", "Skor",
        "Kategori",
    )  # fmt: skip
    assert values[1][:8] == (
        "2026-10",
        "N1",
        "KSP Maju",
        "Prajurit Kulon",
        datetime(2026, 11, 4, 9, 0),
        "WIB",
        "ya",
        72.5,
    )
    assert values[2][4:7] == (datetime(2026, 11, 12, 10, 0), "WITA", "terlambat")
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold and sheet.cell(row=2, column=5).number_format == "dd/mm/yyyy hh:mm"
    widths = {column: sheet.column_dimensions[column].width for column in "ABCDE"}
    assert widths["E"] >= len("Dikirim (waktu setempat)") and widths["C"] >= len("KSP Sejahtera")
    assert main(["report-status", "--period", "2026-10", "--format", "csv", "--out", "/no/such/dir/x.csv"]) == 2
    assert "--out" in capsys.readouterr().err


def test_outbox_status_shows_what_waits_and_why(city_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "waiting: 1" in out and "WhatsApp daily limit reached" in out
    assert "next waiting message goes at 2026-11-13T07:00+07:00" in out
