"""Conversation state per chat identity, and everything one message needs about its sender."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, String, Update, any_, bindparam, column, func, or_, select, text, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from storage.models import (
    Base,
    ChannelIdentity,
    Conversation,
    Cooperative,
    InboundMessage,
    Officer,
    OfficeStaff,
    utcnow,
)
from storage.repositories import together
from storage.repositories._base import Repo
from storage.repositories.identities import IdentityRepo
from storage.repositories.inbound import InboundRepo, inbound_rows
from storage.repositories.outbox import OutboxRepo, with_defaults
from storage.repositories.reports import take_drafts

CONVERSATIONS = Base.metadata.tables[Conversation.__tablename__]
IDENTITIES = Base.metadata.tables[ChannelIdentity.__tablename__]
INBOUND = InboundMessage.__tablename__
INBOUND_COLUMNS = ("channel", "message_id", "sender", "received_at", "recorded_at")


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """A conversation as read (a plain row, no ORM object: the hot path reads and writes one per message);
    a change is a new row, written with `ChatRepo.save`."""

    id: int
    handler: str | None
    progress: dict[str, Any]
    version: int


ChatRow = tuple[ChannelIdentity, ConversationRow, Officer | None, Cooperative | None, OfficeStaff | None]
People = tuple[Officer | None, Cooperative | None, OfficeStaff | None]


@cache
def _load_chats_statement(dialect: str) -> Select[Any]:
    """ChatRepo.load_many's query, built once per dialect (it runs for every message; building it costs more than
    running it): senders by channel and ids, conversations (plain columns) locked in id order on PostgreSQL.

    On PostgreSQL the ids are one array (`= ANY`), as the server plans an IN list anyway: the statement's text is the
    same for any number of ids, not rendered again for each execution (an expanding IN of 16 ids: 100-140 µs more
    CPU a batch, measured)."""
    c = CONVERSATIONS.c
    if dialect == "postgresql":
        array: BindParameter[Any] = bindparam("ids", type_=postgresql.ARRAY(String))
        known = or_(ChannelIdentity.external_id == any_(array), ChannelIdentity.alt_external_id == any_(array))
    else:
        ids: BindParameter[str] = bindparam("ids", expanding=True)
        known = or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.alt_external_id.in_(ids))
    stmt = (
        select(ChannelIdentity, c.id, c.handler, c.progress, c.version, Officer, Cooperative, OfficeStaff)
        .join(CONVERSATIONS, c.identity_id == ChannelIdentity.id)
        .outerjoin(Officer, Officer.id == ChannelIdentity.officer_id)
        .outerjoin(Cooperative, Cooperative.id == Officer.cooperative_id)
        .outerjoin(OfficeStaff, OfficeStaff.id == ChannelIdentity.staff_id)
        .where(ChannelIdentity.channel == bindparam("channel"), known)
        .order_by(c.id)
    )
    return cast("Select[Any]", stmt.with_for_update(of=CONVERSATIONS) if dialect == "postgresql" else stmt)


@cache
def _save_statement(table: str, columns: tuple[str, ...]) -> Update:
    """UPDATE of `table`'s rows by id, setting `columns` (each bound as "b_" and its name: see `_bound`)."""
    c = Base.metadata.tables[table].c
    return update(c.id.table).where(c.id == bindparam("b_id")).values({k: bindparam(f"b_{k}") for k in columns})


@dataclass(slots=True)
class _Completed:
    """A known account's other id and name, as a first contact completes them."""

    identity: ChannelIdentity
    alt: str | None
    name: str | None


class _Plan:
    """Which account each first contact of a batch is, in the batch's order: a known one (completed), or a new row
    (one per account, however many of the batch's senders name it)."""

    def __init__(self, channel: str, known: Sequence[ChannelIdentity]) -> None:
        self.channel = channel
        self.by_id: dict[str, ChannelIdentity | dict[str, Any]] = {}
        for identity in known:  # oldest first: an id known to two accounts means the older one
            for i in (identity.external_id, identity.alt_external_id):
                if i:
                    self.by_id.setdefault(i, identity)
        self.completed: dict[int, _Completed] = {}
        self.new: dict[str, dict[str, Any]] = {}
        self.used: set[int] = set()
        self.now = utcnow()

    def add(self, external_id: str, alt_id: str | None, name: str | None) -> None:
        matches = [self.by_id[i] for i in (external_id, alt_id) if i and i in self.by_id]
        if not matches:
            row = {
                "channel": self.channel,
                "external_id": external_id,
                "alt_external_id": None,
                "display_name": None,
                "reachable": True,
                "created_at": self.now,
            }
            self.new[external_id] = row
            self.by_id[external_id] = row
            matches = [row]
        account = min(matches, key=self._age)
        if isinstance(account, dict):
            self._complete_row(account, alt_id, name)
        else:
            self._complete_known(account, alt_id, name)

    def _age(self, account: ChannelIdentity | dict[str, Any]) -> tuple[int, int]:
        """Known accounts by id, then the new rows in the order they were planned."""
        if isinstance(account, dict):
            return 1, list(self.new).index(account["external_id"])
        return 0, account.id

    def _complete_row(self, row: dict[str, Any], alt_id: str | None, name: str | None) -> None:
        if alt_id and row["alt_external_id"] is None and row["external_id"] != alt_id:
            row["alt_external_id"] = alt_id
            self.by_id.setdefault(alt_id, row)
        if name and not row["display_name"]:
            row["display_name"] = name

    def _complete_known(self, identity: ChannelIdentity, alt_id: str | None, name: str | None) -> None:
        self.used.add(identity.id)
        done = self.completed.get(identity.id) or _Completed(identity, identity.alt_external_id, identity.display_name)
        changed = False
        if alt_id and done.alt is None and identity.external_id != alt_id:
            done.alt, changed = alt_id, True
            self.by_id.setdefault(alt_id, identity)
        if name and not done.name:
            done.name, changed = name, True
        if changed:
            self.completed[identity.id] = done


