"""Fresh test databases without building the schema for each test.

SQLite: the tables are made once per test process in a template file, and each test gets a copy of that file.
PostgreSQL: a schema is made once and, when its test ends, emptied (every row deleted, every sequence back at its
start) and handed to the next test. Building 31 tables and their indexes and dropping them again cost about a second
a test on PostgreSQL (much of it file creation and removal); emptying them costs a few milliseconds. A schema whose
tables, columns or other objects changed during a test is dropped, never handed on.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import greenlet  # type: ignore[import-untyped]
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base

# Above this many bytes of tables in a schema (deleted rows stay until a VACUUM), it is vacuumed before reuse.
VACUUM_ABOVE_BYTES = 4 * 1024 * 1024

# What a schema holds, to tell a schema left as it was made from one a test changed: its relations with their kinds,
# their columns and types, and its triggers, functions and types.
_FINGERPRINT = text(
    """
    SELECT md5(coalesce((SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || coalesce(
               (SELECT string_agg(a.attname || '/' || a.atttypid::text || '/' || a.attnotnull::text, ','
                                  ORDER BY a.attnum)
                  FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''),
               ';' ORDER BY c.relname)
             FROM pg_class c WHERE c.relnamespace = n.oid), '')
         || '|' || (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE c.relnamespace = n.oid AND NOT t.tgisinternal)
         || '|' || (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)
         || '|' || (SELECT count(*) FROM pg_type y WHERE y.typnamespace = n.oid AND y.typrelid = 0)),
           (SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c
             WHERE c.relnamespace = n.oid AND c.relkind = 'r')
      FROM pg_namespace n WHERE n.nspname = :schema
    """
)


async def _run(url: str, statement: str) -> None:
    """One statement on a connection of its own (no schema on the search path)."""
    admin = Database(url)
    try:
        async with admin.engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


async def run_autocommit(url: str, statement: str) -> None:
    """One statement outside a transaction (CREATE DATABASE, DROP DATABASE) on a connection of its own."""
    admin = Database(url)
    try:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


async def terminate_backend(url: str, pid: int) -> None:
    """End one PostgreSQL server process (a connection lost under its holder), from a connection of its own."""
    admin = Database(url)
    try:
        async with admin.engine.begin() as conn:
            ended = (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    finally:
        await admin.dispose()
    assert ended, f"no server process {pid}"


@contextmanager
def statements_run(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent to the database while the block runs, with its parameters, in order."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)


@contextmanager
def flushes_run() -> Iterator[list[int]]:
    """How many units of work (session flushes that found something to do, changes written or not) ran while the
    block runs, counted with SQLAlchemy's `before_flush` event on every session. The count is the list's one item."""
    count = [0]

    def note(*_: Any) -> None:
        count[0] += 1

    event.listen(Session, "before_flush", note)
    try:
        yield count
    finally:
        event.remove(Session, "before_flush", note)


def _switches(counts: Callable[[Any, Any], bool]) -> Iterator[list[int]]:
    """How many greenlet switches `counts(origin, target)` accepts while the block runs, with greenlet's own trace
    hook. The count is the list's one item."""
    seen = [0]

    def trace(event: str, args: Any) -> None:
        if event in ("switch", "throw") and counts(args[0], args[1]):
            seen[0] += 1

    previous = greenlet.settrace(trace)
    try:
        yield seen
    finally:
        greenlet.settrace(previous)


def _sqlalchemy_greenlet(candidate: Any) -> bool:
    return bool(getattr(candidate, "__sqlalchemy_greenlet_provider__", False))


@contextmanager
def greenlets_started() -> Iterator[list[int]]:
    """How many greenlets SQLAlchemy's async layer starts while the block runs (one for each awaited call into it,
    its `greenlet_spawn`): a switch into one of its greenlets not started yet. The count is the list's one item."""
    yield from _switches(lambda _origin, target: _sqlalchemy_greenlet(target) and target.gr_frame is None)


