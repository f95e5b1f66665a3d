"""Channel-neutral message values: what the edges turn platform updates into, and what handlers return.

What the bot sends (Reply, Choice, Attachment, Notice) lives in bot.words.messages, below the use cases that compose
notices; it is re-exported here for the conversation's side, which deals in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.words.messages import (
    MESSAGE_ID_MAX,
    NAME_MAX,
    SHORT_MAX,
    TEXT_MAX,
    USER_ID_MAX,
    Attachment,
    AttachmentKind,
    Choice,
    Notice,
    NoticeKind,
    Pressed,
    Reply,
    Unstorable,
    check_id,
    clean,
    safe_filename,
    storable,
)

__all__ = [
    "MESSAGE_ID_MAX",
    "NAME_MAX",
    "SHORT_MAX",
    "TEXT_MAX",
    "UPLOAD_MAX",
    "USER_ID_MAX",
    "Address",
    "Attachment",
    "AttachmentKind",
    "ChannelName",
    "Choice",
    "Inbound",
    "InboundKind",
    "Notice",
    "NoticeKind",
    "Pressed",
    "Reply",
    "Unstorable",
    "Upload",
    "check_id",
    "safe_filename",
    "storable",
]

ChannelName = Literal["telegram", "whatsapp", "console"]
InboundKind = Literal["text", "choice", "document", "unsupported", "blocked", "unblocked"]


@dataclass(frozen=True)
class Address:
    """One chat user on one channel (Telegram chat id, WhatsApp wa_id, console user name)."""

    channel: ChannelName
    user_id: str


UPLOAD_MAX = 2_000_000  # the largest file a user sends that the edges fetch (a report workbook is far smaller)


@dataclass(frozen=True)
class Upload:
    """A document a user sent: its name, type and size as the platform says, and its bytes once fetched (None when
    it was too large to fetch, or the platform would not give it)."""

    filename: str
    content_type: str
    size: int | None
    ref: str = ""  # the platform's id for fetching it (Telegram file_id, WhatsApp media id)
    data: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "filename", safe_filename(self.filename))

    @property
    def too_large(self) -> bool:
        return (self.size or 0) > UPLOAD_MAX or (self.data is not None and len(self.data) > UPLOAD_MAX)


@dataclass(frozen=True)
class Inbound:
    """One message from a user, stripped of everything platform-specific."""

    address: Address
    message_id: str
    received_at: datetime
    kind: InboundKind = "text"
    text: str = ""
    choice: str | None = None
    display_name: str | None = None
    alt_user_id: str | None = None
    unsupported_type: str | None = None
    pressed: Pressed | None = None  # a choice made with a button of this message (channels that can edit it)
    upload: Upload | None = None  # kind "document": the file sent

    def __post_init__(self) -> None:
        """Ids must be storable as they are (else Unstorable); the words are cleaned and bounded."""
        if self.received_at.tzinfo is None:
            raise ValueError("Inbound.received_at must be timezone-aware")
        check_id(self.message_id, "message id", MESSAGE_ID_MAX)
        check_id(self.address.user_id, "sender", USER_ID_MAX)
        clean(self, text=TEXT_MAX, choice=SHORT_MAX, display_name=NAME_MAX, unsupported_type=SHORT_MAX)
        if self.alt_user_id is not None:
            try:
                check_id(self.alt_user_id, "alternative sender id", USER_ID_MAX)
            except Unstorable:  # a second id that cannot be stored as it is, is not kept
                object.__setattr__(self, "alt_user_id", None)
