"""The Telegram channel as `kopsehat run` holds it: webhook or long polling, sender, health probe.

An update is answered (HTTP 200, or confirmed by the next getUpdates offset) only after dispatch has committed
it; replies are then sent in the background, and whatever does not go stays in the outbox for delivery.

When Telegram refuses the token (401), nothing is sent until getMe works again (the sender's TokenBreaker, checked
every `token_check_interval` seconds); the messages wait in the outbox and go out then. Office staff chats get
a command menu of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, TelegramError

from bot.channels.base import Channel, read_json
from bot.channels.telegram.api import redact, set_commands
from bot.channels.telegram.errors import HELD_ERROR
from bot.channels.telegram.inbound import TelegramInbound, chat_id, read_plain_text, read_update
from bot.channels.telegram.outbound import TelegramSender
from bot.channels.telegram.staff_menus import StaffMenus
from bot.channels.telegram.stopping import Stopped, Stopping, backoff
from bot.chat.dispatch import Dispatcher, DispatchResult
from bot.chat.messages import UPLOAD_MAX, Address, ChannelName, Reply, Upload
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import Delivery
from storage.db import is_transient
from storage.models import utcnow

log = logging.getLogger(__name__)

CHANNEL: ChannelName = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
POLL_TIMEOUT = 25
STOP_SECONDS = 2.0
PROBE_CACHE_SECONDS = 30.0
TOKEN_CHECK_SECONDS = 60.0  # while the token is refused, getMe checks it this often
Mode = Literal["webhook", "polling"]


class TelegramChannel(Channel):
    """Receives updates (webhook route or polling loop), dispatches them, and sends the replies."""

    name = CHANNEL

    def __init__(
        self,
        *,
        dispatcher: Dispatcher,
        delivery: Delivery,
        bot: Bot,
        sender: TelegramSender,
        staff_menu: tuple[str, ...] = (),
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: int = POLL_TIMEOUT,
        clock: Callable[[], datetime] = utcnow,
        token_check_interval: float = TOKEN_CHECK_SECONDS,
    ) -> None:
        super().__init__(delivery)
        self.dispatcher = dispatcher
        self.bot = bot
        self.sender = sender
        self.staff_menu = staff_menu  # the commands of office staff (bot.channels.telegram.api.staff_commands)
        self.breaker = sender.breaker
        if sender.on_moved is None:
            sender.on_moved = self.store_move
        self.token_check_interval = token_check_interval
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
        self._stopping = Stopping()
        self._main: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self.staff_menus = StaffMenus(bot, dispatcher.db, self.breaker, staff_menu)

    # -- receiving ---------------------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook: secret first (403), then record the update; 200 only once it is stored.

        An update that can never be stored is answered 200 and logged once as ignored (else Telegram would send it
        for days); 503 only while the database is away, so that Telegram sends the update again."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not self._secret or not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = read_json(await request.read())
        except Exception:  # not JSON (or nested too deep to read): not from Telegram, nothing to retry
            log.warning("telegram: webhook body is not JSON; refused")
            return web.Response(status=400, text="not an update")
        if not isinstance(data, dict):
            log.warning("telegram: webhook body is not an update; refused")
            return web.Response(status=400, text="not an update")
        self.last_update_at = self.clock()
        plain = read_plain_text(data, self.last_update_at)  # most updates: read without python-telegram-bot's objects
        try:
            update = Update.de_json(data, None) if plain is None else None
        except Exception as exc:
            log.warning("telegram: update %.40r ignored: malformed (%s)", data.get("update_id"), type(exc).__name__)
            return web.Response(status=200)
        try:
            if plain is not None:
                await self._dispatch(plain)
            elif update is not None:
                await self.process(update)
        except Exception as exc:
            if is_transient(exc):
                log.warning(
                    "telegram: update %.40r not recorded, the database is away (%s); Telegram sends it again",
                    data.get("update_id"),
                    type(exc).__name__,
                )
                return web.Response(status=503, text="not recorded, send again")
            log.exception("telegram: update %.40r could not be recorded; ignored", data.get("update_id"))
        return web.Response(status=200)

    async def process(self, update: Update) -> DispatchResult | None:
        """Dispatch one update (this commits it); answering and sending continue in the background."""
        self.last_update_at = self.clock()
        await self._note_migration(update)
        item = read_update(update, self.last_update_at)
        if item is None:
            return None
        if item.inbound.upload is not None:
            item = replace(item, inbound=replace(item.inbound, upload=await self._fetch(item.inbound.upload)))
        return await self._dispatch(item)

    async def _dispatch(self, item: TelegramInbound) -> DispatchResult:
        result = await self.dispatcher.handle(item.inbound)
        self._spawn(self._answer_and_send(item, result))
        return result

    async def _fetch(self, upload: Upload) -> Upload:
        """The document's bytes (getFile, then the file's download), unless it is too large; without them when
        Telegram would not give them (the handler says so)."""
        if upload.too_large or not upload.ref:
            return upload
        try:
            found = await self.bot.get_file(upload.ref)
            if isinstance(found.file_size, int) and found.file_size > UPLOAD_MAX:
                return replace(upload, size=found.file_size)
            data = bytes(await found.download_as_bytearray())
        except (TelegramError, OSError) as exc:
            log.warning("telegram: document %.20s not fetched (%s)", upload.ref, type(exc).__name__)
            return upload
        return replace(upload, data=data, size=len(data))

    async def _answer_and_send(self, item: TelegramInbound, result: DispatchResult) -> None:
        if item.callback_query_id is not None:
            await self.sender.answer_callback(item.callback_query_id)
        if result.duplicate:
            return
        if result.outgoing:
            await self.send_replies(item.inbound.address, result.outgoing)
        if result.role_changed:  # an invitation made the chat office staff, or an officer
            await self.staff_menus.refresh(item.inbound.address.user_id)

    async def _note_migration(self, update: Update) -> None:
        """A group's notice that it became a supergroup (`migrate_to_chat_id` in the old group,
        `migrate_from_chat_id` in the new one): its identity and waiting messages take the new chat id."""
        message = update.message
        if message is None or not (message.migrate_to_chat_id or message.migrate_from_chat_id):
            return
        here = chat_id(message.chat.id) if message.chat is not None else None
        to, since = chat_id(message.migrate_to_chat_id), chat_id(message.migrate_from_chat_id)
        if here is None or (to is None and since is None):
            log.warning("telegram: update %.40r ignored: a migration without chat ids", update.update_id)
        elif to is not None:
            await self.sender.chat_moved(here, to)
        elif since is not None:
            await self.sender.chat_moved(since, here)

    async def store_move(self, old: int, new: int) -> None:
        """Chat `old` is now `new` (the sender's `on_moved`): the identity and the messages not sent yet follow."""
        async with self.dispatcher.db.transaction() as repos:
            moved = await repos.identities.move(CHANNEL, str(old), str(new))
            messages = await repos.outbox.move_recipient(CHANNEL, str(old), str(new))
        if moved or messages:
            log.info("telegram: chat %s is now %s (identity moved: %s, messages: %d)", old, new, moved, messages)
        await self.staff_menus.moved(old, new)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.spawn(self._guarded(work))

    @staticmethod
    async def _guarded(work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:  # replies stay in the outbox; the delivery worker sends them
            log.exception("telegram: sending replies right away failed; the delivery worker will retry")

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        return await self.sender.send(address, reply, business_initiated=business_initiated)

    # -- polling -----------------------------------------------------------------------------------------

    async def _poll(self) -> None:
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                if not self.polling:
                    await self._stopping.until(self.bot.delete_webhook(drop_pending_updates=False))
                    self.polling = True
                updates = await self._stopping.until(
                    self.bot.get_updates(
                        offset=offset, timeout=self.poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
                    )
                )
            except Stopped:
                return
            except InvalidToken as exc:
                self.breaker.trip("getUpdates", exc)
                if not await self._token_back():
                    return
                continue
            except TelegramError as exc:
                failures += 1
                self._failed("getUpdates", exc, conflict_is_webhook=True)
                await self._stopping.sleep(backoff(failures))
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
                await self._stopping.sleep(backoff(failures))
        return False

    # -- the token ---------------------------------------------------------------------------------------

    async def _token_back(self) -> bool:
        """Wait until the token works again (the watcher's getMe); False when the channel stops first."""
        try:
            await self._stopping.until(self.breaker.wait_closed())
        except Stopped:
            return False
        return True

    async def _watch_token(self) -> None:
        """While the breaker is open: getMe every `token_check_interval` seconds; when it works, resume."""
        while not self._stopping.is_set():
            try:
                await self._stopping.until(self.breaker.wait_opened())
                await self._stopping.sleep(self.token_check_interval)
                if self._stopping.is_set():
                    return
                await self._stopping.until(self.bot.get_me())
            except Stopped:
                return
            except InvalidToken:
                log.debug("telegram: getMe: the token is still refused")
                continue
            except TelegramError as exc:
                log.info("telegram: getMe failed (%s); the token is checked again later", redact(exc.message)[:200])
                continue
            self._me = (time.monotonic(), {"ok": True})
            if self.breaker.reset():
                await self._release_held()

    async def _release_held(self) -> None:
        """Messages held while the token was refused (by this process or an earlier one) are due now."""
        try:
            async with self.dispatcher.db.transaction() as repos:
                released = await repos.outbox.release_held(CHANNEL, HELD_ERROR, utcnow())
        except Exception:  # they are offered again after HOLD_SECONDS anyway
            log.exception("telegram: could not release the messages held while the token was refused")
            return
        if released:
            log.info("telegram: %d message(s) held while the token was refused are sent now", released)
            self.delivery.wake()

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Begin in the background: Telegram being away must not stop the rest of the service."""
        self._stopping.clear()
        self._main = asyncio.create_task(self._run(), name=f"telegram-{self.mode}")
        self._watcher = asyncio.create_task(self._watch_token(), name="telegram-token")

    async def _run(self) -> None:
        await self._prepare()
        if self._stopping.is_set():
            return
        if self.mode == "polling":
            await self._poll()

    async def _prepare(self) -> None:
        """getMe, the command menus, and the webhook (set, or deleted for polling), retried until they work; then
        the messages held while the token was refused (before a restart, maybe) go out."""
        failures = 0
        while not self._stopping.is_set():
            try:
                await self._stopping.until(self.bot.initialize())  # opens the HTTP pools, calls getMe
                self.username = self.bot.username
                self._me = (time.monotonic(), {"ok": True})
                await self._stopping.until(set_commands(self.bot))
                await self._stopping.until(self.staff_menus.sync())
                if self.mode == "webhook":
                    assert self.webhook_url is not None
                    await self._stopping.until(
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
                await self._release_held()
                return
            except Stopped:
                return
            except InvalidToken as exc:
                self.breaker.trip("start", exc)
                if not await self._token_back():
                    return
            except TelegramError as exc:
                failures += 1
                self._failed("start", exc)
                await self._stopping.sleep(backoff(failures))

    async def stop(self) -> None:
        """Stop polling at once (an unconfirmed update comes again), let sends finish briefly, close."""
        self._stopping.set()
        for task in (self._main, self._watcher):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(task, STOP_SECONDS)
        self.polling = False
        await self.stop_background(STOP_SECONDS)  # replies not sent by then stay in the outbox
        await self.bot.shutdown()

    def _failed(self, what: str, exc: TelegramError, *, conflict_is_webhook: bool = False) -> None:
        reason = redact(exc.message)[:200]
        if isinstance(exc, Conflict) and conflict_is_webhook:
            self.polling = False  # a webhook was set meanwhile (or another poller runs): delete it again
        self.last_error = f"{what}: {reason}"
        log.warning("telegram: %s failed: %s", what, reason)

    # -- health ------------------------------------------------------------------------------------------

    async def probe(self) -> dict[str, Any]:
        """Telegram's state for /healthz: the token (getMe, cached briefly), webhook set or polling running."""
        now = time.monotonic()
        if not self.breaker.is_open and (self._me is None or now - self._me[0] > PROBE_CACHE_SECONDS):
            try:
                me = await asyncio.wait_for(self.bot.get_me(), 3.0)
                self.username = me.username
                self._me = (now, {"ok": True})
            except InvalidToken as exc:
                self.breaker.trip("getMe", exc)
            except (TelegramError, TimeoutError) as exc:
                reason = redact(exc.message) if isinstance(exc, TelegramError) else "timed out"
                self._me = (now, {"ok": False, "error": reason[:200]})
        if self.breaker.reason is not None:  # the watcher checks the token: no getMe here meanwhile
            get_me: dict[str, Any] = {"ok": False, "error": self.breaker.reason}
        else:
            assert self._me is not None
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
        if self.breaker.reason is not None:
            state["error"] = self.breaker.reason
        return state


TELEGRAM_KEY = web.AppKey("telegram", TelegramChannel)
