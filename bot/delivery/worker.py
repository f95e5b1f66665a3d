"""Outbox delivery: claim due messages, send them through their channel, record how each one ended."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol, cast

from bot.charts import specs
from bot.chat.batching import Batcher, retrying, together_else_each
from bot.chat.dispatch import Outgoing
from bot.chat.messages import Address, ChannelName, Reply
from bot.delivery.senders import ChannelSender, SendOutcome
from bot.services.files import FileCache, PlatformIds
from storage.db import Database, is_transient
from storage.models import OutboxMessage, utcnow
from storage.repositories import Repositories, outbox

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (1, 2, 4, 8, 30, 120, 600, 1800)
IN_PROCESS_WAIT_LIMIT = 600.0
RECEIPT_STATES = frozenset({"delivered", "read", "failed"})
RECORD_BATCH = 64  # send_now callers whose outcomes are written in one transaction at most
RECORD_EVERY = 16  # with concurrency > 1, outcomes written per transaction: also the most a killed process repeats


class OutboxSender(Protocol):
    """A sender that needs the whole outbox row (kind, identity, template values), e.g. WhatsApp's 24-hour window.

    Found by its `send_outbox` attribute (a runtime-checkable isinstance on every send cost 1-3% of a message)."""

    async def send_outbox(self, row: OutboxMessage, address: Address, reply: Reply) -> SendOutcome: ...


class NoticePolicy(Protocol):
    """Send-time checks of business-initiated rows (quiet hours, channel, daily caps): see bot.delivery.policy."""

    async def before_claim(self, repos: Repositories, now: datetime) -> None: ...

    async def admit(self, repos: Repositories, rows: Sequence[OutboxMessage], now: datetime) -> list[OutboxMessage]: ...

    async def after_outcome(self, repos: Repositories, row: OutboxMessage, outcome: SendOutcome, now: datetime) -> None:
        """After an outcome other than sent (a sent one is written by one statement, without its row)."""


def backoff(attempts: int) -> timedelta:
    """How long to wait before attempt number `attempts + 1`."""
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1] if attempts else 1)


async def record_outcome(repos: Repositories, row: OutboxMessage, outcome: SendOutcome, now: datetime) -> None:
    """Write the end (or the next try) of one message; unreachable recipients stop receiving."""
    row.updated_at = now
    row.claimed_until = None
    if outcome.status == "sent":
        # A receipt (WhatsApp) that overtook this write is kept, also one that put the row back to be sent again.
        if row.status not in RECEIPT_STATES and row.status != "pending":
            row.status = "sent"
            row.last_error = None
        row.sent_at = now
        row.provider_message_id = ",".join(outcome.provider_message_ids)[:128] or row.provider_message_id
        return
    row.last_error = (outcome.error or outcome.status)[:500]
    if outcome.status in ("retry", "auth_failed"):
        if outcome.status == "retry" and row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            row.last_error = f"gave up after {row.attempts} attempts: {row.last_error}"[:500]
            return
        wait = timedelta(seconds=outcome.retry_after) if outcome.retry_after else backoff(row.attempts)
        row.status = "pending"
        row.next_attempt_at = now + wait
        return
    if outcome.status == "unreachable":
        row.status = "unreachable"
        if row.identity_id is not None:
            await repos.identities.mark_unreachable(row.identity_id, row.last_error, now)
            for other in await repos.outbox.pending_for(row.identity_id):
                if other.id != row.id:
                    other.status, other.last_error, other.updated_at = "unreachable", row.last_error, now
        return
    row.status = outcome.status  # failed | needs_template


_Records = tuple[list[tuple[int, SendOutcome]], list[int]]  # outcomes by outbox id, ids to give back


def record_waits(lease: timedelta) -> tuple[float, ...]:
    """The pauses before writing outcomes again while the database is away: quick at first, then every 2 s, for
    as long as the claim lasts (after that, a worker would send the message again anyway)."""
    waits: list[float] = []
    for wait in (0.05, 0.1, 0.2, 0.5, 1.0, *[2.0] * int(lease.total_seconds() // 2)):
        if sum(waits) + wait > lease.total_seconds():
            break
        waits.append(wait)
    return tuple(waits)


def already_written(row: OutboxMessage, outcome: SendOutcome) -> bool:
    """Whether this outcome is on the row already: a write done again after its first try committed unseen (the
    connection was lost at COMMIT), recognised by the platform's message ids; an unsent outcome applies only to a
    row still claimed."""
    if outcome.status == "sent":
        ids = ",".join(outcome.provider_message_ids)[:128]
        return bool(ids) and row.sent_at is not None and row.provider_message_id == ids
    return row.status != "sending"


def _claimed_row(item: Outgoing) -> OutboxMessage:
    """The row of a reply stored already claimed for the fast path, as the senders need it (it is not loaded)."""
    return OutboxMessage(
        id=item.outbox_id,
        dedupe_key=item.dedupe_key,
        channel=item.address.channel,
        recipient=item.address.user_id,
        kind="reply",
        business_initiated=False,
        priority=0,
        payload=item.reply.to_json(),
        status="sending",
        attempts=1,
    )


class Delivery:
    """Sends replies right away (the fast path) and drains the outbox in the background."""

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, ChannelSender],
        *,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
        policy: NoticePolicy | None = None,
        concurrency: int = 1,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.batch = batch
        self.concurrency = max(1, concurrency)  # recipients served at once; each one's messages stay in order
        self.lease = lease  # a row claimed by a process that died is offered again after this
        self._record_waits = record_waits(lease)  # made once: about 28 µs of CPU each time (every group of outcomes)
        self.policy = policy
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._records = Batcher[_Records, None](self._write_records, RECORD_BATCH, "delivery-records")
        self.files = FileCache(db)  # announcement files, read once for a whole broadcast
        self.platform_ids = PlatformIds(db)  # ... and uploaded once: the senders send them by the platforms' ids

    async def send_now(self, outgoing: Sequence[Outgoing]) -> list[SendOutcome]:
        """Send a dispatch's replies in order: claim them (unless stored claimed), send, record how each went.

        Sending stops at the first reply that does not go; it and the rest are left to the workers.
        """
        sendable: list[Outgoing] = []
        for item in outgoing:
            if item.address.channel not in self.senders:
                break
            sendable.append(item)
        unsendable = [item.outbox_id for item in outgoing[len(sendable) :] if item.claimed]  # no sender here
        if not sendable:
            await self._record_many([], release=unsendable)
            return []
        claimed: dict[int, OutboxMessage | Outgoing] = {item.outbox_id: item for item in sendable if item.claimed}
        if len(claimed) < len(sendable):
            async with self.db.transaction() as repos:
                ids = [item.outbox_id for item in sendable if not item.claimed]
                claimed.update(await repos.outbox.claim_ids(ids, utcnow(), self.lease))
        ended: list[tuple[int, SendOutcome]] = []
        for item in sendable:
            row = claimed.get(item.outbox_id)
            if row is None:
                continue
            outcome = await self._send(self.senders[item.address.channel], item.address, item.reply, row)
            ended.append((item.outbox_id, outcome))
            if outcome.status != "sent":
                break
        tried = {outbox_id for outbox_id, _ in ended}
        await self._record_many(ended, release=[i for i in claimed if i not in tried] + unsendable)
        return [outcome for _, outcome in ended]

    async def _send(
        self, sender: ChannelSender, address: Address, reply: Reply, row: OutboxMessage | Outgoing
    ) -> SendOutcome:
        """Send one message; `row` is its outbox row, or for a reply stored claimed, the reply as dispatch made it."""
        try:
            attachment = reply.attachment
            if attachment is not None and attachment.chart is not None and not attachment.data:
                reply = replace(reply, attachment=await asyncio.to_thread(specs.drawn, attachment))
            elif attachment is not None and attachment.file_id is not None and not attachment.data:
                loaded = await self.files.filled(attachment)  # read outside the transactions that claim and record
                if loaded is None:
                    return SendOutcome("failed", error=f"the stored file of {attachment.filename} is gone")
                reply = replace(reply, attachment=loaded)
            send_outbox: OutboxSender | None = getattr(sender, "send_outbox", None) and cast(OutboxSender, sender)
            if send_outbox is not None:
                claimed = _claimed_row(row) if isinstance(row, Outgoing) else row
                return await send_outbox.send_outbox(claimed, address, reply)
            business_initiated = False if isinstance(row, Outgoing) else row.business_initiated  # replies are not
            return await sender.send(address, reply, business_initiated=business_initiated)
        except Exception as exc:  # a sender must not raise; if it does, the message is retried, not lost
            log.exception("sender for %s raised", address.channel)
            return SendOutcome("retry", error=f"internal error: {type(exc).__name__}")

    async def drain_once(self, now: datetime | None = None) -> int:
        """Claim and send one batch of due messages; the number handled."""
        now = now or utcnow()
        async with self.db.transaction() as repos:
            if self.policy is not None:
                await self.policy.before_claim(repos, now)
            rows = await repos.outbox.claim(now, limit=self.batch, channels=list(self.senders), lease=self.lease)
            if self.policy is not None:
                rows = await self.policy.admit(repos, rows, now)
            claimed = [
                (r.id, Address(cast(ChannelName, r.channel), r.recipient), Reply.from_json(r.payload), r) for r in rows
            ]
        if self.concurrency == 1:
            for outbox_id, address, reply, row in claimed:
                outcome = await self._send(self.senders[address.channel], address, reply, row)
                await self._record_many([(outbox_id, outcome)])
            return len(claimed)
        queues: dict[Address, list[tuple[int, Address, Reply, OutboxMessage]]] = {}
        for item in claimed:
            queues.setdefault(item[1], []).append(item)
        gate = asyncio.Semaphore(self.concurrency)
        ended: list[tuple[int, SendOutcome]] = []

        async def one_recipient(items: list[tuple[int, Address, Reply, OutboxMessage]]) -> None:
            async with gate:  # the sender's own limiter (e.g. Telegram's) paces the calls
                for outbox_id, address, reply, row in items:
                    ended.append((outbox_id, await self._send(self.senders[address.channel], address, reply, row)))
                    if len(ended) >= RECORD_EVERY:  # outcomes are written in groups: one transaction each
                        group = ended[:]
                        ended.clear()
                        await self._record_many(group)

        try:
            await asyncio.gather(*(one_recipient(items) for items in queues.values()))
        finally:
            await self._record_many(ended)
        return len(claimed)

    async def _record_many(self, outcomes: Sequence[tuple[int, SendOutcome]], release: Sequence[int] = ()) -> None:
        """Write outcomes; `release` gives claimed but untried messages back to the workers.

        Concurrent callers share transactions (group commit): under load, many sends are recorded at once.
        """
        if outcomes or release:
            await self._records.submit([(list(outcomes), list(release))])

    async def _write_records(self, groups: list[_Records]) -> list[Exception | None]:
        # A send that happened is written on a fresh connection when one breaks, for as long as the claim lasts: an
        # outcome not written is a message sent twice.
        return await retrying(groups, self._write_once, self._record_waits, "groups of outcomes")

    async def _write_once(self, groups: list[_Records]) -> list[Exception | None]:
        return await together_else_each(groups, self._write_together, self._write_group, "groups of outcomes")

    async def _write_together(self, groups: list[_Records]) -> list[None]:
        await self._write_group(([o for g in groups for o in g[0]], [i for g in groups for i in g[1]]))
        return [None] * len(groups)

    async def _write_group(self, group: _Records) -> None:
        outcomes, release = group
        if not release and all(outcome.status == "sent" for _, outcome in outcomes):  # the usual end: one statement
            sent = [(outbox_id, ",".join(outcome.provider_message_ids)) for outbox_id, outcome in outcomes]
            async with self.db.one_statement() as connection:
                await outbox.record_sent(connection, sent, utcnow(), self.db.dialect)
            return
        async with self.db.transaction() as repos:
            await self._write(repos, outcomes, release)

    async def _write(
        self, repos: Repositories, outcomes: Sequence[tuple[int, SendOutcome]], release: Sequence[int]
    ) -> None:
        now = utcnow()
        rows = await repos.outbox.by_ids([i for i, _ in outcomes] + list(release))
        for outbox_id in release:
            row = rows.get(outbox_id)
            if row is not None and row.status == "sending":
                row.status, row.claimed_until, row.attempts, row.updated_at = "pending", None, row.attempts - 1, now
        for outbox_id, outcome in outcomes:
            row = rows.get(outbox_id)
            if row is not None and not already_written(row, outcome):
                await record_outcome(repos, row, outcome, now)
                if self.policy is not None:
                    await self.policy.after_outcome(repos, row, outcome, now)

    def wake(self) -> None:
        """Something new is due: look at the outbox now."""
        self._wake.set()

    async def run(self, idle: float = 1.0) -> None:
        """Drain until stopped; sleep `idle` seconds (or until woken) when nothing is due."""
        while not self._stop.is_set():
            try:
                handled = await self.drain_once()
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("delivery round failed; retrying")
                else:  # the database is away: the next round claims again
                    log.warning("delivery round failed: database away (%s); retrying", type(exc).__name__)
                handled = 0
            if handled:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle)

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="delivery")

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        await self._records.idle()  # outcomes of sends already made are written
