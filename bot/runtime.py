"""The running service: database, HTTP server and the components that live beside it."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.chat.dispatch import Dispatcher
from bot.config import Settings
from bot.delivery.worker import Delivery
from bot.domain.health.rules import Rules, RulesError
from bot.web.app import PROBES_KEY, HealthProbe, make_app
from bot.web.office import add_office
from bot.wiring import bot_info, load_assessment_rules
from storage.db import Database, is_sqlite
from storage.migrate import current, upgrade

log = logging.getLogger("kopsehat")
SHUTDOWN_SECONDS = 5.0
DELIVERY_CONCURRENCY = 8  # recipients served at once by a worker (each one's messages in order; senders pace)


class StartupError(Exception):
    """The service cannot start; the message says why and what to do."""


@dataclass
class Component:
    """Something that runs beside the HTTP server (a channel, the delivery workers, the scheduler)."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


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

    def add_probe(self, name: str, probe: HealthProbe) -> None:
        """Report a component's state in /healthz under `channels.<name>`."""
        self.app[PROBES_KEY][name] = probe

    async def start(self) -> None:
        for component in self.components:
            await component.start()
            log.info("started %s", component.name)
        self.runner = web.AppRunner(self.app, handle_signals=False, shutdown_timeout=1.0)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self.settings.http_port
        log.info("kopsehat listening on http://%s:%s (health: /healthz)", self.settings.http_host, self.port)

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


async def prepare_database(settings: Settings) -> Database:
    """Open the database; upgrade the embedded SQLite schema, and check PostgreSQL's is current."""
    db = Database(settings.database_url)
    if is_sqlite(settings.database_url):
        await upgrade(db)
        return db
    if not await db.ping():
        await db.dispose()
        raise StartupError("cannot reach the database at KOPSEHAT_DATABASE_URL")
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    if await current(db) != head:
        await db.dispose()
        raise StartupError("the PostgreSQL schema is not current: run `kopsehat db upgrade` first")
    return db


def build_runtime(settings: Settings, db: Database, rules: Rules) -> Runtime:
    """Wire the service: HTTP app, dispatch, delivery, and each configured channel."""
    delivery = Delivery(db, {}, concurrency=DELIVERY_CONCURRENCY)
    # every channel edge sends its replies itself right away: they are stored claimed for it (no claim transaction)
    dispatcher = Dispatcher(db, bot_info(settings, rules), reply_lease=delivery.lease)
    runtime = Runtime(settings=settings, db=db, app=make_app(db), dispatcher=dispatcher, delivery=delivery)
    add_office(runtime.app, db, settings, rules)  # the office web app under /kantor/
    if settings.telegram_enabled:
        from bot.channels.telegram.runtime import attach_telegram

        attach_telegram(runtime)
    if settings.whatsapp_enabled:
        from bot.channels.whatsapp.runtime import attach_whatsapp

        attach_whatsapp(runtime)
    if not (settings.telegram_enabled or settings.whatsapp_enabled):
        log.info(
            "no chat channel configured: set KOPSEHAT_TELEGRAM_TOKEN (Telegram) or KOPSEHAT_WHATSAPP_TOKEN and "
            "KOPSEHAT_WHATSAPP_PHONE_NUMBER_ID (WhatsApp); meanwhile `kopsehat chat` talks to the bot here"
        )
    from bot.scheduler import attach_scheduler

    attach_scheduler(runtime)  # the daily ticks, and quiet hours and the WhatsApp cap at send time
    runtime.components.append(Component("delivery", runtime.delivery.start, runtime.delivery.stop))
    return runtime


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
    runtime = build_runtime(settings, db, rules)
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
