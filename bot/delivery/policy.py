"""What delivery checks just before a business-initiated notice goes: quiet hours, the channel, WhatsApp's daily cap.

Replies (answers to the officer's own message) are never held. A notice claimed inside quiet hours (after retries,
or because it was enqueued for a time that fell into them) goes back to wait for the morning, in the recipient's
zone. A notice whose chat account became unreachable moves to the person's other account. On WhatsApp, a notice to
someone whose 24-hour window is open costs nothing; one outside it opens a business-initiated conversation, and at
most `whatsapp_daily_cap` different people get one per moving 24 hours: the rest waits (status "waiting", with the
reason) for the next day, highest priority first (the claim order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.senders import SendOutcome
from bot.domain.periods import format_datetime
from bot.services.notices import QuietHours, pick_identity
from storage.models import OutboxMessage
from storage.repositories import Repositories

TIER_MARK = "tier"  # payload key set on a WhatsApp notice sent outside the window (it counts against the cap)
CAP_WINDOW = timedelta(hours=24)
WINDOW = timedelta(hours=24)  # WhatsApp's customer service window after the user's last message
WINDOW_MARGIN = timedelta(minutes=10)  # send free-form only while the window surely is open
PG_CAP_LOCK = 7_207_001  # advisory lock: one process at a time decides who gets the day's WhatsApp conversations


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while a free-form WhatsApp message may go: within 24 h (less a margin) of the user's last message."""
    return last_inbound_at is not None and now < last_inbound_at + WINDOW - WINDOW_MARGIN


@dataclass
class SendPolicy:
    """The send-time guard delivery asks about each claimed business-initiated row."""

    office_zone: ZoneInfo
    quiet: QuietHours | None = None
    whatsapp_daily_cap: int | None = 250

    async def before_claim(self, repos: Repositories, now: datetime) -> None:
        """Rows that waited for WhatsApp's cap and whose day has come become claimable again."""
        await repos.outbox.wake_waiting(now)

    async def admit(self, repos: Repositories, rows: Sequence[OutboxMessage], now: datetime) -> list[OutboxMessage]:
        """The claimed rows to send now; the others are given back to wait, moved, or ended, with the reason."""
        notices = [r for r in rows if r.business_initiated]
        if not notices:
            return list(rows)
        held: set[int] = set()
        zones = await self._zones(repos, notices)
        for row in notices:
            zone = zones.get(row.id, self.office_zone)
            release = self.quiet.release_time(now, zone) if self.quiet else now
            if release > now:
                _give_back(row, "pending", release, f"quiet hours: waits until {format_datetime(release, zone)}", now)
                held.add(row.id)
            elif await _moved_or_ended(repos, row, now):
                held.add(row.id)
        candidates = [r for r in notices if r.id not in held and r.channel == "whatsapp"]
        if candidates and self.whatsapp_daily_cap is not None:
            held |= await self._apply_cap(repos, candidates, now)
        return [r for r in rows if r.id not in held]

    async def after_outcome(self, repos: Repositories, row: OutboxMessage, outcome: SendOutcome, now: datetime) -> None:
        """A notice whose account turned out unreachable (blocked, unknown) goes to the person's other account."""
        if outcome.status != "unreachable" or row.identity_id is None:
            return
        for ended in await repos.outbox.just_unreachable(row.identity_id, now):  # ended by this outcome
            await move_to_other_channel(repos, ended, now, reason=ended.last_error or "unreachable")

    async def _zones(self, repos: Repositories, rows: Sequence[OutboxMessage]) -> dict[int, ZoneInfo]:
        found = await repos.officers.timezones(r.officer_id for r in rows if r.officer_id is not None)
        by_officer = {officer_id: ZoneInfo(name) for officer_id, name in found.items()}
        return {r.id: by_officer[r.officer_id] for r in rows if r.officer_id in by_officer}

    async def _apply_cap(self, repos: Repositories, rows: Sequence[OutboxMessage], now: datetime) -> set[int]:
        assert self.whatsapp_daily_cap is not None
        await repos.outbox.serialise(PG_CAP_LOCK)
        counted, oldest = await counted_recipients(repos, now)
        identities = await repos.identities.by_ids(r.identity_id for r in rows if r.identity_id is not None)
        held: set[int] = set()
        for row in rows:  # in claim order: priority first
            identity = identities.get(row.identity_id or 0)
            if window_open(identity.last_inbound_at if identity else None, now):
                continue  # free-form inside the window: not counted
            if row.recipient not in counted and len(counted) >= self.whatsapp_daily_cap:
                wake = max(now + timedelta(minutes=1), (oldest or now) + CAP_WINDOW)
                reason = (
                    f"WhatsApp daily limit reached ({self.whatsapp_daily_cap} people per 24 hours, "
                    f"KOPSEHAT_WHATSAPP_DAILY_BUSINESS_CAP): waits until {format_datetime(wake, self.office_zone)}"
                )
                _give_back(row, "waiting", wake, reason, now)
                held.add(row.id)
                continue
            counted.add(row.recipient)
            row.payload = {**row.payload, TIER_MARK: "business"}
        return held


async def counted_recipients(repos: Repositories, now: datetime) -> tuple[set[str], datetime | None]:
    """People who got a WhatsApp notice outside their window in the last 24 hours (or are getting one now)."""
    counted: set[str] = set()
    oldest: datetime | None = None
    for recipient, payload, sent_at in await repos.outbox.business_initiated_since("whatsapp", now - CAP_WINDOW):
        if (payload or {}).get(TIER_MARK) != "business":
            continue
        counted.add(recipient)
        if sent_at is not None and (oldest is None or sent_at < oldest):
            oldest = sent_at
    return counted, oldest


def _give_back(row: OutboxMessage, status: str, at: datetime, reason: str, now: datetime) -> None:
    row.status, row.next_attempt_at, row.last_error = status, at, reason[:500]
    row.claimed_until, row.updated_at = None, now
    row.attempts = max(0, row.attempts - 1)  # a wait is not a try


async def _moved_or_ended(repos: Repositories, row: OutboxMessage, now: datetime) -> bool:
    """When the row's chat account became unreachable: move it to the person's other one, or end it."""
    if row.identity_id is None:
        return False
    identity = await repos.identities.get(row.identity_id)
    if identity is None or identity.reachable:
        return False
    return await move_to_other_channel(repos, row, now, reason=identity.unreachable_reason or "unreachable")


async def move_to_other_channel(repos: Repositories, row: OutboxMessage, now: datetime, *, reason: str) -> bool:
    """Give a notice to the person's other reachable chat account; else record it unreachable. True: not sent here."""
    if row.officer_id is not None:
        identities = await repos.identities.of_officer(row.officer_id)
    elif row.staff_id is not None:
        identities = await repos.identities.of_staff(row.staff_id)
    else:
        return False
    other = pick_identity([i for i in identities if i.id != row.identity_id])
    if other is None:
        row.status, row.last_error, row.claimed_until, row.updated_at = "unreachable", reason[:500], None, now
        return True
    note = f"moved from {row.channel} ({reason})"
    row.channel, row.recipient, row.identity_id = other.channel, other.external_id, other.id
    _give_back(row, "pending", now, note, now)
    return True
