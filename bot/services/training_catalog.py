"""The trainings as the chat's officers and staff meet them: what is coming, registering, the roster, attendance
codes, HADIR, and a new training from the office's form. One unit of work each; reached as
`services.training_catalog`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.services import access, invites, segments, trainings
from bot.services.notices import QuietHours
from bot.services.segments import Audience, Reach, Segment
from storage.models import Training, TrainingRegistration, TrainingSession
from storage.repositories import Repositories

AHEAD = timedelta(days=365)
LISTED_AT_MOST = 50
Action = Literal["daftar", "tidak", "batal"]


@dataclass(frozen=True)
class Upcoming:
    """A training still to come with its first session (None: not yet scheduled)."""

    training: Training
    session: TrainingSession | None


@dataclass(frozen=True)
class CheckIn:
    """What HADIR <kode> did: `refused` (this chat or everyone sent too many wrong codes), a wrong code (no
    training), or the training with whether the attendance is new."""

    refused: Literal["chat", "everyone"] | None = None
    training: Training | None = None
    new: bool = False


class TrainingCatalog:
    """Trainings and clinics for the chat, bound to one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def upcoming(self, now: datetime, staff: access.Staff | None = None) -> list[Upcoming]:
        """The next year's trainings, soonest first (at most 50); for a staff member only those they may read
        (`access.may_read_training`: a pembina, the ones kept to their kecamatan), as the office web app lists them."""
        found = await self._repos.trainings.between(now, now + AHEAD)
        if staff is not None:
            found = [t for t in found if access.may_read_training(t, staff)]
        sessions = await self._repos.trainings.sessions([t.id for t in found])
        return [Upcoming(t, next(iter(sessions.get(t.id) or []), None)) for t in found[:LISTED_AT_MOST]]

    async def counts(self, training_ids: list[int]) -> dict[int, dict[str, int]]:
        """Registered, waitlisted and declined per training."""
        return await self._repos.trainings.registered_counts(training_ids)

    async def registrations_of(self, officer_id: int) -> dict[int, TrainingRegistration]:
        return await self._repos.trainings.registrations_of(officer_id)

    async def invited(self, training: Training, officer_id: int, cooperative_id: int) -> bool:
        return await access.invited(self._repos, training, officer_id, cooperative_id)

    async def get(self, training_id: int) -> Training | None:
        return await self._repos.trainings.get(training_id)

    async def first_session(self, training_id: int) -> TrainingSession | None:
        return await trainings.first_session(self._repos, training_id)

    async def answer(
        self, action: Action, training_id: int, officer_id: int, now: datetime, zone: ZoneInfo, quiet: QuietHours | None
    ) -> trainings.Outcome:
        """An officer's answer to an invitation: register (daftar), decline (tidak) or cancel (batal)."""
        if action == "daftar":
            return await trainings.register(self._repos, training_id, officer_id, now)
        if action == "tidak":
            return await trainings.decline(self._repos, training_id, officer_id, now)
        return await trainings.cancel(self._repos, training_id, officer_id, now, zone=zone, quiet=quiet)

    async def roster(self, training_id: int, by: access.Staff | None) -> list[trainings.RosterLine]:
        """Raises NotAllowed outside the staff member's area."""
        return await trainings.roster(self._repos, training_id, by)

    async def new_attendance_code(self, training_id: int, by: access.Staff | None) -> str | None:
        """Raises NotAllowed outside the staff member's area."""
        return await trainings.new_attendance_code(self._repos, training_id, by)

    async def check_in(
        self, identity_id: int, code: str, officer_id: int, cooperative_id: int, now: datetime
    ) -> CheckIn:
        """HADIR <kode>: too many wrong codes are refused before the code is looked at; a wrong one is counted."""
        refused = await invites.code_refused(self._repos, identity_id, "hadir", now)
        if refused is not None:
            return CheckIn(refused=refused)
        training, new = await trainings.check_in(self._repos, code, officer_id, cooperative_id, now)
        if training is None:
            await invites.record_wrong_code(self._repos, identity_id, "hadir", now)
        return CheckIn(training=training, new=new)

    async def audience(self, segment: Segment) -> Audience:
        """Who a segment reaches now; raises SegmentError for a region the office does not know."""
        return await segments.resolve(self._repos, segment)

    async def create(
        self,
        plan: trainings.TrainingPlan,
        *,
        staff_id: int | None,
        now: datetime,
        zone: ZoneInfo,
        quiet: QuietHours | None,
    ) -> tuple[Training | None, Reach]:
        """Save the training and invite its segment; (training, whom the invitations reach, as the preview counted
        them). When nobody can receive one now (all became unreachable since the preview), nothing is kept:
        (None, the reach)."""
        async with self._repos.session.begin_nested() as saved:
            created = await trainings.create(self._repos, plan, staff_id=staff_id, now=now, zone=zone, quiet=quiet)
            if created.reach.now == 0:
                await saved.rollback()
                return None, created.reach
        return created.training, created.reach
