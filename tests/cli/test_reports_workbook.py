"""`kopsehat reports template` and `kopsehat reports import` (--dry-run, all or nothing per file, every problem)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import Database
from storage.migrate import upgrade
from tests.services.common import ksp_answers
from tests.services.workbook_files import fill, row_of

NIK = "3576010001"


@pytest.fixture
def archive_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    monkeypatch.setenv("KOPSEHAT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)

    async def build() -> None:
        db = Database(url)
        try:
            await upgrade(db)
            async with db.transaction() as repos:
                await repos.cooperatives.upsert({"name": "KSP Maju Bersama", "nik": NIK, "type": "ksp"})
        finally:
            await db.dispose()

    asyncio.run(build())
    return url


def revisions(url: str) -> dict[str, int]:
    async def read() -> dict[str, int]:
        db = Database(url)
        try:
            async with db.transaction() as repos:
                cooperative = await repos.cooperatives.by_nik(NIK)
                assert cooperative is not None
                found = {}
                for period in ("2026-08", "2026-09"):
                    report = await repos.reports.get(cooperative.id, period)
                    found[period] = report.latest_revision if report else 0
                return found
        finally:
            await db.dispose()

    return asyncio.run(read())


def template(tmp_path: Path, period: str) -> bytes:
    out = tmp_path / f"{period}.xlsx"
    assert main(["reports", "template", "--cooperative", NIK, "--period", period, "--out", str(out)]) == 0
    return out.read_bytes()


def test_template_import_dry_run_then_all_or_nothing(
    archive_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    august = template(tmp_path, "2026-08")
    assert "ditulis ke" in capsys.readouterr().out
    good = tmp_path / "agustus.xlsx"
    good.write_bytes(fill(august, ksp_answers()))
    bad = tmp_path / "september.xlsx"
    september = template(tmp_path, "2026-09")
    bad.write_bytes(fill(september, {**ksp_answers(), "cash": "kas", "loans_loss": -1, "bank": 70_000_000}))
    capsys.readouterr()

    assert main(["reports", "import", str(good), str(bad), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "siap diimpor" in out and "september.xlsx: tidak diimpor." in out
    assert f"C{row_of(september, 'cash')}: bukan angka" in out  # every problem at once:
    assert f"C{row_of(september, 'loans_loss')}: tidak boleh minus" in out
    assert revisions(archive_db) == {"2026-08": 0, "2026-09": 0}  # a dry run stores nothing

    assert main(["reports", "import", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "disimpan sebagai revisi 1" in out and "1 berkas diimpor, 1 ditolak." in out
    assert revisions(archive_db) == {"2026-08": 1, "2026-09": 0}  # the bad file: nothing of it


def test_a_file_that_is_no_workbook_or_of_an_unknown_cooperative_is_refused(
    archive_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "catatan.xlsx"
    text.write_text("bukan excel")
    stranger = tmp_path / "lain.xlsx"
    stranger.write_bytes(fill(template(tmp_path, "2026-08"), ksp_answers(), nik="123"))
    assert main(["reports", "import", str(text), str(stranger)]) == 1
    out = capsys.readouterr().out
    assert "bukan buku kerja Excel" in out and "NIK 123" in out
    assert main(["reports", "template", "--cooperative", "000", "--out", str(tmp_path / "x.xlsx")]) == 2
