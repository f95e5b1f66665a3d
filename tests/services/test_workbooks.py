"""The report workbook: written, filled with openpyxl, read back and checked, refused whole, imported; both DBs."""

from __future__ import annotations

import io
import itertools
import zipfile
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.domain import workbook as layout
from bot.domain.periods import Period
from bot.services.workbooks import Imported, Loaded, Refusal
from storage.db import Database
from tests.handlers.chat import NOW
from tests.services.common import cooperative_with_officers, ksp_answers, services
from tests.services.workbook_files import WORDS, fill, row_of

OCTOBER = Period(2026, 10)
DERIVED = ("total_assets", "gross_surplus", "surplus_before_tax")
_niks = itertools.count(3576020001)


async def _template(db: Database, coop: int, period: Period = OCTOBER) -> bytes:
    async with services(db) as s:
        return await s.workbooks.template(coop, period, WORDS)


async def test_the_template_names_its_cooperative_and_period_hides_keys_locks_labels_and_validates(
    db: Database,
) -> None:
    coop, _ = await cooperative_with_officers(db)
    data = await _template(db, coop)
    sheet = load_workbook(io.BytesIO(data))["Laporan"]
    assert sheet.cell(2, 1).value == layout.NIK_KEY and sheet.cell(2, 3).value == "3576010001"
    assert sheet.cell(3, 1).value == layout.PERIOD_KEY and sheet.cell(3, 3).value == "2026-10"
    assert sheet.column_dimensions["A"].hidden and sheet.protection.sheet
    cash = row_of(data, "cash")
    assert sheet.cell(cash, 2).value == "Kas" and sheet.cell(cash, 2).protection.locked
    assert not sheet.cell(cash, 3).protection.locked
    assert sheet.cell(row_of(data, "fixed_assets"), 2).value == "Aset tetap (Aktiva tetap)"  # SAK EP, old name
    keys = [sheet.cell(r, 1).value for r in range(layout.FIRST_ROW, sheet.max_row + 1)]
    assert "management.general.1" in keys and "compliance.nib" in keys and "risk_reserve_side" not in keys
    validated = {str(v.sqref): v.type for v in sheet.data_validations.dataValidation}
    assert any(f"C{cash}" in ref and kind == "decimal" for ref, kind in validated.items())
    assert any(f"C{row_of(data, 'compliance.nib')}" in ref and kind == "list" for ref, kind in validated.items())


