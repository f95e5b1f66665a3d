"""Business-initiated messages: one Notice for one person becomes one outbox row, at most once.

The row goes to the chat account the person used last (the other one when that is unreachable), is deferred past
quiet hours in the person's time zone, and is recorded as unreachable, with the reason, when nobody can get it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.services.turns import Turns
from bot.words.messages import Notice
from storage.repositories import Repositories
from storage.repositories.outbox import with_defaults

NOTICE_CHUNK = 500  # notices whose rows are made and inserted together
NEVER = datetime.min.replace(tzinfo=ZoneInfo("UTC"))


@dataclass(frozen=True)
class QuietHours:
    """A daily window (local time) in which business-initiated notices wait; it may span midnight."""

    start: time
    end: time

    def release_time(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` itself when outside the window, else the window's end (local), as an aware datetime."""
        local = moment.astimezone(zone)
        clock = local.timetz().replace(tzinfo=None)
        spans_midnight = self.start > self.end
        inside = (clock >= self.start or clock < self.end) if spans_midnight else self.start <= clock < self.end
        if not inside:
            return moment
        release = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if release <= local:
            release += timedelta(days=1)
        return release


DEFAULT_QUIET = QuietHours(time(21, 0), time(7, 0))  # the default of KOPSEHAT_QUIET_HOURS


NO_ACCOUNT = "no chat account"  # the reasons stored in the outbox (last_error) for a notice nobody can get
UNREACHABLE = "unreachable on every channel"


class ChatAccount(Protocol):
    """A chat account as notices read it: an identity, or a plain row of one (storage's Account)."""

    @property
    def id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def reachable(self) -> bool: ...
    @property
    def last_inbound_at(self) -> datetime | None: ...


A = TypeVar("A", bound=ChatAccount)


def unreachable_reason(identities: Sequence[ChatAccount]) -> str | None:
    """Why a person with these chat accounts cannot get a notice now (NO_ACCOUNT, UNREACHABLE), or None."""
    if not identities:
        return NO_ACCOUNT
    return None if any(i.reachable for i in identities) else UNREACHABLE


def pick_identity(identities: Sequence[A]) -> A | None:
    """The chat account used last among the reachable ones."""
    reachable = [i for i in identities if i.reachable]
    if not reachable:
        return None
    return max(reachable, key=lambda i: (i.last_inbound_at or NEVER, i.id))


async def enqueue_notice(
    repos: Repositories,
    notice: Notice,
    now: datetime,
    *,
    officer_id: int | None = None,
    staff_id: int | None = None,
    zone: ZoneInfo,
    quiet: QuietHours | None = None,
    announcement_id: int | None = None,
) -> int | None:
    """Put one notice in the outbox for an officer or a staff member; None when its key was there already."""
    if (officer_id is None) == (staff_id is None):
        raise ValueError("a notice goes to exactly one officer or one staff member")
    identities = (
        await repos.identities.of_officer(officer_id)
        if officer_id is not None
        else await repos.identities.of_staff(staff_id or 0)
    )
    values = notice_row(notice, identities, now, zone, quiet, officer_id=officer_id, staff_id=staff_id)
    return await repos.outbox.enqueue(**(values | {"announcement_id": announcement_id}))


class Addressed(Protocol):
    """A notice for one officer or one staff member, with the zone its quiet hours are counted in (cycle's Due)."""

    @property
    def notice(self) -> Notice: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def officer_id(self) -> int | None: ...
    @property
    def staff_id(self) -> int | None: ...


async def enqueue_notices(
    repos: Repositories, items: Sequence[Addressed], now: datetime, *, quiet: QuietHours | None = None
) -> int:
    """`enqueue_notice` for many notices (a daily tick's), set-based: the officers' chat accounts read in one pass,
    the rows inserted a chunk at a time (the event loop gets its turn between chunks); how many rows are new."""
    for item in items:
        if (item.officer_id is None) == (item.staff_id is None):
            raise ValueError("a notice goes to exactly one officer or one staff member")
    officers = await repos.identities.of_officers(sorted({i.officer_id for i in items if i.officer_id is not None}))
    staff = {s: await repos.identities.of_staff(s) for s in {i.staff_id for i in items if i.staff_id is not None}}
    made = 0
    turns = Turns()
    for start in range(0, len(items), NOTICE_CHUNK):
        rows = []
        for item in items[start : start + NOTICE_CHUNK]:
            await turns.take()
            accounts: Sequence[ChatAccount] = (
                officers[item.officer_id] if item.officer_id is not None else staff[item.staff_id or 0]
            )
            row = notice_row(item.notice, accounts, now, item.zone, quiet, item.officer_id, item.staff_id)
            rows.append(row | {"announcement_id": None, "last_error": row.get("last_error")})
        made += await repos.outbox.insert_many([with_defaults(row, now) for row in rows])
    return made


def payload_of(notice: Notice) -> dict[str, Any]:
    """The outbox payload of a notice: its reply, and the parameters of the template WhatsApp sends it with."""
    return {**notice.reply.to_json(), "template_params": list(notice.template_params)}


def notice_row(
    notice: Notice,
    identities: Sequence[ChatAccount],
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
    officer_id: int | None = None,
    staff_id: int | None = None,
) -> dict[str, Any]:
    """The outbox values of one notice: to the chat used last, held through quiet hours; "unreachable" with the
    reason when no chat can get it."""
    chosen = pick_identity(identities)
    values: dict[str, Any] = {
        "dedupe_key": notice.dedupe_key,
        "officer_id": officer_id,
        "staff_id": staff_id,
        "kind": notice.kind,
        "business_initiated": True,
        "priority": notice.priority,
        "payload": payload_of(notice),
    }
    if chosen is None:
        return values | {
            "channel": identities[0].channel if identities else "none",
            "recipient": identities[0].external_id if identities else "",
            "identity_id": identities[0].id if identities else None,
            "status": "unreachable",
            "last_error": unreachable_reason(identities),
        }
    return values | {
        "channel": chosen.channel,
        "recipient": chosen.external_id,
        "identity_id": chosen.id,
        "next_attempt_at": quiet.release_time(now, zone) if quiet else now,
    }
