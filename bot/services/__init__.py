"""Use cases: the only callers of storage; plain values in, plain results out.

Every door (a chat handler, an office web page, the phone form, a workbook import, a CLI command) gets a `Services`
bound to one unit of work (one transaction) and calls its use cases; none of them touches storage itself. Each use
case lives in the module of its aggregate (reports, cooperatives, trainings, announcements ...) and is reached as an
attribute of `Services` (`services.reports.submit(...)`), its module imported the first time it is used: this package
is imported with any of its modules, and a command of the command line that needs two of them (`kopsehat
report-status`) no longer loads them all (the workbooks' openpyxl, the announcements, the clinic: about 0.5 s).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.health.rules import Rules
    from bot.services.broadcasts import Broadcasts
    from bot.services.clinic import ClinicService
    from bot.services.cooperatives import CooperativeService
    from bot.services.form_links import FormLinkService
    from bot.services.invites import InviteService
    from bot.services.office import OfficeService
    from bot.services.office_record import RecordService
    from bot.services.officers import OfficerService
    from bot.services.reports import ReportService
    from bot.services.review import ReviewService
    from bot.services.staff_access import StaffAccessService
    from bot.services.training_catalog import TrainingCatalog
    from bot.services.workbooks import WorkbookService
    from storage.repositories import Repositories


class Services:
    """The use cases bound to one unit of work (one transaction) and this deployment's scoring rules."""

    def __init__(self, repos: Repositories, rules: Rules) -> None:
        self._repos = repos
        self.rules = rules

    @cached_property
    def reports(self) -> ReportService:
        """Open, draft, submit, correct and read the monthly report."""
        from bot.services.reports import ReportService

        return ReportService(self._repos, self.rules)

    @cached_property
    def workbooks(self) -> WorkbookService:
        """The report workbook: write it for a cooperative, read a filled one back, import the archive."""
        from bot.services.workbooks import WorkbookService

        return WorkbookService(self._repos, self.reports)

    @cached_property
    def cooperatives(self) -> CooperativeService:
        """The cooperative's own records (its RAT date)."""
        from bot.services.cooperatives import CooperativeService

        return CooperativeService(self._repos)

    @cached_property
    def form_links(self) -> FormLinkService:
        """The report form's links: issue one, check one, where its results go in chat."""
        from bot.services.form_links import FormLinkService

        return FormLinkService(self._repos)

    @cached_property
    def invites(self) -> InviteService:
        """Redeem an invitation code."""
        from bot.services.invites import InviteService

        return InviteService(self._repos)

    @cached_property
    def officers(self) -> OfficerService:
        """A person's chat account and officer record (their language)."""
        from bot.services.officers import OfficerService

        return OfficerService(self._repos)

    @cached_property
    def clinic(self) -> ClinicService:
        """The rekam medis: notes, action plans, follow-ups, the worklist, verified and official assessments."""
        from bot.services.clinic import ClinicService

        return ClinicService(self._repos)

    @cached_property
    def staff_access(self) -> StaffAccessService:
        """The office web app's sign-in: logins, one-time links, passwords."""
        from bot.services.staff_access import StaffAccessService

        return StaffAccessService(self._repos)

    @cached_property
    def office(self) -> OfficeService:
        """What the office web app shows: counts, lists, exports."""
        from bot.services.office import OfficeService

        return OfficeService(self._repos)

    @cached_property
    def records(self) -> RecordService:
        """The rekam medis of one cooperative: officers, reports with their revisions, scores, coaching."""
        from bot.services.office_record import RecordService

        return RecordService(self._repos)

    @cached_property
    def review(self) -> ReviewService:
        """The office's review of submitted reports: the queue, verify, send back, the period's export."""
        from bot.services.review import ReviewService

        return ReviewService(self._repos)

    @cached_property
    def training_catalog(self) -> TrainingCatalog:
        """Trainings in the chat: what is coming, registering, rosters, attendance codes, HADIR, a new one."""
        from bot.services.training_catalog import TrainingCatalog

        return TrainingCatalog(self._repos)

    @cached_property
    def broadcasts(self) -> Broadcasts:
        """Announcements in the chat: preview, publish, follow one; BERHENTI and MULAI."""
        from bot.services.broadcasts import Broadcasts

        return Broadcasts(self._repos)
