"""WhatsApp Cloud API inbound edge: webhook signature, subscription handshake, payload -> Inbound values."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

from bot.chat.messages import MESSAGE_ID_MAX, USER_ID_MAX, Address, Inbound, Unstorable, Upload, check_id, storable

log = logging.getLogger(__name__)

StatusName = Literal["sent", "delivered", "read", "failed"]
_STATUSES: frozenset[str] = frozenset({"sent", "delivered", "read", "failed"})
_BSUID = re.compile(r"^[A-Z]{2}\.")
# Kinds a user can send that the bot answers with "jenis pesan belum didukung".
_IGNORED_TYPES: frozenset[str] = frozenset({"reaction", "system"})


def meta_signature_ok(raw: bytes, header: str | None, app_secret: str | bytes) -> bool:
    """True when `header` is "sha256=<hex HMAC-SHA256 of the raw body keyed with the App Secret>"."""
    if not header or not app_secret:
        return False
    given = header.strip().lower()
    if not given.startswith("sha256="):
        return False
    key = app_secret.encode() if isinstance(app_secret, str) else app_secret
    expected = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
    # Compare bytes: compare_digest refuses non-ASCII str, and a header is attacker-controlled.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def verify_subscription(mode: str | None, token: str | None, challenge: str | None, verify_token: str) -> str | None:
    """The challenge to echo (200 text/plain) when Meta's GET handshake is genuine, else None (403)."""
    if mode != "subscribe" or token is None or challenge is None or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt for one of our messages (they arrive out of order and may repeat)."""

    provider_message_id: str
    status: StatusName
    timestamp: datetime
    recipient: str | None = None
    recipient_user_id: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    error_detail: str | None = None
    callback_data: str | None = None


@dataclass(frozen=True)
class ProviderError:
    """An error Meta reports in a webhook without tying it to a message status (`value.errors[]`)."""

    code: int | None
    title: str | None
    detail: str | None


@dataclass
class WebhookBatch:
    """Everything one webhook POST carried for our phone number."""

    messages: list[Inbound] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)


def parse_webhook(payload: Any, phone_number_id: str) -> WebhookBatch:
    """Turn a verified webhook payload into Inbound and StatusUpdate values; malformed parts are skipped."""
    batch = WebhookBatch()
    for entry in _dicts(_get(payload, "entry"), "entry"):
        for change in _dicts(entry.get("changes"), "change"):
            value = change.get("value")
            if change.get("field") != "messages":
                log.info("whatsapp webhook: ignoring change field %r", _short(change.get("field")))
                continue
            if not isinstance(value, dict):
                log.warning("whatsapp webhook: change without a value object")
                continue
            metadata = value.get("metadata")
            their_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if their_id != phone_number_id:
                log.warning("whatsapp webhook: ignoring change for phone number id %r", _short(their_id))
                continue
            _parse_value(value, batch)
    return batch


def _parse_value(value: dict[str, Any], batch: WebhookBatch) -> None:
    contacts = list(_dicts(value.get("contacts"), "contact"))
    for message in _dicts(value.get("messages"), "message"):
        try:
            inbound = _parse_message(message, contacts)
        except Unstorable as exc:
            log.warning("whatsapp webhook: message ignored: %s", exc)
            continue
        if inbound is not None:
            batch.messages.append(inbound)
    for status in _dicts(value.get("statuses"), "status"):
        update = _parse_status(status)
        if update is not None:
            batch.statuses.append(update)
    for error in _dicts(value.get("errors"), "error"):
        batch.errors.append(_provider_error(error))
        log.warning("whatsapp webhook: provider error %s", batch.errors[-1])


def _parse_message(message: dict[str, Any], contacts: list[dict[str, Any]]) -> Inbound | None:
    message_id = _str(message.get("id"))
    received_at = _timestamp(message.get("timestamp"))
    kind = _str(message.get("type"))
    if message_id is None or received_at is None or kind is None:
        log.warning("whatsapp webhook: message without id, timestamp or type skipped")
        return None
    if kind in _IGNORED_TYPES:
        log.info("whatsapp webhook: %s message %s ignored", _short(kind), _short(message_id))
        return None
    identity = _identity(message, contacts)
    if identity is None:
        log.warning("whatsapp webhook: message %s has no sender id; skipped", _short(message_id))
        return None
    address, alt_user_id, display_name = identity
    common: dict[str, Any] = {
        "address": address,
        "message_id": message_id,
        "received_at": received_at,
        "display_name": display_name,
        "alt_user_id": alt_user_id,
    }
    body = message.get(kind)
    body = body if isinstance(body, dict) else {}
    if kind == "text":
        text = _str(body.get("body"))
        if text is None:
            log.warning("whatsapp webhook: text message %s without a body skipped", _short(message_id))
            return None
        return Inbound(kind="text", text=text, **common)
    if kind == "interactive":
        reply_type = _str(body.get("type"))
        reply = body.get(reply_type) if reply_type in ("button_reply", "list_reply") else None
        if isinstance(reply, dict) and _str(reply.get("id")):
            return Inbound(kind="choice", choice=reply["id"], text=_str(reply.get("title")) or "", **common)
        return Inbound(kind="unsupported", unsupported_type=f"interactive:{reply_type}", **common)
    if kind == "button":
        payload = _str(body.get("payload"))
        if payload:
            return Inbound(kind="choice", choice=payload, text=_str(body.get("text")) or "", **common)
        return Inbound(kind="text", text=_str(body.get("text")) or "", **common)
    if kind == "document" and _str(body.get("id")):
        name = _str(body.get("filename")) or ""
        upload = Upload(name, _str(body.get("mime_type")) or "", None, ref=body["id"])
        return Inbound(kind="document", text=_str(body.get("caption")) or "", upload=upload, **common)
    # image, audio, video, sticker, location, contacts, unsupported and anything new.
    return Inbound(kind="unsupported", unsupported_type=kind, text=_str(body.get("caption")) or "", **common)


def _identity(message: dict[str, Any], contacts: list[dict[str, Any]]) -> tuple[Address, str | None, str | None] | None:
    """(address, BSUID when the address is the phone, profile name) for a message's sender."""
    sender = _str(message.get("from"))
    bsuid = _str(message.get("from_user_id"))
    phone = sender
    if sender is not None and _BSUID.match(sender):
        phone = None
        bsuid = bsuid or sender
    contact = _matching_contact(contacts, phone, bsuid)
    if contact is not None:
        contact_phone = _str(contact.get("wa_id"))
        if phone is None and contact_phone and not _BSUID.match(contact_phone):
            phone = contact_phone
        bsuid = bsuid or _str(contact.get("user_id"))
    user_id = phone or bsuid
    if not user_id:
        return None
    profile = contact.get("profile") if contact is not None else None
    name = _str(profile.get("name")) if isinstance(profile, dict) else None
    return Address(channel="whatsapp", user_id=user_id), (bsuid if phone else None), name


