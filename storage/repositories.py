"""Repositories: the only way handlers and services reach the data, always inside one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from hashlib import sha256
from typing import Any, cast

from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from storage.clinic_repo import ClinicRepo
from storage.models import (
    Assessment,
    AuditEntry,
    Base,
    ChannelIdentity,
    CoachingEntry,
    Conversation,
    Cooperative,
    InboundMessage,
    Invite,
    InviteAttempt,
    ManagementAnswer,
    Officer,
    OfficeStaff,
    OutboxMessage,
    PlatformFile,
    Region,
    Report,
    ReportRevision,
    StoredFile,
    utcnow,
)


@cache
def _insert_ignore_statement(dialect: str, table_name: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once per dialect and table (values bound per call)."""
    table = Base.metadata.tables[table_name]
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing().returning(table.c.id)


@cache
def _record_inbound_statement(dialect: str) -> Any:
    """INSERT inbound ids ... ON CONFLICT DO NOTHING RETURNING the (channel, message id) pairs that were new."""
    table = Base.metadata.tables[InboundMessage.__tablename__]
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing().returning(table.c.channel, table.c.message_id)


class _Repo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def _insert_ignore(self, model: type[Any], values: dict[str, Any]) -> int | None:
        """INSERT ... ON CONFLICT DO NOTHING; the new row's id, or None when it existed."""
        result = await self.session.execute(_insert_ignore_statement(self.dialect, model.__tablename__), values)
        row = result.first()
        return None if row is None else int(row[0])

    def _locked(self, stmt: Select[Any]) -> Select[Any]:
        # SQLite has one writer (BEGIN IMMEDIATE); PostgreSQL locks the row.
        return stmt.with_for_update() if self.dialect == "postgresql" else stmt


class RegionRepo(_Repo):
    """Kota, kecamatan, kelurahan."""

    async def get_or_create(self, kind: str, name: str, parent_id: int | None = None) -> Region:
        stmt = select(Region).where(Region.kind == kind, func.lower(Region.name) == name.strip().lower())
        stmt = stmt.where(Region.parent_id == parent_id if parent_id else Region.parent_id.is_(None))
        region = (await self.session.scalars(stmt)).first()
        if region is None:
            region = Region(kind=kind, name=name.strip(), parent_id=parent_id)
            self.session.add(region)
            await self.session.flush()
        return region

    async def find(self, kind: str, name: str) -> Region | None:
        stmt = select(Region).where(Region.kind == kind, func.lower(Region.name) == name.strip().lower())
        return (await self.session.scalars(stmt)).first()

    async def names(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = await self.session.execute(select(Region.id, Region.name).where(Region.id.in_(set(ids))))
        return {row.id: row.name for row in rows}


class CooperativeRepo(_Repo):
    """Cooperatives of the city."""

    async def get(self, cooperative_id: int) -> Cooperative | None:
        return await self.session.get(Cooperative, cooperative_id)

    async def by_nik(self, nik: str) -> Cooperative | None:
        return (await self.session.scalars(select(Cooperative).where(Cooperative.nik == nik))).first()

    async def by_name(self, name: str) -> Cooperative | None:
        stmt = select(Cooperative).where(func.lower(Cooperative.name) == name.strip().lower())
        return (await self.session.scalars(stmt)).first()

    async def upsert(self, values: dict[str, Any]) -> tuple[Cooperative, bool]:
        """Insert or update by NIK (or by name where NIK is empty); True when created."""
        existing = await self.by_nik(values["nik"]) if values.get("nik") else None
        if existing is None and not values.get("nik"):
            existing = await self.by_name(values["name"])
        if existing is None:
            cooperative = Cooperative(**values)
            self.session.add(cooperative)
            await self.session.flush()
            return cooperative, True
        for key, value in values.items():
            setattr(existing, key, value)
        await self.session.flush()
        return existing, False

    async def search(
        self, *, type_: str | None = None, tag: str | None = None, kecamatan_id: int | None = None
    ) -> list[Cooperative]:
        stmt = select(Cooperative).order_by(Cooperative.name)
        if type_:
            stmt = stmt.where(Cooperative.type == type_)
        if kecamatan_id:
            stmt = stmt.where(Cooperative.kecamatan_id == kecamatan_id)
        rows = list((await self.session.scalars(stmt)).all())
        return [c for c in rows if tag in (c.tags or [])] if tag else rows

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count(Cooperative.id))) or 0)


