"""`kopsehat invites create`, `kopsehat staff add` and `kopsehat chat` in a pipe, as the office uses them."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

CSV = "nama,nik,jenis,kecamatan\nKSP Maju Bersama,3576010001,ksp,Magersari\n"


@pytest.fixture
def workdir(cli_workdir: Path) -> Path:
    tmp_path = cli_workdir
    (tmp_path / "k.csv").write_text(CSV)
    assert main(["cooperatives", "import", "k.csv"]) == 0
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
    out = capsys.readouterr().out
    assert "https://t.me/<USERNAME_BOT_TELEGRAM>?start=" in out and "https://wa.me/<NOMOR_WHATSAPP>?text=" in out


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
