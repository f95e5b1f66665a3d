"""SQLAlchemy 2 models: the data of the whole mission. Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import ExactDecimal, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (for migrations on both backends)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: ExactDecimal(),
        dict[str, Any]: JSON(),
    }


class Region(Base):
    """A kota/kabupaten, kecamatan or kelurahan/desa."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("kind", "name", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # kota | kabupaten | kecamatan | kelurahan | desa
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))


class Cooperative(Base):
    """A registered cooperative (koperasi) of the city."""

    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
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


class Invite(Base):
    """A registration code, stored only as a hash."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    role: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column()
    uses_left: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InviteAttempt(Base):
    """A wrong code (an invitation's, or an attendance code), for the limits per chat and overall; pruned."""

    __tablename__ = "invite_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="daftar", server_default="daftar")  # daftar | hadir
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ServerKey(Base):
    """A secret this deployment made for itself (the key of keyed hashes), kept so that every process uses it."""

    __tablename__ = "server_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    value: Mapped[str] = mapped_column(String(128))  # hex
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


class Report(Base):
    """The monthly report of one cooperative for one period: one draft, then submitted revisions."""

    __tablename__ = "reports"
    # who reported a period, and when, is read from ix_reports_period_status alone (rekap, report-status, the office)
    __table_args__ = (
        UniqueConstraint("cooperative_id", "period"),
        Index("ix_reports_period_status", "period", "status", "cooperative_id", "first_submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # answers so far (strings)
    draft_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    draft_updated_at: Mapped[datetime | None] = mapped_column()
    first_submitted_at: Mapped[datetime | None] = mapped_column()
    latest_revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportRevision(Base):
    """One submitted version of a report; never changed, never deleted."""

    __tablename__ = "report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # key -> decimal string / "ya" / "tidak"
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # key -> [old, new]
    # the checks' warnings when it was sent: id, kind, keys, sums compared, confirmed, the officer's reason
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportReview(Base):
    """The office's decision on one revision of a report: verified, or sent back with a reason; never changed.

    A correction adds a revision without a review: it waits for review again."""

    __tablename__ = "report_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # the revision's number
    action: Mapped[str] = mapped_column(String(16))  # verified | sent_back
    reason: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int] = mapped_column(ForeignKey("office_staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ManagementAnswer(Base):
    """The cooperative's latest yes/no answer to one management questionnaire item, carried forward."""

    __tablename__ = "management_answers"
    __table_args__ = (UniqueConstraint("cooperative_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    item_key: Mapped[str] = mapped_column(String(40))  # management.general.3
    answer: Mapped[bool] = mapped_column(Boolean)
    wording_hash: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class Assessment(Base):
    """A health assessment computed from one report revision, with the clinic's diagnosis and prescription.

    Its standing: provisional (sementara) until a pembina verifies it (terverifikasi, by whom and when); the
    year-end assessment of a book year whose RAT is recorded becomes official (resmi) once verified.
    """

    __tablename__ = "assessments"
    # the office's counts per period and category (the latest of each cooperative) read ix_assessments_latest alone
    __table_args__ = (
        Index("ix_assessments_cooperative_framework_period", "cooperative_id", "framework", "period"),
        Index("ix_assessments_latest", "framework", "period", "cooperative_id", "id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("report_revisions.id"))
    period: Mapped[str] = mapped_column(String(7))
    framework: Mapped[str] = mapped_column(String(32))
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    provisional: Mapped[bool] = mapped_column(Boolean, default=True)
    total: Mapped[Decimal | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    rules_hash: Mapped[str] = mapped_column(String(64))
    standing: Mapped[str] = mapped_column(String(16), default="provisional")  # provisional | verified | official
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    verified_at: Mapped[datetime | None] = mapped_column()
    book_year: Mapped[int | None] = mapped_column(Integer)  # set when official: the book year it closes
    special_flag: Mapped[bool] = mapped_column(Boolean, default=False)  # a flag points to DPK
    diagnosis: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # state, findings, weak keys
    prescription: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the plan's items and compliance steps
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LatestStanding(Base):
    """Each cooperative's latest assessment with one framework (the newest of its latest period), kept in the
    transaction that stores an assessment: the office's list, filters, sort and export join it by key instead of
    ranking every assessment."""

    __tablename__ = "latest_standings"
    __table_args__ = (Index("ix_latest_standings_framework_category", "framework", "category", "cooperative_id"),)

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    period: Mapped[str] = mapped_column(String(7))
    total: Mapped[Decimal | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(32))
    special_flag: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # latest's flag
    # the totals of the two assessed periods before `period` (newest first): the worklist's "falling" reads them
    previous_total: Mapped[Decimal | None] = mapped_column()
    earlier_total: Mapped[Decimal | None] = mapped_column()


class PeriodStanding(Base):
    """Each cooperative's newest assessment with one framework in each period it was assessed, kept in the
    transaction that stores an assessment: the overview's trend counts these small rows instead of ranking every
    assessment, and the latest standing's last three totals are read from them."""

    __tablename__ = "period_standings"
    __table_args__ = (Index("ix_period_standings_counts", "framework", "period", "category", "cooperative_id"),)

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    total: Mapped[Decimal | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(32))
    special_flag: Mapped[bool] = mapped_column(Boolean, default=False)


class ActionPlan(Base):
    """An action plan agreed with a cooperative: what, who, by when; open until done or cancelled."""

    __tablename__ = "action_plans"
    __table_args__ = (Index("ix_action_plans_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | cancelled
    concerns: Mapped[list[str]] = mapped_column(JSON, default=list)  # the indicators it treats
    created_by: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
    done_by: Mapped[str | None] = mapped_column(String(40))  # officer:12 | staff:3


class CoachingEntry(Base):
    """The cooperative's coaching record (rekam medis): diagnoses, prescriptions, clinic visits, notes."""

    __tablename__ = "coaching_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # clinic_visit | training | note | follow_up
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plans.id"), index=True)  # a plan's follow-up
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("coaching_entries.id"), index=True)  # a visit's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Training(Base):
    """A Bimtek, pelatihan or coaching clinic (klinik)."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # bimtek | pelatihan | klinik
    venue: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registration_deadline: Mapped[datetime | None] = mapped_column()
    attendance_code_hash: Mapped[str | None] = mapped_column(String(64))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cancelled | done
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingSession(Base):
    """One sitting of a training (a training may span days)."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()


class TrainingRegistration(Base):
    """An officer's registration: registered, waitlisted (in order), cancelled or declined."""

    __tablename__ = "training_registrations"
    __table_args__ = (UniqueConstraint("training_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attendance(Base):
    """An officer's presence at a training session."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("training_id", "officer_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


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
    """One outbound message; the dedupe key makes every reply and notice happen at most once."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_provider", "channel", "provider_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))  # external user id on that channel
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("channel_identities.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
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
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"), index=True)
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


class AuditEntry(Base):
    """Append-only log of what happened and who did it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))  # officer:12 | staff:3 | cli | system
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SchedulerTick(Base):
    """A scheduled tick that has run; its unique key makes a tick run once even across processes."""

    __tablename__ = "scheduler_ticks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffLoginLink(Base):
    """A one-time link into the office web app, stored only as the SHA-256 of its token."""

    __tablename__ = "staff_login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("office_staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """A failed sign-in to the office web app (wrong password or link), for the limits per login and per address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_login_at", "login", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
