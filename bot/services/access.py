"""Who may act on what, the same for every door (chat, office web, command line).

Admins act everywhere; pembina and viewers within their kecamatan (none: the whole city); viewers only read; an
officer answers the invitations of their own cooperative. The command line is the server's operator: `by=None`.
"""

from __future__ import annotations

from bot.services.segments import Segment, SegmentError, cooperative_ids
from storage.models import Announcement, OfficeStaff, Training
from storage.repositories import Repositories

SENDER_ROLES = frozenset({"admin", "pembina"})  # they change and send; viewers read


def covers(staff: OfficeStaff, kecamatan_id: int | None) -> bool:
    """Whether a staff member's area holds this kecamatan (None: several, or the whole city)."""
    return staff.role == "admin" or staff.kecamatan_id is None or staff.kecamatan_id == kecamatan_id


def may_change(staff: OfficeStaff) -> bool:
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


async def training_kecamatan(repos: Repositories, training: Training) -> int | None:
    """The kecamatan a training is for: a pembina's (its segment's scope), or the one kecamatan of every cooperative
    it reaches; None when it is for several, or the whole city."""
    scope = _scope(training.segment)
    if scope is not None:
        return scope
    reached = await _reached(repos, training.segment)
    if not reached:
        return None
    found = {c.kecamatan_id for c in await repos.cooperatives.facts() if c.id in reached}
    return found.pop() if len(found) == 1 else None


async def may_read_training(repos: Repositories, training: Training, by: OfficeStaff | None) -> bool:
    """Its roster: staff of any role whose area holds the training's kecamatan; the operator."""
    return by is None or by.role == "admin" or covers(by, await training_kecamatan(repos, training))


async def may_run_training(repos: Repositories, training: Training, by: OfficeStaff | None) -> bool:
    """Its attendance code: admins, and pembina whose area holds the training's kecamatan; the operator."""
    return by is None or (may_change(by) and await may_read_training(repos, training, by))


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


def may_read_announcement(announcement: Announcement, by: OfficeStaff | None) -> bool:
    """Its progress: the operator; admins; its author; a pembina of its kecamatan (one without: every one).

    Viewers do not follow announcements: they send none."""
    if by is None:
        return True
    if not may_change(by):
        return False
    return announcement.staff_id == by.id or covers(by, _scope(announcement.segment))
