"""Telegram Mini App sign-in data (`initData`): checked with the bot token, as Telegram's documentation says."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=24)  # the form's link lives as long


def _hash(secret: bytes, fields: dict[str, str]) -> str:
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def telegram_user(init_data: str, bot_token: str, now: datetime) -> str | None:
    """The Telegram user id `init_data` was signed for, when Telegram signed it for this bot within 24 hours (None:
    forged, altered, stale or malformed). The hash covers every field but itself; a newer client's `signature` (for
    third parties) is accepted in or out of it."""
    if not init_data or len(init_data) > 4096:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    given = fields.pop("hash", "")
    if not given or len(fields) + 1 != len(pairs):  # no hash, or a field twice
        return None
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    without = {k: v for k, v in fields.items() if k != "signature"}
    if not any(hmac.compare_digest(given, _hash(secret, f)) for f in (fields, without)):
        return None
    try:
        signed_at = datetime.fromtimestamp(int(fields.get("auth_date", "")), now.tzinfo)
        user = json.loads(fields.get("user", ""))
        user_id = user["id"] if isinstance(user, dict) else None
    except (ValueError, OverflowError, OSError, KeyError):
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not now - MAX_AGE <= signed_at <= now + MAX_AGE:
        return None
    return str(user_id)
