"""The Telegram edge: building the PTB Bot, the command menu, token-safe logging; in/out live next door."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, BotCommand
from telegram.request import HTTPXRequest

from bot.channels.telegram_in import (
    TelegramInbound,
    decode_callback,
    encode_callback,
    parse_update,
    update_to_inbound,
)
from bot.channels.telegram_out import TelegramSender, classify_error, inline_keyboard, redact

__all__ = [
    "OFFICER_COMMANDS",
    "TelegramInbound",
    "TelegramSender",
    "classify_error",
    "decode_callback",
    "encode_callback",
    "inline_keyboard",
    "install_token_redaction",
    "make_bot",
    "parse_update",
    "redact",
    "set_commands",
    "update_to_inbound",
]

# (command, Indonesian description, English description); the office's commands get a staff scope later.
OFFICER_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("lapor", "Isi laporan bulanan koperasi", "Fill in the monthly report"),
    ("status", "Status laporan dan skor kesehatan", "Report status and health score"),
    ("riwayat", "Riwayat laporan dan skor", "Past reports and scores"),
    ("pelatihan", "Jadwal pelatihan dan klinik koperasi", "Trainings and cooperative clinics"),
    ("bantuan", "Bantuan memakai bot", "Help with the bot"),
    ("batal", "Batalkan isian yang sedang berjalan", "Cancel what is in progress"),
    ("bahasa", "Ganti bahasa", "Change language"),
    ("menu", "Menu utama", "Main menu"),
)

_redaction_installed = False


def make_bot(
    token: str,
    api_url: str = "https://api.telegram.org",
    *,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    write_timeout: float = 10.0,
    media_write_timeout: float = 30.0,
    pool_timeout: float = 3.0,
    pool_size: int = 32,
) -> Bot:
    """A PTB Bot talking to `api_url` (KOPSEHAT_TELEGRAM_API_URL; a fake in tests); use `async with bot:`."""
    install_token_redaction()
    base = api_url.rstrip("/")
    timeouts: dict[str, Any] = {
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        "write_timeout": write_timeout,
        "pool_timeout": pool_timeout,
        "media_write_timeout": media_write_timeout,
    }
    return Bot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=pool_size, **timeouts),
        # getUpdates long-polls; PTB adds the poll timeout to read_timeout itself.
        get_updates_request=HTTPXRequest(connection_pool_size=1, **timeouts),
    )


async def set_commands(bot: Bot) -> None:
    """Publish the officers' command menu: Indonesian by default and for "id", English for "en"."""
    indonesian = [BotCommand(name, id_text) for name, id_text, _ in OFFICER_COMMANDS]
    english = [BotCommand(name, en_text) for name, _, en_text in OFFICER_COMMANDS]
    await bot.set_my_commands(indonesian)
    await bot.set_my_commands(indonesian, language_code="id")
    await bot.set_my_commands(english, language_code="en")


def install_token_redaction() -> None:
    """Redact bot tokens in every log record of the process (httpx logs URLs, which hold the token)."""
    global _redaction_installed
    if _redaction_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging call's problem, not ours
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _redaction_installed = True