class OfficerRepo(_Repo):
    """Officers of cooperatives."""

    async def add(self, cooperative_id: int, name: str, role: str, language: str = "id") -> Officer:
        officer = Officer(cooperative_id=cooperative_id, name=name, role=role, language=language)
        self.session.add(officer)
        await self.session.flush()
        return officer

    async def get(self, officer_id: int) -> Officer | None:
        return await self.session.get(Officer, officer_id)

    async def of_cooperative(self, cooperative_id: int) -> list[Officer]:
        stmt = select(Officer).where(Officer.cooperative_id == cooperative_id, Officer.status == "active")
        return list((await self.session.scalars(stmt.order_by(Officer.id))).all())


class StaffRepo(_Repo):
    """Office staff of the Dinas."""

    async def add(self, name: str, role: str, kecamatan_id: int | None = None) -> OfficeStaff:
        staff = OfficeStaff(name=name, role=role, kecamatan_id=kecamatan_id)
        self.session.add(staff)
        await self.session.flush()
        return staff

    async def get(self, staff_id: int) -> OfficeStaff | None:
        return await self.session.get(OfficeStaff, staff_id)

    async def all(self) -> list[OfficeStaff]:
        return list((await self.session.scalars(select(OfficeStaff).order_by(OfficeStaff.id))).all())


class IdentityRepo(_Repo):
    """Chat accounts on each channel."""

    async def find(self, channel: str, external_id: str, alt_id: str | None = None) -> ChannelIdentity | None:
        ids = [external_id, alt_id] if alt_id else [external_id]
        match = or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.alt_external_id.in_(ids))
        stmt = select(ChannelIdentity).where(ChannelIdentity.channel == channel, match)
        return (await self.session.scalars(stmt.order_by(ChannelIdentity.id))).first()

    async def get_or_create(
        self, channel: str, external_id: str, *, alt_id: str | None = None, display_name: str | None = None
    ) -> ChannelIdentity:
        identity = await self.find(channel, external_id, alt_id)
        if identity is None:
            await self._insert_ignore(
                ChannelIdentity,
                {
                    "channel": channel,
                    "external_id": external_id,
                    "alt_external_id": alt_id,
                    "display_name": display_name,
                    "reachable": True,
                    "created_at": utcnow(),
                },
            )
            identity = await self.find(channel, external_id, alt_id)
            assert identity is not None
        return self.complete(identity, alt_id=alt_id, display_name=display_name)

    @staticmethod
    def complete(
        identity: ChannelIdentity, *, alt_id: str | None = None, display_name: str | None = None
    ) -> ChannelIdentity:
        """Fill in what a message tells about a known account: its other id (WhatsApp's BSUID) and its name."""
        if alt_id and identity.alt_external_id is None and identity.external_id != alt_id:
            identity.alt_external_id = alt_id
        if display_name and not identity.display_name:
            identity.display_name = display_name
        return identity

    async def get(self, identity_id: int) -> ChannelIdentity | None:
        return await self.session.get(ChannelIdentity, identity_id)

    async def of_officer(self, officer_id: int) -> list[ChannelIdentity]:
        stmt = select(ChannelIdentity).where(ChannelIdentity.officer_id == officer_id)
        return list((await self.session.scalars(stmt.order_by(ChannelIdentity.id))).all())

    async def of_staff(self, staff_id: int) -> list[ChannelIdentity]:
        stmt = select(ChannelIdentity).where(ChannelIdentity.staff_id == staff_id)
        return list((await self.session.scalars(stmt.order_by(ChannelIdentity.id))).all())

    async def mark_unreachable(self, identity_id: int, reason: str, at: datetime) -> None:
        await self.session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity_id)
            .values(reachable=False, unreachable_reason=reason[:200], unreachable_since=at)
        )

    async def mark_reachable(self, identity_id: int) -> None:
        await self.session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity_id)
            .values(reachable=True, unreachable_reason=None, unreachable_since=None)
        )


