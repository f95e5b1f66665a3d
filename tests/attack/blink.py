"""A database that blinks: another connection terminates the service's PostgreSQL connections while a load runs."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, text

from storage.db import Database, application_name
from storage.models import InboundMessage, OutboxMessage

FINAL = ("sent", "delivered", "read", "failed", "unreachable", "needs_template")


@dataclass
class Killer:
    """Runs `pg_terminate_backend` on the connections of one schema's service every `every` seconds (jittered)."""

    url: str
    schema: str
    every: float = 0.1
    rounds: int = 0
    killed: int = 0
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def _run(self) -> None:
        admin = Database(self.url)  # another application name: not a target
        terminate = text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"
            " AND pid <> pg_backend_pid()"
        )
        try:
            async with admin.engine.connect() as connection:
                # autocommit: each round sees pg_stat_activity as it is now, not a snapshot held by one transaction
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                while True:
                    await asyncio.sleep(self.every * random.uniform(0.5, 1.5))
                    rows = await connection.execute(terminate, {"name": application_name(self.schema)})
                    self.rounds += 1
                    self.killed += sum(1 for row in rows if row[0])
        finally:
            await admin.dispose()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Killer]:
        self._task = asyncio.create_task(self._run())
        try:
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@dataclass
class Load:
    """What the platform saw: answers by status, and the posts it had to repeat."""

    statuses: dict[int, int] = field(default_factory=dict)
    repeats: int = 0


async def deliver_all(bodies: list[bytes], post: Callable[[bytes], Awaitable[int]], clients: int = 16) -> Load:
    """POST every body as a platform does: `clients` at once, each body again after a pause until it gets a 200."""
    load = Load()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def client() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            for attempt in range(200):
                status = await post(body)
                load.statuses[status] = load.statuses.get(status, 0) + 1
                if status == 200:
                    break
                load.repeats += 1
                await asyncio.sleep(0.05 * min(attempt + 1, 10))
            else:
                raise AssertionError("an update was never accepted")

    await asyncio.gather(*(client() for _ in range(clients)))
    return load


async def settled(db: Database, within: float) -> dict[str, int]:
    """Wait until every outbox row has ended (sent, failed, ...); the rows by status."""
    deadline = time.monotonic() + within
    while True:
        try:
            async with db.reading() as repos:
                stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                counts = {status: int(n) for status, n in (await repos.session.execute(stmt)).all()}
        except Exception:  # the database may still be coming back
            counts = {"?": 1}
        if set(counts) <= set(FINAL) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.1)


async def stored(db: Database) -> tuple[int, list[OutboxMessage]]:
    """The inbound messages recorded and the outbox rows."""
    async with db.reading() as repos:
        inbound = int((await repos.session.execute(select(func.count()).select_from(InboundMessage))).scalar_one())
        rows = list((await repos.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())
    return inbound, rows