def _matching_contact(contacts: list[dict[str, Any]], phone: str | None, bsuid: str | None) -> dict[str, Any] | None:
    ids = {known for known in (phone, bsuid) if known}
    for contact in contacts:
        if _str(contact.get("wa_id")) in ids or _str(contact.get("user_id")) in ids:
            return contact
    if len(contacts) == 1 and phone is None and bsuid is None:
        return contacts[0]
    return None


def _parse_status(status: dict[str, Any]) -> StatusUpdate | None:
    message_id = _id(status.get("id"), MESSAGE_ID_MAX)
    name = _str(status.get("status"))
    timestamp = _timestamp(status.get("timestamp"))
    if message_id is None or timestamp is None or name not in _STATUSES:
        log.warning("whatsapp webhook: status %s skipped (no usable id or timestamp, or unknown)", _short(name))
        return None
    errors = list(_dicts(status.get("errors"), "status error"))
    error = _provider_error(errors[0]) if errors else None
    return StatusUpdate(
        provider_message_id=message_id,
        status=cast(StatusName, name),
        timestamp=timestamp,
        recipient=_id(status.get("recipient_id"), USER_ID_MAX),
        recipient_user_id=_id(status.get("recipient_user_id"), USER_ID_MAX),
        error_code=error.code if error else None,
        error_title=error.title if error else None,
        error_detail=error.detail if error else None,
        callback_data=_id(status.get("biz_opaque_callback_data"), 512),
    )


def _provider_error(error: dict[str, Any]) -> ProviderError:
    code = error.get("code")
    data = error.get("error_data")
    detail = _str(data.get("details")) if isinstance(data, dict) else None
    return ProviderError(
        code=code if isinstance(code, int) and not isinstance(code, bool) and abs(code) < 2**31 else None,
        title=_words(_str(error.get("title")) or _str(error.get("message"))),
        detail=_words(detail),
    )


def _get(payload: Any, key: str) -> Any:
    return payload.get(key) if isinstance(payload, dict) else None


def _dicts(items: Any, what: str) -> list[dict[str, Any]]:
    """The dict elements of a list; anything else is logged and left out."""
    if items is None:
        return []
    if not isinstance(items, list):
        log.warning("whatsapp webhook: %s list expected, got %s", what, type(items).__name__)
        return []
    good = [item for item in items if isinstance(item, dict)]
    if len(good) != len(items):
        log.warning("whatsapp webhook: %d malformed %s element(s) skipped", len(items) - len(good), what)
    return good


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _id(value: Any, limit: int) -> str | None:
    """A string id that can be stored and looked up as it is, else None."""
    try:
        return check_id(value, "id", limit) if isinstance(value, str) else None
    except Unstorable:
        return None


def _words(value: str | None) -> str | None:
    return storable(value, 500) if value is not None else None


def _timestamp(value: Any) -> datetime | None:
    """Meta's unix-seconds timestamp (a string, sometimes a number) as an aware UTC datetime."""
    if isinstance(value, bool):
        return None
    try:
        seconds = int(value) if isinstance(value, (str, int)) else None
        return datetime.fromtimestamp(seconds, tz=UTC) if seconds is not None else None
    except (ValueError, OverflowError, OSError):
        return None


def _short(value: Any) -> str:
    return repr(value)[:80]
