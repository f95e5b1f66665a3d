"""The composition root: settings -> rules, database, router, dispatch, delivery, channels, scheduler, web.

Nothing else builds these pieces or wires them together; `kopsehat run` (serve) and `kopsehat chat` (console_chat)
use the builders here, and the pieces only know the interfaces they are handed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from alembic.script import ScriptDirectory

import handlers
from bot.channels.base import Channel
from bot.channels.console import ConsoleChannel
from bot.channels.telegram.api import make_bot, staff_commands
from bot.channels.telegram.outbound import TelegramSender
from bot.channels.telegram.rate import SendLimiter
from bot.channels.telegram.runtime import TELEGRAM_KEY, WEBHOOK_PATH, TelegramChannel
from bot.channels.whatsapp import runtime as whatsapp
from bot.channels.whatsapp.runtime import WHATSAPP_KEY, WhatsAppChannel, WhatsAppOutbox
from bot.channels.whatsapp.templates import TemplateConfigError, load_templates
from bot.chat.context import BotInfo
from bot.chat.dispatch import Dispatcher
from bot.config import Settings
from bot.delivery.policy import SendPolicy
from bot.delivery.worker import Delivery
from bot.domain.health.rules import Rules, RulesError, load_rules
from bot.scheduler import Scheduler
from bot.services.cycle import plan_from_settings
from bot.services.keys import server_key
from bot.services.notices import QuietHours
from bot.web.app import PROBES_KEY, make_app
from bot.web.form import add_form
from bot.web.office import add_office
from bot.words import render
from bot.words.render import as_lang
from storage.db import Database, is_sqlite
from storage.migrate import alembic_config, current, upgrade

log = logging.getLogger("kopsehat")
SHUTDOWN_SECONDS = 5.0
DELIVERY_CONCURRENCY = 8  # recipients served at once by a worker (each one's messages in order; senders pace)
REPLICA_CONNECT_TIMEOUT = 5.0  # seconds: a replica that does not answer by then is read around (the primary)


class StartupError(Exception):
    """The service cannot start; the message says why and what to do."""


@dataclass
class Component:
    """Something that runs beside the HTTP server (a channel, the delivery workers, the scheduler)."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


def settle_memory() -> None:
    """What start-up made lives as long as the process: keep it out of the garbage collector's full passes, which
    otherwise walk it all and hold the event loop for 100-450 ms during a province's fan-out (bench/fanout_bench.py)."""
    gc.collect()
    gc.freeze()


@dataclass
class Runtime:
    """Everything `kopsehat run` starts, in order, and stops in reverse order."""

    settings: Settings
    db: Database
    app: web.Application
    dispatcher: Dispatcher
    delivery: Delivery
    components: list[Component] = field(default_factory=list)
    runner: web.AppRunner | None = None
    port: int | None = None
    stopped: bool = False

    def add_channel(self, channel: Channel, component: str) -> None:
        """The channel sends for delivery, starts and stops with the service and shows in /healthz."""
        self.delivery.senders[channel.name] = channel
        self.app[PROBES_KEY][channel.name] = channel.probe
        self.components.append(Component(component, channel.start, channel.stop))

    async def start(self) -> None:
        render.preload()  # before anything is served: no message file compiled on first use, mid fan-out
        for component in self.components:
            await component.start()
            log.info("started %s", component.name)
        self.runner = web.AppRunner(self.app, handle_signals=False, shutdown_timeout=1.0)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        addresses = self.runner.addresses
        self.port = addresses[0][1] if addresses else self.settings.http_port
        log.info("kopsehat listening on http://%s:%s (health: /healthz)", self.settings.http_host, self.port)
        settle_memory()

    async def stop(self) -> None:
        """Stop taking requests, finish what was taken in, stop the components, close the database; once."""
        if self.stopped:
            return
        self.stopped = True
        if self.runner is not None:
            await self.runner.cleanup()
        try:  # messages already taken in are handled (and committed) before anything else stops
            await asyncio.wait_for(self.dispatcher.idle(), timeout=SHUTDOWN_SECONDS / 2)
        except TimeoutError:
            log.warning("stopping: dispatch did not finish in time; unrecorded updates will be delivered again")
        for component in reversed(self.components):
            try:
                await asyncio.wait_for(component.stop(), timeout=SHUTDOWN_SECONDS / 2)
            except Exception:
                log.exception("stopping %s failed", component.name)
        await self.db.dispose()


def load_assessment_rules(settings: Settings) -> Rules:
    """The scoring rules: KOPSEHAT_ASSESSMENT_RULES or the packaged file (RulesError names file and entry)."""
    return load_rules(settings.assessment_rules)


