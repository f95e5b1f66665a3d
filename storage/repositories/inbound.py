"""Received message ids, for de-duplication."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from storage.models import Base, InboundMessage, utcnow
from storage.repositories._base import Repo, dialect_insert


@cache
def _record_inbound_statement(dialect: str) -> Any:
    """INSERT inbound ids ... ON CONFLICT DO NOTHING RETURNING the (channel, message id) pairs that were new."""
    table = Base.metadata.tables[InboundMessage.__tablename__]
    return dialect_insert(dialect, table).on_conflict_do_nothing().returning(table.c.channel, table.c.message_id)


def inbound_rows(messages: Sequence[tuple[str, str, str, datetime]]) -> list[dict[str, Any]]:
    """The rows recording (channel, message id, sender, received at), in key order: two processes recording
    overlapping ids wait for each other instead of deadlocking."""
    now = utcnow()
    return [
        {"channel": c, "message_id": m, "sender": s, "received_at": r, "recorded_at": now}
        for c, m, s, r in sorted(messages, key=lambda m: (m[0], m[1]))
    ]


class InboundRepo(Repo):
    """Received message ids, for de-duplication."""

    async def record(self, channel: str, message_id: str, sender: str, received_at: datetime) -> bool:
        """Record a message id; False when it was seen before (a repeat delivery)."""
        return bool(await self.record_many([(channel, message_id, sender, received_at)]))

    async def record_many(self, messages: Sequence[tuple[str, str, str, datetime]]) -> set[tuple[str, str]]:
        """Record (channel, message id, sender, received at) in one statement; the (channel, id) pairs that were new.

        A message id given twice is recorded once; which of the two is "new" is for the caller to decide.
        """
        if not messages:
            return set()
        rows = inbound_rows(messages)
        stmt = _record_inbound_statement(self.dialect)
        if len(rows) == 1:  # the common case: a plain statement, no insertmanyvalues batching
            return {(r[0], r[1]) for r in await self.session.execute(stmt, rows[0])}
        return {(r[0], r[1]) for r in await self.session.execute(stmt, rows)}
