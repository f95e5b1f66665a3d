"""`kopsehat staff add --login`, `staff login-link` and `staff password`, as the office uses them."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


def test_staff_get_a_login_a_link_and_a_password(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["staff", "add", "--name", "Siti Aminah", "--role", "admin"]) == 0
    assert "login siti.aminah" in capsys.readouterr().out
    assert main(["staff", "add", "--name", "Siti Aminah", "--role", "viewer"]) == 0
    assert "login siti.aminah2" in capsys.readouterr().out
    assert main(["staff", "add", "--name", "Joko", "--role", "pembina", "--login", "siti.aminah"]) == 2
    assert "the login 'siti.aminah' is taken" in capsys.readouterr().err
    staff = sqlite3.connect(cli_workdir / "kopsehat.db").execute("SELECT name FROM office_staff").fetchall()
    assert staff == [("Siti Aminah",), ("Siti Aminah",)]  # Joko was not half-added
    monkeypatch.setenv("KOPSEHAT_PUBLIC_URL", "https://kantor.example.id")
    assert main(["staff", "login-link", "siti.aminah"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://kantor.example.id/kantor/masuk/") and len(url.rsplit("/", 1)[1]) >= 40
    assert main(["staff", "login-link", "nobody"]) == 1
    assert "no active staff member with login 'nobody'" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    assert main(["staff", "password", "siti.aminah"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-yang-panjang\n"))
    assert main(["staff", "password", "siti.aminah"]) == 0
    stored = (
        sqlite3.connect(cli_workdir / "kopsehat.db")
        .execute("SELECT password_hash FROM office_staff WHERE login = 'siti.aminah'")
        .fetchone()[0]
    )
    assert stored.startswith("$argon2id$") and "kata-sandi" not in stored
    token = url.rsplit("/", 1)[1]
    links = sqlite3.connect(cli_workdir / "kopsehat.db").execute("SELECT token_hash FROM staff_login_links").fetchall()
    assert links and all(token not in row[0] for row in links)