async def test_last_periods_figures_stand_beside_and_the_draft_is_filled_in(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with services(db) as s:
        await s.reports.submit(coop, Period(2026, 9), ksp_answers(), officer_id=siti, at=NOW)
        await s.reports.save_draft(coop, OCTOBER, {"cash": "41000000"}, officer_id=siti, at=NOW)
    data = await _template(db, coop)
    sheet = load_workbook(io.BytesIO(data))["Laporan"]
    cash = row_of(data, "cash")
    assert (sheet.cell(cash, 3).value, sheet.cell(cash, 4).value) == (41000000, 40000000)
    assert sheet.cell(row_of(data, "management.general.1"), 3).value == "ya"


async def test_cells_that_cannot_be_used_are_named_and_nothing_is_taken(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    data = await _template(db, coop)
    filled = fill(data, {**ksp_answers(), "cash": "empat puluh", "bank": -5, "management.general.1": "mungkin"})
    async with services(db) as s:
        loaded = await s.workbooks.read(filled, cooperative_id=coop, period=OCTOBER)
    assert isinstance(loaded, Loaded) and not loaded.clean
    found = {(p.cell, p.code) for p in loaded.problems}
    assert found == {
        (f"C{row_of(data, 'cash')}", "not_a_number"),
        (f"C{row_of(data, 'bank')}", "negative"),
        (f"C{row_of(data, 'management.general.1')}", "expected_yes_no"),
    }


async def test_unbalanced_books_are_blocking_problems_of_the_workbook(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    filled = fill(await _template(db, coop), {**ksp_answers(), "cash": 165_000_000})
    async with services(db) as s:
        loaded = await s.workbooks.read(filled, cooperative_id=coop, period=OCTOBER)
    assert isinstance(loaded, Loaded) and not loaded.problems and loaded.checked.blocking and not loaded.clean


def _xlsm(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def _unpacks_huge() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", b"<Types/>")
        target.writestr("xl/workbook.xml", b"<workbook/>")
        target.writestr("xl/worksheets/sheet1.xml", b"\x00" * 50_000_000)
    return out.getvalue()


async def test_refused_whole(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    other, _ = await cooperative_with_officers(db, nik="3576019999", names=("Pak Lain",))
    data = await _template(db, coop)
    with_formula = fill(data, {"cash": "=B1*2"})  # saved by openpyxl: a formula without a kept result
    cases = {
        b"<html>not a workbook</html>": "not_xlsx",
        data + b"\x00" * 2_000_001: "too_large",
        _unpacks_huge(): "too_large",
        _xlsm(data): "macros",
        with_formula: "formulas",
        await _template(db, other): "other_cooperative",
        await _template(db, coop, Period(2026, 9)): "other_period",
        fill(data, {}, nik="999"): "unknown_cooperative",
    }
    async with services(db) as s:
        for given_data, code in cases.items():
            found = await s.workbooks.read(given_data, cooperative_id=coop, period=OCTOBER)
            assert isinstance(found, Refusal) and found.code == code, (code, found)
        opened = await s.reports.open(coop, OCTOBER)
    assert opened.draft == {} and opened.latest is None


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shift=st.integers(min_value=0, max_value=39_000_000),
    form=st.sampled_from(["number", "text", "short"]),
)
async def test_a_workbook_stores_the_same_revision_as_the_chat_for_the_same_figures(
    db: Database, shift: int, form: str
) -> None:
    """The same books through chat's submit and through a filled workbook: equal stored figures."""
    answers = ksp_answers()
    # moving money from cash to the bank keeps the books balanced
    answers["cash"] = str(40_000_000 - shift)
    answers["bank"] = str(60_000_000 + shift)
    by_chat, (siti, _) = await cooperative_with_officers(db, nik=str(next(_niks)))
    by_book, _ = await cooperative_with_officers(db, nik=str(next(_niks)))
    typed: dict[str, str | int | float | None] = {}
    for key, value in answers.items():
        if key in DERIVED:
            continue  # computed, as the chat computes them
        amount = Decimal(value) if value not in ("ya", "tidak") else None
        if amount is None or form == "number":
            typed[key] = int(amount) if amount is not None else value
        elif form == "text":
            typed[key] = f"{int(amount):,}".replace(",", ".")
        else:
            typed[key] = f"Rp {int(amount):,}".replace(",", ".")
    chat_answers = {k: v for k, v in answers.items() if k not in DERIVED}
    async with services(db) as s:
        await s.reports.submit(by_chat, OCTOBER, chat_answers, officer_id=siti, at=NOW)
        period = Period(2026, 10)
        data = fill(await s.workbooks.template(by_book, period, WORDS), typed)
    async with services(db) as s:
        imported = await s.workbooks.import_archive(data, at=NOW, reason="arsip")
        assert isinstance(imported, Imported), imported
        chat = (await s.reports.open(by_chat, OCTOBER)).latest
        book = (await s.reports.open(by_book, OCTOBER)).latest
    assert chat is not None and book is not None
    assert book.figures == chat.figures


async def test_the_archive_import_is_all_or_nothing_and_dry_run_stores_nothing(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    good = fill(await _template(db, coop), ksp_answers())
    bad = fill(await _template(db, coop), {**ksp_answers(), "cash": "x"})
    async with services(db) as s:
        dry = await s.workbooks.import_archive(good, at=NOW, reason="arsip", dry_run=True)
        assert isinstance(dry, Loaded) and dry.clean
        refused = await s.workbooks.import_archive(bad, at=NOW, reason="arsip")
        assert isinstance(refused, Loaded) and refused.problems
        assert (await s.reports.open(coop, OCTOBER)).latest is None
        future = fill(await s.workbooks.template(coop, Period(2026, 12), WORDS), ksp_answers())
        assert await s.workbooks.import_archive(future, at=NOW, reason="arsip") == Refusal("future_period", "2026-12")
        done = await s.workbooks.import_archive(good, at=NOW, reason="arsip")
        assert isinstance(done, Imported) and done.submission.revision == 1