class InviteRepo(_Repo):
    """Registration codes (hashed) and failed attempts."""

    async def add(self, invite: Invite) -> Invite:
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def usable(self, code_hash: str, now: datetime) -> Invite | None:
        stmt = select(Invite).where(Invite.code_hash == code_hash, Invite.uses_left > 0, Invite.expires_at > now)
        return (await self.session.scalars(self._locked(stmt))).first()

    async def failed_attempts_since(self, identity_id: int, since: datetime) -> int:
        stmt = select(func.count(InviteAttempt.id)).where(
            InviteAttempt.identity_id == identity_id, InviteAttempt.at >= since
        )
        return int(await self.session.scalar(stmt) or 0)

    async def record_failure(self, identity_id: int, at: datetime) -> None:
        self.session.add(InviteAttempt(identity_id=identity_id, at=at))
        await self.session.flush()


class ConversationRepo(_Repo):
    """Conversation state per chat identity; loading it locks it, serialising that user's messages."""

    async def lock(self, identity_id: int) -> Conversation:
        stmt = select(Conversation).where(Conversation.identity_id == identity_id)
        conversation = (await self.session.scalars(self._locked(stmt))).first()
        if conversation is None:
            await self._insert_ignore(
                Conversation,
                {"identity_id": identity_id, "progress": {}, "version": 0, "updated_at": utcnow()},
            )
            conversation = (await self.session.scalars(self._locked(stmt))).first()
            assert conversation is not None
        result: Conversation = conversation
        return result

    async def save(
        self, conversation: Conversation, handler: str | None, progress: dict[str, Any], at: datetime
    ) -> None:
        conversation.handler = handler
        conversation.progress = progress
        conversation.version += 1
        conversation.updated_at = at  # written with the transaction's next flush, together with other rows


ChatRow = tuple[ChannelIdentity, Conversation, Officer | None, Cooperative | None, OfficeStaff | None]


@cache
def _load_chats_statement(dialect: str) -> Select[Any]:
    """ChatRepo.load_many's query, built once per dialect (it runs for every message; building it costs more than
    running it): senders by channel and ids, conversations locked in id order on PostgreSQL."""
    ids: BindParameter[str] = bindparam("ids", expanding=True)
    stmt = (
        select(ChannelIdentity, Conversation, Officer, Cooperative, OfficeStaff)
        .join(Conversation, Conversation.identity_id == ChannelIdentity.id)
        .outerjoin(Officer, Officer.id == ChannelIdentity.officer_id)
        .outerjoin(Cooperative, Cooperative.id == Officer.cooperative_id)
        .outerjoin(OfficeStaff, OfficeStaff.id == ChannelIdentity.staff_id)
        .where(
            ChannelIdentity.channel == bindparam("channel"),
            or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.alt_external_id.in_(ids)),
        )
        .order_by(Conversation.id)
    )
    return cast("Select[Any]", stmt.with_for_update(of=Conversation) if dialect == "postgresql" else stmt)


