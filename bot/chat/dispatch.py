"""One inbound message -> one transaction -> replies: de-duplicate, serialise per user, route, save, enqueue."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.chat import buttons
from bot.chat.batching import Batcher, retrying, together_else_each
from bot.chat.context import BotInfo, Context
from bot.chat.messages import Address, Choice, Inbound, Reply
from bot.chat.routing import Route, Router
from bot.chat.senders import BatchSenders
from bot.domain.health.rules import default_rules
from bot.services import Services
from bot.words import render
from storage.db import Database, is_transient
from storage.models import utcnow
from storage.repositories import Repositories

log = logging.getLogger(__name__)
CHOICES_KEY = "_choices"
FAST_PATH_GRACE = timedelta(seconds=5)
MAX_BATCH = 32  # messages per transaction at most: a bound on the wait of the first
# how long the next batch waits at most for as many messages as the batch before had (see `Batcher`): under load a
# batch's people answer again together, and the first of them no longer goes alone (p99 0.6-0.8x, measured)
LINGER_SECONDS = 0.001
STAFF_REFRESH = timedelta(seconds=5)  # the staff's chats are read again when this old (other processes change them)
# A lost connection is not a handler's fault: the batch is done again on a fresh one after each of these waits
# (about 3 s in all); then the edge answers 503 and the platform sends the messages again.
RETRY_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
Action = Callable[[Context], Awaitable[Sequence[Reply]]]
Write = Callable[[Sequence[dict[str, Any]]], Awaitable[dict[str, int]]]  # outbox rows -> their ids by dedupe key


@dataclass(frozen=True)
class Outgoing:
    """A reply stored in the outbox, ready for the edge to send right away."""

    outbox_id: int
    dedupe_key: str
    address: Address
    reply: Reply
    claimed: bool = False  # stored already claimed for the edge (Dispatcher.reply_lease)


@dataclass(frozen=True)
class DispatchResult:
    """What one inbound message produced; `duplicate` when it had been handled before.

    `role_changed`: the message made its sender a cooperative officer or office staff, or changed which (an
    invitation redeemed), so a channel can change what it offers them (Telegram's staff command menu).
    """

    duplicate: bool
    outgoing: tuple[Outgoing, ...] = ()
    role_changed: bool = False

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


@dataclass
class _Decided:
    """One message's outcome before its replies are stored."""

    inbound: Inbound
    identity_id: int
    officer_id: int | None
    staff_id: int | None
    replies: Sequence[Reply]
    role_changed: bool = False

    @property
    def keys(self) -> list[str]:
        """The replies' outbox dedupe keys: the message they answer and their place among its replies."""
        address = self.inbound.address
        return [f"reply:{address.channel}:{self.inbound.message_id}:{i}" for i in range(len(self.replies))]


class Dispatcher:
    """Handles inbound messages; the same code for every channel.

    Messages are applied in arrival order by one worker, several per transaction (group commit): while one batch is
    being written, the next ones queue, and all of them are handled in the next transaction. A batch that fails is
    rolled back and its messages handled again one by one, so one bad message cannot take others with it.
    `reply_lease`: the edge sends the replies itself right away (the fast path), so they are stored already claimed
    for that long; the delivery workers take over only what it could not send, or after a crash.
    """

    def __init__(
        self,
        db: Database,
        bot: BotInfo,
        router: Router,
        clock: Callable[[], datetime] = utcnow,
        *,
        reply_lease: timedelta | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.db = db
        self.bot = bot
        self.router = router
        self.clock = clock
        self.reply_lease = reply_lease
        self._batches = Batcher[Inbound, DispatchResult](self._run, max_batch, "dispatch", linger=LINGER_SECONDS)
        # office staff's requests (a province's rekap) each in a transaction of their own, beside the officers'
        # batches: never inside one, where every officer of the batch would wait for them
        self._staff_lane = Batcher[Inbound, DispatchResult](self._run, 1, "dispatch-staff")
        self._staff_chats: set[tuple[str, str]] = set()  # (channel, user id) of staff
        self._staff_read_at: datetime | None = None  # when read (a read that failed: tried again STAFF_REFRESH later)
        self._staff_loading = asyncio.Lock()
        self._actions: dict[str, Action] = {}  # message id -> what another door does in this chat (`act`)

    async def handle(self, inbound: Inbound) -> DispatchResult:
        """Handle one message; a repeat of a message id changes nothing."""
        return (await self.handle_many([inbound]))[0]

    async def act(self, address: Address, message_id: str, action: Action) -> DispatchResult:
        """Do `action` in this chat account's conversation as a message would be handled (conversation locked, one
        transaction with the replies stored in the outbox, once per `message_id`), though the person wrote nothing
        in chat: another door (the phone form) has them told there what it did. Their last message time is left
        alone (it opens WhatsApp's window); no reply is made up when `action` returns none."""
        self._actions[message_id] = action
        try:
            return await self.handle(Inbound(address=address, message_id=message_id, received_at=self.clock()))
        finally:
            self._actions.pop(message_id, None)

    async def handle_many(self, inbounds: Sequence[Inbound]) -> list[DispatchResult]:
        """Handle messages in this order (after any queued before them); each result once it is committed.
        Office staff's messages go in the staff lane, officers' (and strangers') in the batches."""
        staff_chats = await self._staff()
        staff = [(i.address.channel, i.address.user_id) in staff_chats for i in inbounds]
        if not any(staff):
            return await self._batches.submit(inbounds)
        others = [i for i, is_staff in zip(inbounds, staff, strict=True) if not is_staff]
        theirs, ours = await asyncio.gather(
            self._batches.submit(others),
            self._staff_lane.submit([i for i, is_staff in zip(inbounds, staff, strict=True) if is_staff]),
        )
        lanes = iter(theirs), iter(ours)
        return [next(lanes[is_staff]) for is_staff in staff]

    async def _staff(self) -> set[tuple[str, str]]:
        """The staff's chats, read again once STAFF_REFRESH old (by `clock`): a chat made staff, or no longer, in
        another process changes lane that soon (only a lane: what anyone may do is decided on the batch's rows).
        Always through the lock (it does not wait when free), so no message overtakes those waiting for a read."""
        async with self._staff_loading:
            now = self.clock()
            if self._staff_read_at is None or not timedelta(0) <= now - self._staff_read_at < STAFF_REFRESH:
                try:
                    async with self.db.reading() as repos:
                        self._staff_chats = await repos.identities.staff_chats()
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    log.warning("reading the staff's chats failed; the last ones are kept", exc_info=True)
                self._staff_read_at = now
        return self._staff_chats

    async def _run(self, inbounds: list[Inbound]) -> list[DispatchResult | Exception]:
        # an exception left for one message: the database stayed away (the caller answers 503 and the platform sends
        # it again), or even its apology could not be stored
        return await retrying(inbounds, self._run_once, RETRY_WAITS, "messages")

    async def _run_once(self, inbounds: list[Inbound]) -> list[DispatchResult | Exception]:
        return await together_else_each(inbounds, self._handle_together, self._handle_alone, "messages")

    async def _handle_together(self, inbounds: list[Inbound]) -> list[DispatchResult]:
        async with self.db.transaction(trust_fresh=True) as repos:
            return await self._handle_batch(repos, inbounds)

    async def _handle_alone(self, inbound: Inbound) -> DispatchResult:
        """One message in its own transaction.

        A fault inside a handler rolls its transaction back (nothing half-saved), is logged with context, and the
        user is told in a second transaction that records the message, so a platform does not redeliver it forever.
        A lost connection is no fault of the handler: it is raised, and the message is done again.
        """
        try:
            async with self.db.transaction(trust_fresh=True) as repos:
                return (await self._handle_batch(repos, [inbound]))[0]
        except Exception as exc:
            if is_transient(exc):
                raise
            log.exception(
                "handling %s message %s from %s failed",
                inbound.address.channel,
                inbound.message_id,
                inbound.address.user_id,
            )
        async with self.db.transaction(trust_fresh=True) as repos:
            return await self._apologise(repos, inbound)

    async def _apologise(self, repos: Repositories, inbound: Inbound) -> DispatchResult:
        address = inbound.address
        if not await repos.inbound.record(address.channel, inbound.message_id, address.user_id, inbound.received_at):
            return DispatchResult(duplicate=True)
        identity = await repos.identities.get_or_create(address.channel, address.user_id, alt_id=inbound.alt_user_id)
        lang = render.as_lang(identity.language, self.bot.default_language)
        reply = Reply(text=render.text(lang, "common.fault"))
        return (await self._enqueue([_Decided(inbound, identity.id, None, None, [reply])], repos.outbox.enqueue_new))[0]

    async def _handle_batch(self, repos: Repositories, inbounds: Sequence[Inbound]) -> list[DispatchResult]:
        """Messages in one transaction: record their ids and load their senders at once, decide each, store
        replies."""
        senders, fresh = await BatchSenders.load(repos, inbounds)
        new = [i for i in inbounds if (i.address.channel, i.message_id) in fresh]
        at = self.clock()  # the batch's time: what it prepares (a report's period) is what its messages then open
        await senders.prepare(self.router, Services(repos, self.bot.rules or default_rules()), new, at)
        decided: list[_Decided | None] = []
        for inbound in inbounds:
            key = (inbound.address.channel, inbound.message_id)
            if key not in fresh:  # a repeat, or the same message twice in this batch
                decided.append(None)
                continue
            fresh.discard(key)
            decided.append(await self._decide(repos, senders, inbound, at))
        for d in (d for d in decided if d is not None):  # the lane of a chat that became (or stopped being) staff's
            chat = (d.inbound.address.channel, d.inbound.address.user_id)
            (self._staff_chats.add if d.staff_id is not None else self._staff_chats.discard)(chat)
        stored = iter(await self._enqueue([d for d in decided if d is not None], senders.save))
        return [DispatchResult(duplicate=True) if d is None else next(stored) for d in decided]

    async def _decide(self, repos: Repositories, senders: BatchSenders, inbound: Inbound, at: datetime) -> _Decided:
        """Route one message to its handler and keep its conversation's change; its replies are stored by the
        caller."""
        identity, conversation, officer, cooperative, staff = await senders.of(inbound)
        action = self._actions.get(inbound.message_id)
        if action is None:  # a message the person wrote (an action of another door is not one)
            if inbound.kind == "blocked":
                await repos.identities.mark_unreachable(identity.id, "blocked by the user", inbound.received_at)
                return _Decided(inbound, identity.id, None, None, [])
            senders.wrote(identity, inbound.received_at)
            if not identity.reachable:
                await repos.identities.mark_reachable(identity.id)
            if inbound.kind == "unblocked":
                return _Decided(inbound, identity.id, None, None, [])
        ctx = Context(
            inbound=_resolve_choice(inbound, conversation.progress),
            repos=repos,
            bot=self.bot,
            identity=identity,
            officer=officer,
            cooperative=cooperative,
            staff=staff,
            now=at,
            handler=conversation.handler,
            progress={k: v for k, v in (conversation.progress or {}).items() if k != CHOICES_KEY},
        )
        replies = list(await (action(ctx) if action is not None else _route(self.router, ctx)))
        if not replies and action is None:
            replies = [ctx.say("common.not_understood")]
        if inbound.pressed is not None and ctx.press is not None:  # a press taken (not a stale or refused one) is
            # stored with the reply: whoever sends it can show the choice on the question
            first = replies[0]
            replies[0] = replace(first, confirms=first.confirms or inbound.pressed.title, answers=inbound.pressed)
        progress = dict(ctx.progress)
        offered = [c for c in replies[-1].choices] if replies else []
        if offered:
            progress[CHOICES_KEY] = [[c.id, c.title] for c in offered]
        senders.changed(inbound, ctx.handler, progress, ctx.now)
        officer_id, staff_id = (ctx.officer.id if ctx.officer else None), (ctx.staff.id if ctx.staff else None)
        role_changed = (officer_id, staff_id) != ((officer.id if officer else None), (staff.id if staff else None))
        return _Decided(inbound, identity.id, officer_id, staff_id, replies, role_changed)

    async def _enqueue(self, decided: Sequence[_Decided], write: Write) -> list[DispatchResult]:
        """The replies as outbox rows, keyed by the message they answer, all in one statement (`write`: with the
        batch's other changes, or alone)."""
        now = utcnow()
        if self.reply_lease is not None:  # the edge sends them at once: claimed for it already
            state = {"status": "sending", "claimed_until": now + self.reply_lease, "attempts": 1}
        else:  # the caller sends them at once; the workers only pick up what it could not send
            state = {"status": "pending", "next_attempt_at": now + FAST_PATH_GRACE}
        rows = [
            {
                "dedupe_key": key,
                "channel": d.inbound.address.channel,
                "recipient": d.inbound.address.user_id,
                "identity_id": d.identity_id,
                "officer_id": d.officer_id,
                "staff_id": d.staff_id,
                "kind": "reply",
                "priority": 0,
                "payload": reply.to_json(),
                "created_at": now,
                "updated_at": now,
                **state,
            }
            for d in decided
            for key, reply in zip(d.keys, d.replies, strict=True)
        ]
        ids = await write(rows)
        results = []
        for d in decided:
            outgoing = tuple(
                Outgoing(ids[key], key, d.inbound.address, reply, claimed=self.reply_lease is not None)
                for key, reply in zip(d.keys, d.replies, strict=True)
            )
            results.append(DispatchResult(duplicate=False, outgoing=outgoing, role_changed=d.role_changed))
        return results

    async def idle(self) -> None:
        """Wait until every queued message is handled (tests, shutdown)."""
        await self._batches.idle()
        await self._staff_lane.idle()


DOCUMENT_ROUTE = "workbook_file"  # the route a document goes to (handlers.workbook)


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


async def _route(router: Router, ctx: Context) -> Sequence[Reply]:
    """Pick the handler: a command or keyword, a pressed button, the conversation in progress, or the menu."""
    inbound = ctx.inbound
    if inbound.kind == "unsupported":
        return [ctx.say("common.unsupported", kind=inbound.unsupported_type or "")]
    route: Route | None = None
    if inbound.kind == "document":  # a file sent: the report workbook's door (officers only)
        route = router.get(DOCUMENT_ROUTE)
        if route is None:
            return [ctx.say("common.unsupported", kind="document")]
        return route.refuse(ctx) if not route.allowed(ctx) else await route.start(ctx)
    resume = False
    if inbound.kind == "choice" and inbound.choice:
        return await _pressed(router, ctx, inbound.choice)
    route, resume = router.for_text(inbound.text), False
    if route is None and ctx.handler in router:
        route, resume = router.get(ctx.handler), True
    if route is None:
        route = router.routes["menu"]
    if not route.allowed(ctx):
        return route.refuse(ctx)
    return await (route.resume(ctx) if resume and route.resume else route.start(ctx))


async def _pressed(router: Router, ctx: Context, button_id: str) -> Sequence[Reply]:
    """A pressed button, checked against its declaration before any handler sees it (bot.chat.buttons)."""
    press = buttons.read(button_id)
    route = router.get(press.action if press.route == "go" else press.route) if press else None
    sender = f"{ctx.inbound.address.channel} user {ctx.inbound.address.user_id}"
    if press is None or route is None:
        log.info("button %.60r from %s: not one the bot offers, or out of range; answered as stale", button_id, sender)
        return [ctx.say("common.stale_button")]
    staff_role = ctx.staff.role if ctx.staff is not None else None
    if not route.allowed(ctx) or not press.button.allows(officer=ctx.officer is not None, staff_role=staff_role):
        log.warning("button %.60r from %s (%s) refused: it is for %s", button_id, sender, ctx.actor, press.button.who)
        return [_refusal(ctx, press.button.who)]
    ctx.press = press
    if press.route == "go" or route.resume is None:
        return await route.start(ctx)
    return await route.resume(ctx)


def _refusal(ctx: Context, who: buttons.Who) -> Reply:
    """Why this person may not press a button that is for `who`."""
    if ctx.officer is None and ctx.staff is None:
        return ctx.say("onboarding.stranger")
    if who == "officer":
        return ctx.say("common.officers_only")
    if who == "sender" and ctx.staff is not None:
        return ctx.say("common.senders_only")
    return ctx.say("common.not_for_you")
