"""The management questionnaire and compliance answers, carried forward per cooperative."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from storage.models import ManagementAnswer
from storage.repositories._base import Repo


class ManagementRepo(Repo):
    """The yearly answers (management questionnaire, compliance facts), carried forward per cooperative."""

    async def answers(self, cooperative_id: int) -> dict[str, ManagementAnswer]:
        stmt = select(ManagementAnswer).where(ManagementAnswer.cooperative_id == cooperative_id)
        # Read when a report opens: without flushing first, so the batch's other changes (identities, conversations)
        # are written together at its end. Safe: `save` flushes the answers it writes, nothing else writes them.
        with self.session.no_autoflush:
            return {a.item_key: a for a in (await self.session.scalars(stmt)).all()}

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