class ChatRepo(_Repo):
    """Everything one message needs about its sender, in one round trip, with the conversation row locked."""

    async def load(self, channel: str, external_id: str, alt_id: str | None = None) -> ChatRow | None:
        """The sender's identity, conversation, officer, cooperative and staff record; None for a first contact."""
        return (await self.load_many(channel, [(external_id, alt_id)])).get((external_id, alt_id))

    async def load_many(
        self, channel: str, senders: Sequence[tuple[str, str | None]]
    ) -> dict[tuple[str, str | None], ChatRow]:
        """`load` for several (external id, alt id) senders of one channel in one query; first contacts are absent.

        On PostgreSQL the conversation rows are locked in id order, so two processes loading overlapping senders
        queue instead of deadlocking.
        """
        ids = sorted({i for pair in senders for i in pair if i})
        stmt = _load_chats_statement(self.dialect)
        params = {"channel": channel, "ids": ids}
        rows: list[ChatRow] = [tuple(row) for row in await self.session.execute(stmt, params)]
        by_id: dict[str, ChatRow] = {}
        for row in sorted(rows, key=lambda r: r[0].id):  # an id known to two identities means the older one
            for known in (row[0].external_id, row[0].alt_external_id):
                if known:
                    by_id.setdefault(known, row)
        found: dict[tuple[str, str | None], ChatRow] = {}
        for external_id, alt_id in senders:
            matches = [by_id[i] for i in (external_id, alt_id) if i and i in by_id]
            if not matches:
                continue
            row = min(matches, key=lambda r: r[0].id)
            IdentityRepo.complete(row[0], alt_id=alt_id)
            found[(external_id, alt_id)] = row
        return found

    async def create(
        self, channel: str, external_id: str, alt_id: str | None = None, display_name: str | None = None
    ) -> ChatRow:
        """A first contact's identity and conversation (two inserts; `load` found nothing in this transaction).

        Two processes meeting the same new sender at once: the second insert fails on the unique key, and its
        transaction is redone, by then finding the first one's rows.
        """
        now = utcnow()
        identity = ChannelIdentity(
            channel=channel,
            external_id=external_id,
            alt_external_id=alt_id if alt_id != external_id else None,
            display_name=display_name,
            reachable=True,
            created_at=now,
        )
        self.session.add(identity)
        await self.session.flush()
        conversation = Conversation(identity_id=identity.id, progress={}, version=0, updated_at=now)
        self.session.add(conversation)
        return identity, conversation, None, None, None


@cache
def _report_statement(locking_dialect: str) -> Select[Any]:
    """One cooperative's report for one period (asked on every report answer: built once); locked on PostgreSQL
    when `locking_dialect` is "postgresql" (SQLite has one writer)."""
    stmt = select(Report).where(
        Report.cooperative_id == bindparam("cooperative_id"), Report.period == bindparam("period")
    )
    return cast("Select[Any]", stmt.with_for_update() if locking_dialect == "postgresql" else stmt)


class ReportRepo(_Repo):
    """Monthly reports, drafts and their revisions."""

    async def get(self, cooperative_id: int, period: str, *, lock: bool = False) -> Report | None:
        stmt = _report_statement(self.dialect if lock else "")
        report: Report | None = (
            await self.session.scalars(stmt, {"cooperative_id": cooperative_id, "period": period})
        ).first()
        return report

    async def get_or_create(self, cooperative_id: int, period: str) -> Report:
        report = await self.get(cooperative_id, period, lock=True)
        if report is None:
            await self._insert_ignore(
                Report,
                {
                    "cooperative_id": cooperative_id,
                    "period": period,
                    "status": "draft",
                    "draft": {},
                    "latest_revision": 0,
                    "created_at": utcnow(),
                },
            )
            report = await self.get(cooperative_id, period, lock=True)
            assert report is not None
        return report

    async def add_revision(
        self,
        report: Report,
        figures: dict[str, Any],
        *,
        at: datetime,
        officer_id: int | None = None,
        staff_id: int | None = None,
        reason: str | None = None,
    ) -> ReportRevision:
        """Store a new submitted revision with what changed since the previous one."""
        previous = await self.revision(report.id, report.latest_revision) if report.latest_revision else None
        old = previous.figures if previous else {}
        changes = {k: [old.get(k), v] for k, v in figures.items() if old.get(k) != v} if previous else {}
        revision = ReportRevision(
            report_id=report.id,
            number=report.latest_revision + 1,
            figures=figures,
            changes=changes,
            reason=reason,
            officer_id=officer_id,
            staff_id=staff_id,
            created_at=at,
        )
        self.session.add(revision)
        report.latest_revision = revision.number
        report.status = "submitted"
        report.first_submitted_at = report.first_submitted_at or at
        report.draft = {}
        report.draft_officer_id = None
        await self.session.flush()
        return revision

    async def revision(self, report_id: int, number: int) -> ReportRevision | None:
        stmt = select(ReportRevision).where(ReportRevision.report_id == report_id, ReportRevision.number == number)
        return (await self.session.scalars(stmt)).first()

    async def revisions(self, report_id: int) -> list[ReportRevision]:
        stmt = select(ReportRevision).where(ReportRevision.report_id == report_id)
        return list((await self.session.scalars(stmt.order_by(ReportRevision.number))).all())

    async def latest_submitted_before(self, cooperative_id: int, period: str) -> ReportRevision | None:
        stmt = (
            select(ReportRevision)
            .join(Report, Report.id == ReportRevision.report_id)
            .where(Report.cooperative_id == cooperative_id, Report.period < period, Report.status == "submitted")
            .where(ReportRevision.number == Report.latest_revision)
            .order_by(Report.period.desc())
        )
        return (await self.session.scalars(stmt.limit(1))).first()

    async def latest_submitted(self, cooperative_id: int) -> tuple[Report, ReportRevision] | None:
        stmt = (
            select(Report, ReportRevision)
            .join(ReportRevision, ReportRevision.report_id == Report.id)
            .where(Report.cooperative_id == cooperative_id, Report.status == "submitted")
            .where(ReportRevision.number == Report.latest_revision)
            .order_by(Report.period.desc())
        )
        row = (await self.session.execute(stmt.limit(1))).first()
        return (row[0], row[1]) if row else None

    async def submitted_periods(self, cooperative_id: int) -> list[str]:
        stmt = select(Report.period).where(Report.cooperative_id == cooperative_id, Report.status == "submitted")
        return list((await self.session.scalars(stmt.order_by(Report.period))).all())

    async def submitted_cooperative_ids(self, period: str) -> dict[int, datetime | None]:
        stmt = select(Report.cooperative_id, Report.first_submitted_at).where(
            Report.period == period, Report.status == "submitted"
        )
        return {row[0]: row[1] for row in await self.session.execute(stmt)}


