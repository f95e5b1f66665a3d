"""Set-based writes of many rows at once (the synthetic province): COPY on PostgreSQL, one executemany elsewhere.

Rows are plain dicts keyed by column name, written into the transaction of `repos`; ids are handed out by the caller
from `reserve_ids` so that rows of one table can point to rows of another without reading anything back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator

from storage import jsonio
from storage.db import Database, is_sqlite
from storage.models import Base
from storage.repositories import Repositories

TABLES = (  # what the synthetic province writes, parents first
    "regions",
    "cooperatives",
    "officers",
    "channel_identities",
    "reports",
    "report_revisions",
    "assessments",
    "trainings",
    "training_sessions",
    "training_registrations",
    "attendance",
    "announcements",
)
SUMMARIES = ("latest_standings", "period_standings", "standing_counts")  # filled from what was written, vacuumed too
CHUNK = 5000  # rows per executemany on SQLite (and per COPY batch on PostgreSQL)
MEMORY = "256MB"  # per sort of a load: its window functions and each index made after it (not on disk)


def table(name: str) -> Table:
    """One of the schema's tables by name."""
    return Base.metadata.tables[name]


async def reserve_ids(repos: Repositories, name: str) -> int:
    """The first id free in table `name` (its rows are numbered from there on by the caller: a bulk load is meant for a
    quiet database, nothing else inserting into the table meanwhile)."""
    found = await repos.session.scalar(select(func.max(table(name).c.id)))
    return int(found or 0) + 1


def _converter(column: Any, dialect: Any, memo: dict[int, str]) -> Callable[[Any], Any] | None:
    """How a value of `column` is written by COPY (None: as it is). JSON as the engine writes it (`jsonio.dumps`),
    serialized once per object: the province's rows share their figure sets and results, and `memo` (by id, for one
    call, while the rows keep them alive) reuses the text."""
    kind = column.type
    if isinstance(kind, JSON):

        def dump(value: Any) -> str:
            if not value and isinstance(value, dict | list):
                return "{}" if isinstance(value, dict) else "[]"
            found = memo.get(id(value))
            if found is None:
                found = memo[id(value)] = jsonio.dumps(value)
            return found

        return dump
    if isinstance(kind, TypeDecorator):
        return lambda value: kind.process_bind_param(value, dialect)
    return None


async def insert_rows(repos: Repositories, name: str, rows: Sequence[dict[str, Any]]) -> int:
    """Write `rows` (every row with the same keys) into table `name`; returns how many were written."""
    if not rows:
        return 0
    target = table(name)
    session = repos.session
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(target), list(rows[start : start + CHUNK]))
        return len(rows)
    names = list(rows[0])
    memo: dict[int, str] = {}
    converters = [(i, _converter(target.c[n], connection.dialect, memo)) for i, n in enumerate(names)]
    special = [(i, convert) for i, convert in converters if convert is not None]
    pick = itemgetter(*names)

    def record(row: dict[str, Any]) -> tuple[Any, ...]:
        picked = pick(row)
        values = list(picked) if len(names) > 1 else [picked]
        for i, convert in special:
            if values[i] is not None:
                values[i] = convert(values[i])
        return tuple(values)

    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    for start in range(0, len(rows), CHUNK * 10):
        records = [record(row) for row in rows[start : start + CHUNK * 10]]
        await driver.copy_records_to_table(name, records=records, columns=names)
    return len(rows)


class Writer:
    """Writes batches of rows in the background, one batch after the other, while the caller makes the next: on
    PostgreSQL the server stores one batch (COPY) while Python builds the next, as long as the caller lets the event
    loop run now and then (`await asyncio.sleep(0)`). A new batch waits for the one before; leaving the block waits
    for the last (or cancels it when the block failed)."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos
        self._pending: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Writer:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._pending is not None and kind is not None:
            self._pending.cancel()
        with suppress(asyncio.CancelledError):
            await self.wait()

    async def write(self, batch: Sequence[tuple[str, Sequence[dict[str, Any]]]]) -> None:
        """Write `batch` (table names and their rows, parents first) once the batch before is written."""
        await self.wait()
        self._pending = asyncio.create_task(self._write(batch))

    async def wait(self) -> None:
        """Until what was handed over is written (its error raised here)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def _write(self, batch: Sequence[tuple[str, Sequence[dict[str, Any]]]]) -> None:
        for name, rows in batch:
            await insert_rows(self._repos, name, rows)


async def renumber(repos: Repositories, names: Iterable[str]) -> None:
    """After rows were written with ids of our own, let PostgreSQL's sequences continue past them, and give its
    planner fresh statistics (autovacuum would take minutes to notice a million new rows)."""
    if (await repos.session.connection()).dialect.name != "postgresql":
        return
    for name in names:
        await repos.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))")
        )
        await repos.session.execute(text(f"ANALYZE {name}"))


async def vacuum(db: Database, names: Iterable[str] = TABLES + SUMMARIES) -> None:
    """After a bulk load on PostgreSQL: VACUUM ANALYZE (outside any transaction), so that the office's counts can
    read their indexes alone (index-only scans need the visibility map a vacuum writes)."""
    if is_sqlite(db.url):
        return
    async with db.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for name in names:
            await connection.execute(text(f"VACUUM ANALYZE {name}"))


_SECONDARY = text(
    """
    SELECT 'index' AS kind, c.relname AS table_name, i.indexrelid::regclass::text AS name,
           pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE i.indrelid = ANY(CAST(CAST(:tables AS text[]) AS regclass[])) AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    UNION ALL
    SELECT CASE k.contype WHEN 'u' THEN 'unique' ELSE 'foreign' END, c.relname, quote_ident(k.conname),
           pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    WHERE k.conrelid = ANY(CAST(CAST(:tables AS text[]) AS regclass[])) AND k.contype IN ('u', 'f')
      AND NOT EXISTS (
          SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND k.contype = 'u' AND f.conindid = k.conindid
      )
    """
)


@asynccontextmanager
async def indexes_rebuilt(repos: Repositories, names: Iterable[str]) -> AsyncIterator[None]:
    """On PostgreSQL, for a load into tables `names` in the transaction of `repos`: their secondary indexes, unique
    constraints and foreign keys are dropped before it and made again after it from their own definitions (as the
    catalogue had them), one sort per index and one join per key instead of an index update and a key check per row.
    Its sorts (window functions, index builds) may take MEMORY each. The transaction holds the tables locked meanwhile
    (meant for a demo or benchmark database); if it fails, everything rolls back with it. Elsewhere it does
    nothing."""
    session = repos.session
    if (await session.connection()).dialect.name != "postgresql":
        yield
        return
    await session.execute(text(f"SET LOCAL work_mem = '{MEMORY}'"))
    await session.execute(text(f"SET LOCAL maintenance_work_mem = '{MEMORY}'"))
    order = {"foreign": 0, "unique": 1, "index": 2}  # dropped in this order, made again in the reverse
    found = sorted((await session.execute(_SECONDARY, {"tables": list(names)})).all(), key=lambda r: order[r.kind])
    for kind, table_name, name, _ in found:
        drop = f"DROP INDEX {name}" if kind == "index" else f'ALTER TABLE "{table_name}" DROP CONSTRAINT {name}'
        await session.execute(text(drop))
    yield
    for kind, table_name, name, definition in reversed(found):
        add = definition if kind == "index" else f'ALTER TABLE "{table_name}" ADD CONSTRAINT {name} {definition}'
        await session.execute(text(add))
