"""Announcements as the chat's staff and officers meet them: preview and publish, follow one, BERHENTI and MULAI.
One unit of work each; reached as `services.broadcasts`."""

from __future__ import annotations

from datetime import datetime

from bot.services import announcements
from bot.services.notices import QuietHours
from bot.services.segments import Segment
from storage.models import Announcement, OfficeStaff
from storage.repositories import Repositories


class Broadcasts:
    """The office's announcements for the chat, bound to one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def region_name(self, kecamatan_id: int) -> str | None:
        return (await self._repos.regions.names([kecamatan_id])).get(kecamatan_id)

    async def preview(self, segment: Segment) -> announcements.Preview:
        """Who an announcement to `segment` reaches now; raises SegmentError for an unknown region."""
        return await announcements.preview(self._repos, segment)

    async def publish(
        self,
        *,
        text: str,
        segment: Segment,
        staff_id: int | None,
        now: datetime,
        send_at: datetime | None,
        quiet: QuietHours | None,
    ) -> announcements.Published:
        """Publish, and say whom it reached as the preview counted it (read from the rows written)."""
        announcement = await announcements.publish(
            self._repos, text=text, segment=segment, staff_id=staff_id, now=now, send_at=send_at, quiet=quiet
        )
        return announcements.Published(announcement, await announcements.reached(self._repos, announcement))

    async def followed(self, announcement_id: int | None, by: OfficeStaff) -> Announcement | None:
        """The given announcement (or the author's latest); raises NotAllowed outside their area."""
        return await announcements.followed(self._repos, announcement_id, by)

    async def progress(self, announcement_id: int) -> announcements.Progress:
        return await announcements.progress(self._repos, announcement_id)

    async def failure_kinds(self, announcement_id: int) -> list[tuple[str, int]]:
        """Why deliveries failed, by kind, with their counts."""
        return announcements.failure_kinds(await announcements.recipients(self._repos, announcement_id))

    async def set_paused(self, officer_id: int, paused: bool, now: datetime) -> int:
        """BERHENTI (True) or MULAI (False); how many waiting announcements were withdrawn."""
        return await announcements.set_paused(self._repos, officer_id, paused, now)
