"""A cooperative's own records that its officers keep up to date: the day its RAT was held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import obligations
from bot.services.clinic import ClinicService
from bot.services.reports import NotAllowed
from storage.repositories import Repositories


@dataclass(frozen=True)
class RatRecorded:
    """A recorded RAT date: the book year it closes and the date it replaced (None: none was recorded)."""

    day: date
    book_year: int
    previous: date | None
    official: tuple[str, ...] = ()  # the year-end periods whose verified assessments became official


class CooperativeService:
    """The cooperative use cases of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def record_rat(
        self, cooperative_id: int, day: date, *, today: date, officer_id: int, channel: str
    ) -> RatRecorded | obligations.RatDateProblem:
        """Store the day the RAT was held, audited; or why it cannot be the RAT of the book year due `today`."""
        problem = obligations.rat_date_problem(day, today)
        if problem:
            return problem
        cooperative = await self._repos.cooperatives.get(cooperative_id)
        officer = await self._repos.officers.get(officer_id)
        if cooperative is None or officer is None or officer.cooperative_id != cooperative_id:
            raise NotAllowed(f"officer {officer_id} does not report for cooperative {cooperative_id}")
        book_year = obligations.rat_book_year(today)
        previous = cooperative.rat_date
        cooperative.rat_date = day
        await self._repos.audit.add(
            f"officer:{officer_id}",
            "cooperative.rat_recorded",
            f"cooperative:{cooperative_id}",
            rat_date=day.isoformat(),
            previous=previous.isoformat() if previous else None,
            book_year=book_year,
            officer=officer.name,
            channel=channel,
        )
        official = await ClinicService(self._repos).make_official(cooperative_id)
        return RatRecorded(day, book_year, previous, tuple(official))
