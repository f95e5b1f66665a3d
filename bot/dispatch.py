"""One inbound message -> one transaction -> replies: de-duplicate, serialise per user, route, save, enqueue."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import render
from bot.context import BotInfo, Context
from bot.messages import Address, Choice, Inbound, Reply
from handlers import ROUTES, Route, route_for_text
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories

log = logging.getLogger(__name__)
CHOICES_KEY = "_choices"
FAST_PATH_GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class Outgoing:
    """A reply stored in the outbox, ready for the edge to send right away."""

    outbox_id: int
    dedupe_key: str
    address: Address
    reply: Reply


@dataclass(frozen=True)
class DispatchResult:
    """What one inbound message produced; `duplicate` when it had been handled before."""

    duplicate: bool
    outgoing: tuple[Outgoing, ...] = ()

    @property
    def replies(self) -> list[Reply]:
        return [o.reply for o in self.outgoing]


class UserLocks:
    """In-process FIFO locks per user, so one user's messages are applied in arrival order."""

    def __init__(self, size: int = 10_000) -> None:
        self._locks: OrderedDict[Address, asyncio.Lock] = OrderedDict()
        self._size = size

    def get(self, address: Address) -> asyncio.Lock:
        lock = self._locks.pop(address, None) or asyncio.Lock()
        self._locks[address] = lock
        while len(self._locks) > self._size:
            oldest, candidate = next(iter(self._locks.items()))
            if candidate.locked():
                break
            del self._locks[oldest]
        return lock