def bot_info(settings: Settings, rules: Rules) -> BotInfo:
    """Deployment facts handlers mention."""
    return BotInfo(
        telegram_username=settings.telegram_bot_username,
        whatsapp_number=settings.whatsapp_number,
        office_zone=settings.timezone,
        default_language=as_lang(settings.language),
        rules=rules,
        deadline_day=settings.report_deadline_day,
        office_url=settings.office_url,
        quiet_hours=QuietHours(*settings.quiet_window) if settings.quiet_window else None,
    )


def build_dispatcher(settings: Settings, db: Database, rules: Rules, delivery: Delivery | None = None) -> Dispatcher:
    """Dispatch over every handler's routes; with `delivery`, replies are stored claimed for the channel edge."""
    lease = delivery.lease if delivery is not None else None
    return Dispatcher(db, bot_info(settings, rules), handlers.router, reply_lease=lease)


async def prepare_database(settings: Settings) -> Database:
    """Open the database; upgrade the embedded SQLite schema, and check PostgreSQL's is current (and the read
    replica's, when KOPSEHAT_REPLICA_DATABASE_URL is set and it answers; one that does not is read around)."""
    if is_sqlite(settings.database_url):
        if settings.replica_database_url:
            raise StartupError("KOPSEHAT_REPLICA_DATABASE_URL is for PostgreSQL: unset it with the embedded SQLite")
        db = Database(settings.database_url)
        await upgrade(db)
        return db
    replica_url = settings.replica_database_url
    replica = Database(replica_url, connect_timeout=REPLICA_CONNECT_TIMEOUT) if replica_url else None
    db = Database(settings.database_url, replica=replica)
    if not await db.ping():
        await db.dispose()
        raise StartupError("cannot reach the database at KOPSEHAT_DATABASE_URL")
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    if await current(db) != head:
        await db.dispose()
        raise StartupError("the PostgreSQL schema is not current: run `kopsehat db upgrade` first")
    if replica is not None:
        if not await replica.ping():
            log.warning("the read replica at KOPSEHAT_REPLICA_DATABASE_URL does not answer: the primary is read")
        elif await current(replica) != head:
            await db.dispose()
            raise StartupError(
                "the schema at KOPSEHAT_REPLICA_DATABASE_URL is not the current one: is it a replica of "
                "KOPSEHAT_DATABASE_URL?"
            )
    return db


def build_telegram(settings: Settings, dispatcher: Dispatcher, delivery: Delivery) -> TelegramChannel:
    """The Telegram channel from KOPSEHAT_TELEGRAM_*: webhook when a public URL and secret are set, else polling."""
    assert settings.telegram_token is not None
    bot = make_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    # The limiter spaces a chat's messages (1/s after a short burst), so chunks need no pause of their own.
    rate = settings.telegram_messages_per_second
    limiter = SendLimiter(float(rate), overall_burst=min(25, rate)) if rate else None
    if limiter is None:
        log.warning(
            "KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND=0: Telegram sends are not paced (for a benchmark against a fake "
            "API; the real Bot API answers too fast a bot with flood control)"
        )
    sender = TelegramSender(bot, chunk_interval=0, limiter=limiter, media=delivery.platform_ids)
    webhook_url = f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}" if settings.public_url else None
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    return TelegramChannel(
        dispatcher=dispatcher,
        delivery=delivery,
        bot=bot,
        sender=sender,
        staff_menu=staff_commands(handlers.router),
        webhook_url=webhook_url if settings.telegram_webhook_mode else None,
        webhook_secret=secret if settings.telegram_webhook_mode else None,
    )


def build_whatsapp(settings: Settings, db: Database, dispatcher: Dispatcher, delivery: Delivery) -> WhatsAppChannel:
    """The WhatsApp channel from KOPSEHAT_WHATSAPP_*; StartupError names what is missing."""
    token, phone_number_id = settings.whatsapp_token, settings.whatsapp_phone_number_id
    if token is None or not phone_number_id:
        raise StartupError("WhatsApp needs KOPSEHAT_WHATSAPP_TOKEN and KOPSEHAT_WHATSAPP_PHONE_NUMBER_ID")
    app_secret = settings.whatsapp_app_secret.get_secret_value() if settings.whatsapp_app_secret else ""
    if not app_secret:
        raise StartupError(
            "WhatsApp needs KOPSEHAT_WHATSAPP_APP_SECRET (App Dashboard > Settings > Basic) to verify webhooks"
        )
    verify_token = settings.whatsapp_verify_token.get_secret_value() if settings.whatsapp_verify_token else ""
    if not verify_token:
        log.warning("KOPSEHAT_WHATSAPP_VERIFY_TOKEN is not set: Meta's webhook handshake (GET) will be refused")
    try:
        templates = load_templates(settings.whatsapp_templates) if settings.whatsapp_templates else {}
    except TemplateConfigError as exc:
        raise StartupError(str(exc)) from None
    if not templates:
        log.warning("no WhatsApp templates configured: notices outside the 24-hour window will wait for the office")
    outbox = WhatsAppOutbox(
        db,
        api_url=settings.whatsapp_api_url,
        phone_number_id=phone_number_id,
        token=token.get_secret_value(),
        templates=templates,
        zone=settings.zone,
        messages_per_second=settings.whatsapp_messages_per_second,
        media=delivery.platform_ids,
    )
    return WhatsAppChannel(
        delivery=delivery, dispatcher=dispatcher, outbox=outbox, app_secret=app_secret, verify_token=verify_token
    )


