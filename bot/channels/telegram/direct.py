"""sendMessage as one JSON post on the bot's own transport, without python-telegram-bot's object layer.

`Bot.send_message` reads Telegram's answer into a `Message` (about a hundred attributes set one by one) and builds
its request from parameter objects: 80-185 µs of CPU against 20-35 µs for the request itself, measured side by side
(docs/benchmarks.md), and on the reply path only the new message's id is used. `send_text` posts the same JSON body
(`chat_id`, `text`, `parse_mode`, `reply_markup` as its `to_dict()`) to the same URL through the bot's
`AiohttpRequest` (same session, same timeouts), and reads a refusal into the `TelegramError` PTB's transport raises
for it (`RetryAfter`, `ChatMigrated`, `Forbidden`, `InvalidToken`, `BadRequest`, ...), so the sender's reading of
errors is the same for both. A bot on another transport gets `Bot.send_message`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from telegram import Bot, InlineKeyboardMarkup, error
from telegram.request import BaseRequest

from bot.channels.telegram.http import AiohttpRequest
from storage import jsonio


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
    request = bot.request
    if not isinstance(request, AiohttpRequest):
        message = await bot.send_message(chat_id, text, parse_mode=parse_mode, reply_markup=reply_markup)
        return message.message_id
    parameters: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if parse_mode is not None:
        parameters["parse_mode"] = parse_mode
    if reply_markup is not None:
        parameters["reply_markup"] = reply_markup.to_dict()
    code, payload = await request.post_json(f"{bot.base_url}/sendMessage", orjson.dumps(parameters))
    result = answered(code, payload)
    message_id = result.get("message_id") if isinstance(result, dict) else None
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise error.TelegramError("sendMessage was answered without a message id")
    return message_id


def answered(code: int, payload: bytes) -> Any:
    """The `result` of a Bot API answer, or the `TelegramError` python-telegram-bot's transport raises for it
    (`BaseRequest.post`: the status, then the answer's `parameters`, then its `description`)."""
    if HTTPStatus.OK <= code <= 299:
        return _json(payload).get("result")
    try:
        message = f"{HTTPStatus(code).phrase} ({code})"
    except ValueError:
        message = f"Unknown HTTPError ({code})"
    parsing: error.TelegramError | None = None
    try:
        data = _json(payload)
    except error.TelegramError as exc:
        message += f". Parsing the server response {payload!r} failed"
        parsing = exc
    else:
        message = data.get("description") or message
        parameters = data.get("parameters")
        if parameters:
            if parameters.get("migrate_to_chat_id"):
                raise error.ChatMigrated(parameters["migrate_to_chat_id"])
            if parameters.get("retry_after"):
                raise error.RetryAfter(parameters["retry_after"])
            message += f". The server response contained unknown parameters: {parameters}"
    errors: dict[int, type[error.TelegramError]] = {
        HTTPStatus.FORBIDDEN: error.Forbidden,
        HTTPStatus.NOT_FOUND: error.InvalidToken,
        HTTPStatus.UNAUTHORIZED: error.InvalidToken,
        HTTPStatus.BAD_REQUEST: error.BadRequest,
        HTTPStatus.CONFLICT: error.Conflict,
    }
    raise errors.get(code, error.NetworkError)(message) from parsing


def _json(payload: bytes) -> Any:
    """An answer's JSON by orjson (`storage.jsonio`: 1.3 µs against PTB's 5.7 µs for a sendMessage answer); what it
    refuses, as PTB reads it (`BaseRequest.parse_json_payload`: undecodable bytes replaced, else its TelegramError)."""
    try:
        return jsonio.loads(payload)
    except (ValueError, RecursionError):
        return BaseRequest.parse_json_payload(payload)
