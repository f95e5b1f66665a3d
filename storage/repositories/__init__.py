"""Repositories: the only way services reach the data, always inside one transaction.

One rule: every read and write of an aggregate is a method of its repository, in the module named after it, and is
reached through `Repositories` as `repos.<aggregate>`; a query returns rows of the aggregate it is named after (a set-
based read for the office, such as every active officer, belongs to that aggregate too). Nothing outside `storage`
builds SQL or touches the session: it calls these methods with plain values and gets ORM rows or plain values back.
Statements on a hot path (a message's sender, its report, the outbox by id) are built once per dialect and cached here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.announcements import AnnouncementRepo
from storage.repositories.assessments import AssessmentRepo, CoachingRepo
from storage.repositories.audit import AuditRepo
from storage.repositories.clinic import ClinicRepo
from storage.repositories.conversations import ChatRepo, ChatRow, ConversationRow
from storage.repositories.cooperatives import CooperativeFacts, CooperativeRepo
from storage.repositories.files import FileRepo
from storage.repositories.identities import IdentityRepo
from storage.repositories.inbound import InboundRepo
from storage.repositories.invites import InviteRepo
from storage.repositories.management import ManagementRepo
from storage.repositories.officers import OfficerFacts, OfficerRepo
from storage.repositories.outbox import OutboxRepo
from storage.repositories.regions import RegionRepo
from storage.repositories.reports import ReportRepo
from storage.repositories.reviews import QueueFilter, QueueRow, ReviewRepo
from storage.repositories.server_keys import ServerKeyRepo
from storage.repositories.staff import StaffRepo
from storage.repositories.submissions import SubmissionRepo
from storage.repositories.ticks import TickRepo
from storage.repositories.trainings import TrainingRepo

__all__ = [
    "AnnouncementRepo",
    "AssessmentRepo",
    "AuditRepo",
    "ChatRepo",
    "ChatRow",
    "CoachingRepo",
    "ConversationRow",
    "CooperativeFacts",
    "CooperativeRepo",
    "FileRepo",
    "IdentityRepo",
    "InboundRepo",
    "InviteRepo",
    "ManagementRepo",
    "OfficerFacts",
    "OfficerRepo",
    "OutboxRepo",
    "QueueFilter",
    "QueueRow",
    "RegionRepo",
    "ReportRepo",
    "Repositories",
    "ReviewRepo",
    "StaffRepo",
    "SubmissionRepo",
    "TickRepo",
    "TrainingRepo",
]


class Repositories:
    """All repositories of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.regions = RegionRepo(session)
        self.cooperatives = CooperativeRepo(session)
        self.officers = OfficerRepo(session)
        self.staff = StaffRepo(session)
        self.submissions = SubmissionRepo(session)
        self.identities = IdentityRepo(session)
        self.invites = InviteRepo(session)
        self.server_keys = ServerKeyRepo(session)
        self.chats = ChatRepo(session)
        self.reports = ReportRepo(session)
        self.reviews = ReviewRepo(session)
        self.management = ManagementRepo(session)
        self.assessments = AssessmentRepo(session)
        self.coaching = CoachingRepo(session)
        self.inbound = InboundRepo(session)
        self.outbox = OutboxRepo(session)
        self.files = FileRepo(session)
        self.audit = AuditRepo(session)
        self.clinic = ClinicRepo(session)
        self.announcements = AnnouncementRepo(session)
        self.trainings = TrainingRepo(session)
        self.ticks = TickRepo(session)
