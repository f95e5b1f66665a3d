"""Issue 13.9: at DEBUG nothing secret reaches the log, neither from our code nor from the libraries below it."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.logs import RedactingFilter, setup_logging
from storage.db import Database
from tests.channels.test_telegram_webhook import SECRET, SITI, fixture, invite_code, telegram_service
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)


@pytest.mark.usefixtures("restore_logging")
async def test_a_conversation_at_debug_logs_no_token_secret_code_or_text(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    setup_logging("DEBUG", [fake_telegram.token, SECRET])
    logging.getLogger().addHandler(caplog.handler)  # setup_logging replaced the root's handlers: capture too
    async with telegram_service(db, fake_telegram) as service:
        code = await invite_code(db)
        update = fixture("start_payload")
        update["message"]["text"] = f"/start {code}"
        assert await service.say(update) == 200
        assert await service.say({**fixture("start_payload"), "update_id": 730021446}) == 200
    welcome = fake_telegram.sent_texts(SITI)[0]
    assert "KSP Maju Bersama" in welcome
    logged = caplog.text
    assert "kopsehat listening" in logged  # the log was on, at DEBUG
    assert logging.getLogger("bot.channels.telegram.outbound").isEnabledFor(logging.DEBUG)
    token_secret = fake_telegram.token.split(":", 1)[1]
    for secret in (token_secret, SECRET, code, "KSP Maju Bersama", "Rahayu", "siti_ksp"):
        assert secret not in logged, secret


def test_every_secret_setting_and_the_database_password_are_redacted() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql+asyncpg://kopsehat:pg-Pa55word@db:5432/kopsehat",
        replica_database_url="postgresql+asyncpg://reader:replica-Pa55@db-replica:5432/kopsehat",
        telegram_token=SecretStr("123456:tg-token-value"),
        whatsapp_app_secret=SecretStr("wa-app-secret"),
        health_token=SecretStr("health-token-value"),
        secret_key=SecretStr("k" * 40),
    )
    redact = RedactingFilter(settings.secret_values()).redact
    line = "connect postgresql://kopsehat:pg-Pa55word@db health-token-value wa-app-secret " + "k" * 40
    assert redact(line) == "connect postgresql://kopsehat:***@db *** *** ***"
    assert redact("replica reader:replica-Pa55@db-replica") == "replica reader:***@db-replica"
