"""What goes out and comes in: announcements, files, the outbox, inbound message ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class Announcement(Base):
    """A broadcast composed by office staff."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    text: Mapped[str] = mapped_column(Text)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    send_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | scheduled | sending | done
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredFile(Base):
    """A file sent with announcements, stored once (by its SHA-256) and referred to by id from the outbox rows."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))  # as first stored; each attachment carries its own name
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformFile(Base):
    """The id a platform gave a stored file when it was uploaded, to send it to later recipients without uploading it.

    A Telegram file_id belongs to one bot, a WhatsApp media id to one business number (`account`); `variant` holds
    what else the id fixes (the kind, and a document's file name on Telegram, the MIME type on WhatsApp).
    """

    __tablename__ = "platform_files"
    __table_args__ = (UniqueConstraint("stored_file_id", "channel", "account", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    channel: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(300))
    platform_id: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column()


class OutboxMessage(Base):
    """One outbound message; the dedupe key makes every reply and notice happen at most once.

    Who it is for and what it belongs to (`identity_id`, `officer_id`, `staff_id`, `announcement_id`) are recorded
    without foreign keys: every row is written from those rows themselves (a fan-out's INSERT ... SELECT joins them),
    none of those tables is ever deleted from, and a key checked per row cost a row lock on each recipient's officer
    and chat account, about half of an announcement's time at 240,000 officers (docs/benchmarks.md)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index(  # delivery receipts look rows up by the platform's id: rows not sent yet have none and no entry
            "ix_outbox_provider",
            "channel",
            "provider_message_id",
            postgresql_where=text("provider_message_id IS NOT NULL"),
            sqlite_where=text("provider_message_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))  # external user id on that channel
    identity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))  # reply | NoticeKind
    business_initiated: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=5)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending | sending | sent | delivered | read | failed | unreachable | needs_template | waiting
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    announcement_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class InboundMessage(Base):
    """A received message id, unique per channel: a repeat delivery is recognised and changes nothing."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    sender: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
