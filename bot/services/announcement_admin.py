"""The office's side of announcements: a draft checked field by field with the count of who receives it, the list
and one announcement as staff see them (scoped to a pembina's kecamatan) with each recipient's delivery. Sending is
`announcements.publish`, as from the chat and the command line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services import announcements, segments, trainings
from bot.services.announcements import Progress, RecipientLine
from bot.services.files import kept
from bot.services.notices import QuietHours
from bot.services.segments import Audience, Reach, Segment, SegmentError
from storage.models import Announcement
from storage.repositories import Repositories

LISTED = 100


@dataclass(frozen=True)
class DraftForm:
    """What staff typed: the text, the segment in their words, when (empty: now)."""

    text: str = ""
    segment: str = "semua"
    at: str = ""
    file_ref: str = ""  # "<stored file id>:<its SHA-256>" of a file uploaded with the preview

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> DraftForm:
        return cls(
            text=str(fields.get("text", "")).strip()[: announcements.MAX_TEXT + 1],
            segment=str(fields.get("segment", "")).strip()[:500],
            at=str(fields.get("at", "")).strip()[:40],
            file_ref="" if fields.get("drop_file") else str(fields.get("file_ref", "")).strip()[:100],
        )


@dataclass(frozen=True)
class DraftCheck:
    """The draft read: a problem code per field, the segment's problem in words, who it reaches, when it goes."""

    form: DraftForm
    problems: dict[str, str] = field(default_factory=dict)
    segment_error: SegmentError | None = None
    audience: Audience | None = None
    send_at: datetime | None = None
    attachment: announcements.File | None = None
    file_error: str | None = None  # why an uploaded file cannot go (Indonesian / English)
    file_ref: str = ""

    @property
    def reach(self) -> Reach | None:
        return self.audience.reach() if self.audience else None

    @property
    def sendable(self) -> bool:
        """No problem, and someone receives it."""
        return not self.problems and self.reach is not None and self.reach.now > 0


@dataclass(frozen=True)
class AnnouncementRow:
    """An announcement on the office's list, with its progress."""

    announcement: Announcement
    segment_words: str
    progress: Progress


@dataclass(frozen=True)
class AnnouncementDetail:
    """One announcement with each recipient's delivery."""

    announcement: Announcement
    segment_words: str
    progress: Progress
    recipients: list[RecipientLine]

    @property
    def failures(self) -> list[tuple[str, int]]:
        return announcements.failure_kinds(self.recipients)


async def _attachment(
    repos: Repositories, form: DraftForm, upload: tuple[str, bytes] | None
) -> tuple[announcements.File | None, str | None, str]:
    """The draft's file: a new upload (checked, then stored once), or the one a preview stored; (attachment, why
    not, its reference for the next step)."""
    if upload is not None:
        try:
            attachment = announcements.attachment_from_bytes(*upload)
        except ValueError as exc:
            return None, str(exc), ""
        digest = hashlib.sha256(attachment.data).hexdigest()
        attachment = await kept(repos, attachment)
        return attachment, None, f"{attachment.file_id}:{digest}"
    head, _, digest = form.file_ref.partition(":")
    if head.isdigit() and len(head) < 19 and digest:
        found = await announcements.stored_attachment(repos, int(head), digest)
        if found is not None:
            return found, None, form.file_ref
    return None, None, ""


async def check_draft(
    repos: Repositories,
    form: DraftForm,
    *,
    scope: int | None,
    zone: ZoneInfo,
    now: datetime,
    upload: tuple[str, bytes] | None = None,
) -> DraftCheck:
    """Read and check the draft (the time in the office's zone; a pembina's segment kept to their kecamatan); a file
    uploaded with it is checked as `kopsehat announce --file` checks one, and stored once for the next step."""
    found: dict[str, str] = {}
    if len(form.text) < announcements.MIN_TEXT:
        found["text"] = "short"
    elif len(form.text) > announcements.MAX_TEXT:
        found["text"] = "long"
    send_at = trainings.parse_moment(form.at, zone) if form.at else None
    if form.at and send_at is None:
        found["at"] = "format"
    elif send_at is not None and send_at <= now:
        found["at"] = "past"
    audience, segment_error = await segments.audience_of(repos, form.segment, scope_kecamatan_id=scope)
    if segment_error is not None:
        found["segment"] = "segment"
    attachment, file_error, file_ref = await _attachment(repos, form, upload)
    if file_error is not None:
        found["file"] = "file"
    return DraftCheck(form, found, segment_error, audience, send_at, attachment, file_error, file_ref)


async def send(
    repos: Repositories, check: DraftCheck, *, staff_id: int | None, now: datetime, quiet: QuietHours | None
) -> Announcement | None:
    """Publish a checked draft (now or at its time); None when it cannot go (a problem, or nobody to receive it)."""
    if not check.sendable or check.audience is None:
        return None
    return await announcements.publish(
        repos,
        text=check.form.text,
        segment=check.audience.segment,
        staff_id=staff_id,
        now=now,
        send_at=check.send_at,
        attachment=check.attachment,
        quiet=quiet,
    )


def _visible(announcement: Announcement | None, scope: int | None) -> Announcement | None:
    return announcement if announcement is not None and segments.in_scope(announcement.segment, scope) else None


async def listing(repos: Repositories, scope: int | None) -> list[AnnouncementRow]:
    """The latest announcements this staff member may see, newest first, with their progress."""
    rows = []
    for announcement in await repos.announcements.recent(LISTED):
        if _visible(announcement, scope):
            words = Segment.from_json(announcement.segment or {}).words
            rows.append(AnnouncementRow(announcement, words, await announcements.progress(repos, announcement.id)))
    return rows


async def detail(repos: Repositories, announcement_id: int, scope: int | None) -> AnnouncementDetail | None:
    """One announcement with each recipient's delivery; None when absent or not the staff member's."""
    announcement = _visible(await repos.announcements.get(announcement_id), scope)
    if announcement is None:
        return None
    return AnnouncementDetail(
        announcement,
        Segment.from_json(announcement.segment or {}).words,
        await announcements.progress(repos, announcement_id),
        await announcements.recipients(repos, announcement_id),
    )