def build_runtime(settings: Settings, db: Database, rules: Rules) -> Runtime:
    """Wire the service: HTTP app, dispatch, delivery with its send policy, each configured channel, the scheduler."""
    plan = plan_from_settings(settings)
    # quiet hours and WhatsApp's daily cap, checked by delivery at send time (the scheduler applies the same plan)
    policy = SendPolicy(plan.office_zone, plan.quiet, whatsapp_daily_cap=settings.whatsapp_daily_business_cap)
    delivery = Delivery(db, {}, concurrency=DELIVERY_CONCURRENCY, policy=policy)
    # every channel edge sends its replies itself right away: they are stored claimed for it (no claim transaction)
    dispatcher = build_dispatcher(settings, db, rules, delivery)
    health_token = settings.health_token.get_secret_value() if settings.health_token else None
    runtime = Runtime(
        settings=settings, db=db, app=make_app(db, health_token=health_token), dispatcher=dispatcher, delivery=delivery
    )
    add_office(runtime.app, db, settings, rules)  # the office web app under /kantor/
    add_form(runtime.app, db, settings, rules, dispatcher, delivery.send_now)  # the report form, /formulir/
    if settings.telegram_enabled:
        telegram = build_telegram(settings, dispatcher, delivery)
        runtime.app[TELEGRAM_KEY] = telegram
        if telegram.mode == "webhook":
            runtime.app.router.add_post(WEBHOOK_PATH, telegram.webhook)
        runtime.add_channel(telegram, f"telegram ({telegram.mode})")
    if settings.whatsapp_enabled:
        wa = build_whatsapp(settings, db, dispatcher, delivery)
        runtime.app[WHATSAPP_KEY] = wa
        runtime.app.router.add_get(whatsapp.WEBHOOK_PATH, wa.webhook.get)
        runtime.app.router.add_post(whatsapp.WEBHOOK_PATH, wa.webhook.post)
        runtime.add_channel(wa, wa.name)
    if not (settings.telegram_enabled or settings.whatsapp_enabled):
        log.info(
            "no chat channel configured: set KOPSEHAT_TELEGRAM_TOKEN (Telegram) or KOPSEHAT_WHATSAPP_TOKEN and "
            "KOPSEHAT_WHATSAPP_PHONE_NUMBER_ID (WhatsApp); meanwhile `kopsehat chat` talks to the bot here"
        )
    scheduler = Scheduler(db, plan, on_enqueued=delivery.wake)
    runtime.components.append(Component("scheduler", scheduler.start, scheduler.stop))
    runtime.components.append(Component("delivery", delivery.start, delivery.stop))
    return runtime


def console_chat(
    settings: Settings, db: Database, rules: Rules, user: str | None = None
) -> tuple[Dispatcher, ConsoleChannel]:
    """`kopsehat chat` as `user`: dispatch as the service does, replies printed by the terminal channel."""
    delivery = Delivery(db, {})
    console = ConsoleChannel(delivery, user=user)
    delivery.senders[console.name] = console
    return build_dispatcher(settings, db, rules), console


async def serve(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM, then shut down cleanly."""
    try:
        rules = load_assessment_rules(settings)
    except RulesError as exc:
        log.error("the assessment rules cannot be used:\n%s", exc)
        return 2
    try:
        db = await prepare_database(settings)
    except StartupError as exc:
        log.error("%s", exc)
        return 2
    async with db.transaction() as repos:  # the first start makes the server key (unless KOPSEHAT_SECRET_KEY)
        await server_key(repos)
    try:
        runtime = build_runtime(settings, db, rules)
    except StartupError as exc:
        log.error("%s", exc)
        await db.dispose()
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await runtime.start()
        await stop.wait()
        log.info("shutting down")
    finally:
        await asyncio.wait_for(runtime.stop(), timeout=SHUTDOWN_SECONDS)
    return 0
