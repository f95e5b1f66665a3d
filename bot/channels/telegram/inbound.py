"""Telegram updates -> Inbound: the only place where PTB's update objects are read."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from telegram import Chat, Message, Update, User

from bot.chat.messages import Address, Inbound, InboundKind, Pressed, Unstorable, Upload

log = logging.getLogger(__name__)

CALLBACK_VERSION = "v1"
_CALLBACK_MAX_BYTES = 64

# Message fields that carry something the bot cannot read yet, most specific first
# (an animation also fills `document`).
_UNSUPPORTED_FIELDS = (
    "animation",
    "photo",
    "video",
    "video_note",
    "voice",
    "audio",
    "sticker",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "story",
)


@dataclass(frozen=True)
class TelegramInbound:
    """An Inbound plus what only Telegram needs: the callback query to answer and the keyboard message."""

    inbound: Inbound
    callback_query_id: str | None = None


def encode_callback(option_id: str, version: str = CALLBACK_VERSION) -> str:
    """callback_data for an option: `<version>:<option id>`, at most 64 bytes."""
    if not option_id or ":" in version:
        raise ValueError("option id must not be empty and version must not contain ':'")
    data = f"{version}:{option_id}"
    if len(data.encode()) > _CALLBACK_MAX_BYTES:
        raise ValueError(f"callback_data over {_CALLBACK_MAX_BYTES} bytes: {data!r}")
    return data


def decode_callback(data: str, version: str = CALLBACK_VERSION) -> str | None:
    """The option id in callback_data, or None when it is malformed or from an older keyboard version."""
    prefix, sep, option_id = data.partition(":")
    if not sep or prefix != version or not option_id:
        return None
    return option_id


def parse_update(data: dict[str, Any], received_at: datetime) -> TelegramInbound | None:
    """Same as update_to_inbound, from the raw JSON of an update."""
    return update_to_inbound(Update.de_json(data, None), received_at)


# The update a person's plain text makes, the one the bot gets most: read from the JSON by read_plain_text. Keys
# outside these (a reply, a forward, a migration, ...) and anything of another type go through python-telegram-bot.
_PLAIN_MESSAGE = frozenset({"message_id", "date", "chat", "from", "text", "entities"})
_PLAIN_CHAT = {"id": int, "type": str, "first_name": str, "last_name": str, "username": str}
_PLAIN_USER = {
    "id": int, "is_bot": bool, "first_name": str, "last_name": str, "username": str, "language_code": str,
    "is_premium": bool,
}  # fmt: skip
_PLAIN_ENTITY = {"type": str, "offset": int, "length": int}


def read_plain_text(data: dict[str, Any], received_at: datetime) -> TelegramInbound | None:
    """The Inbound of a plain text message, read from the update's JSON as update_to_inbound reads the
    `Update` python-telegram-bot makes of it (the same Inbound; `Update.de_json` costs 10-20 times this), or None for
    every other update, and for one whose fields are not all of Telegram's types: those are read through
    python-telegram-bot (read_update)."""
    message = data.get("message")
    if len(data) != 2 or not isinstance(message, dict) or not _PLAIN_MESSAGE.issuperset(message):
        return None
    chat, user, text, date = message.get("chat"), message.get("from"), message.get("text"), message.get("date")
    if not isinstance(text, str) or not _ids(data.get("update_id"), message.get("message_id")):
        return None
    if not _fields(chat, _PLAIN_CHAT, ("id", "type")) or not _ids(chat["id"]):
        return None
    if user is not None and not (_fields(user, _PLAIN_USER, ("id", "is_bot", "first_name")) and _ids(user["id"])):
        return None
    if not (type(date) is int and 0 <= date < 2**32) or not _entities(message.get("entities", [])):
        return None
    user = user or {}
    parts = [part for part in (user.get("first_name"), user.get("last_name")) if part]
    try:
        inbound = Inbound(
            address=Address(channel="telegram", user_id=str(chat["id"])),
            message_id=f"u:{data['update_id']}",
            received_at=received_at,
            kind="text",
            text=text,
            display_name=" ".join(parts) or None,
            alt_user_id=user.get("username"),
        )
    except Exception:  # what cannot be stored is logged and ignored by read_update
        return None
    return TelegramInbound(inbound)


def _fields(value: object, types: dict[str, type], required: tuple[str, ...]) -> TypeGuard[dict[str, Any]]:
    """A JSON object with the `required` keys and no key outside `types`, each value of its type (an int is not a
    bool, nor a bool an int)."""
    return (
        isinstance(value, dict)
        and all(key in value for key in required)
        and all(type(value[key]) is types.get(key) for key in value)
    )


def _ids(*values: object) -> bool:
    return all(chat_id(value) is not None for value in values)


def _entities(value: object) -> bool:
    return isinstance(value, list) and all(_fields(item, _PLAIN_ENTITY, tuple(_PLAIN_ENTITY)) for item in value)


def read_update(update: Update, received_at: datetime) -> TelegramInbound | None:
    """update_to_inbound for an update from outside: one that cannot be read or stored (python-telegram-bot checks
    no types: a message without a chat, a number for a text) is logged once as ignored, and None."""
    try:
        return update_to_inbound(update, received_at)
    except Exception as exc:  # reading is pure: whatever fails here is in the update, and fails every time
        reason = str(exc) if isinstance(exc, Unstorable) else f"malformed ({type(exc).__name__})"
        log.warning("telegram: update %.40r ignored: %s", update.update_id, reason)
        return None


def update_to_inbound(update: Update, received_at: datetime) -> TelegramInbound | None:
    """The Inbound an update means, or None for updates the bot ignores (edits, channel posts, ...).

    Raises Unstorable (or another error) for an update that does not hold what Telegram's would."""
    _integer(update.update_id, "update id")
    if update.callback_query is not None:
        return _from_callback(update, received_at)
    if update.message is not None:
        return _from_message(update.update_id, update.message, received_at)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        status = member.new_chat_member.status
        if status not in ("kicked", "member"):
            return None
        return TelegramInbound(
            Inbound(
                address=_address(member.chat),
                message_id=f"u:{update.update_id}",
                received_at=received_at,
                kind="blocked" if status == "kicked" else "unblocked",
                display_name=_display_name(member.from_user),
            )
        )
    return None