@cache
def _complete_statement() -> Update:
    c = IDENTITIES.c
    values: dict[str, Any] = {"alt_external_id": bindparam("b_alt"), "display_name": bindparam("b_name")}
    return update(IDENTITIES).where(c.id == bindparam("b_id")).values(**values)


def _found(senders: Sequence[tuple[str, str | None]], read: Iterable[Any]) -> dict[tuple[str, str | None], ChatRow]:
    """Each sender's row among those read (`_load_chats_statement`'s columns); first contacts are absent."""
    rows: list[ChatRow] = [(r[0], ConversationRow(r[1], r[2], r[3], r[4]), r[5], r[6], r[7]) for r in read]
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


@cache
def _record_and_load_statement() -> Select[Any]:
    """PostgreSQL: a batch's message ids recorded (INSERT ... ON CONFLICT DO NOTHING, in key order, as
    `InboundRepo.record_many`) and its senders read and locked (`_load_chats_statement`) in one statement: the ids
    that were new (aggregated, on every row) beside each sender's row, and one row without a sender when none is
    known. One round trip instead of two for every batch."""
    returned = ("channel", "message_id")
    pg: Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    sql = together.inserting(INBOUND, INBOUND_COLUMNS, returned, pg, "ON CONFLICT DO NOTHING")
    recorded = text(sql).columns(*(column(c, String) for c in returned)).cte("recorded")
    new = recorded.c
    made = select(func.array_agg(new.channel).label("channels"), func.array_agg(new.message_id).label("ids"))
    fresh = made.subquery("fresh")
    chats = _load_chats_statement("postgresql").subquery("chats").lateral()
    c = CONVERSATIONS.c
    conversation: list[Any] = [chats.corresponding_column(x) for x in (c.id, c.handler, c.progress, c.version)]
    entities: list[Any] = [aliased(m, chats) for m in (ChannelIdentity, Officer, Cooperative, OfficeStaff)]
    columns = [fresh.c.channels, fresh.c.ids, entities[0], *conversation, *entities[1:]]
    return select(*columns).select_from(fresh).outerjoin(chats, true())


