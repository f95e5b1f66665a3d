"""Wiring of the telegram channel into `kopsehat run`: webhook or long polling, sender, health probe.

An update is answered (HTTP 200, or confirmed by the next getUpdates offset) only after dispatch has committed
it; replies are then sent in the background, and whatever does not go stays in the outbox for delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from aiohttp import web
from telegram import Bot, Message, Update
from telegram.error import Conflict, InvalidToken, TelegramError

from bot.channels.base import SendOutcome
from bot.channels.telegram import make_bot, redact, set_commands
from bot.channels.telegram_in import TelegramInbound, update_to_inbound
from bot.channels.telegram_out import TelegramSender
from bot.channels.telegram_rate import SendLimiter
from bot.delivery import Delivery
from bot.dispatch import Dispatcher, DispatchResult, Outgoing, UserLocks
from bot.messages import Address, Reply
from storage.models import utcnow

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
POLL_TIMEOUT = 25
STOP_SECONDS = 2.0
PROBE_CACHE_SECONDS = 30.0
_BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
Mode = Literal["webhook", "polling"]


def _backoff(failures: int) -> float:
    return _BACKOFF[min(failures, len(_BACKOFF)) - 1] if failures else 0.0


@dataclass
class _Press:
    """A pressed button waiting for the reply that answers it: edit the question to show the choice."""

    message_id: str
    confirms: str


class PressAwareSender:
    """The delivery sender for Telegram: a TelegramSender that also marks the question of a press answered."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender
        self._presses: dict[str, _Press] = {}

    def expect_press(self, chat: str, message_id: str, confirms: str) -> None:
        self._presses[chat] = _Press(message_id, confirms)

    async def send(
        self,
        address: Address,
        reply: Reply,
        *,
        business_initiated: bool = False,
        edit_message_id: str | None = None,
    ) -> SendOutcome:
        press = self._presses.get(address.user_id)
        if edit_message_id is None and press is not None and reply.confirms == press.confirms:
            edit_message_id = press.message_id
        outcome = await self.sender.send(
            address, reply, business_initiated=business_initiated, edit_message_id=edit_message_id
        )
        if press is not None and self._presses.get(address.user_id) is press and edit_message_id is not None:
            del self._presses[address.user_id]
        return outcome


