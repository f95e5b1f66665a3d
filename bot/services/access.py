"""Who may act on what, the same for every door (chat, office web, command line).

Admins act everywhere; pembina and viewers within their kecamatan (none: the whole city); viewers only read; an
officer answers the invitations of their own cooperative. The command line is the server's operator: `by=None`.
"""

from __future__ import annotations

from bot.services.segments import Segment, SegmentError, cooperative_ids, in_scope
from bot.services.staff_access import StaffAccount
from storage.models import Announcement, OfficeStaff, Training
from storage.repositories import Repositories

SENDER_ROLES = frozenset({"admin", "pembina"})  # they change and send; viewers read
Staff = OfficeStaff | StaffAccount  # a staff member as the chat (a row) or the office web app (an account) knows them


def scope_of(staff: Staff) -> int | None:
    """The kecamatan a staff member is limited to (None: the whole city)."""
    return None if staff.role == "admin" else staff.kecamatan_id


def covers(staff: Staff, kecamatan_id: int | None) -> bool:
    """Whether a staff member's area holds this kecamatan."""
    scope = scope_of(staff)
    return scope is None or scope == kecamatan_id


def may_change(staff: Staff) -> bool:
    """Admins and pembina change and send; viewers only read."""
    return staff.role in SENDER_ROLES


def _scope(segment: dict[str, object] | None) -> int | None:
    scope = (segment or {}).get("scope_kecamatan_id")
    return scope if isinstance(scope, int) else None


async def _reached(repos: Repositories, segment: dict[str, object] | None) -> set[int] | None:
    """The cooperatives a stored segment reaches now (None: it names a region that is gone)."""
    try:
        return await cooperative_ids(repos, Segment.from_json(segment or {}))
    except SegmentError:
        return None


def training_in_area(training: Training, scope: int | None) -> bool:
    """Whether staff limited to the kecamatan `scope` (None: the whole city) see a training, in the chat's list and
    on the office web app alike: one kept to that kecamatan; a training for the whole city only city-wide staff."""
    return in_scope(training.segment, scope)


def may_read_training(training: Training, by: Staff | None) -> bool:
    """It and its roster: staff of any role whose area holds the kecamatan it was kept to (the whole city: every
    training); the operator."""
    return by is None or training_in_area(training, scope_of(by))


def may_run_training(training: Training, by: Staff | None) -> bool:
    """Its attendance code: admins, and pembina of the kecamatan it was kept to; the operator."""
    return by is None or (may_change(by) and may_read_training(training, by))


async def invited(repos: Repositories, training: Training, officer_id: int, cooperative_id: int) -> bool:
    """Whether an officer may answer a training: their cooperative is in its segment now, or they were sent its
    invitation. A segment naming a region renamed since reaches the cooperatives of its kecamatan scope, if any."""
    reached = await _reached(repos, training.segment)
    if reached is None:
        scope = _scope(training.segment)
        cooperative = await repos.cooperatives.get(cooperative_id)
        if scope is None or (cooperative is not None and cooperative.kecamatan_id == scope):
            return True
    elif cooperative_id in reached:
        return True
    return await repos.outbox.by_key(f"training:{training.id}:officer-{officer_id}:invite") is not None


def may_read_announcement(announcement: Announcement, by: Staff | None) -> bool:
    """Its progress: the operator; admins; its author; a pembina of the kecamatan it was kept to.

    Viewers do not follow announcements: they send none."""
    if by is None:
        return True
    if not may_change(by):
        return False
    return announcement.staff_id == by.id or in_scope(announcement.segment, scope_of(by))
