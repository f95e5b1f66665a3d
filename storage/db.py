"""Engines and transactions: SQLite in WAL mode with BEGIN IMMEDIATE, or PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import PoolResetState
from sqlalchemy.util import await_only

from storage import jsonio
from storage.repositories import Repositories

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 30_000
STATEMENT_KEEP_SECONDS = 1.0  # one_statement's connection is kept while statements come at least this often
READ_ONLY = "kopsehat_read_only"  # a connection execution option: its transactions only read
# SQLSTATE classes of a lost or refused connection, or of work the server gave up and that is done again as is:
# connection exception, transaction rollback (serialization, deadlock), insufficient resources, operator intervention.
_TRANSIENT_SQLSTATES = ("08", "40", "53", "57P")
_BROKEN_PROTOCOL = ("another operation", "connection is closed", "cannot perform operation")
_SQLITE_AWAY = ("locked", "busy", "disk i/o", "unable to open")
# When each pooled PostgreSQL connection was last given back (by id of the driver's connection, taken out at its next
# checkout), and whether the transaction being opened trusts one given back that lately without checking it again.
_RETURNED: dict[int, float] = {}
_TRUST_RETURNED = contextvars.ContextVar("kopsehat_trust_returned", default=False)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (a driver's error in SQLAlchemy's) and what caused it, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "orig", None)
        todo.extend([wrapped if isinstance(wrapped, BaseException) else None, current.__cause__, current.__context__])


def is_disconnect(error: BaseException) -> bool:
    """True when the error means the connection it came from cannot be used again (lost, terminated, or its
    protocol left mid-operation)."""
    for cause in _causes(error):
        if isinstance(cause, exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, (OSError, EOFError)):  # ConnectionResetError, a refused connect, a timeout
            return True
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(("08", "57P")):
            return True
        module = type(cause).__module__
        if module.startswith("asyncpg") and any(words in str(cause) for words in _BROKEN_PROTOCOL):
            return True
    return False


def is_transient(error: BaseException) -> bool:
    """True when the same work may succeed if done again: the database was away or busy, not the work wrong."""
    if is_disconnect(error):
        return True
    for cause in _causes(error):
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATES):
            return True
        if isinstance(cause, sqlite3.OperationalError) and any(w in str(cause).lower() for w in _SQLITE_AWAY):
            return True
    return False


def is_sqlite(url: str) -> bool:
    """True for the embedded SQLite backend."""
    return url.startswith("sqlite")


def application_name(schema: str | None = None) -> str:
    """The PostgreSQL application_name of the service's connections (with `schema`: of that schema's)."""
    return f"kopsehat/{schema}" if schema else "kopsehat"


def make_engine(
    url: str, *, echo: bool = False, schema: str | None = None, connect_timeout: float | None = None
) -> AsyncEngine:
    """An async engine with the per-backend settings kopsehat relies on (`schema`: PostgreSQL search path;
    `connect_timeout`: seconds to wait for a new PostgreSQL connection, asyncpg's 60 when None)."""
    if not is_sqlite(url):
        # The application name marks the service's connections in pg_stat_activity (per schema for the tests).
        # Only startup parameters that PgBouncer passes on (it refuses a connection with any other): JIT is turned
        # off below instead.
        settings = {"application_name": application_name(schema)}
        settings |= {"search_path": schema} if schema else {}
        connect_args: dict[str, Any] = {"server_settings": settings}
        connect_args |= {"timeout": connect_timeout} if connect_timeout is not None else {}
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            connect_args=connect_args,
            json_serializer=jsonio.dumps,
            json_deserializer=jsonio.loads,
        )

        @event.listens_for(engine.sync_engine, "handle_error")
        def _on_error(context: ExceptionContext) -> None:
            # asyncpg's own test only asks whether the socket is closed yet: a connection terminated by the server,
            # or whose protocol was left mid-operation by it, would go back to the pool and fail its next user.
            if not context.is_disconnect and is_disconnect(context.original_exception):
                context.is_disconnect = True

        @event.listens_for(engine.sync_engine, "connect")
        def _jit_off(dbapi_connection: Any, _record: Any) -> None:
            # JIT off: compiling the office's aggregate queries cost more than running them (100-150 ms each,
            # measured at 30,000 cooperatives: docs/benchmarks.md). Behind PgBouncer's transaction pooling this
            # reaches only the server connection at hand: docs/deploy.md has the database-wide setting.
            await_only(dbapi_connection.driver_connection.execute("SET jit = off"))

        @event.listens_for(engine.sync_engine.pool, "checkin")
        def _returned(dbapi_connection: Any, _record: Any) -> None:
            if dbapi_connection is not None:  # None: it was thrown away
                if len(_RETURNED) > 1000:  # ids of connections closed since (a pool's overflow): forgotten
                    _RETURNED.clear()
                _RETURNED[id(dbapi_connection)] = time.monotonic()

        setattr(engine.dialect, "do_ping", _ping)  # noqa: B010 (an instance's method replaced; mypy refuses `=`)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        json_serializer=jsonio.dumps,
        json_deserializer=jsonio.loads,
        pool_reset_on_return=None,  # `_reset` below does it, when there is something to roll back
    )

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
        # takes none (in WAL mode it reads a snapshot while a writer goes on). Sent as one call on aiosqlite's thread
        # (its `execute_fetchall`: the cursor made, run and dropped there), not as a statement through a cursor of
        # SQLAlchemy's (made, run, closed: three calls, each a hop to the thread and back through the event loop).
        begin = "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        driver: Any = connection.connection.driver_connection  # aiosqlite's Connection
        await_only(driver.execute_fetchall(begin))

    @event.listens_for(engine.sync_engine, "reset")
    def _reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        # A connection given back is rolled back only when a transaction is open on it (an error, a cancellation):
        # after a commit or a rollback there is none, and the pool's own reset would still send the driver's
        # rollback to the thread and back for nothing (one hop a transaction). aiosqlite reads the flag here.
        if not state.asyncio_safe:
            return
        try:
            open_transaction = dbapi_connection.driver_connection.in_transaction
        except ValueError:  # the driver's connection closed: nothing to roll back (the adapter's rollback skips it)
            return
        if open_transaction:
            dbapi_connection.rollback()

    return engine