class TelegramChannel:
    """Receives updates (webhook route or polling loop), dispatches them, and sends the replies."""

    def __init__(
        self,
        *,
        dispatcher: Dispatcher,
        delivery: Delivery,
        bot: Bot,
        sender: TelegramSender,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: int = POLL_TIMEOUT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.dispatcher = dispatcher
        self.delivery = delivery
        self.bot = bot
        self.sender = sender
        self.outbound = PressAwareSender(sender)
        self.webhook_url = webhook_url
        self._secret = (webhook_secret or "").encode()
        self.poll_timeout = poll_timeout
        self.clock = clock
        self.mode: Mode = "webhook" if webhook_url and webhook_secret else "polling"
        self.username: str | None = None
        self.webhook_set = False
        self.polling = False
        self.last_error: str | None = None
        self.last_update_at: datetime | None = None
        self._me: tuple[float, dict[str, Any]] | None = None
        self._chat_locks = UserLocks()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._main: asyncio.Task[None] | None = None

    # -- receiving ---------------------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook: secret first (403), then record the update; 200 only once it is stored."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not self._secret or not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, None) if isinstance(data, dict) else None
        except Exception:  # not Telegram's JSON: nothing to retry
            log.warning("telegram: webhook body is not an update; ignored")
            return web.Response(status=400, text="not an update")
        if update is None:
            return web.Response(status=400, text="not an update")
        try:
            await self.process(update)
        except Exception:
            log.exception("telegram: update %s not recorded; Telegram will send it again", update.update_id)
            return web.Response(status=500, text="not recorded, send again")
        return web.Response(status=200)

    async def process(self, update: Update) -> DispatchResult | None:
        """Dispatch one update (this commits it); answering and sending continue in the background."""
        self.last_update_at = self.clock()
        item = update_to_inbound(update, self.last_update_at)
        if item is None:
            return None
        result = await self.dispatcher.handle(item.inbound)
        self._spawn(self._answer_and_send(item, update, result))
        return result

    async def _answer_and_send(self, item: TelegramInbound, update: Update, result: DispatchResult) -> None:
        if item.callback_query_id is not None:
            await self.sender.answer_callback(item.callback_query_id)
        if result.duplicate or not result.outgoing:
            return
        outgoing = self._with_press(item, update, result.outgoing)
        async with self._chat_locks.get(item.inbound.address):
            await self.delivery.send_now(outgoing)

    def _with_press(
        self, item: TelegramInbound, update: Update, outgoing: tuple[Outgoing, ...]
    ) -> tuple[Outgoing, ...]:
        """For a press: the first reply confirms the pressed button's words, so the question shows them."""
        chat = item.inbound.address.user_id
        title = _pressed_title(update)
        if item.keyboard_message_id is None or title is None or outgoing[0].reply.confirms:
            return outgoing
        if item.keyboard_text:
            self.sender.remember_question(chat, item.keyboard_message_id, item.keyboard_text, overwrite=False)
        self.outbound.expect_press(chat, item.keyboard_message_id, title)
        first = outgoing[0]
        return (replace(first, reply=replace(first.reply, confirms=title)), *outgoing[1:])

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:  # replies stay in the outbox; the delivery worker sends them
            log.exception("telegram: sending replies right away failed; the delivery worker will retry")

    async def idle(self) -> None:
        """Wait until every background answer and send has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- polling -----------------------------------------------------------------------------------------

    async def _poll(self) -> None:
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                if not self.polling:
                    await self._until_stopped(self.bot.delete_webhook(drop_pending_updates=False))
                    self.polling = True
                updates = await self._until_stopped(
                    self.bot.get_updates(
                        offset=offset, timeout=self.poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
                    )
                )
            except _Stopped:
                return
            except TelegramError as exc:
                failures += 1
                self._failed("getUpdates", exc, conflict_is_webhook=True)
                await self._sleep(_backoff(failures))
                continue
            failures = 0
            self.last_error = None
            for update in updates:
                if not await self._process_polled(update):
                    return
                offset = update.update_id + 1

    async def _process_polled(self, update: Update) -> bool:
        """Process one polled update until it is recorded; False when stopping first (it comes again)."""
        failures = 0
        while not self._stopping.is_set():
            try:
                await self.process(update)
                return True
            except Exception:
                failures += 1
                log.exception("telegram: update %s not recorded (try %d)", update.update_id, failures)
                if failures >= 3 and await self.dispatcher.db.ping():
                    log.error("telegram: update %s skipped: it fails with a working database", update.update_id)
                    return True
                await self._sleep(_backoff(failures))
        return False

    async def _until_stopped(self, call: Awaitable[T]) -> T:
        """Await `call`, or raise _Stopped as soon as the channel stops (the call is cancelled)."""
        task = asyncio.ensure_future(call)
        stop = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise _Stopped
        return task.result()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Begin in the background: Telegram being away must not stop the rest of the service."""
        self._stopping.clear()
        self._main = asyncio.create_task(self._run(), name=f"telegram-{self.mode}")

    async def _run(self) -> None:
        await self._prepare()
        if self._stopping.is_set():
            return
        if self.mode == "polling":
            await self._poll()

    async def _prepare(self) -> None:
        """getMe, the command menu, and the webhook (set, or deleted for polling), retried until they work."""
        failures = 0
        while not self._stopping.is_set():
            try:
                await self._until_stopped(self.bot.initialize())  # opens the HTTP pools, calls getMe
                self.username = self.bot.username
                self._me = (time.monotonic(), {"ok": True})
                await self._until_stopped(set_commands(self.bot))
                if self.mode == "webhook":
                    assert self.webhook_url is not None
                    await self._until_stopped(
                        self.bot.set_webhook(
                            self.webhook_url,
                            secret_token=self._secret.decode(),
                            allowed_updates=list(ALLOWED_UPDATES),
                            max_connections=40,
                            drop_pending_updates=False,
                        )
                    )
                    self.webhook_set = True
                    log.info("telegram: webhook set; updates arrive at %s", WEBHOOK_PATH)
                else:
                    log.info("telegram: long polling (no KOPSEHAT_PUBLIC_URL + KOPSEHAT_TELEGRAM_WEBHOOK_SECRET)")
                self.last_error = None
                return
            except _Stopped:
                return
            except TelegramError as exc:
                failures += 1
                self._failed("start", exc)
                await self._sleep(_backoff(failures))

    async def stop(self) -> None:
        """Stop polling at once (an unconfirmed update comes again), let sends finish briefly, close."""
        self._stopping.set()
        if self._main is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._main, STOP_SECONDS)
        self.polling = False
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=STOP_SECONDS)
            for task in pending:  # its replies stay in the outbox
                task.cancel()
        await self.bot.shutdown()

    def _failed(self, what: str, exc: TelegramError, *, conflict_is_webhook: bool = False) -> None:
        reason = redact(exc.message)[:200]
        if isinstance(exc, InvalidToken):
            reason = "Unauthorized: KOPSEHAT_TELEGRAM_TOKEN was refused by Telegram"
        elif isinstance(exc, Conflict) and conflict_is_webhook:
            self.polling = False  # a webhook was set meanwhile (or another poller runs): delete it again
        self.last_error = f"{what}: {reason}"
        log.warning("telegram: %s failed: %s", what, reason)

    # -- health ------------------------------------------------------------------------------------------

    async def probe(self) -> dict[str, Any]:
        """Telegram's state for /healthz: getMe (cached briefly), webhook set or polling running."""
        now = time.monotonic()
        if self._me is None or now - self._me[0] > PROBE_CACHE_SECONDS:
            try:
                me = await asyncio.wait_for(self.bot.get_me(), 3.0)
                self.username = me.username
                self._me = (now, {"ok": True})
            except (TelegramError, TimeoutError) as exc:
                reason = redact(exc.message) if isinstance(exc, TelegramError) else "timed out"
                self._me = (now, {"ok": False, "error": reason[:200]})
        get_me = self._me[1]
        receiving = self.webhook_set if self.mode == "webhook" else self.polling and self.last_error is None
        state: dict[str, Any] = {
            "ok": bool(get_me["ok"]) and receiving,
            "mode": self.mode,
            "get_me": "ok" if get_me["ok"] else get_me["error"],
            "bot": f"@{self.username}" if self.username else None,
            "last_update_at": self.last_update_at.isoformat() if self.last_update_at else None,
        }
        if self.mode == "webhook":
            state["webhook_set"] = self.webhook_set
        else:
            state["polling"] = self.polling
        if self.last_error:
            state["last_error"] = self.last_error
        return state


