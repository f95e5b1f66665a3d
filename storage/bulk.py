"""Set-based writes of many rows at once (the synthetic province): COPY on PostgreSQL, one executemany elsewhere.

Rows are plain dicts keyed by column name, written into the transaction of `repos`; ids are handed out by the caller
from `reserve_ids` so that rows of one table can point to rows of another without reading anything back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator

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


def table(name: str) -> Table:
    """One of the schema's tables by name."""
    return Base.metadata.tables[name]


async def reserve_ids(repos: Repositories, name: str) -> int:
    """The first id free in table `name` (its rows are numbered from there on by the caller: a bulk load is meant for a
    quiet database, nothing else inserting into the table meanwhile)."""
    found = await repos.session.scalar(select(func.max(table(name).c.id)))
    return int(found or 0) + 1


def _copy_value(column: Any, value: Any, dialect: Any) -> Any:
    kind = column.type
    if value is None:
        return None
    if isinstance(kind, JSON):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(kind, TypeDecorator):
        return kind.process_bind_param(value, dialect)
    return value


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
    columns = [target.c[n] for n in names]
    dialect = connection.dialect
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    for start in range(0, len(rows), CHUNK * 10):
        records = [
            tuple(_copy_value(c, row[n], dialect) for c, n in zip(columns, names, strict=True))
            for row in rows[start : start + CHUNK * 10]
        ]
        await driver.copy_records_to_table(name, records=records, columns=names)
    return len(rows)


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
