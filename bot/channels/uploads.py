"""What the platforms accept as an uploaded picture or document (sizes in decimal MB, as the platforms count them)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from bot.chat.messages import AttachmentKind

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


def upload_limit(channel: str, kind: AttachmentKind) -> int:
    """The largest picture or document `channel` accepts, in bytes."""
    return UPLOAD_LIMITS[channel][kind]


def common_limit(kind: AttachmentKind) -> tuple[int, str]:
    """The largest picture or document every platform accepts, and the name of the platform whose limit that is."""
    return min((limits[kind], PLATFORMS[channel]) for channel, limits in UPLOAD_LIMITS.items())


def megabytes(size: int) -> str:
    """A size for people in decimal MB, like the limits: "50 MB", or rounded up, "5.1 MB" (never shows 5 for 5.0001)."""
    return f"{size // MB} MB" if size % MB == 0 else f"{math.ceil(size / (MB // 10)) / 10} MB"