TELEGRAM_KEY = web.AppKey("telegram", TelegramChannel)


class _Stopped(Exception):
    """The channel is stopping."""


def _pressed_title(update: Update) -> str | None:
    """The words on the pressed button, read from the keyboard the press came from."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message) or query.message.reply_markup is None:
        return None
    for row in query.message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return None


def attach_telegram(runtime: Runtime) -> TelegramChannel:
    """Register the channel's sender, webhook route or polling component, and probe on the runtime."""
    from bot.runtime import Component

    settings = runtime.settings
    assert settings.telegram_token is not None
    bot = make_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    # The limiter spaces a chat's messages (1/s after a short burst), so chunks need no pause of their own.
    sender = TelegramSender(bot, chunk_interval=0, limiter=SendLimiter())
    webhook_url = f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}" if settings.public_url else None
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    channel = TelegramChannel(
        dispatcher=runtime.dispatcher,
        delivery=runtime.delivery,
        bot=bot,
        sender=sender,
        webhook_url=webhook_url if settings.telegram_webhook_mode else None,
        webhook_secret=secret if settings.telegram_webhook_mode else None,
    )
    runtime.delivery.senders["telegram"] = channel.outbound
    runtime.app[TELEGRAM_KEY] = channel
    if channel.mode == "webhook":
        runtime.app.router.add_post(WEBHOOK_PATH, channel.webhook)
    runtime.components.append(Component(f"telegram ({channel.mode})", channel.start, channel.stop))
    runtime.add_probe("telegram", channel.probe)
    return channel
