"""The Telegram edge: building the PTB Bot and the command menu; updates in and replies out live next door.

The token is in every API URL: bot.logs.setup_logging redacts it on every handler, should any library log a URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.channels.telegram.errors import classify_error, redact
from bot.channels.telegram.http import AiohttpRequest
from bot.channels.telegram.inbound import (
    TelegramInbound,
    decode_callback,
    encode_callback,
    parse_update,
    update_to_inbound,
)
from bot.channels.telegram.layout import inline_keyboard
from bot.channels.telegram.outbound import TelegramSender
from bot.chat.routing import Route, Router
from bot.words import render
from bot.words.render import Lang

__all__ = [
    "OFFICER_COMMANDS",
    "TelegramInbound",
    "TelegramSender",
    "classify_error",
    "clear_staff_commands",
    "decode_callback",
    "encode_callback",
    "inline_keyboard",
    "make_bot",
    "menu",
    "parse_update",
    "redact",
    "set_commands",
    "set_staff_commands",
    "staff_commands",
    "update_to_inbound",
]

# The default menu (everyone; mostly cooperative officers), in this order. The descriptions are the templates
# commands.<name> (bot/words/templates/<lang>/commands.j2).
OFFICER_COMMANDS: tuple[str, ...] = (
    "lapor", "status", "riwayat", "pelatihan", "rat", "rencana", "bantuan", "batal", "bahasa", "menu",
)  # fmt: skip


def staff_commands(router: Router) -> tuple[str, ...]:
    """The menu of office staff: the commands only staff may use (the router's), then those of the default
    menu that staff may use too (not the officers' own, such as lapor)."""
    own = [r.name for r in router if r.audience == "staff" and _command_route(router, r.name) is r]
    shared = [
        name for name in OFFICER_COMMANDS if (route := _command_route(router, name)) and route.open_to(staff=True)
    ]
    return (*own, *shared)


def _command_route(router: Router, name: str) -> Route | None:
    """The route `/name` starts; a route whose name is no command of its own is not in any menu."""
    return router.for_text(f"/{name}")


def menu(names: Sequence[str], lang: Lang) -> list[BotCommand]:
    """The commands `names` with their descriptions in `lang`."""
    return [BotCommand(name, render.text(lang, f"commands.{name}")) for name in names]


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
    """Publish the default command menu: Indonesian by default and for "id", English for "en"."""
    indonesian = menu(OFFICER_COMMANDS, "id")
    await bot.set_my_commands(indonesian)
    await bot.set_my_commands(indonesian, language_code="id")
    await bot.set_my_commands(menu(OFFICER_COMMANDS, "en"), language_code="en")


async def set_staff_commands(bot: Bot, chat_id: int, names: Sequence[str]) -> None:
    """Give an office staff member's chat the staff menu `names` (staff_commands): Indonesian, English for "en"
    (that chat only)."""
    scope = BotCommandScopeChat(chat_id)
    await bot.set_my_commands(menu(names, "id"), scope=scope)
    await bot.set_my_commands(menu(names, "en"), scope=scope, language_code="en")


async def clear_staff_commands(bot: Bot, chat_id: int) -> None:
    """Take the staff menu away from a chat: it shows the default menu again."""
    scope = BotCommandScopeChat(chat_id)
    await bot.delete_my_commands(scope=scope)
    await bot.delete_my_commands(scope=scope, language_code="en")
