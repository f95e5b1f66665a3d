"""Delivery receipts that only move an outbox row's status (sent, delivered, read: nearly all of them), written as one
statement for many, without a unit of work (bot.channels.whatsapp.receipts groups them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Dialect, Integer, and_, bindparam, case, func, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base, OutboxMessage


@dataclass(frozen=True)
class ReceiptRules:
    """How a delivery receipt moves a row's status (bot.channels.whatsapp.status.next_status says it in Python):
    only up the `ranks`, from a state in `movable` (one without a rank counts 0); from `failed` (or a `pending` row
    whose payload has `waiting_key`: it waits to be sent again after a failure) only to a rank of `over_failed` or
    more."""

    ranks: tuple[tuple[str, int], ...]
    movable: frozenset[str]
    failed: str
    over_failed: int
    waiting_key: str


async def record_receipts(
    on: AsyncConnection,
    channel: str,
    receipts: Sequence[tuple[int | None, str, str]],
    now: datetime,
    rules: ReceiptRules,
) -> None:
    """Receipts that only move a row's status (outbox id from the callback data or None, the platform's message id,
    the status), applied in this order: one statement (executemany), no row read. Each finds its row as
    bot.channels.whatsapp.status.find_row does (by the outbox id on `channel`, else by the platform's id) and
    changes it only when `rules` let the status move: then status, updated_at, last_error cleared, and the platform's
    id when the row had none. A repeat changes nothing.

    The statement's SQL is compiled once (per dialect) and run as the driver's SQL with positional values: the same
    statement without SQLAlchemy compiling its cache key and binding its values on every call (40-60 µs of CPU a
    statement, measured; most receipt webhooks are a repeat or a change of one row)."""
    if receipts:
        ranks = dict(rules.ranks)
        sql, row = _receipt_sql(rules, on.dialect)
        values = [row(channel, outbox_id, pid, status, ranks[status], now) for outbox_id, pid, status in receipts]
        await on.exec_driver_sql(sql, values[0] if len(values) == 1 else values)


_RECEIPT_VALUES = ("on_channel", "row_id", "pid", "pid_kept", "new_status", "new_rank", "at")


@cache
def _receipt_sql(rules: ReceiptRules, dialect: Dialect) -> tuple[str, Callable[..., tuple[Any, ...]]]:
    """`_receipt_statement` as the driver runs it: its SQL, and what makes one receipt's positional values
    (channel, outbox id, platform id, status, rank, time) in the SQL's order, the statement's constants included,
    each converted as SQLAlchemy converts it for this dialect (its bind processors)."""
    compiled = _receipt_statement(rules).compile(dialect=dialect)
    # per value of the SQL, in order: (its place in a receipt's values, its processor), or (-1, the statement's
    # constant, converted); each processor for this dialect by SQLAlchemy's public `TypeEngine.bind_processor`
    slots: list[tuple[int, Any]] = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in _RECEIPT_VALUES:
            slots.append((_RECEIPT_VALUES.index(name), process))
        else:
            constant = bind.effective_value
            slots.append((-1, process(constant) if process is not None else constant))

    def row(channel: str, outbox_id: int | None, pid: str, status: str, rank: int, at: datetime) -> tuple[Any, ...]:
        given = (channel, outbox_id, pid, pid[:128], status, rank, at)
        return tuple(
            constant if i < 0 else (constant(given[i]) if constant is not None else given[i]) for i, constant in slots
        )

    return compiled.string, row


@cache
def _receipt_statement(rules: ReceiptRules) -> Any:
    table = Base.metadata.tables[OutboxMessage.__tablename__]
    found = table.alias("found")
    on_channel = found.c.channel == bindparam("on_channel")
    by_id = select(found.c.id).where(found.c.id == bindparam("row_id", type_=found.c.id.type), on_channel)
    by_platform = select(found.c.id).where(on_channel, found.c.provider_message_id == bindparam("pid")).limit(1)

    def inline(value: str | int) -> Any:  # literal SQL (our statuses and ranks, no user input): executemany-safe
        return literal_column(f"'{value}'" if isinstance(value, str) else str(int(value)))

    rank = bindparam("new_rank", type_=Integer)
    current = case(*((table.c.status == inline(name), inline(n)) for name, n in rules.ranks), else_=inline(0))
    ranked = and_(table.c.status.in_([inline(s) for s in sorted(rules.movable - {rules.failed})]), current < rank)
    waiting = and_(table.c.status == inline("pending"), table.c.payload[rules.waiting_key].as_string().is_not(None))
    failed = and_(or_(table.c.status == inline(rules.failed), waiting), rank >= inline(rules.over_failed))
    return (
        update(table)
        .where(table.c.id == func.coalesce(by_id.scalar_subquery(), by_platform.scalar_subquery()), or_(ranked, failed))
        .values(
            status=bindparam("new_status"),
            updated_at=bindparam("at"),
            last_error=None,
            provider_message_id=func.coalesce(table.c.provider_message_id, bindparam("pid_kept")),
        )
    )