class Dispatcher:
    """Handles inbound messages; the same code for every channel."""

    def __init__(self, db: Database, bot: BotInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.locks = UserLocks()

    async def handle(self, inbound: Inbound) -> DispatchResult:
        """Handle one message in one transaction; a repeat of a message id changes nothing.

        A fault inside a handler rolls its transaction back (nothing half-saved), is logged with context, and the
        user is told in a second transaction that records the message, so a platform does not redeliver it forever.
        """
        async with self.locks.get(inbound.address):
            try:
                async with self.db.transaction() as repos:
                    return await self._handle(repos, inbound)
            except Exception:
                log.exception(
                    "handling %s message %s from %s failed",
                    inbound.address.channel,
                    inbound.message_id,
                    inbound.address.user_id,
                )
            async with self.db.transaction() as repos:
                return await self._apologise(repos, inbound)

    async def _apologise(self, repos: Repositories, inbound: Inbound) -> DispatchResult:
        address = inbound.address
        if not await repos.inbound.record(address.channel, inbound.message_id, address.user_id, inbound.received_at):
            return DispatchResult(duplicate=True)
        identity = await repos.identities.get_or_create(address.channel, address.user_id, alt_id=inbound.alt_user_id)
        lang = render.as_lang(identity.language, self.bot.default_language)
        reply = Reply(text=render.text(lang, "common.fault"))
        return DispatchResult(False, (await self._enqueue(repos, inbound, identity.id, None, None, [reply])))

    async def _handle(self, repos: Repositories, inbound: Inbound) -> DispatchResult:
        address = inbound.address
        if not await repos.inbound.record(address.channel, inbound.message_id, address.user_id, inbound.received_at):
            return DispatchResult(duplicate=True)
        loaded = await repos.chats.load(address.channel, address.user_id, inbound.alt_user_id)
        if loaded is None:  # first contact: create the identity and its conversation row
            identity = await repos.identities.get_or_create(
                address.channel, address.user_id, alt_id=inbound.alt_user_id, display_name=inbound.display_name
            )
            conversation = await repos.conversations.lock(identity.id)
            officer = await repos.officers.get(identity.officer_id) if identity.officer_id else None
            cooperative = await repos.cooperatives.get(officer.cooperative_id) if officer else None
            staff = await repos.staff.get(identity.staff_id) if identity.staff_id else None
        else:
            identity, conversation, officer, cooperative, staff = loaded
        if inbound.kind == "blocked":
            await repos.identities.mark_unreachable(identity.id, "blocked by the user", inbound.received_at)
            return DispatchResult(duplicate=False)
        identity.last_inbound_at = inbound.received_at
        if not identity.reachable:
            await repos.identities.mark_reachable(identity.id)
        if inbound.kind == "unblocked":
            return DispatchResult(duplicate=False)
        ctx = Context(
            inbound=_resolve_choice(inbound, conversation.progress),
            repos=repos,
            bot=self.bot,
            identity=identity,
            conversation=conversation,
            officer=officer,
            cooperative=cooperative,
            staff=staff,
            now=self.clock(),
            handler=conversation.handler,
            progress={k: v for k, v in (conversation.progress or {}).items() if k != CHOICES_KEY},
        )
        replies = await _route(ctx)
        if not replies:
            replies = [ctx.say("common.not_understood")]
        progress = dict(ctx.progress)
        offered = [c for c in replies[-1].choices]
        if offered:
            progress[CHOICES_KEY] = [[c.id, c.title] for c in offered]
        await repos.conversations.save(conversation, ctx.handler, progress, ctx.now)
        outgoing = await self._enqueue(
            repos, inbound, identity.id, officer.id if officer else None, staff.id if staff else None, replies
        )
        return DispatchResult(duplicate=False, outgoing=outgoing)

    async def _enqueue(
        self,
        repos: Repositories,
        inbound: Inbound,
        identity_id: int,
        officer_id: int | None,
        staff_id: int | None,
        replies: Sequence[Reply],
    ) -> tuple[Outgoing, ...]:
        """The replies as outbox rows, keyed by the message they answer."""
        address = inbound.address
        outgoing = []
        for index, reply in enumerate(replies):
            key = f"reply:{address.channel}:{inbound.message_id}:{index}"
            outbox_id = await repos.outbox.enqueue(
                dedupe_key=key,
                channel=address.channel,
                recipient=address.user_id,
                identity_id=identity_id,
                officer_id=officer_id,
                staff_id=staff_id,
                kind="reply",
                priority=0,
                payload=reply.to_json(),
                # the edge sends replies at once, in order; the workers only pick up what it could not send
                next_attempt_at=utcnow() + FAST_PATH_GRACE,
            )
            assert outbox_id is not None  # a new message id: its reply keys are new too
            outgoing.append(Outgoing(outbox_id, key, address, reply))
        return tuple(outgoing)


def _resolve_choice(inbound: Inbound, progress: dict[str, Any] | None) -> Inbound:
    """Turn a typed "2" or an option's words into the option offered last (any channel, any phone)."""
    if inbound.kind != "text" or not progress or CHOICES_KEY not in progress:
        return inbound
    offered = [Choice(id=i, title=t) for i, t in progress[CHOICES_KEY]]
    typed = inbound.text.strip().lower()
    for number, choice in enumerate(offered, start=1):
        if typed == str(number) or typed == choice.title.strip().lower():
            return Inbound(
                address=inbound.address,
                message_id=inbound.message_id,
                received_at=inbound.received_at,
                kind="choice",
                text=inbound.text,
                choice=choice.id,
                display_name=inbound.display_name,
                alt_user_id=inbound.alt_user_id,
            )
    return inbound


async def _route(ctx: Context) -> Sequence[Reply]:
    """Pick the handler: a command or keyword, a pressed button, the conversation in progress, or the menu."""
    inbound = ctx.inbound
    if inbound.kind == "unsupported":
        return [ctx.say("common.unsupported", kind=inbound.unsupported_type or "")]
    route: Route | None = None
    resume = False
    if inbound.kind == "choice" and inbound.choice:
        prefix = inbound.choice.split(":", 1)[0]
        if prefix == "go":
            route = ROUTES.get(inbound.choice.split(":", 1)[1])
        else:
            route, resume = ROUTES.get(prefix), True
    else:
        route = route_for_text(inbound.text)
        if route is None and ctx.handler in ROUTES:
            route, resume = ROUTES[ctx.handler], True
    if route is None:
        route = ROUTES["menu"]
    if not route.allowed(ctx):
        return route.refuse(ctx)
    return await (route.resume(ctx) if resume and route.resume else route.start(ctx))
