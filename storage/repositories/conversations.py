"""Conversation state per chat identity, and everything one message needs about its sender."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Update, bindparam, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from storage.models import Base, ChannelIdentity, Conversation, Cooperative, Officer, OfficeStaff, utcnow
from storage.repositories._base import Repo
from storage.repositories.identities import IdentityRepo

CONVERSATIONS = Base.metadata.tables[Conversation.__tablename__]
IDENTITIES = Base.metadata.tables[ChannelIdentity.__tablename__]


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """A conversation as read (a plain row, no ORM object: the hot path reads and writes one per message);
    a change is a new row, written with `ChatRepo.save`."""

    id: int
    handler: str | None
    progress: dict[str, Any]
    version: int


class ConversationRepo(Repo):
    """Conversation state per chat identity; loading it locks it, serialising that user's messages."""

    async def lock(self, identity_id: int) -> ConversationRow:
        """The conversation of this chat account, locked (made when missing); changed with `ChatRepo.save`."""
        stmt = self._locked(_conversation_columns().where(CONVERSATIONS.c.identity_id == identity_id))
        row = (await self.session.execute(stmt)).first()
        if row is None:
            await self._insert_ignore(
                Conversation,
                {"identity_id": identity_id, "progress": {}, "version": 0, "updated_at": utcnow()},
            )
            row = (await self.session.execute(stmt)).first()
            assert row is not None
        return ConversationRow(*row)


ChatRow = tuple[ChannelIdentity, ConversationRow, Officer | None, Cooperative | None, OfficeStaff | None]
People = tuple[Officer | None, Cooperative | None, OfficeStaff | None]


def _conversation_columns() -> Select[Any]:
    c = CONVERSATIONS.c
    return select(c.id, c.handler, c.progress, c.version)


@cache
def _load_chats_statement(dialect: str) -> Select[Any]:
    """ChatRepo.load_many's query, built once per dialect (it runs for every message; building it costs more than
    running it): senders by channel and ids, conversations (plain columns) locked in id order on PostgreSQL."""
    ids: BindParameter[str] = bindparam("ids", expanding=True)
    c = CONVERSATIONS.c
    stmt = (
        select(ChannelIdentity, c.id, c.handler, c.progress, c.version, Officer, Cooperative, OfficeStaff)
        .join(CONVERSATIONS, c.identity_id == ChannelIdentity.id)
        .outerjoin(Officer, Officer.id == ChannelIdentity.officer_id)
        .outerjoin(Cooperative, Cooperative.id == Officer.cooperative_id)
        .outerjoin(OfficeStaff, OfficeStaff.id == ChannelIdentity.staff_id)
        .where(
            ChannelIdentity.channel == bindparam("channel"),
            or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.alt_external_id.in_(ids)),
        )
        .order_by(c.id)
    )
    return cast("Select[Any]", stmt.with_for_update(of=CONVERSATIONS) if dialect == "postgresql" else stmt)


@cache
def _save_conversation_statement() -> Update:
    c = CONVERSATIONS.c
    return (
        update(CONVERSATIONS)
        .where(c.id == bindparam("b_id"))
        .values(
            handler=bindparam("b_handler"),
            progress=bindparam("b_progress"),
            version=bindparam("b_version"),
            updated_at=bindparam("b_at"),
        )
    )


@cache
def _save_inbound_statement() -> Update:
    c = IDENTITIES.c
    return update(IDENTITIES).where(c.id == bindparam("b_id")).values(last_inbound_at=bindparam("b_at"))


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
        params = {"channel": channel, "ids": ids}
        rows: list[ChatRow] = [
            (r[0], ConversationRow(r[1], r[2], r[3], r[4]), r[5], r[6], r[7])
            for r in await self.session.execute(stmt, params)
        ]
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

    async def people(self, identity: ChannelIdentity) -> People:
        """Who this chat account is now: its officer, their cooperative, its staff member (from the session's
        objects when loaded already, so no statement in a batch; a registration just bound it)."""
        officer = await self.session.get(Officer, identity.officer_id) if identity.officer_id else None
        cooperative = await self.session.get(Cooperative, officer.cooperative_id) if officer else None
        staff = await self.session.get(OfficeStaff, identity.staff_id) if identity.staff_id else None
        return officer, cooperative, staff

    @staticmethod
    def wrote(identity: ChannelIdentity, at: datetime) -> None:
        """The account's last message time, on the loaded object as if written (not a change its session flushes:
        `save` writes it with the batch's others)."""
        set_committed_value(identity, "last_inbound_at", at)

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
        values = {"identity_id": identity.id, "progress": {}, "version": 0, "updated_at": now}
        inserted = await self.session.execute(insert(CONVERSATIONS).returning(CONVERSATIONS.c.id), values)
        return identity, ConversationRow(inserted.scalar_one(), None, {}, 0), None, None, None

    async def save(
        self,
        conversations: Iterable[tuple[ConversationRow, datetime]],
        inbound_at: Iterable[tuple[int, datetime]],
    ) -> None:
        """A batch's changes, one statement per table: each conversation as it now is (changed at), and when each
        chat account (by id) last wrote (see `wrote`)."""
        rows = [
            {"b_id": c.id, "b_handler": c.handler, "b_progress": c.progress, "b_version": c.version, "b_at": at}
            for c, at in conversations
        ]
        if rows:
            await self.session.execute(_save_conversation_statement(), rows)
        seen = [{"b_id": identity_id, "b_at": at} for identity_id, at in inbound_at]
        if seen:
            await self.session.execute(_save_inbound_statement(), seen)
