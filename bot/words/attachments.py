"""What an attachment may be on each platform (types by file name, sizes in decimal MB as the platforms count them,
whether the bytes are what the name says), and how a platform knows a stored one (MediaKey, MediaIds)."""

from __future__ import annotations

import asyncio
import io
import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.words.messages import AttachmentKind

MB = 1_000_000
UPLOAD_LIMITS: Mapping[str, Mapping[AttachmentKind, int]] = {
    "telegram": {"photo": 10 * MB, "document": 50 * MB},  # Bot API multipart sendPhoto / sendDocument
    "whatsapp": {"photo": 5 * MB, "document": 100 * MB},  # Cloud API media: JPEG/PNG images, documents
}
PLATFORMS = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
# By file name suffix: WhatsApp's image and document types (Telegram takes any file as a document).
FILE_TYPES: Mapping[str, tuple[AttachmentKind, str]] = {
    ".png": ("photo", "image/png"),
    ".jpg": ("photo", "image/jpeg"),
    ".jpeg": ("photo", "image/jpeg"),
    ".pdf": ("document", "application/pdf"),
    ".doc": ("document", "application/msword"),
    ".docx": ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xls": ("document", "application/vnd.ms-excel"),
    ".xlsx": ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".ppt": ("document", "application/vnd.ms-powerpoint"),
    ".pptx": ("document", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ".txt": ("document", "text/plain"),
}


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word, Excel and PowerPoint 97-2003
ZIP = b"PK\x03\x04"
SIGNATURES: Mapping[str, bytes] = {
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".pdf": b"%PDF-",
    ".doc": OLE2,
    ".xls": OLE2,
    ".ppt": OLE2,
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".pptx": ZIP,
}
OFFICE_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}  # where each Office file keeps its content
KNOWN = (
    ("PNG", b"\x89PNG"),
    ("JPEG", b"\xff\xd8\xff"),
    ("PDF", b"%PDF-"),
    ("Office 97-2003", OLE2),
    ("ZIP", ZIP),
    ("GIF", b"GIF8"),
    ("EXE", b"MZ"),
)


def content_type_of(data: bytes) -> str:
    """What the bytes look like, for people ("HTML", "PDF", ...; "?" when unknown)."""
    for name, signature in KNOWN:
        if data.startswith(signature):
            return name
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<?xml", b"<svg")):
        return "HTML/XML"
    return "?"


def content_matches(suffix: str, data: bytes) -> bool:
    """True when the bytes are what the file name's suffix says (a renamed HTML page is no PNG)."""
    suffix = suffix.lower()
    if suffix == ".txt":
        return b"\x00" not in data and content_type_of(data) in ("?", "HTML/XML")
    signature = SIGNATURES.get(suffix)
    if signature is None or not data.startswith(signature):
        return False
    if suffix in OFFICE_FOLDERS:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(OFFICE_FOLDERS[suffix]) for n in names)
    return True


def upload_limit(channel: str, kind: AttachmentKind) -> int:
    """The largest picture or document `channel` accepts, in bytes."""
    return UPLOAD_LIMITS[channel][kind]


def common_limit(kind: AttachmentKind) -> tuple[int, str]:
    """The largest picture or document every platform accepts, and the name of the platform whose limit that is."""
    return min((limits[kind], PLATFORMS[channel]) for channel, limits in UPLOAD_LIMITS.items())


def megabytes(size: int) -> str:
    """A size for people in decimal MB, like the limits: "50 MB", or rounded up, "5.1 MB" (never shows 5 for 5.0001)."""
    return f"{size // MB} MB" if size % MB == 0 else f"{math.ceil(size / (MB // 10)) / 10} MB"


@dataclass(frozen=True)
class MediaKey:
    """One stored file as one platform account knows it."""

    channel: str  # telegram | whatsapp
    account: str  # the bot (Telegram) or business phone number (WhatsApp) the platform's id belongs to
    file_id: int  # the stored file (storage.models.StoredFile)
    variant: str  # what else the platform's id fixes: the kind, a Telegram document's name, a WhatsApp MIME type


class MediaIds(Protocol):
    """The platforms' ids of stored files. Never raises: a failure to keep an id only costs an upload later."""

    async def known(self, key: MediaKey, max_age: timedelta | None = None) -> str | None:
        """The id kept for `key` (uploaded less than `max_age` ago, when given), or None."""
        ...

    async def remember(self, key: MediaKey, platform_id: str) -> None:
        """Keep the id an upload just gave (replacing the one kept before)."""
        ...

    async def forget(self, key: MediaKey, platform_id: str) -> None:
        """The platform refused `platform_id`: forget it (unless another upload replaced it already)."""
        ...

    def lock(self, key: MediaKey) -> asyncio.Lock:
        """Held while `key` is uploaded, so that the other sends of the file in this process wait and reuse its id."""
        ...