class ChatRepo(Repo):
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
        return _found(senders, await self.session.execute(stmt, {"channel": channel, "ids": ids}))

    async def record_and_load(
        self,
        channel: str,
        senders: Sequence[tuple[str, str | None]],
        messages: Sequence[tuple[str, str, str, datetime]],
    ) -> tuple[dict[tuple[str, str | None], ChatRow], set[tuple[str, str]]]:
        """`InboundRepo.record_many` of `messages` (a batch's ids, of any channel: which were new) and `load_many` of
        this channel's senders; on PostgreSQL in one statement (`_record_and_load_statement`), the ids recorded
        first as before."""
        if self.dialect != "postgresql" or not messages:
            fresh = await InboundRepo(self.session).record_many(messages)
            return await self.load_many(channel, senders), fresh
        ids = sorted({i for pair in senders for i in pair if i})
        recorded = together.bound(
            "i", INBOUND, INBOUND_COLUMNS, inbound_rows(messages), self.session.get_bind().dialect
        )
        rows = list(
            await self.session.execute(_record_and_load_statement(), {"channel": channel, "ids": ids} | recorded)
        )
        fresh = set(zip(rows[0][0] or (), rows[0][1] or (), strict=True))  # array_agg of no rows is NULL
        return _found(senders, (row[2:] for row in rows if row[2] is not None)), fresh

    async def people(self, identity: ChannelIdentity) -> People:
        """Who this chat account is now: its officer, their cooperative, its staff member (from the session's
        objects when loaded already, so no statement in a batch; a registration just bound it)."""
        officer = await self._get(Officer, identity.officer_id) if identity.officer_id else None
        cooperative = await self._get(Cooperative, officer.cooperative_id) if officer else None
        staff = await self._get(OfficeStaff, identity.staff_id) if identity.staff_id else None
        return officer, cooperative, staff

    @staticmethod
    def wrote(identity: ChannelIdentity, at: datetime) -> None:
        """The account's last message time, on the loaded object as if written (not a change its session flushes:
        `save` writes it with the batch's others)."""
        set_committed_value(identity, "last_inbound_at", at)

    async def make_many(
        self, channel: str, senders: Sequence[tuple[str, str | None, str | None]]
    ) -> dict[tuple[str, str | None], ChatRow]:
        """First contacts of one channel, (external id, alt id, display name) each, `load_many` having found none of
        them: new senders and accounts linked beforehand without a conversation. Made for all at once: the known
        accounts read, completed (other id, name) with one UPDATE, the new ones inserted with one INSERT, their
        conversations with one more, then read and locked as `load_many` does.

        Senders naming one account (one id in common, as WhatsApp's phone number and BSUID) are one account, as if
        made one after the other. Two processes meeting the same new sender at once: the inserts skip the rows the
        other made (unique keys), and the loser reads the winner's rows.
        """
        ids = sorted({i for ext, alt, _ in senders for i in (ext, alt) if i})
        known_stmt = select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.alt_external_id.in_(ids)),
        )
        known = list((await self.session.scalars(known_stmt.order_by(ChannelIdentity.id))).all())
        plan = _Plan(channel, known)
        for sender in senders:
            plan.add(*sender)
        if plan.completed:
            rows = [{"b_id": i.identity.id, "b_alt": i.alt, "b_name": i.name} for i in plan.completed.values()]
            await self.session.execute(_complete_statement(), rows)
            for done in plan.completed.values():
                set_committed_value(done.identity, "alt_external_id", done.alt)
                set_committed_value(done.identity, "display_name", done.name)
        accounts = {identity.id for identity in known if identity.id in plan.used}
        if plan.new:
            accounts |= await self._insert_identities(
                channel, sorted(plan.new.values(), key=lambda r: r["external_id"])
            )
        now = utcnow()
        conversations = [{"identity_id": i, "progress": {}, "version": 0, "updated_at": now} for i in sorted(accounts)]
        await self._insert_ignore_many(Conversation, conversations)
        return await self.load_many(channel, [(ext, alt) for ext, alt, _ in senders])

    async def _insert_identities(self, channel: str, rows: list[dict[str, Any]]) -> set[int]:
        """The new accounts' ids: inserted, or made by another process at the same moment (read)."""
        made = await self._insert_ignore_many(ChannelIdentity, rows)
        if len(made) < len(rows):  # another process made some first (unique key): its rows
            c, externals = IDENTITIES.c, [r["external_id"] for r in rows]
            stmt = select(c.id).where(c.channel == channel, c.external_id.in_(externals))
            made |= {int(i) for i in (await self.session.scalars(stmt)).all()}
        return made

    async def save(
        self,
        conversations: Iterable[tuple[ConversationRow, datetime]],
        inbound_at: Iterable[tuple[int, datetime]],
        replies: Sequence[dict[str, Any]] = (),
    ) -> dict[str, int]:
        """A batch's changes, one statement per table: the reports' drafts changed in the batch (`take_drafts`; the
        session's unit of work has nothing of theirs left to do), each conversation as it now is (changed at), when
        each chat account (by id) last wrote (see `wrote`), and the replies as new outbox rows (their ids by dedupe
        key, as `OutboxRepo.enqueue_new`). On PostgreSQL all of them as one statement: one round trip for the
        four."""
        rows = [
            {"id": c.id, "handler": c.handler, "progress": c.progress, "version": c.version, "updated_at": at}
            for c, at in conversations
        ]
        seen = [{"id": identity_id, "last_inbound_at": at} for identity_id, at in inbound_at]
        updates = [("reports", take_drafts(self.session)), ("conversations", rows), ("channel_identities", seen)]
        if self.dialect == "postgresql" and replies:
            now = utcnow()
            outbox = [with_defaults(dict(r), now) for r in replies]
            result = await together.write(self.session, updates, ("outbox", outbox, ("id", "dedupe_key")))
            made: Sequence[Any] = result.all()
            return {str(key): int(outbox_id) for outbox_id, key in made}
        for table, changed in updates:
            if changed:
                columns = tuple(k for k in changed[0] if k != "id")
                await self.session.execute(_save_statement(table, columns), [_bound(r) for r in changed])
        return await OutboxRepo(self.session).enqueue_new(replies)


def _bound(row: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the saving statements' parameters (b_ and the column)."""
    return {f"b_{k}": v for k, v in row.items()}