def _ping(dbapi_connection: Any) -> bool:
    """The pool's check of a connection before each use, in one round trip: `SELECT 1` by the simple query protocol.
    SQLAlchemy's asyncpg ping takes three (BEGIN, a prepared ";", ROLLBACK; the transaction because a statement
    prepared outside one is refused by PgBouncer's transaction mode, and the simple protocol prepares nothing).
    A connection that fails it (lost, terminated, left mid-operation) is thrown away and a new one made; any other
    error is raised.

    Not asked of a connection given back less than `STATEMENT_KEEP_SECONDS` ago when the transaction opening takes
    one that fresh on trust (`Database.transaction(trust_fresh=True)`: its caller does the work again after a lost
    connection's error, as dispatch does): under load that is every batch's connection, one round trip fewer."""
    returned = _RETURNED.pop(id(dbapi_connection), None)
    if _TRUST_RETURNED.get() and returned is not None and time.monotonic() - returned <= STATEMENT_KEEP_SECONDS:
        return True
    try:
        await_only(dbapi_connection.driver_connection.execute("SELECT 1"))
    except Exception as error:
        if is_disconnect(error):
            return False
        raise
    return True


class Database:
    """The process's database: one engine, transactions as units of work handing out repositories."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        schema: str | None = None,
        replica: Database | None = None,
        connect_timeout: float | None = None,
    ) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo, schema=schema, connect_timeout=connect_timeout)
        # A read replica for the office's heavy reading (KOPSEHAT_REPLICA_DATABASE_URL): `reading(replica=True)`.
        self.replica = replica
        self._replica_away = False
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # SQLite has one writer: queue this process's transactions in order instead of busy-waiting on the file.
        self._writer = asyncio.Lock() if is_sqlite(url) else None
        self._statement_lock = asyncio.Lock()
        self._kept: tuple[AsyncConnection, float] | None = None  # one_statement's connection, when last used

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
    async def transaction(self, *, trust_fresh: bool = False) -> AsyncIterator[Repositories]:
        """One unit of work with the repositories bound to its transaction.

        `trust_fresh`: a pooled connection given back less than `STATEMENT_KEEP_SECONDS` ago is used without the
        pool's check (`_ping`), for a caller that does the work again after a lost connection's error (the error
        throws that connection away and the next transaction gets a checked one)."""
        trusted = _TRUST_RETURNED.set(trust_fresh)
        try:
            async with self.session() as session:
                yield Repositories(session)
        finally:
            _TRUST_RETURNED.reset(trusted)

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for work that is one statement (atomic by itself, executemany included), run as Core.

        On PostgreSQL: in autocommit (no BEGIN and COMMIT: two round trips fewer), on a connection kept for such
        statements while they come often (under load, the outcomes of sends: no pool checkout and check each
        time, about 200 µs of CPU); one not used for `STATEMENT_KEEP_SECONDS` goes back to the pool and the next
        is checked out (and checked) afresh, and an error drops it. One statement at a time uses it. On SQLite: a
        transaction, as `transaction` gives."""
        if is_sqlite(self.url):
            writer: AbstractAsyncContextManager[object] = self._writer if self._writer else nullcontext()
            async with writer, self.engine.begin() as connection:
                yield connection
            return
        async with self._statement_lock:
            connection = await self._statement_connection()
            try:
                yield connection
            except BaseException:
                self._kept = None
                with contextlib.suppress(Exception):
                    await connection.invalidate()  # whatever state the error left it in, it is not used again
                raise
            self._kept = (connection, time.monotonic())

    async def _statement_connection(self) -> AsyncConnection:
        """The kept autocommit connection if it was used lately, else a new one from the pool (checked)."""
        kept, self._kept = self._kept, None
        if kept is not None:
            connection, used = kept
            if time.monotonic() - used <= STATEMENT_KEEP_SECONDS:
                return connection
            with contextlib.suppress(Exception):  # a connection broken meanwhile is the pool's to throw away
                await connection.close()
        connection = await self.engine.connect()
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        except BaseException:
            await connection.close()
            raise
        return connection

    @asynccontextmanager
    async def reading(self, *, replica: bool = False) -> AsyncIterator[Repositories]:
        """A short read-only unit of work: it waits for no writer and holds no write lock (PostgreSQL: READ ONLY).

        `replica`: on the read replica when one is set and answers (what it shows may be a moment behind the
        primary: for pages that show counts and lists, not for one that follows a change just made); else here.
        """
        async with self._read_connection(replica) as connection:
            sqlite = connection.dialect.name == "sqlite"
            await connection.execution_options(**({READ_ONLY: True} if sqlite else {"postgresql_readonly": True}))
            async with AsyncSession(bind=connection, expire_on_commit=False) as session, session.begin():
                yield Repositories(session)

    @asynccontextmanager
    async def _read_connection(self, replica: bool) -> AsyncIterator[AsyncConnection]:
        """A connection to the replica when asked for and reachable, else to this database."""
        if replica and self.replica is not None:
            connection = self.replica.engine.connect()
            try:
                await connection.start()
            except Exception as error:
                if not is_transient(error):
                    raise
                if not self._replica_away:  # said once when it goes away, once when it is back
                    log.warning("the read replica cannot be reached (%s): reading the primary", type(error).__name__)
                self._replica_away = True
            else:
                if self._replica_away:
                    log.warning("the read replica answers again: the office's heavy pages read it")
                self._replica_away = False
                try:
                    yield connection
                finally:
                    await connection.close()
                return
        async with self.engine.connect() as connection:
            yield connection

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            with contextlib.suppress(Exception):
                await kept[0].close()
        await self.engine.dispose()
        if self.replica is not None:
            await self.replica.dispose()
