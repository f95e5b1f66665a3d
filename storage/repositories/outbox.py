"""Outbound messages waiting to be sent, and the end of each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from storage.models import Base, OutboxMessage, utcnow
from storage.repositories._base import CHUNK, Repo, dialect_insert, rowcount

WAITING = ("pending", "sending", "waiting")  # states of a message that has not gone yet
PROBLEMS = ("waiting", "failed", "needs_template", "unreachable")  # states an operator looks into


@cache
def _by_ids_statement() -> Select[OutboxMessage]:
    """Rows by id (asked after every group of sends: built once)."""
    return select(OutboxMessage).where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))


class Executes(Protocol):
    """What runs a Core statement: a session (in a unit of work) or a connection (`Database.one_statement`)."""

    async def execute(self, statement: Any, parameters: Any = None, /) -> Any: ...


async def record_sent(on: Executes, sent: Sequence[tuple[int, str]], now: datetime, dialect: str) -> None:
    """Messages sent (id, the platform's message ids joined by commas): one statement, no row read (what
    bot.delivery.worker.record_outcome does for a sent one). On a connection, as the delivery worker writes them,
    it goes without a session's machinery around it (about 150 µs of CPU a statement). `dialect`: the database's
    (`Database.dialect`): on PostgreSQL the rows go as two arrays, elsewhere as an executemany."""
    if not sent:
        return
    if dialect == "postgresql":
        ids, provided = zip(*((outbox_id, given[:128]) for outbox_id, given in sent), strict=True)
        await on.execute(_sent_statement(True), {"outbox_ids": list(ids), "given": list(provided), "now": now})
        return
    params = [{"outbox_id": outbox_id, "ids": given[:128], "now": now} for outbox_id, given in sent]
    await on.execute(_sent_statement(False), params[0] if len(params) == 1 else params)


# States a "sent" outcome leaves alone: a receipt that overtook the write, or a row put back to be sent again.
KEEP_ON_SENT = ("delivered", "read", "failed", "pending")


@cache
def _sent_statement(arrays: bool) -> Any:
    """The end of sent messages; the write done again after a lost COMMIT changes nothing
    (bot.delivery.worker.already_written).

    `arrays` (PostgreSQL): all of them in one execution, the ids and the platform's ids bound as two arrays
    ("outbox_ids", "given") joined as rows (`unnest`), and "now": one bind however many rows, where an executemany
    binds and executes each row (about 30 µs of CPU a row more, measured). Else one row per parameter set (bound:
    outbox_id, ids, now)."""
    table = Base.metadata.tables[OutboxMessage.__tablename__]
    kept = table.c.status.in_([literal_column(f"'{state}'") for state in KEEP_ON_SENT])  # inline: executemany
    outbox_id: Any
    ids: Any
    if arrays:
        bound = (bindparam("outbox_ids", type_=ARRAY(Integer)), bindparam("given", type_=ARRAY(String)))
        rows = func.unnest(*bound).table_valued("outbox_id", "ids").render_derived()
        outbox_id, ids = rows.c.outbox_id, rows.c.ids
    else:
        outbox_id, ids = bindparam("outbox_id"), bindparam("ids", type_=table.c.provider_message_id.type)
    return (
        update(table)
        .where(table.c.id == outbox_id)
        .where(
            or_(
                table.c.sent_at.is_(None),
                ids == "",
                table.c.provider_message_id.is_(None),
                table.c.provider_message_id != ids,
            )
        )
        .values(
            status=case((kept, table.c.status), else_="sent"),
            last_error=case((kept, table.c.last_error), else_=None),
            sent_at=bindparam("now"),
            updated_at=bindparam("now"),
            claimed_until=None,
            provider_message_id=func.coalesce(func.nullif(ids, ""), table.c.provider_message_id),
        )
    )


def with_defaults(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An outbox row's values with the defaults filled in (a new message waits for nothing, priority 5)."""
    values.setdefault("status", "pending")
    values.setdefault("attempts", 0)
    values.setdefault("priority", 5)
    values.setdefault("business_initiated", False)
    values.setdefault("next_attempt_at", now)
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    return values


STOPPED_BY_RECIPIENT = "stopped by the recipient (BERHENTI)"  # an announcement row withdrawn after BERHENTI


