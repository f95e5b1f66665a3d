"""The WhatsApp channel as `kopsehat run` holds it: the webhook, the outbox sender, its session, the health probe.

The webhook answers 200 only after every message of the POST went through dispatch (each one committed: recorded,
handled, its replies in the outbox) and every receipt was applied; the replies are then sent in the background, in
order per user, and then each sender's latest newly handled message is marked as read (blue ticks on it and the
earlier ones; best effort, once: a repeat delivery of the message is not marked again). Whatever does not go stays in
the outbox for the delivery worker. Plain receipts (sent, delivered, read) are written in groups by
bot.channels.whatsapp.receipts; a failure's, by `apply_statuses`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.base import Channel, read_json
from bot.channels.whatsapp.client import WhatsAppSender, media_key
from bot.channels.whatsapp.inbound import meta_signature_ok, parse_webhook, verify_subscription
from bot.channels.whatsapp.pacing import RecipientPacer, TokenBucket
from bot.channels.whatsapp.receipts import Receipts, plain
from bot.channels.whatsapp.status import UNDELIVERABLE_MARK, StatusEffect, apply_statuses, undeliverable
from bot.channels.whatsapp.templates import TemplateParams, TemplateSpec
from bot.chat.dispatch import Dispatcher, Outgoing
from bot.chat.messages import UPLOAD_MAX, Address, ChannelName, Inbound, Reply
from bot.delivery.policy import window_open
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import Delivery
from bot.words.attachments import MediaIds
from storage.db import Database, is_transient
from storage.models import OutboxMessage, utcnow
from storage.repositories import Repositories

log = logging.getLogger(__name__)

CHANNEL: ChannelName = "whatsapp"
WEBHOOK_PATH = "/whatsapp/webhook"
AUTH_PAUSE_SECONDS = 600.0  # after a refused token, try Meta again this often (rows wait, nothing is lost)
STOP_WAIT_SECONDS = 2.0


class WhatsAppOutbox:
    """The delivery workers' WhatsApp sender: decides window, template or hold per outbox row; pauses on a bad token."""

    def __init__(
        self,
        db: Database,
        *,
        api_url: str,
        phone_number_id: str,
        token: str,
        templates: dict[str, TemplateSpec],
        zone: tzinfo,
        messages_per_second: float = 80.0,
        pacer: RecipientPacer | None = None,
        now: Callable[[], datetime] = utcnow,
        clock: Callable[[], float] = time.monotonic,
        media: MediaIds | None = None,
    ) -> None:
        self.db = db
        self.media = media  # the media ids of stored files (bot.channels.media)
        self.api_url = api_url
        self.phone_number_id = phone_number_id
        self._token = token
        self.templates = templates
        self.zone = zone  # the office's: 131026 on two different days of it makes a recipient unreachable
        self.throttle = TokenBucket(messages_per_second)
        self.pacer = pacer or RecipientPacer()
        self.now = now
        self.clock = clock
        self.sender: WhatsAppSender | None = None
        self._session: aiohttp.ClientSession | None = None
        self.auth_error: str | None = None
        self._auth_failed_at: float | None = None

    def __repr__(self) -> str:
        return f"WhatsAppOutbox({self.phone_number_id!r})"  # never the token

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self.sender = WhatsAppSender(
            self._session,
            self.api_url,
            self.phone_number_id,
            self._token,
            self.templates,
            throttle=self.throttle,
            media=self.media,
        )

    async def stop(self) -> None:
        self.sender = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def auth_failed(self) -> bool:
        return self._auth_failed_at is not None

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        """A send without an outbox row: the window is unknown, so a business-initiated one needs a template."""
        if self.sender is None:
            return SendOutcome("retry", retry_after=5.0, error="the WhatsApp channel is not started")
        if (paused := self._auth_pause()) is not None:
            return paused
        return self._after(address.user_id, business_initiated, await self.sender.send(address, reply))

    async def send_outbox(self, row: OutboxMessage, address: Address, reply: Reply) -> SendOutcome:
        """Send one outbox row: a reply free-form; a notice free-form inside the window, else as its template."""
        sender = self.sender
        if sender is None:
            return SendOutcome("retry", retry_after=5.0, error="the WhatsApp channel is not started")
        if (paused := self._auth_pause()) is not None:
            return paused
        template_only = bool(row.payload.get("template_only"))  # a 131047 fallback: the first one never arrived
        if row.business_initiated and not template_only and (delay := self.pacer.delay_for(row.recipient)) > 0:
            return SendOutcome("retry", retry_after=delay, error="pause between notices to the same user")
        callback = f"outbox:{row.id}"
        if template_only:
            outcome = SendOutcome("needs_template", error="(#131047) the 24-hour window was closed")
        elif row.business_initiated:
            is_open = await self._window_open(row)
            outcome = await sender.send(
                address, reply, business_initiated=True, window_open=is_open, callback_data=callback
            )
        else:
            outcome = await sender.send(address, reply, callback_data=callback)
        if outcome.status == "needs_template":
            outcome = await self._as_template(sender, row, address, callback)
        if outcome.status == "failed" and UNDELIVERABLE_MARK in (outcome.error or ""):
            async with self.db.transaction() as repos:
                outcome = await undeliverable(repos, row, outcome.error or "", self.now(), self.zone) or outcome
        return self._after(row.recipient, row.business_initiated, outcome)

    async def mark_read(self, message_id: str) -> None:
        """Blue ticks on a handled inbound message: best effort, never raises; skipped while the token is refused."""
        sender = self.sender
        if sender is None or self._auth_pause() is not None:
            return
        try:
            outcome = self._note_token(await sender.mark_read(message_id))
        except Exception as exc:  # a courtesy must never disturb the replies
            outcome = SendOutcome("failed", error=type(exc).__name__)
        if outcome.status != "sent":
            log.info("whatsapp: marking a message as read did not work (%s); not retried", outcome.error)

    async def _as_template(
        self, sender: WhatsAppSender, row: OutboxMessage, address: Address, callback: str
    ) -> SendOutcome:
        if not sender.has_template(row.kind):
            reason = (
                f"outside the 24-hour window and no approved template for {row.kind!r} "
                "(KOPSEHAT_WHATSAPP_TEMPLATES): held for the office"
            )
            log.warning("whatsapp: outbox %s needs a template: %s", row.id, reason)
            return SendOutcome("needs_template", error=reason)
        params: TemplateParams = row.payload.get("template_params") or ()
        return await sender.send_template(address, row.kind, params, callback_data=callback)

    async def _window_open(self, row: OutboxMessage) -> bool:
        async with self.db.transaction() as repos:
            if row.identity_id is not None:
                identity = await repos.identities.get(row.identity_id)
            else:
                identity = await repos.identities.find(CHANNEL, row.recipient)
            return window_open(identity.last_inbound_at if identity else None, self.now())

    def _auth_pause(self) -> SendOutcome | None:
        if self._auth_failed_at is None:
            return None
        waited = self.clock() - self._auth_failed_at
        if waited >= AUTH_PAUSE_SECONDS:
            return None  # half-open: let one send try the token again
        return SendOutcome("auth_failed", retry_after=AUTH_PAUSE_SECONDS - waited, error=self.auth_error)

    def _after(self, recipient: str, business_initiated: bool, outcome: SendOutcome) -> SendOutcome:
        outcome = self._note_token(outcome)
        if outcome.status == "sent" and business_initiated:
            self.pacer.mark_sent(recipient)
        elif outcome.status == "retry" and "(#131056)" in (outcome.error or ""):
            self.pacer.back_off(recipient, outcome.retry_after or 6.0)
        return outcome

    def _note_token(self, outcome: SendOutcome) -> SendOutcome:
        """Pause all sending when Meta refuses the token; resume when a call works again."""
        if outcome.status == "auth_failed":
            if self._auth_failed_at is None:
                log.error(
                    "whatsapp: the Graph API refused the access token (%s); sending is paused until "
                    "KOPSEHAT_WHATSAPP_TOKEN is replaced (see /healthz)",
                    outcome.error,
                )
            self._auth_failed_at, self.auth_error = self.clock(), outcome.error
            return SendOutcome("auth_failed", outcome.provider_message_ids, AUTH_PAUSE_SECONDS, outcome.error)
        if outcome.status == "sent" and self._auth_failed_at is not None:
            log.info("whatsapp: the access token works again; sending resumed")
            self._auth_failed_at, self.auth_error = None, None
        return outcome


