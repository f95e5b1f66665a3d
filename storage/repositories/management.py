"""The management questionnaire and compliance answers, carried forward per cooperative."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ManagementAnswer
from storage.repositories._base import Repo


@cache
def _answers_statement() -> Select[Any]:
    """The answers of the cooperatives bound as `ids` (read at every report opening and submission: built once)."""
    return select(ManagementAnswer).where(ManagementAnswer.cooperative_id.in_(bindparam("ids", expanding=True)))


class ManagementRepo(Repo):
    """The yearly answers (management questionnaire, compliance facts), carried forward per cooperative."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._read: dict[int, dict[str, ManagementAnswer]] = {}  # read ahead by `read_many`, until `save`

    async def answers(self, cooperative_id: int) -> dict[str, ManagementAnswer]:
        if cooperative_id not in self._read:
            await self.read_many((cooperative_id,))
        return dict(self._read[cooperative_id])

    async def read_many(self, cooperative_ids: Collection[int]) -> None:
        """Read ahead the answers of these cooperatives in one statement (a batch's report openings)."""
        wanted = sorted(set(cooperative_ids) - self._read.keys())
        if not wanted:
            return
        self._read.update((i, {}) for i in wanted)
        # Read when a report opens: without flushing first, so the batch's other changes (identities, conversations)
        # are written together at its end. Safe: `save` flushes the answers it writes, nothing else writes them.
        with self.session.no_autoflush:
            for answer in (await self.session.scalars(_answers_statement(), {"ids": wanted})).all():
                self._read[answer.cooperative_id][answer.item_key] = answer

    async def save(
        self,
        cooperative_id: int,
        answers: Mapping[str, bool],
        at: datetime,
        officer_id: int | None,
        *,
        wording: Mapping[str, str] | None = None,
    ) -> None:
        """Store answers; with `wording`, each keeps the hash of the wording it answered (by item key)."""
        wording = wording or {}
        existing = await self.answers(cooperative_id)
        for key, value in answers.items():
            row = existing.get(key)
            if row is None:
                self.session.add(
                    ManagementAnswer(
                        cooperative_id=cooperative_id,
                        item_key=key,
                        answer=value,
                        answered_at=at,
                        officer_id=officer_id,
                        wording_hash=wording.get(key),
                    )
                )
            else:
                row.answer, row.answered_at, row.officer_id = value, at, officer_id
                if key in wording:
                    row.wording_hash = wording[key]
        await self.session.flush()
        self._read.pop(cooperative_id, None)
