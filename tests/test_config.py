"""Settings: defaults, and one clear line for a wrong value."""

from __future__ import annotations

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///kopsehat.db"
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert settings.timezone == "Asia/Jakarta" and settings.language == "id"
    assert settings.quiet_window == (time(21, 0), time(7, 0))
    assert not settings.telegram_enabled and not settings.whatsapp_enabled


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KOPSEHAT_HTTP_PORT", "delapan"),
        ("KOPSEHAT_TIMEZONE", "Asia/Mojokerto"),
        ("KOPSEHAT_LANGUAGE", "jv"),
        ("KOPSEHAT_DATABASE_URL", "mysql://x"),
        ("KOPSEHAT_REPLICA_DATABASE_URL", "postgres://replica"),
        ("KOPSEHAT_QUIET_HOURS", "malam"),
    ],
)
def test_a_wrong_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("KOPSEHAT_HTTP_PORT=9090\nKOPSEHAT_QUIET_HOURS=\nKOPSEHAT_REPLICA_DATABASE_URL=\n")
    settings = load_settings()
    assert settings.http_port == 9090 and settings.quiet_window is None
    assert settings.replica_database_url is None  # set but empty: no replica


@pytest.mark.slow
def test_cli_stops_with_one_line_on_bad_configuration(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "current"],
        env={"KOPSEHAT_HTTP_PORT": "99999", "PATH": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "KOPSEHAT_HTTP_PORT" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize(("value", "paced"), [(None, 25.0), ("10", 10.0), ("0", None)])
def test_telegram_sends_are_paced_by_the_setting_and_unpaced_only_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    value: str | None,
    paced: float | None,
) -> None:
    from bot.channels.telegram.runtime import TELEGRAM_KEY
    from bot.runtime import build_runtime, load_assessment_rules
    from storage.db import Database

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KOPSEHAT_TELEGRAM_TOKEN", "123456:TEST")
    if value is not None:
        monkeypatch.setenv("KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND", value)
    settings = load_settings()
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/k.db")
    sender = build_runtime(settings, db, load_assessment_rules(settings)).app[TELEGRAM_KEY].sender
    unpaced = "KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND=0: Telegram sends are not paced" in caplog.text
    if paced is None:
        assert sender.limiter is None and unpaced
    else:
        assert sender.limiter is not None and not unpaced
        assert sender.limiter.overall.interval == pytest.approx(1 / paced)


def test_telegram_rate_cannot_be_negative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND", "-1")
    with pytest.raises(ConfigError, match="KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND"):
        load_settings()
