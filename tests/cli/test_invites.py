"""`kopsehat invites create`, `kopsehat staff add` and `kopsehat chat` in a pipe, as the office uses them."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.cli import main
from bot.domain.periods import format_datetime
from bot.services.invite_cards import InviteCard, card_words

CSV = "nama,nik,jenis,kecamatan\nKSP Maju Bersama,3576010001,ksp,Magersari\n"


@pytest.fixture
def workdir(cli_workdir: Path) -> Path:
    tmp_path = cli_workdir
    (tmp_path / "k.csv").write_text(CSV)
    assert main(["cooperatives", "import", "k.csv", "--new-kecamatan", "Magersari"]) == 0
    return tmp_path


def test_invites_print_codes_links_and_qr_and_store_only_hashes(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capsys.readouterr()
    monkeypatch.setenv("KOPSEHAT_TELEGRAM_BOT_USERNAME", "kopsehat_bot")
    monkeypatch.setenv("KOPSEHAT_WHATSAPP_NUMBER", "+62 811-0000-0000")
    assert (
        main(["invites", "create", "--cooperative", "3576010001", "--role", "bendahara", "--count", "2", "--qr", "qr"])
        == 0
    )
    out = capsys.readouterr().out
    codes = re.findall(r"code:\s+(\w+)", out)
    assert len(codes) == 2 and all(len(c) >= 9 for c in codes)
    assert f"https://t.me/kopsehat_bot?start={codes[0]}" in out
    assert f"https://wa.me/6281100000000?text=DAFTAR%20{codes[0]}" in out
    assert len(list((workdir / "qr").glob("*.png"))) == 2
    stored = sqlite3.connect(workdir / "kopsehat.db").execute("SELECT code_hash FROM invites").fetchall()
    assert len(stored) == 2 and not any(code in h for (h,) in stored for code in codes)


def test_links_carry_a_visible_placeholder_when_the_bot_is_unknown(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["invites", "create", "--cooperative", "3576010001", "--role", "ketua"]) == 0
    printed = capsys.readouterr()
    out = printed.out
    assert "https://t.me/<USERNAME_BOT_TELEGRAM>?start=" in out and "https://wa.me/<NOMOR_WHATSAPP>?text=" in out
    assert printed.err.splitlines() == [
        "kopsehat: warning: KOPSEHAT_TELEGRAM_BOT_USERNAME is not set: the Telegram links below are placeholders "
        "(<USERNAME_BOT_TELEGRAM>) and the QR pictures have no Telegram code; set it to the bot's username",
        "kopsehat: warning: KOPSEHAT_WHATSAPP_NUMBER is not set: the WhatsApp links below are placeholders "
        "(<NOMOR_WHATSAPP>) and the QR pictures have no WhatsApp code; set it to the bot's number",
    ]


def test_the_invitation_picture_says_who_what_until_when_and_how(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (cli_workdir / "k.csv").write_text("nama,nik,jenis,kecamatan,zona_waktu\nKSP Sinar,9,ksp,Mariso,WITA\n")
    assert main(["cooperatives", "import", "k.csv", "--new-kecamatan", "Mariso"]) == 0
    monkeypatch.setenv("KOPSEHAT_WHATSAPP_NUMBER", "+62 811-0000-0000")
    capsys.readouterr()
    before = datetime.now(UTC)
    assert main(["invites", "create", "--cooperative", "9", "--role", "bendahara", "--uses", "3", "--qr", "qr"]) == 0
    printed = capsys.readouterr()
    assert "KOPSEHAT_TELEGRAM_BOT_USERNAME is not set" in printed.err and "WHATSAPP_NUMBER" not in printed.err
    code = re.findall(r"code:\s+(\w+)", printed.out)[0]
    expires = format_datetime(before + timedelta(days=30), ZoneInfo("Asia/Makassar"), "en")
    assert f"expires:  {expires.rsplit(' ', 2)[0]} " in printed.out  # local time, not UTC
    assert printed.out.count(" WITA  uses: 3") == 1
    picture = cli_workdir / "qr" / f"undangan-{code}.png"
    assert f"picture:  qr/undangan-{code}.png" in printed.out
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.width == 1240

    card = InviteCard("KSP Sinar", "bendahara", code, before + timedelta(days=30), ZoneInfo("Asia/Makassar"), 3,
                      None, f"https://wa.me/6281100000000?text=DAFTAR%20{code}", None, "+62 811-0000-0000")  # fmt: skip
    words = card_words(card)
    assert (words.title, words.organisation, words.role) == ("Undangan kopsehat", "KSP Sinar", "Peran: Bendahara")
    assert words.expiry.startswith("Berlaku sampai ") and words.expiry.endswith(" WITA, untuk 3 orang")
    assert words.platforms == (("WhatsApp", f"https://wa.me/6281100000000?text=DAFTAR%20{code}"),)
    assert words.instructions == (
        f"Pindai QR dengan kamera HP, lalu tekan Kirim (WhatsApp). Tanpa kamera: kirim DAFTAR {code} ke WhatsApp "
        "+62 811-0000-0000."
    )
    both = card_words(replace(card, telegram_link="https://t.me/kop_bot?start=X", telegram_username="kop_bot"))
    assert [name for name, _ in both.platforms] == ["Telegram", "WhatsApp"]
    assert "Start (Telegram) atau Kirim (WhatsApp)" in both.instructions and f"/start {code} ke @kop_bot" in (
        both.instructions
    )


def test_unknown_cooperative_and_staff_invitation(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invites", "create", "--cooperative", "999", "--role", "ketua"]) == 2
    assert "no cooperative with NIK 999" in capsys.readouterr().err
    assert main(["staff", "add", "--name", "Pak Joko", "--role", "pembina", "--kecamatan", "Magersari"]) == 0
    assert "staff #1 Pak Joko (pembina) added" in capsys.readouterr().out


@pytest.mark.slow
def test_chat_in_a_pipe_with_numbered_choices(workdir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPSEHAT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--cooperative", "3576010001"],
        input="menu\n1\n12,3 jt\n",
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "[1] Isi laporan" in result.stdout
    assert "sudah dibuka" in result.stdout and "Kas: Rp12.300.000" in result.stdout


def test_chat_run_again_is_the_same_officer_and_the_same_staff_member(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kopsehat chat --cooperative NIK` (or `--staff ROLE`) a second time is the same person again, not one more
    officer on the cooperative's record (a "Bendahara" per run, each counted as without a chat account)."""
    for _ in range(2):
        for args in (["--user", "siti", "--cooperative", "3576010001"], ["--user", "joko", "--staff", "pembina"]):
            monkeypatch.setattr("sys.stdin", io.StringIO("menu\n"))
            assert main(["chat", *args]) == 0
    with contextlib.closing(sqlite3.connect(workdir / "kopsehat.db")) as db:
        officers = db.execute("SELECT name FROM officers WHERE status = 'active'").fetchall()
        staff = db.execute("SELECT name FROM office_staff").fetchall()
    assert officers == [("Bendahara",)] and staff == [("Petugas joko",)]