class ManagementRepo(_Repo):
    """The management questionnaire answers, carried forward per cooperative."""

    async def answers(self, cooperative_id: int) -> dict[str, ManagementAnswer]:
        stmt = select(ManagementAnswer).where(ManagementAnswer.cooperative_id == cooperative_id)
        return {a.item_key: a for a in (await self.session.scalars(stmt)).all()}

    async def save(self, cooperative_id: int, answers: dict[str, bool], at: datetime, officer_id: int | None) -> None:
        existing = await self.answers(cooperative_id)
        for key, value in answers.items():
            row = existing.get(key)
            if row is None:
                self.session.add(
                    ManagementAnswer(
                        cooperative_id=cooperative_id,
                        item_key=key,
                        answer=value,
                        answered_at=at,
                        officer_id=officer_id,
                    )
                )
            else:
                row.answer, row.answered_at, row.officer_id = value, at, officer_id
        await self.session.flush()


class AssessmentRepo(_Repo):
    """Stored health assessments."""

    async def add(self, assessment: Assessment) -> Assessment:
        self.session.add(assessment)
        await self.session.flush()
        return assessment

    async def history(self, cooperative_id: int, limit: int = 6) -> list[Assessment]:
        """The latest assessment per period, newest first."""
        stmt = (
            select(Assessment)
            .where(Assessment.cooperative_id == cooperative_id)
            .order_by(Assessment.period.desc(), Assessment.id.desc())
        )
        seen: dict[str, Assessment] = {}
        for row in (await self.session.scalars(stmt.limit(limit * 4))).all():
            seen.setdefault(row.period, row)
        return list(seen.values())[:limit]

    async def latest_by_cooperative(self, framework: str) -> dict[int, Assessment]:
        stmt = select(Assessment).where(Assessment.framework == framework).order_by(Assessment.id)
        return {a.cooperative_id: a for a in (await self.session.scalars(stmt)).all()}


class CoachingRepo(_Repo):
    """The cooperative's coaching record."""

    async def add(self, entry: CoachingEntry) -> CoachingEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def of_cooperative(self, cooperative_id: int, limit: int = 20) -> list[CoachingEntry]:
        stmt = select(CoachingEntry).where(CoachingEntry.cooperative_id == cooperative_id)
        return list((await self.session.scalars(stmt.order_by(CoachingEntry.id.desc()).limit(limit))).all())