def _from_message(update_id: int, message: Message, received_at: datetime) -> TelegramInbound | None:
    def inbound(
        kind: InboundKind, text: str, unsupported_type: str | None = None, upload: Upload | None = None
    ) -> TelegramInbound:
        return TelegramInbound(
            Inbound(
                address=_address(message.chat),
                message_id=f"u:{update_id}",
                received_at=received_at,
                kind=kind,
                text=text,
                unsupported_type=unsupported_type,
                display_name=_display_name(message.from_user),
                alt_user_id=_username(message.from_user),
                upload=upload,
            )
        )

    if message.text is not None:
        return inbound("text", _string(message.text, "text"))
    document = message.document
    if document is not None and not message.animation:
        caption = message.caption if isinstance(message.caption, str) else ""
        size = document.file_size if isinstance(document.file_size, int) else None
        name = document.file_name if isinstance(document.file_name, str) else ""
        mime = document.mime_type if isinstance(document.mime_type, str) else ""
        upload = Upload(name, mime, size, ref=_string(document.file_id, "file id"))
        return inbound("document", caption, upload=upload)
    for field in _UNSUPPORTED_FIELDS:
        if getattr(message, field, None):
            caption = message.caption if isinstance(message.caption, str) else ""
            return inbound("unsupported", caption, unsupported_type=field)
    return None  # service messages: joins, pins, ...


def _from_callback(update: Update, received_at: datetime) -> TelegramInbound | None:
    query = update.callback_query
    assert query is not None
    carrier = query.message
    chat = carrier.chat if carrier is not None else query.from_user
    query_id = _string(query.id, "callback query id")
    option_id = decode_callback(query.data) if isinstance(query.data, str) else None
    pressed = None
    if carrier is not None and option_id is not None:
        shown = carrier if isinstance(carrier, Message) else None  # older messages come without their contents
        question = shown.text if shown is not None and isinstance(shown.text, str) else None
        title = _button_title(shown, query.data)
        pressed = Pressed(str(_integer(carrier.message_id, "message id")), title, question)
    inbound = Inbound(
        address=_address(chat),
        message_id=f"cb:{query_id}",
        received_at=received_at,
        kind="choice" if option_id is not None else "unsupported",
        choice=option_id,
        unsupported_type=None if option_id is not None else "callback",
        display_name=_display_name(query.from_user),
        alt_user_id=_username(query.from_user),
        pressed=pressed,
    )
    return TelegramInbound(inbound, callback_query_id=query_id)


def _button_title(message: Message | None, data: str | None) -> str | None:
    """The words on the pressed button, read from the keyboard the press came from."""
    if message is None or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data and isinstance(button.text, str):
                return button.text
    return None


def _address(chat: Chat | User | None) -> Address:
    if chat is None:
        raise Unstorable("no chat")
    return Address(channel="telegram", user_id=str(_integer(chat.id, "chat id")))


def _display_name(user: User | None) -> str | None:
    if user is None:
        return None
    parts = [part for part in (user.first_name, user.last_name) if isinstance(part, str) and part]
    return " ".join(parts) or None


def _username(user: User | None) -> str | None:
    return user.username if user is not None and isinstance(user.username, str) else None


def chat_id(value: object) -> int | None:
    """A Telegram chat id (a 64-bit integer, as Telegram sends them), or None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63 else None


def _integer(value: object, what: str) -> int:
    number = chat_id(value)
    if number is None:
        raise Unstorable(f"{what} {value!r:.40} is not a 64-bit integer")
    return number


def _string(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise Unstorable(f"{what} is not a string")
    return value
