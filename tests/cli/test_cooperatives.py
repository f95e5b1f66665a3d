"""`kopsehat cooperatives import|list` and `kopsehat demo`, run as an office clerk would."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import main

GOOD_CSV = """nama;nik;jenis;tag;kecamatan;kelurahan;tanggal_rat;unit_simpan_pinjam
KSP Maju Bersama;3576010001;ksp;;Magersari;Gedongan;31/03/2026;tidak
Koperasi Kelurahan Merah Putih Meri;3576010002;konsumen;kkmp;Kranggan;Meri;2026-04-15;ya
Kopontren Al Hidayah;;konsumen;kopontren, kkmp;Prajurit Kulon;Blooto;;
"""


NEW = ["--new-kecamatan", "Magersari,Kranggan", "--new-kecamatan", "Prajurit Kulon"]


@pytest.fixture
def workdir(cli_workdir: Path) -> Path:
    return cli_workdir


def test_import_then_list_with_filters(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "koperasi.csv").write_text(GOOD_CSV)
    assert main(["cooperatives", "import", "koperasi.csv", *NEW]) == 0
    assert "3 new, 0 updated" in capsys.readouterr().out
    assert main(["cooperatives", "import", "koperasi.csv"]) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert main(["cooperatives", "list", "--tag", "kkmp"]) == 0
    out = capsys.readouterr().out
    assert "Merah Putih Meri" in out and "Kopontren Al Hidayah" in out and "KSP Maju" not in out
    assert "2 koperasi" in out
    assert main(["cooperatives", "list", "--kecamatan", "magersari", "--type", "ksp"]) == 0
    out = capsys.readouterr().out
    assert "KSP Maju Bersama" in out and "Gedongan" in out and "1 koperasi" in out
    assert main(["cooperatives", "list", "--kecamatan", "Magersai"]) == 2  # a typo, not an empty kecamatan
    assert capsys.readouterr().err == "kopsehat: no kecamatan named 'Magersai'\n"


def test_one_bad_row_is_named_and_nothing_is_imported(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD_CSV + "Koperasi Salah;3576010009;koperasi serba ada;;Magersari;Wates;;\n"
    (workdir / "koperasi.csv").write_text(bad)
    assert main(["cooperatives", "import", "koperasi.csv", *NEW]) == 2
    err = capsys.readouterr().err
    assert "baris 5" in err and "koperasi serba ada" in err and "nothing imported" in err
    assert main(["cooperatives", "list"]) == 0
    assert "0 koperasi" in capsys.readouterr().out


def test_xlsx_with_english_headers(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "NIK", "Type", "Tags", "District", "Village", "Timezone"])
    sheet.append(["KSP Sinar Abadi", "3576010100", "savings and loan", "", "Kranggan", "Miji", "WITA"])
    sheet.append(["Koperasi Jasa Warga", None, "jasa", "", "Kranggan", "Meri", ""])
    book.save(workdir / "list.xlsx")
    assert main(["cooperatives", "import", "list.xlsx", "--new-kecamatan", "Kranggan"]) == 0
    assert "2 new" in capsys.readouterr().out
    assert main(["cooperatives", "list", "--type", "ksp"]) == 0
    assert "KSP Sinar Abadi" in capsys.readouterr().out


def test_missing_file_and_dry_run(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cooperatives", "import", "tidak-ada.csv"]) == 2
    assert "file not found" in capsys.readouterr().err
    (workdir / "k.csv").write_text(GOOD_CSV)
    assert main(["cooperatives", "import", "k.csv", "--dry-run", *NEW]) == 0
    assert "3 row(s) OK" in capsys.readouterr().out
    assert main(["cooperatives", "list"]) == 0
    assert "0 koperasi" in capsys.readouterr().out


def test_a_blank_nik_keeps_the_nik_and_every_problem_is_listed_at_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "a.csv").write_text("nama;nik;jenis;kecamatan\nKSP Sejahtera;3576010006;ksp;Magersari\n")
    assert main(["cooperatives", "import", "a.csv", *NEW]) == 0
    (workdir / "b.csv").write_text("nama;nik;jenis;kecamatan\nKSP Sejahtera;;ksp;\n")
    for _ in range(2):
        assert main(["cooperatives", "import", "b.csv"]) == 0
        assert "0 new, 0 updated, 1 unchanged" in capsys.readouterr().out
    assert main(["cooperatives", "list"]) == 0
    out = capsys.readouterr().out
    assert "3576010006" in out and "1 koperasi" in out
    (workdir / "c.csv").write_text(
        "nama;nik;jenis;kecamatan;jumlah_anggota\nKSP Baru;1;serba ada;Magersri;banyak\nKSP Lain;2;ksp;Kranggn;\n"
    )
    assert main(["cooperatives", "import", "c.csv"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "c.csv: baris 2: jenis 'serba ada' tidak dikenal (pilih: ksp, usp, konsumen, produsen, pemasaran, jasa)",
        "c.csv: baris 2: jumlah anggota 'banyak' bukan bilangan bulat (contoh: 120 atau 1.250)",
        "c.csv: baris 2: kecamatan 'Magersri' tidak dikenal di Kota Mojokerto; maksudnya Magersari?",
        "c.csv: baris 3: kecamatan 'Kranggn' tidak dikenal di Kota Mojokerto (yang ada: Magersari); bila memang "
        "kecamatan baru, tambahkan --new-kecamatan 'Kranggn'",
        "nothing imported: 4 problem(s) in 2 row(s)",
    ]


def test_demo_city_loads_once(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "192 cooperatives" in first
    assert main(["demo"]) == 0
    assert "0 new officers, 0 new monthly reports" in capsys.readouterr().out
    assert main(["cooperatives", "list", "--type", "ksp"]) == 0
    assert "43 koperasi" in capsys.readouterr().out
    assert main(["cooperatives", "list", "--tag", "kkmp"]) == 0
    assert "18 koperasi" in capsys.readouterr().out


def test_demo_province_says_where_its_time_went(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--cooperatives", "20", "--periods", "2"]) == 0
    loaded, steps = capsys.readouterr().out.splitlines()
    assert "20 cooperatives, 60 officers" in loaded
    assert steps.startswith("where the time went: indexes dropped ")
    for step in ("specimens scored", "reports and assessments", "standings", "indexes and keys made again"):
        assert f"{step} " in steps
    assert main(["demo", "--cooperatives", "20", "--periods", "2"]) == 0
    assert capsys.readouterr().out == "the demo province is already loaded; nothing added\n"


def test_every_command_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--help"],
        ["run", "--help"],
        ["db", "--help"],
        ["cooperatives", "import", "--help"],
        ["cooperatives", "list", "--help"],
        ["demo", "--help"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
        assert "usage: kopsehat" in capsys.readouterr().out


def test_chat_help_says_how_to_choose_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["chat", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "KOPSEHAT_LANGUAGE=en kopsehat chat" in said and "type `bahasa`" in said
