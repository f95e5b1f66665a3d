"""The Telegram edge: building the PTB Bot and the command menu; updates in and replies out live next door.

The token is in every API URL: bot.logs.setup_logging redacts it on every handler, should any library log a URL.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, BotCommand

from bot.channels.telegram_http import AiohttpRequest
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
        request=AiohttpRequest(connection_pool_size=pool_size, **timeouts),
        # getUpdates long-polls; PTB adds the poll timeout to read_timeout itself.
        get_updates_request=AiohttpRequest(connection_pool_size=1, **timeouts),
    )


async def set_commands(bot: Bot) -> None:
    """Publish the officers' command menu: Indonesian by default and for "id", English for "en"."""
    indonesian = [BotCommand(name, id_text) for name, id_text, _ in OFFICER_COMMANDS]
    english = [BotCommand(name, en_text) for name, _, en_text in OFFICER_COMMANDS]
    await bot.set_my_commands(indonesian)
    await bot.set_my_commands(indonesian, language_code="id")
    await bot.set_my_commands(english, language_code="en")
