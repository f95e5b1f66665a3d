"""Issue 13 item 13: importing the office's list never wipes a field, never doubles a cooperative, and names every
problem of every row at once; a misspelt kecamatan is an error with the closest names, never a new kecamatan."""

from __future__ import annotations

import csv
import io

from bot.services.cooperative_import import parse_rows
from bot.services.directory import ImportCounts, ImportRejected, import_problems, list_cooperatives, save_cooperatives
from storage.db import Database

HEADER = "nama;nik;jenis;kecamatan;kelurahan;tanggal_rat;jumlah_anggota\n"
KECAMATAN = ["Magersari", "Prajurit Kulon", "Kranggan"]


def table(text: str) -> list[list[str]]:
    return [list(row) for row in csv.reader(io.StringIO(HEADER + text), delimiter=";")]


async def imported(db: Database, text: str, new: list[str] | None = None) -> ImportCounts:
    parsed = parse_rows(table(text))
    assert parsed.problems == []
    async with db.transaction() as repos:
        return await save_cooperatives(repos, parsed.rows, "Kota Mojokerto", new_kecamatan=new or [])


async def stored(db: Database) -> list[tuple[str, str | None, str, int | None]]:
    async with db.transaction() as repos:
        return [
            (r.cooperative.name, r.cooperative.nik, r.kecamatan, r.cooperative.members)
            for r in await list_cooperatives(repos)
        ]


async def test_a_row_without_nik_keeps_the_nik_and_a_second_import_changes_nothing(db: Database) -> None:
    text = "KSP Sejahtera;3576010006;ksp;Magersari;Wates;;120\nKSP Sejahtera;;ksp;;;31/03/2026;\n"
    assert await imported(db, text, KECAMATAN) == ImportCounts(1, 0, 0)
    assert await stored(db) == [("KSP Sejahtera", "3576010006", "Magersari", 120)]
    assert await imported(db, text) == ImportCounts(0, 0, 1)
    assert await stored(db) == [("KSP Sejahtera", "3576010006", "Magersari", 120)]


async def test_a_later_file_with_blank_cells_erases_nothing(db: Database) -> None:
    await imported(db, "KSP Sejahtera;3576010006;ksp;Magersari;Wates;31/03/2026;120\n", KECAMATAN)
    assert await imported(db, "KSP Sejahtera;;ksp;;;;\n") == ImportCounts(0, 0, 1)
    assert await imported(db, "ksp sejahtera;;ksp;;;;150\n") == ImportCounts(0, 1, 0)
    assert await stored(db) == [("KSP Sejahtera", "3576010006", "Magersari", 150)]
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.by_nik("3576010006")
        assert cooperative is not None and str(cooperative.rat_date) == "2026-03-31" and cooperative.kelurahan_id


async def test_a_cooperative_known_by_name_gets_its_nik(db: Database) -> None:
    await imported(db, "Koperasi Jasa Warga;;jasa;Kranggan;Meri;;\n", KECAMATAN)
    assert await imported(db, "Koperasi Jasa Warga;3576010100;jasa;;;;\n") == ImportCounts(0, 1, 0)
    assert await stored(db) == [("Koperasi Jasa Warga", "3576010100", "Kranggan", None)]


async def test_every_problem_of_every_row_is_named_at_once(db: Database) -> None:
    await imported(db, "KSP Maju;1;ksp;Magersari;;;\n", KECAMATAN)
    parsed = parse_rows(
        table(
            "Koperasi A;2;serba ada;Magersri;;32/13/2026;banyak\n"
            "Koperasi B;3;ksp;Kota Baru;;;-5\n"
            ";4;ksp;;;;\n"
            "KSP Dua;5;ksp;Magersari;;;\nKSP Dua;5;konsumen;;;;\n"
        )
    )
    async with db.transaction() as repos:
        found = await import_problems(repos, parsed.rows, "Kota Mojokerto")
    problems = [str(p) for p in sorted(parsed.problems + found, key=lambda p: p.row)]
    assert problems == [
        "baris 2: jenis 'serba ada' tidak dikenal (pilih: ksp, usp, konsumen, produsen, pemasaran, jasa)",
        "baris 2: jumlah anggota 'banyak' bukan bilangan bulat (contoh: 120 atau 1.250)",
        "baris 2: tanggal '32/13/2026' tidak dikenali (pakai 2026-03-31 atau 31/03/2026)",
        "baris 2: kecamatan 'Magersri' tidak dikenal di Kota Mojokerto; maksudnya Magersari?",
        "baris 3: jumlah anggota '-5' tidak boleh minus",
        "baris 3: kecamatan 'Kota Baru' tidak dikenal di Kota Mojokerto (yang ada: Magersari); "
        "bila memang kecamatan baru, tambahkan --new-kecamatan 'Kota Baru'",
        "baris 4: kolom nama kosong",
        "baris 6: koperasi yang sama dengan baris 5, tetapi jenis berbeda (ksp / konsumen)",
    ]
    async with db.transaction() as repos:
        try:
            await save_cooperatives(repos, parsed.rows, "Kota Mojokerto")
        except ImportRejected as rejected:
            assert [p.row for p in rejected.problems] == [2, 3]
        else:
            raise AssertionError("a misspelt kecamatan was accepted")
    async with db.transaction() as repos:
        kota = await repos.regions.find("kota", "Kota Mojokerto")
        assert kota is not None
        assert [k.name for k in await repos.regions.children("kecamatan", kota.id)] == ["Magersari"]
    assert await stored(db) == [("KSP Maju", "1", "Magersari", None)]


async def test_the_first_import_of_a_city_names_its_kecamatan(db: Database) -> None:
    parsed = parse_rows(table("KSP Maju;1;ksp;Magersari;;;\n"))
    async with db.transaction() as repos:
        found = await import_problems(repos, parsed.rows, "Kota Mojokerto")
    assert [str(p) for p in found] == [
        "baris 2: kecamatan 'Magersari' belum ada di Kota Mojokerto; untuk impor pertama tambahkan "
        "--new-kecamatan 'Magersari'"
    ]
    assert await imported(db, "KSP Maju;1;ksp;magersari;;;\n", ["Magersari"]) == ImportCounts(1, 0, 0)
    assert await stored(db) == [("KSP Maju", "1", "magersari", None)]
