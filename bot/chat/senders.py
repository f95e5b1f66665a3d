"""A batch's senders: read at once, each message's changes kept in the batch, written back at once at its end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.chat.messages import Inbound
from bot.chat.routing import Router, Waiting
from bot.services import Services
from storage.models import ChannelIdentity
from storage.repositories import ChatRow, ConversationRow, Repositories

Sender = tuple[str, str, str | None]  # channel, user id, other id (WhatsApp's BSUID)


def sender_of(inbound: Inbound) -> Sender:
    return inbound.address.channel, inbound.address.user_id, inbound.alt_user_id


class BatchSenders:
    """The senders of one batch's messages (identity, conversation, officer, cooperative, staff member).

    Read with one statement per channel, conversations locked (first contacts made for the batch at once). A
    conversation is a plain row: each message's new state is kept here (a later message of the same sender in the
    batch continues from it) and every changed conversation, and every account's last message time, is written with
    one statement per table by `save`.
    """

    def __init__(self, repos: Repositories, chats: dict[Sender, ChatRow]) -> None:
        self._repos = repos
        self._chats = chats
        self._touched: set[int] = set()  # accounts handled already in this batch: who they are may have changed
        self._conversations: dict[int, tuple[ConversationRow, datetime]] = {}
        self._inbound: dict[int, datetime] = {}

    @classmethod
    async def load(cls, repos: Repositories, inbounds: Sequence[Inbound]) -> tuple[BatchSenders, set[tuple[str, str]]]:
        """The batch's messages recorded (the (channel, message id) pairs new, as `InboundRepo.record_many`) and its
        senders read, with one statement per channel (the first one records too: `ChatRepo.record_and_load`); its
        first contacts (none found) made together, a few statements for all of them (see `ChatRepo.make_many`)."""
        by_channel: dict[str, list[Inbound]] = {}
        for inbound in inbounds:
            by_channel.setdefault(inbound.address.channel, []).append(inbound)
        chats: dict[Sender, ChatRow] = {}
        record = [(i.address.channel, i.message_id, i.address.user_id, i.received_at) for i in inbounds]
        fresh: set[tuple[str, str]] = set()
        for channel, said in by_channel.items():
            found, recorded = await repos.chats.record_and_load(channel, [sender_of(i)[1:] for i in said], record)
            fresh, record = fresh | recorded, []
            chats.update(((channel, *sender), row) for sender, row in found.items())
            first = [(*sender_of(i)[1:], i.display_name) for i in said if sender_of(i) not in chats]
            if first:
                made = await repos.chats.make_many(channel, first)
                chats.update(((channel, *sender), row) for sender, row in made.items())
        return cls(repos, chats), fresh

    async def prepare(self, router: Router, services: Services, inbounds: Sequence[Inbound], at: datetime) -> None:
        """Let each route continued or started in this batch (`inbounds`: its new messages) read at once what its
        messages need (the report drafts; for a `/lapor`, the report made, last period's figures, yearly answers)."""
        waiting: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for _, conversation, _, cooperative, _ in self._chats.values():
            route = router.get(conversation.handler)
            if route is not None and route.prepare is not None and cooperative is not None:
                waiting.setdefault(route.name, []).append((cooperative.id, dict(conversation.progress or {})))
        starting: dict[str, list[int]] = {}
        for inbound in inbounds:
            _, conversation, officer, cooperative, staff = self._chats[sender_of(inbound)]
            route = router.for_text(inbound.text) if inbound.kind == "text" else None
            if route is None or route.prepare is None or cooperative is None or route.name == conversation.handler:
                continue
            if route.open_to(officer=officer is not None, staff=staff is not None):
                starting.setdefault(route.name, []).append(cooperative.id)
        for name in sorted(waiting.keys() | starting.keys()):
            prepare = router.routes[name].prepare
            assert prepare is not None
            await prepare(services, Waiting(waiting.get(name, []), starting.get(name, []), at))

    async def of(self, inbound: Inbound) -> ChatRow:
        """The sender as the batch's earlier messages left them."""
        sender = sender_of(inbound)
        loaded = self._chats[sender]
        identity, conversation = loaded[0], loaded[1]
        if identity.id in self._touched:  # an account handled already, maybe under its other id (WhatsApp's BSUID):
            # its conversation as the batch left it, and who it is now (a registration may have bound it)
            latest = self._conversations.get(conversation.id)
            conversation = latest[0] if latest else conversation
            loaded = (identity, conversation, *await self._repos.chats.people(identity))
        self._chats[sender] = loaded
        self._touched.add(identity.id)
        return loaded

    def wrote(self, identity: ChannelIdentity, at: datetime) -> None:
        """The account wrote at `at` (its last message time; WhatsApp's window opens from it)."""
        if identity.last_inbound_at == at:  # already so
            return
        self._repos.chats.wrote(identity, at)
        self._inbound[identity.id] = at

    def changed(self, inbound: Inbound, handler: str | None, progress: dict[str, Any], at: datetime) -> None:
        """The sender's conversation goes on with `handler` and `progress` (saved with the batch)."""
        sender = sender_of(inbound)
        identity, conversation, officer, cooperative, staff = self._chats[sender]
        # made directly: `dataclasses.replace` takes twice the CPU
        saved = ConversationRow(conversation.id, handler, progress, conversation.version + 1)
        self._chats[sender] = identity, saved, officer, cooperative, staff
        self._conversations[saved.id] = (saved, at)

    async def save(self, replies: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Every change of the batch and its replies (outbox rows; their ids by dedupe key): one statement per
        table, on PostgreSQL one for all (`ChatRepo.save`)."""
        ids = await self._repos.chats.save(self._conversations.values(), self._inbound.items(), replies)
        self._conversations.clear()
        self._inbound.clear()
        return ids
