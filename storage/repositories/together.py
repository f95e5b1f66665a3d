"""Several tables' writes of a transaction sent as one PostgreSQL statement (one round trip instead of one each).

Each table's rows go as one array per column (`unnest`): UPDATEs of rows by id as data-modifying CTEs, and the INSERT
they come with as the statement itself, its rows in the order given (ids handed out in that order) and RETURNING what
the caller asks. Every part sees the snapshot the statement started with, so no two parts may write one table. The
values go through the columns' own bind processing (JSON as the engine writes it, times checked aware), as an
executemany of the same rows would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Column, TextClause, text
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base

Updates = tuple[str, tuple[str, ...]]  # a table and the columns set by id
Insert = tuple[str, tuple[str, ...], tuple[str, ...]]  # a table, its columns given, its columns returned


def _column(table: str, name: str) -> Column[Any]:
    return Base.metadata.tables[table].c[name]


def _arrays(prefix: str, table: str, columns: Sequence[str], dialect: Dialect) -> str:
    """`unnest` of one bound array per column, each cast to the column's type."""
    casts = (f"CAST(:{prefix}_{c} AS {_column(table, c).type.compile(dialect=dialect)}[])" for c in columns)
    return f"unnest({', '.join(casts)})"


@cache
def _statement(updates: tuple[Updates, ...], insert: Insert, dialect: Dialect) -> TextClause:
    parts = []
    for n, (table, columns) in enumerate(updates):
        names = ("id", *columns)
        sets = ", ".join(f"{c} = v.{c}" for c in columns)
        source = f"{_arrays(f'u{n}', table, names, dialect)} AS v({', '.join(names)})"
        parts.append(f"u{n} AS (UPDATE {table} SET {sets} FROM {source} WHERE {table}.id = v.id)")
    body = inserting(*insert, dialect)
    return text(f"WITH {', '.join(parts)} {body}" if parts else body)


def inserting(
    table: str, columns: tuple[str, ...], returned: tuple[str, ...], dialect: Dialect, ignore: str = ""
) -> str:
    """The INSERT of rows bound as arrays (`bound` with prefix "i"), in the order given, RETURNING `returned`;
    `ignore`: "ON CONFLICT DO NOTHING" to skip the rows whose keys exist."""
    listed = ", ".join(columns)
    source = f"{_arrays('i', table, columns, dialect)} WITH ORDINALITY AS v({listed}, n)"
    insert = f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {source} ORDER BY n"
    return f"{insert} {ignore} RETURNING {', '.join(returned)}"


@cache
def _processor(table: str, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How the column binds a value (None: as it is), looked up once."""
    return _column(table, column).type.bind_processor(dialect)


def bound(
    prefix: str, table: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> dict[str, list[Any]]:
    """The bound arrays of `rows`, one per column, each value as the column binds it."""
    params: dict[str, list[Any]] = {}
    for c in columns:
        process = _processor(table, c, dialect)
        values = [row[c] for row in rows]
        params[f"{prefix}_{c}"] = [process(v) for v in values] if process is not None else values
    return params


async def write(
    session: AsyncSession,
    updates: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
    insert: tuple[str, Sequence[Mapping[str, Any]], tuple[str, ...]],
) -> Result[Any]:
    """PostgreSQL only: `updates` (a table and its rows, each with "id" and the same columns to set) and `insert` (a
    table, its rows with the same keys, the columns to return) as one statement; the inserted rows' returned columns.
    A table without rows is left out."""
    dialect = session.get_bind().dialect
    params: dict[str, list[Any]] = {}
    shapes: list[Updates] = []
    for table, rows in updates:
        if rows:
            columns = tuple(c for c in rows[0] if c != "id")
            params |= bound(f"u{len(shapes)}", table, ("id", *columns), rows, dialect)
            shapes.append((table, columns))
    table, rows, returned = insert
    columns = tuple(rows[0])
    params |= bound("i", table, columns, rows, dialect)
    return await session.execute(_statement(tuple(shapes), (table, columns, returned), dialect), params)