class InboundRepo(_Repo):
    """Received message ids, for de-duplication."""

    async def record(self, channel: str, message_id: str, sender: str, received_at: datetime) -> bool:
        """Record a message id; False when it was seen before (a repeat delivery)."""
        return bool(await self.record_many([(channel, message_id, sender, received_at)]))

    async def record_many(self, messages: Sequence[tuple[str, str, str, datetime]]) -> set[tuple[str, str]]:
        """Record (channel, message id, sender, received at) in one statement; the (channel, id) pairs that were new.

        A message id given twice is recorded once; which of the two is "new" is for the caller to decide.
        """
        if not messages:
            return set()
        now = utcnow()
        rows = [  # in key order: two processes recording overlapping ids wait for each other instead of deadlocking
            {"channel": c, "message_id": m, "sender": s, "received_at": r, "recorded_at": now}
            for c, m, s, r in sorted(messages, key=lambda m: (m[0], m[1]))
        ]
        stmt = _record_inbound_statement(self.dialect)
        if len(rows) == 1:  # the common case: a plain statement, no insertmanyvalues batching
            return {(r[0], r[1]) for r in await self.session.execute(stmt, rows[0])}
        return {(r[0], r[1]) for r in await self.session.execute(stmt, rows)}


def _outbox_defaults(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An outbox row's values with the defaults filled in (a new message waits for nothing, priority 5)."""
    values.setdefault("status", "pending")
    values.setdefault("attempts", 0)
    values.setdefault("priority", 5)
    values.setdefault("business_initiated", False)
    values.setdefault("next_attempt_at", now)
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    return values


class OutboxRepo(_Repo):
    """Outbound messages waiting to be sent, and the end of each."""

    async def enqueue(self, **values: Any) -> int | None:
        """Add a message unless its dedupe key exists; its id, or None when the key was there already."""
        return await self._insert_ignore(OutboxMessage, _outbox_defaults(values, utcnow()))

    async def enqueue_new(self, messages: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Add messages whose dedupe keys are new (replies to a message recorded just now) in one statement.

        The ids by dedupe key. A key that exists already is an error, unlike `enqueue`.
        """
        if not messages:
            return {}
        now = utcnow()
        table = Base.metadata.tables[OutboxMessage.__tablename__]
        stmt = insert(table).returning(table.c.id, table.c.dedupe_key)
        rows = [_outbox_defaults(dict(m), now) for m in messages]
        result = await self.session.execute(stmt, rows[0] if len(rows) == 1 else rows)
        return {str(key): int(outbox_id) for outbox_id, key in result}

    async def by_key(self, dedupe_key: str) -> OutboxMessage | None:
        stmt = select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        return (await self.session.scalars(stmt)).first()

    async def by_keys_prefix(self, prefix: str) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(prefix, autoescape=True))
        return list((await self.session.scalars(stmt.order_by(OutboxMessage.id))).all())

    async def by_provider_id(self, channel: str, provider_message_id: str) -> OutboxMessage | None:
        stmt = select(OutboxMessage).where(
            OutboxMessage.channel == channel, OutboxMessage.provider_message_id == provider_message_id
        )
        return (await self.session.scalars(stmt)).first()

    async def claim(
        self, now: datetime, *, limit: int, channels: Sequence[str], lease: timedelta = timedelta(minutes=2)
    ) -> list[OutboxMessage]:
        """Claim due messages for sending (SKIP LOCKED on PostgreSQL), leasing them for a while."""
        due = and_(
            OutboxMessage.channel.in_(list(channels)),
            or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
            ),
        )
        stmt = (
            select(OutboxMessage)
            .where(due)
            .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list((await self.session.scalars(stmt)).all())
        for row in rows:
            row.status = "sending"
            row.claimed_until = now + lease
            row.attempts += 1
            row.updated_at = now
        await self.session.flush()
        return rows

    async def claim_ids(
        self, ids: Sequence[int], now: datetime, lease: timedelta = timedelta(minutes=2)
    ) -> dict[int, OutboxMessage]:
        """Claim these messages for the fast path, except those a worker has or that have ended."""
        stmt = select(OutboxMessage).where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "pending")
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = {row.id: row for row in (await self.session.scalars(stmt)).all()}
        for row in rows.values():
            row.status, row.claimed_until, row.attempts, row.updated_at = "sending", now + lease, row.attempts + 1, now
        await self.session.flush()
        return rows

    async def pending_for(self, identity_id: int) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).where(
            OutboxMessage.identity_id == identity_id, OutboxMessage.status.in_(["pending", "sending"])
        )
        return list((await self.session.scalars(stmt.order_by(OutboxMessage.id))).all())

    async def count_by_status(self, announcement_id: int | None = None) -> dict[str, int]:
        stmt = select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
        if announcement_id is not None:
            stmt = stmt.where(OutboxMessage.announcement_id == announcement_id)
        return {row[0]: int(row[1]) for row in await self.session.execute(stmt)}


class FileRepo(_Repo):
    """Files stored once (announcement attachments), referred to by id from the outbox rows."""

    async def store(self, filename: str, content_type: str, data: bytes) -> int:
        """The id of the stored file with these bytes: stored now, or the one stored before (same SHA-256)."""
        digest = sha256(data).hexdigest()
        values = {"sha256": digest, "filename": filename[:255], "content_type": content_type[:120], "size": len(data)}
        made = await self._insert_ignore(StoredFile, {**values, "data": data, "created_at": utcnow()})
        if made is not None:
            return made
        return (await self.session.execute(select(StoredFile.id).where(StoredFile.sha256 == digest))).scalar_one()

    async def data(self, file_id: int) -> bytes | None:
        """A stored file's bytes, or None when there is no such file."""
        return await self.session.scalar(select(StoredFile.data).where(StoredFile.id == file_id))

    async def platform_id(self, file_id: int, channel: str, account: str, variant: str) -> tuple[str, datetime] | None:
        """The id `channel` gave this stored file when `account` uploaded it (as `variant`), and when; None if never."""
        found = await self.session.execute(
            select(PlatformFile.platform_id, PlatformFile.uploaded_at).where(
                *_platform_file(file_id, channel, account, variant)
            )
        )
        row = found.first()
        return None if row is None else (row[0], row[1])

    async def remember_platform_id(
        self, file_id: int, channel: str, account: str, variant: str, platform_id: str, uploaded_at: datetime
    ) -> None:
        """Keep the id `channel` gave this stored file on an upload, replacing the one kept before."""
        insert = postgresql.insert(PlatformFile) if self.dialect == "postgresql" else sqlite.insert(PlatformFile)
        values = {"platform_id": platform_id, "uploaded_at": uploaded_at}
        key = {"stored_file_id": file_id, "channel": channel, "account": account, "variant": variant}
        await self.session.execute(
            insert.values(**key, **values).on_conflict_do_update(index_elements=list(key), set_=values)
        )

    async def forget_platform_id(
        self, file_id: int, channel: str, account: str, variant: str, platform_id: str
    ) -> None:
        """Forget an id the platform no longer knows (only that one: another upload may have replaced it already)."""
        where = [*_platform_file(file_id, channel, account, variant), PlatformFile.platform_id == platform_id]
        await self.session.execute(delete(PlatformFile).where(*where))


def _platform_file(file_id: int, channel: str, account: str, variant: str) -> list[Any]:
    return [
        PlatformFile.stored_file_id == file_id,
        PlatformFile.channel == channel,
        PlatformFile.account == account,
        PlatformFile.variant == variant,
    ]


class AuditRepo(_Repo):
    """The append-only audit log."""

    async def add(self, actor: str, action: str, subject: str | None = None, **data: Any) -> None:
        self.session.add(AuditEntry(actor=actor, action=action, subject=subject, data=data, at=utcnow()))


class Repositories:
    """All repositories of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.regions = RegionRepo(session)
        self.cooperatives = CooperativeRepo(session)
        self.officers = OfficerRepo(session)
        self.staff = StaffRepo(session)
        self.identities = IdentityRepo(session)
        self.invites = InviteRepo(session)
        self.conversations = ConversationRepo(session)
        self.chats = ChatRepo(session)
        self.reports = ReportRepo(session)
        self.management = ManagementRepo(session)
        self.assessments = AssessmentRepo(session)
        self.coaching = CoachingRepo(session)
        self.inbound = InboundRepo(session)
        self.outbox = OutboxRepo(session)
        self.files = FileRepo(session)
        self.audit = AuditRepo(session)
        self.clinic = ClinicRepo(session)
