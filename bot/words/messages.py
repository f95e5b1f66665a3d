"""The messages the bot sends, whatever the door: a reply (text, choices, an attachment) and a notice (a reply the
bot starts, with the key that makes it happen once). The use cases compose notices with these; bot.chat adds what
comes in (bot.chat.messages)."""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

AttachmentKind = Literal["photo", "document"]

# What the database can hold (storage.models): a platform's message id, a user id, a display name.
MESSAGE_ID_MAX = 128
USER_ID_MAX = 64
NAME_MAX = 120
TEXT_MAX = 4096  # Telegram's and WhatsApp's own limit for a text message
SHORT_MAX = 256  # a button id or title, a kind of message
# NUL (PostgreSQL text refuses it), other control characters but tab and line breaks, and lone surrogates
# (they cannot be encoded to UTF-8).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class Unstorable(ValueError):
    """A message that can never be stored as it is (its id or its sender's): the edge ignores it."""


def storable(text: str, limit: int) -> str:
    """`text` without the characters a database cannot hold, at most `limit` characters long."""
    return _UNSTORABLE.sub("", text)[:limit]


def check_id(value: str, what: str, limit: int) -> str:
    """An id as it is stored and compared, or Unstorable: ids are never altered (a repeat must match)."""
    if not value or len(value) > limit or _UNSTORABLE.search(value):
        raise Unstorable(f"{what} {value[:40]!r}{'...' if len(value) > 40 else ''} cannot be stored")
    return value


def clean(value: object, **limits: int) -> None:
    """Clean the named string fields of a frozen dataclass in place (see `storable`)."""
    for name, limit in limits.items():
        current = getattr(value, name)
        if isinstance(current, str) and (cleaned := storable(current, limit)) != current:
            object.__setattr__(value, name, cleaned)


@dataclass(frozen=True)
class Pressed:
    """A button pressed on one of the bot's messages: that message, the button's words, the question it asked."""

    message_id: str
    title: str | None = None
    question: str | None = None

    def __post_init__(self) -> None:
        clean(self, message_id=SHORT_MAX, title=SHORT_MAX, question=TEXT_MAX)

    def to_json(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "title": self.title, "question": self.question}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Pressed:
        return cls(message_id=str(raw["message_id"]), title=raw.get("title"), question=raw.get("question"))


@dataclass(frozen=True)
class Choice:
    """An option offered with a reply; `id` is what comes back when it is chosen (at most 48 bytes).

    With `url` it opens a page instead where a channel can (Telegram: a link button, or with `web_app` a Mini App
    inside Telegram); a channel that cannot shows it as an option like any other.
    """

    id: str
    title: str
    description: str | None = None
    url: str | None = None
    web_app: bool = False

    def __post_init__(self) -> None:
        if not self.id or len(self.id.encode()) > 48:
            raise ValueError(f"Choice id must be 1..48 bytes: {self.id!r}")


MAX_FILENAME = 120
DEFAULT_FILENAME = "lampiran"


def safe_filename(name: str) -> str:
    """A file name every platform and file system takes: no control or invisible characters (a newline breaks the
    upload's headers, U+202E reverses what people read), no folders, no quotes, at most 120 characters, suffix kept."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    text = " ".join(text.replace("/", "_").replace("\\", "_").replace('"', "'").split())
    stem, dot, suffix = text.rpartition(".")
    if not dot or not suffix.strip() or len(suffix) > 10:
        stem, suffix = text, ""
    suffix = f".{suffix}" if suffix else ""
    stem = stem.strip(". ")[: MAX_FILENAME - len(suffix)].rstrip(". ") or DEFAULT_FILENAME
    return stem + suffix


@dataclass(frozen=True)
class Attachment:
    """A picture or a document sent with a reply; from a `chart` spec or a stored `file_id`, bytes come at send time."""

    kind: AttachmentKind
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    caption: str = ""
    chart: dict[str, Any] | None = field(default=None, repr=False, compare=False)  # drawn at send time
    file_id: int | None = None  # a stored file (storage.models.StoredFile), read at send time

    def __post_init__(self) -> None:
        object.__setattr__(self, "filename", safe_filename(self.filename))  # also for rows stored before

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "content_type": self.content_type,
            "data": "" if self.file_id is not None else base64.b64encode(self.data).decode("ascii"),
            "caption": self.caption,
            "chart": self.chart,
            "file_id": self.file_id,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Attachment:
        return cls(
            kind=raw["kind"],
            filename=raw["filename"],
            content_type=raw["content_type"],
            data=base64.b64decode(raw.get("data") or ""),
            caption=raw.get("caption", ""),
            chart=raw.get("chart"),
            file_id=raw.get("file_id"),
        )


@dataclass(frozen=True)
class Reply:
    """One message to send: text, optional choices (buttons or a numbered list) and an optional attachment.

    `confirms` carries the words of a pressed button, and `answers` the press itself, so a channel can edit the
    question to show the answer (also when the reply is sent later, from the outbox).
    """

    text: str
    choices: tuple[Choice, ...] = ()
    attachment: Attachment | None = None
    confirms: str | None = None
    answers: Pressed | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "choices": [_choice_json(c) for c in self.choices],
            "attachment": self.attachment.to_json() if self.attachment else None,
            "confirms": self.confirms,
            "answers": self.answers.to_json() if self.answers else None,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Reply:
        return cls(
            text=raw["text"],
            choices=tuple(
                Choice(c["id"], c["title"], c.get("description"), c.get("url"), bool(c.get("web_app")))
                for c in raw.get("choices", [])
            ),
            attachment=Attachment.from_json(raw["attachment"]) if raw.get("attachment") else None,
            confirms=raw.get("confirms"),
            answers=Pressed.from_json(raw["answers"]) if raw.get("answers") else None,
        )


def _choice_json(choice: Choice) -> dict[str, Any]:
    found: dict[str, Any] = {"id": choice.id, "title": choice.title, "description": choice.description}
    if choice.url is not None:
        found.update(url=choice.url, web_app=choice.web_app)
    return found


NoticeKind = Literal[
    "report_open",
    "report_reminder",
    "report_late",
    "training_invite",
    "training_reminder",
    "rat_reminder",
    "nik_reminder",
    "ods_reminder",
    "announcement",
    "staff_summary",
    "plan_reminder",
    "follow_up",
    "report_sent_back",
]


@dataclass(frozen=True)
class Notice:
    """A business-initiated message for one person, with the key that makes it happen at most once."""

    kind: NoticeKind
    dedupe_key: str
    reply: Reply
    priority: int = 5
    template_params: tuple[str, ...] = ()
