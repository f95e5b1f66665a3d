"""Telegram's errors as the delivery reads them (sent, retry later, unreachable, failed), and the breaker that holds
every message while Telegram refuses the bot's token."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.senders import SendOutcome
from bot.logs import TOKEN_IN_URL

log = logging.getLogger(__name__)

# The last error of a message held back while Telegram refuses the token; the channel releases exactly these.
HELD_ERROR = "token rejected: held until Telegram accepts the bot token again"
HOLD_SECONDS = 600.0  # a held message is offered again after this even when nothing released it sooner
# How Telegram refuses a file_id it does not know (any more, or from another bot): the file is uploaded again.
FILE_ID_REFUSED = ("wrong file identifier", "wrong remote file id", "file reference", "type of file mismatch")


def redact(text: str) -> str:
    """`text` with every bot token (as in API URLs) replaced, safe to log or to show the office."""
    return TOKEN_IN_URL.sub("bot***", text)


def classify_error(exc: TelegramError) -> SendOutcome:
    """What a delivery worker should do about a Telegram error (platforms.md §1.6)."""
    reason = redact(exc.message)[:200]
    lowered = reason.lower()
    if isinstance(exc, RetryAfter):
        return SendOutcome("retry", retry_after=retry_after_seconds(exc), error=reason)
    if isinstance(exc, InvalidToken):
        return SendOutcome("auth_failed", error=reason)
    if isinstance(exc, Forbidden):
        return SendOutcome("unreachable", error=reason)
    if isinstance(exc, ChatMigrated):
        return SendOutcome("failed", error=f"chat migrated to supergroup {exc.new_chat_id}")
    if isinstance(exc, BadRequest):
        if "chat not found" in lowered or "user not found" in lowered:
            return SendOutcome("unreachable", error=reason)
        return SendOutcome("failed", error=reason)
    if isinstance(exc, TimedOut):
        return SendOutcome("retry", error=f"timed out: {reason}")
    if isinstance(exc, NetworkError):
        return SendOutcome("retry", error=reason)
    if isinstance(exc, Conflict):
        return SendOutcome("failed", error=reason)
    return SendOutcome("failed", error=reason)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TokenBreaker:
    """Open while Telegram refuses the bot token (401): no API call goes out, messages wait in the outbox.

    Whatever meets the 401 first trips it (one error in the log); the channel then checks the token with getMe
    every so often and closes it when getMe works, and the held messages are released.
    """

    def __init__(self) -> None:
        self.reason: str | None = None
        self._opened = asyncio.Event()
        self._closed = asyncio.Event()
        self._closed.set()

    @property
    def is_open(self) -> bool:
        return self.reason is not None

    def trip(self, call: str, exc: InvalidToken) -> None:
        """Open, naming the refused call in the log (never the token, nor PTB's message, which may hold it)."""
        if self.reason is not None:
            return
        self.reason = _rejection(exc)
        self._closed.clear()
        self._opened.set()
        log.error(
            "telegram: %s: Telegram refused the bot token on %s. Nothing is sent and messages wait in the outbox; "
            "the token is checked with getMe every so often and sending resumes when it works. "
            "If it was revoked, put the new one in KOPSEHAT_TELEGRAM_TOKEN and restart.",
            self.reason,
            call,
        )

    def reset(self) -> bool:
        """Close (the token works again); False when it was not open."""
        if self.reason is None:
            return False
        self.reason = None
        self._opened.clear()
        self._closed.set()
        log.warning("telegram: the bot token works again (getMe); sending resumed")
        return True

    async def wait_opened(self) -> None:
        await self._opened.wait()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    @staticmethod
    def held(sent: tuple[str, ...] = ()) -> SendOutcome:
        """What a send says while the token is refused: try later, the message stays pending (never failed)."""
        return SendOutcome("auth_failed", sent, retry_after=HOLD_SECONDS, error=HELD_ERROR)


def _rejection(exc: InvalidToken) -> str:
    """PTB raises InvalidToken for 401 and for 404 (a malformed token); the health reason names which."""
    cause = exc.__cause__
    messages = [exc.message, cause.message if isinstance(cause, TelegramError) else ""]
    return "token rejected (404)" if any("not found" in m.lower() for m in messages) else "token rejected (401)"


def file_id_refused(exc: Exception) -> bool:
    return isinstance(exc, BadRequest) and any(text in exc.message.lower() for text in FILE_ID_REFUSED)
