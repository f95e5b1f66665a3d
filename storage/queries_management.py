"""The yearly answers (management questionnaire, compliance facts) with the wording they answered, beside the
repositories."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from storage.repositories import Repositories


async def save_answers(
    repos: Repositories,
    cooperative_id: int,
    answers: Mapping[str, bool],
    wording: Mapping[str, str],
    at: datetime,
    officer_id: int | None,
) -> None:
    """Store answers as `ManagementRepo.save` does, each with the hash of the wording it answered (`wording`)."""
    await repos.management.save(cooperative_id, dict(answers), at, officer_id)
    rows = await repos.management.answers(cooperative_id)
    for key in answers.keys() & wording.keys() & rows.keys():
        rows[key].wording_hash = wording[key]
    await repos.session.flush()
