"""sendMessage through python-telegram-bot's request layer, without its object layer on the answer.

`Bot.send_message` reads Telegram's answer into a `Message` (about a hundred attributes set one by one): 80-185 µs
of CPU against 20-35 µs for the request itself, measured side by side (docs/benchmarks.md), and on the reply path
only the new message's id is used. `send_text` makes the same request as `Bot.send_message` (same parameters, same
URL, same transport, same timeouts) through `Bot.request.post`, so every error is the same `TelegramError`
(`RetryAfter`, `ChatMigrated`, `Forbidden`, `InvalidToken`, ...) raised by PTB; it returns the message id.
"""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # how Bot turns a value into a parameter


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    parse_mode: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> int:
    """sendMessage, as `bot.send_message(chat_id, text, parse_mode=..., reply_markup=...)` sends it; the id of the
    message Telegram made."""
    parameters = [RequestParameter.from_input("chat_id", chat_id), RequestParameter.from_input("text", text)]
    if parse_mode is not None:
        parameters.append(RequestParameter.from_input("parse_mode", parse_mode))
    if reply_markup is not None:
        parameters.append(RequestParameter.from_input("reply_markup", reply_markup))
    result = await bot.request.post(f"{bot.base_url}/sendMessage", request_data=RequestData(parameters))
    message_id = result.get("message_id") if isinstance(result, dict) else None
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise TelegramError("sendMessage was answered without a message id")
    return message_id
