"""SQLAlchemy 2 models: the data of the whole mission, one module per aggregate, all re-exported here (imports
and Alembic autogenerate see one `Base.metadata`). Schema changes go through Alembic migrations."""

from __future__ import annotations

from storage.models.access import Invite, InviteAttempt, LoginFailure, ServerKey, StaffLoginLink
from storage.models.base import NAMING, Base, BigId, utcnow
from storage.models.coaching import ActionPlan, CoachingEntry
from storage.models.directory import ChannelIdentity, Conversation, Cooperative, Officer, OfficeStaff, Region
from storage.models.messages import Announcement, InboundMessage, OutboxMessage, PlatformFile, StoredFile
from storage.models.operations import AuditEntry, FormSubmission, SchedulerTick
from storage.models.reports import (
    Assessment,
    LatestStanding,
    ManagementAnswer,
    PeriodStanding,
    Report,
    ReportReview,
    ReportRevision,
    StandingCount,
)
from storage.models.trainings import Attendance, Training, TrainingRegistration, TrainingSession

__all__ = [
    "NAMING",
    "ActionPlan",
    "Announcement",
    "Assessment",
    "Attendance",
    "AuditEntry",
    "Base",
    "BigId",
    "ChannelIdentity",
    "CoachingEntry",
    "Conversation",
    "Cooperative",
    "FormSubmission",
    "InboundMessage",
    "Invite",
    "InviteAttempt",
    "LatestStanding",
    "LoginFailure",
    "ManagementAnswer",
    "OfficeStaff",
    "Officer",
    "OutboxMessage",
    "PeriodStanding",
    "PlatformFile",
    "Region",
    "Report",
    "ReportReview",
    "ReportRevision",
    "SchedulerTick",
    "ServerKey",
    "StaffLoginLink",
    "StandingCount",
    "StoredFile",
    "Training",
    "TrainingRegistration",
    "TrainingSession",
    "utcnow",
]