@asynccontextmanager
async def whole_databases(url: str, count: int, *, upgraded: int) -> AsyncIterator[list[str]]:
    """`count` new PostgreSQL databases beside `url`'s, the first `upgraded` of them migrated to the current schema
    (for what needs a whole database: a replica's or a pooler's); their URLs, dropped afterwards."""
    names = [f"kopsehat_t_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    urls = [make_url(url).set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        for name in names:
            await run_autocommit(url, f'CREATE DATABASE "{name}"')
        for database_url in urls[:upgraded]:
            db = Database(database_url)
            try:
                await upgrade(db)
            finally:
                await db.dispose()
        yield urls
    finally:
        for name in names:
            await run_autocommit(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def empty_database(backend: str, folder: Path, prefix: str) -> AsyncIterator[Database]:
    """A database with no tables at all, for a migration to build (an SQLite file in `folder`, or a PostgreSQL
    schema of its own at KOPSEHAT_TEST_DATABASE_URL); dropped afterwards."""
    from tests.conftest import require_postgres

    schema = None
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{folder / f'{prefix}.db'}")
    else:
        url = require_postgres()
        schema = await create_schema(url, prefix)
        db = Database(url, schema=schema)
    try:
        yield db
    finally:
        await db.dispose()
        if schema:
            await drop_schema(db.url, schema)


async def create_schema(url: str, prefix: str = "t") -> str:
    """A new, empty PostgreSQL schema of its own."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _run(url, f'CREATE SCHEMA "{schema}"')
    return schema


async def drop_schema(url: str, schema: str) -> None:
    """Drop a schema made by create_schema."""
    await _run(url, f'DROP SCHEMA "{schema}" CASCADE')


class SchemaPool:
    """PostgreSQL schemas with the tables made, empty and free, per database URL."""

    def __init__(self) -> None:
        self.free: dict[str, list[str]] = {}
        self.fingerprint: dict[str, str] = {}

    async def take(self, url: str) -> str:
        """An empty schema with every table: a free one, or a new one."""
        if self.free.get(url):
            return self.free[url].pop()
        schema = await create_schema(url)
        db = Database(url, schema=schema)
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
                if url not in self.fingerprint:
                    row = (await conn.execute(_FINGERPRINT, {"schema": schema})).one()
                    self.fingerprint[url] = row[0]
        except BaseException:
            await db.dispose()
            await drop_schema(url, schema)
            raise
        await db.dispose()
        return schema

    async def give_back(self, url: str, schema: str) -> None:
        """Empty the schema for the next test; drop it instead when it is no longer as it was made."""
        try:
            reusable = await self._empty(url, schema)
        except Exception:
            reusable = False
        if reusable:
            self.free.setdefault(url, []).append(schema)
        else:
            await drop_schema(url, schema)

    async def _empty(self, url: str, schema: str) -> bool:
        admin = Database(url, schema=schema)
        try:
            async with admin.engine.begin() as conn:
                fingerprint, size = (await conn.execute(_FINGERPRINT, {"schema": schema})).one()
                if fingerprint != self.fingerprint.get(url):
                    return False
                # Children before their parents, one round trip; the sequences (serial and identity columns)
                # start again where a new table's would.
                tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
                script = "".join(f'DELETE FROM "{schema}"."{name}";' for name in tables) + (
                    "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s "
                    f"JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = '\"{schema}\"'::regnamespace;"
                )
                raw = await conn.get_raw_connection()
                await raw.driver_connection.execute(script)  # type: ignore[union-attr]  # asyncpg's connection
            if size > VACUUM_ABOVE_BYTES:
                async with admin.engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    for name in tables:
                        await conn.execute(text(f'VACUUM "{schema}"."{name}"'))
            return True
        finally:
            await admin.dispose()

    async def close(self) -> None:
        """Drop every free schema (at the end of the test run)."""
        for url, schemas in self.free.items():
            while schemas:
                await drop_schema(url, schemas.pop())


class SqliteTemplate:
    """An SQLite file with every table, made once; each test database is a copy of it."""

    def __init__(self) -> None:
        self.directory: Path | None = None

    async def copy_to(self, target: Path) -> None:
        if self.directory is None:
            directory = Path(tempfile.mkdtemp(prefix="kopsehat-template-"))
            db = Database(f"sqlite+aiosqlite:///{directory / 'template.db'}")
            try:
                async with db.engine.begin() as conn:
                    await conn.run_sync(Base.metadata.create_all)
            finally:
                await db.dispose()  # the last connection closing folds the write-ahead log into the file
            assert not (directory / "template.db-wal").exists()
            self.directory = directory
        shutil.copyfile(self.directory / "template.db", target)

    def close(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


SCHEMAS = SchemaPool()
SQLITE = SqliteTemplate()


@contextmanager
def driver_waits() -> Iterator[list[int]]:
    """How many times SQLAlchemy's async layer waited on the driver while the block runs (each `await_` of the
    driver's: on SQLite a call sent to aiosqlite's thread and its answer back through the event loop; on PostgreSQL
    a round trip, or a call asyncpg answers at once): a switch out of one of its greenlets that is still running (not
    the switch back of one that has ended). The count is the list's one item."""
    yield from _switches(lambda origin, _target: _sqlalchemy_greenlet(origin) and origin.gr_frame is not None)
