"""Engines and transactions: SQLite in WAL mode with BEGIN IMMEDIATE, or PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.repositories import Repositories

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "kopsehat_read_only"  # a connection execution option: its transactions only read


def is_sqlite(url: str) -> bool:
    """True for the embedded SQLite backend."""
    return url.startswith("sqlite")


def make_engine(url: str, *, echo: bool = False, schema: str | None = None) -> AsyncEngine:
    """An async engine with the per-backend settings kopsehat relies on (`schema`: PostgreSQL search path)."""
    if not is_sqlite(url):
        connect_args = {"server_settings": {"search_path": schema}} if schema else {}
        return create_async_engine(
            url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=connect_args
        )
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN IMMEDIATE below is what starts each one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # The write lock is taken at the start, so two writers queue instead of failing with "locked"; a reader
        # takes none (in WAL mode it reads a snapshot while a writer goes on).
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    return engine


class Database:
    """The process's database: one engine, transactions as units of work handing out repositories."""

    def __init__(self, url: str, *, echo: bool = False, schema: str | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo, schema=schema)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # SQLite has one writer: queue this process's transactions in order instead of busy-waiting on the file.
        self._writer = asyncio.Lock() if is_sqlite(url) else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        writer: AbstractAsyncContextManager[object] = self._writer if self._writer else nullcontext()
        async with writer, self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """One unit of work with the repositories bound to its transaction."""
        async with self.session() as session:
            yield Repositories(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        """A short read-only unit of work: it waits for no writer and holds no write lock (PostgreSQL: READ ONLY)."""
        options = {READ_ONLY: True} if is_sqlite(self.url) else {"postgresql_readonly": True}
        async with self.engine.connect() as connection:
            await connection.execution_options(**options)
            async with AsyncSession(bind=connection, expire_on_commit=False) as session, session.begin():
                yield Repositories(session)

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