class OutboxRepo(Repo):
    """Outbound messages waiting to be sent, and the end of each."""

    async def enqueue(self, **values: Any) -> int | None:
        """Add a message unless its dedupe key exists; its id, or None when the key was there already."""
        return await self._insert_ignore(OutboxMessage, with_defaults(values, utcnow()))

    async def enqueue_new(self, messages: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Add messages whose dedupe keys are new (replies to a message recorded just now) in one statement.

        The ids by dedupe key. A key that exists already is an error, unlike `enqueue`.
        """
        if not messages:
            return {}
        now = utcnow()
        table = Base.metadata.tables[OutboxMessage.__tablename__]
        stmt = insert(table).returning(table.c.id, table.c.dedupe_key)
        rows = [with_defaults(dict(m), now) for m in messages]
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

    async def get(self, outbox_id: int) -> OutboxMessage | None:
        return await self.session.get(OutboxMessage, outbox_id)

    async def by_ids(self, ids: Iterable[int]) -> dict[int, OutboxMessage]:
        """These rows, by id (unknown ids are absent)."""
        wanted = list(ids)
        if not wanted:
            return {}
        return {r.id: r for r in (await self.session.scalars(_by_ids_statement(), {"ids": wanted})).all()}

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert many rows (all with the same columns), skipping dedupe keys already there; how many are new."""
        table = OutboxMessage.__table__
        # one statement compiled once, its rows sent as multi-row INSERTs by SQLAlchemy's "insertmanyvalues" (a
        # VALUES list compiled per chunk cost more than the database's work); chunks give the event loop its turn
        stmt = dialect_insert(self.dialect, table).on_conflict_do_nothing().returning(table.c.id)
        made = 0
        for start in range(0, len(rows), CHUNK // 5):  # 200 rows: about 10-30 ms of the loop's time each
            made += len((await self.session.execute(stmt, list(rows[start : start + CHUNK // 5]))).all())
        return made

    async def of_announcement(self, announcement_id: int) -> list[OutboxMessage]:
        """The rows of one announcement, in recipient order."""
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.announcement_id == announcement_id)
            .order_by(OutboxMessage.officer_id, OutboxMessage.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def withdraw_announcements(self, officer_id: int, at: datetime) -> int:
        """Stop announcements not yet sent to an officer who said BERHENTI; how many were stopped."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.officer_id == officer_id,
                OutboxMessage.announcement_id.is_not(None),
                OutboxMessage.status == "pending",
            )
            .values(status="failed", last_error=STOPPED_BY_RECIPIENT, updated_at=at)
        )
        return rowcount(result)

    async def move_recipient(self, channel: str, old: str, new: str) -> int:
        """Messages to chat `old` that have not gone yet go to `new` instead; how many."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.recipient == old, OutboxMessage.status.in_(WAITING))
            .values(recipient=new)
        )
        return rowcount(result)

    async def release_held(self, channel: str, held_error: str, now: datetime) -> int:
        """Messages a channel held back with `held_error` (e.g. while its token was refused) are due now; how many.

        Their tries start again from zero: being held is not a failed try, so an outage never uses them up.
        """
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.status == "pending",
                OutboxMessage.last_error == held_error,
            )
            .values(next_attempt_at=now, attempts=0, last_error=None, updated_at=now)
        )
        return rowcount(result)

    async def wake_waiting(self, now: datetime) -> None:
        """Rows waiting (for a daily cap) whose time has come become pending again."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "waiting", OutboxMessage.next_attempt_at <= now)
            .values(status="pending", updated_at=now)
        )

    async def serialise(self, key: int) -> None:
        """One transaction at a time past this point, per `key` (an advisory lock on PostgreSQL; SQLite has one
        writer)."""
        if self.dialect == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    async def just_unreachable(self, identity_id: int, now: datetime) -> list[OutboxMessage]:
        """Business-initiated rows to this account that ended unreachable within the last second, unsent."""
        stmt = select(OutboxMessage).where(
            OutboxMessage.identity_id == identity_id,
            OutboxMessage.status == "unreachable",
            OutboxMessage.business_initiated.is_(True),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.updated_at >= now - timedelta(seconds=1),
        )
        return list((await self.session.scalars(stmt.order_by(OutboxMessage.id))).all())

    async def business_initiated_since(
        self, channel: str, since: datetime
    ) -> list[tuple[str, dict[str, Any] | None, datetime | None]]:
        """(recipient, payload, sent at) of business-initiated rows on `channel` sent since `since` or being sent."""
        stmt = select(OutboxMessage.recipient, OutboxMessage.payload, OutboxMessage.sent_at).where(
            OutboxMessage.channel == channel,
            OutboxMessage.business_initiated.is_(True),
            or_(
                OutboxMessage.sent_at >= since,
                and_(OutboxMessage.status == "sending", OutboxMessage.updated_at >= since),
            ),
        )
        return [(r[0], r[1], r[2]) for r in await self.session.execute(stmt)]

    async def last_delivered_at(self, identity_id: int, channel: str) -> datetime | None:
        """When a message on `channel` to this account was last seen delivered or read."""
        stmt = select(func.max(OutboxMessage.updated_at)).where(
            OutboxMessage.identity_id == identity_id,
            OutboxMessage.channel == channel,
            OutboxMessage.status.in_(["delivered", "read"]),
        )
        found: datetime | None = await self.session.scalar(stmt)
        return found

    async def failed_with(
        self, identity_id: int, channel: str, mark: str, *, besides: int, after: datetime | None
    ) -> list[datetime]:
        """When rows to this account (other than `besides`) ended failed or unreachable with `mark` in their error,
        after `after` when given."""
        stmt = select(OutboxMessage.updated_at).where(
            OutboxMessage.identity_id == identity_id,
            OutboxMessage.channel == channel,
            OutboxMessage.id != besides,
            OutboxMessage.status.in_(["failed", "unreachable"]),
            OutboxMessage.last_error.contains(mark, autoescape=True),
        )
        if after is not None:
            stmt = stmt.where(OutboxMessage.updated_at > after)
        return list((await self.session.scalars(stmt)).all())

    async def count_with_status(
        self, status: str, *, channel: str | None = None, ids: Sequence[int] | None = None
    ) -> int:
        """How many rows have this status (on one channel, or among these ids, when given)."""
        stmt = select(func.count(OutboxMessage.id)).where(OutboxMessage.status == status)
        if channel is not None:
            stmt = stmt.where(OutboxMessage.channel == channel)
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(list(ids)))
        return int(await self.session.scalar(stmt) or 0)

    async def statuses_of_keys(self, keys: Sequence[str]) -> dict[str, str]:
        """The status of the row of each of these dedupe keys that has one (by key)."""
        stmt = select(OutboxMessage.dedupe_key, OutboxMessage.status)
        found: dict[str, str] = {}
        for start in range(0, len(keys), CHUNK):
            rows = await self.session.execute(stmt.where(OutboxMessage.dedupe_key.in_(keys[start : start + CHUNK])))
            found.update({str(key): str(status) for key, status in rows})
        return found

    async def waiting(self) -> tuple[int, str | None]:
        """How many rows wait (e.g. for WhatsApp's daily limit), and the latest reason (the greatest, by text)."""
        stmt = select(func.count(OutboxMessage.id), func.max(OutboxMessage.last_error)).where(
            OutboxMessage.status == "waiting"
        )
        count, reason = (await self.session.execute(stmt)).one()
        return int(count or 0), reason

    async def next_waiting_at(self) -> datetime | None:
        """When the first waiting row is due."""
        stmt = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == "waiting")
        found: datetime | None = await self.session.scalar(stmt)
        return found

    async def problems(self, limit: int) -> list[tuple[str, str, str | None, int]]:
        """(status, kind, error, count) of rows in a state an operator looks into, the commonest first (ties by status,
        kind and error)."""
        stmt = (
            select(OutboxMessage.status, OutboxMessage.kind, OutboxMessage.last_error, func.count(OutboxMessage.id))
            .where(OutboxMessage.status.in_(PROBLEMS))
            .group_by(OutboxMessage.status, OutboxMessage.kind, OutboxMessage.last_error)
            .order_by(  # the commonest first; ties in a fixed order, so a repeated look reads the same
                func.count(OutboxMessage.id).desc(), OutboxMessage.status, OutboxMessage.kind, OutboxMessage.last_error
            )
            .limit(limit)
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in await self.session.execute(stmt)]