class WhatsAppWebhook:
    """GET (subscription handshake) and POST (signed updates) on /whatsapp/webhook."""

    def __init__(self, channel: WhatsAppChannel, *, dispatcher: Dispatcher, app_secret: str, verify_token: str) -> None:
        self.channel = channel
        self.dispatcher = dispatcher
        self.delivery = channel.delivery
        self.outbox = channel.outbox
        self.db = channel.outbox.db
        self.phone_number_id = channel.outbox.phone_number_id
        self.receipts = Receipts(self.db)
        self._to_mark: dict[Address, str] = {}  # per sender, the latest message handled and not yet marked as read
        self._app_secret = app_secret
        self._verify_token = verify_token

    async def get(self, request: web.Request) -> web.Response:
        query = request.query
        challenge = verify_subscription(
            query.get("hub.mode"), query.get("hub.verify_token"), query.get("hub.challenge"), self._verify_token
        )
        if challenge is None:
            log.warning("whatsapp webhook: subscription handshake refused")
            return web.Response(status=403, text="forbidden")
        return web.Response(text=challenge, content_type="text/plain")

    async def post(self, request: web.Request) -> web.Response:
        raw = await request.read()
        header = request.headers.get("X-Hub-Signature-256")
        if not header:
            log.warning("whatsapp webhook: POST without X-Hub-Signature-256 refused")
            return web.Response(status=401, text="signature required")
        if not meta_signature_ok(raw, header, self._app_secret):
            log.warning("whatsapp webhook: POST with a wrong signature refused")
            return web.Response(status=403, text="bad signature")
        try:
            payload: Any = read_json(raw)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read: not from Meta
            log.warning("whatsapp webhook: signed body is not JSON; refused")
            return web.Response(status=400, text="not JSON")
        try:
            batch = parse_webhook(payload, self.phone_number_id)
        except Exception as exc:  # parsing is pure: whatever fails here fails every time
            log.warning("whatsapp webhook: body ignored: malformed (%s)", type(exc).__name__)
            return web.Response(text="ok")
        outgoing: list[Outgoing] = []
        handled: list[Inbound] = []  # new messages (not repeats): marked as read once their replies went
        messages = [await self._fetched(inbound) for inbound in batch.messages]
        try:
            results = await self.dispatcher.handle_many(messages) if messages else []  # receipts alone: no dispatch
            for inbound, result in zip(messages, results, strict=True):
                outgoing.extend(result.outgoing)
                if not result.duplicate:
                    handled.append(inbound)
            if batch.statuses and plain(batch.statuses):  # nearly all: sent, delivered, read
                await self.receipts.apply(batch.statuses)
            elif batch.statuses:
                async with self.db.transaction() as repos:
                    now, policy = utcnow(), self.delivery.policy
                    effects = await apply_statuses(repos, batch.statuses, now, self.outbox.zone, policy)
                    await self._forget_failed_media(repos, effects)
                if any(e.fallback_queued or e.unreachable or e.media_failure for e in effects):  # rows due now
                    self.delivery.wake()
        except Exception as exc:
            # Committed messages are kept (a retry finds them recorded); the rest is redone when Meta retries.
            self._send_in_background(outgoing, handled)
            if is_transient(exc):
                log.warning(
                    "whatsapp webhook: the database is away (%s); answering 503 so that Meta retries",
                    type(exc).__name__,
                )
                return web.Response(status=503, text="retry later")
            log.exception("whatsapp webhook: processing failed; ignored")
            return web.Response(text="ok")
        self._send_in_background(outgoing, handled)
        return web.Response(text="ok")

    async def _fetched(self, inbound: Inbound) -> Inbound:
        """A document with its bytes (media URL, then the file, with the token), unless too large or not to be had."""
        upload = inbound.upload
        sender = self.outbox.sender
        if upload is None or not upload.ref or sender is None:
            return inbound
        found = await sender.download(upload.ref, UPLOAD_MAX)
        if isinstance(found, bytes):
            upload = replace(upload, data=found, size=len(found))
        elif isinstance(found, int):
            upload = replace(upload, size=found)
        return replace(inbound, upload=upload)

    async def _forget_failed_media(self, repos: Repositories, effects: Sequence[StatusEffect]) -> None:
        """Meta could not use the media of some messages after all: the ids they went by are not used again (in
        this transaction, before their rows can be sent again)."""
        for failure in (effect.media_failure for effect in effects if effect.media_failure is not None):
            if (key := media_key(self.phone_number_id, failure.attachment)) is not None:
                await self.delivery.platform_ids.forget_sent(repos, key, failure.sent_at)

    def _send_in_background(self, outgoing: Sequence[Outgoing], handled: Sequence[Inbound]) -> None:
        by_user: dict[Address, tuple[list[Outgoing], str | None]] = {}
        for item in outgoing:
            by_user.setdefault(item.address, ([], None))[0].append(item)
        for inbound in handled:  # in the order handled: each sender's last one is the one to mark
            by_user[inbound.address] = by_user.get(inbound.address, ([], None))[0], inbound.message_id
            self._to_mark[inbound.address] = inbound.message_id
        for address, (items, latest) in by_user.items():
            name = f"whatsapp-send-{items[0].outbox_id if items else latest}"
            self.channel.spawn(self._send(address, items, latest), name)

    async def _send(self, address: Address, items: list[Outgoing], latest: str | None) -> None:
        if items:
            await self.channel.send_replies(address, items)
        # After the replies (a slow or refused read receipt never holds them up), the sender's latest message: marking
        # it marks the earlier ones read too (Meta: "the API also marks earlier messages in the conversation as
        # read"), so one call for a sender's messages of one webhook, and none for a message whose sender wrote again
        # before its replies went (the later message's send marks both).
        if latest is not None and self._to_mark.get(address) == latest:
            del self._to_mark[address]
            await self.outbox.mark_read(latest)

    async def settle(self) -> None:
        """Wait until the replies being sent in the background are done (tests, benchmark)."""
        await self.channel.idle()


