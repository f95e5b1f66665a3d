"""Who is who: regions, cooperatives, their officers, the office's staff, chat accounts and their conversations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Region(Base):
    """A kota/kabupaten, kecamatan or kelurahan/desa."""

    __tablename__ = "regions"
    # the review list walks the kecamatan in name order (storage.repositories.reviews): ix_regions_name
    __table_args__ = (UniqueConstraint("kind", "name", "parent_id"), Index("ix_regions_name", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # kota | kabupaten | kecamatan | kelurahan | desa
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))


class Cooperative(Base):
    """A registered cooperative (koperasi) of the city."""

    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # the office's list sorts by lower(name), then id: a page is read from this index instead of sorting every name
    __table_args__ = (Index("ix_cooperatives_name_lower", func.lower(name), id),)
    nik: Mapped[str | None] = mapped_column(String(40), unique=True)
    legal_entity_number: Mapped[str | None] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(16))  # ksp | usp | konsumen | produsen | pemasaran | jasa
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # kkmp, kopontren, ...
    has_savings_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer, default=1)
    rat_date: Mapped[date | None] = mapped_column(Date)
    founded_on: Mapped[date | None] = mapped_column(Date)
    nik_valid_until: Mapped[date | None] = mapped_column(Date)
    ods_updated_on: Mapped[date | None] = mapped_column(Date)
    members: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(300))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Officer(Base):
    """A person who reports for one cooperative (pengurus, pengawas, manajer)."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # ketua | sekretaris | bendahara | pengawas | manajer
    language: Mapped[str] = mapped_column(String(2), default="id")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | inactive
    announcements_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficeStaff(Base):
    """A person of the Dinas: admin (everything), pembina (coach, optional kecamatan scope), viewer."""

    __tablename__ = "office_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # admin | pembina | viewer
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    language: Mapped[str] = mapped_column(String(2), default="id")
    status: Mapped[str] = mapped_column(String(16), default="active")
    login: Mapped[str | None] = mapped_column(String(60), unique=True)  # the office web app's user name
    password_hash: Mapped[str | None] = mapped_column(String(200))  # Argon2; None: login links only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelIdentity(Base):
    """One chat account on one channel; points to an officer or a staff member once registered."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # telegram | whatsapp | console
    external_id: Mapped[str] = mapped_column(String(64))  # chat id, wa_id
    alt_external_id: Mapped[str | None] = mapped_column(String(64), index=True)  # WhatsApp BSUID
    display_name: Mapped[str | None] = mapped_column(String(120))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(2))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    unreachable_since: Mapped[datetime | None] = mapped_column()
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """What one chat identity is doing with the bot right now; the row that serialises its messages."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identities.id"), unique=True)
    handler: Mapped[str | None] = mapped_column(String(40))
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
