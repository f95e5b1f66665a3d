"""Conversation state per chat identity, and everything one message needs about its sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.sql.elements import BindParameter

from storage.models import ChannelIdentity, Conversation, Cooperative, Officer, OfficeStaff, utcnow
from storage.repositories._base import Repo
from storage.repositories.identities import IdentityRepo


class ConversationRepo(Repo):
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