class WhatsAppChannel(Channel):
    """The channel as `kopsehat run` holds it: the webhook, the outbox sender and their lifecycle."""

    name = CHANNEL

    def __init__(
        self, *, delivery: Delivery, dispatcher: Dispatcher, outbox: WhatsAppOutbox, app_secret: str, verify_token: str
    ) -> None:
        super().__init__(delivery)
        self.outbox = outbox
        self.webhook = WhatsAppWebhook(self, dispatcher=dispatcher, app_secret=app_secret, verify_token=verify_token)

    async def start(self) -> None:
        await self.outbox.start()

    async def stop(self) -> None:
        # a cancelled send's rows stay claimed until the lease ends, then the worker sends them
        await self.stop_background(STOP_WAIT_SECONDS)
        await self.webhook.receipts.idle()  # receipts taken in are written before the database closes
        await self.outbox.stop()

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        return await self.outbox.send(address, reply, business_initiated=business_initiated)

    async def send_outbox(self, row: OutboxMessage, address: Address, reply: Reply) -> SendOutcome:
        """The delivery workers' send (bot.delivery.worker.OutboxSender): it needs the row for the 24-hour window."""
        return await self.outbox.send_outbox(row, address, reply)

    async def probe(self) -> dict[str, Any]:
        """/healthz: token state and the notices held for want of a template."""
        async with self.outbox.db.transaction() as repos:
            held = await repos.outbox.count_with_status("needs_template", channel=CHANNEL)
        state: dict[str, Any] = {
            "ok": not self.outbox.auth_failed,
            "state": "auth_failed" if self.outbox.auth_failed else "ok",
            "phone_number_id": self.outbox.phone_number_id,
            "needs_template": held,
        }
        if self.outbox.auth_error:
            state["error"] = self.outbox.auth_error
        return state


WHATSAPP_KEY = web.AppKey("whatsapp", WhatsAppChannel)


__all__ = ["WHATSAPP_KEY", "WhatsAppChannel", "WhatsAppOutbox", "window_open"]
