"""The plain delivery receipts (sent, delivered, read: nearly all of them, three for every message we send) written
without a unit of work: the receipts of the webhooks that arrive while one group is written are written together
next, as one statement (storage.repositories.receipts.record_receipts) on the connection kept for single statements.

Each changes its row as bot.channels.whatsapp.status.apply_status would (the status only moves up, a `failed` only
to delivered or read, the row's platform id filled in; a repeat changes nothing), checked in SQL instead of on a
loaded row: no ORM object, no SELECT, no BEGIN and COMMIT. A webhook with any other receipt (a failure, with its
template fallback, media or 131026 work) goes through `apply_statuses` as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.whatsapp.inbound import StatusUpdate
from bot.channels.whatsapp.status import CHANNEL, RANK, RULES, outbox_id_from_callback
from bot.chat.batching import Batcher, together_else_each
from storage.db import Database
from storage.models import utcnow
from storage.repositories import receipts as outbox_receipts

MAX_WEBHOOKS = 64  # webhooks whose receipts are written in one statement at most


def plain(updates: Sequence[StatusUpdate]) -> bool:
    """Whether every receipt here only moves a status (none failed): the ones `Receipts` writes."""
    return all(update.status in RANK for update in updates)


class Receipts:
    """Plain receipts written in groups (group commit, as dispatch's): `apply` returns once its own are written."""

    def __init__(self, db: Database, max_webhooks: int = MAX_WEBHOOKS) -> None:
        self.db = db
        self._groups = Batcher[Sequence[StatusUpdate], None](self._write, max_webhooks, "whatsapp-receipts")

    async def apply(self, updates: Sequence[StatusUpdate]) -> None:
        """Write one webhook's plain receipts (in their order, after those queued before); raises what the write
        raised (the database away: the webhook answers 503 and Meta sends them again)."""
        await self._groups.submit([updates])

    async def idle(self) -> None:
        """Wait until the receipts queued so far are written (shutdown)."""
        await self._groups.idle()

    async def _write(self, webhooks: list[Sequence[StatusUpdate]]) -> list[Exception | None]:
        # one webhook whose receipts cannot be written must not fail the others: then each is written alone
        return await together_else_each(webhooks, self._write_together, self._write_one, "receipt webhooks")

    async def _write_together(self, webhooks: list[Sequence[StatusUpdate]]) -> list[None]:
        await self._record([update for updates in webhooks for update in updates])
        return [None] * len(webhooks)

    async def _write_one(self, updates: Sequence[StatusUpdate]) -> None:
        await self._record(updates)

    async def _record(self, updates: Sequence[StatusUpdate]) -> None:
        rows = [(outbox_id_from_callback(u.callback_data), u.provider_message_id, u.status) for u in updates]
        async with self.db.one_statement() as connection:
            await outbox_receipts.record_receipts(connection, CHANNEL, rows, utcnow(), RULES)
