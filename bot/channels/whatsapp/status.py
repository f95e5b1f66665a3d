"""WhatsApp delivery receipts -> outbox rows: monotonic effective status, failures, the 131047 template fallback.

Receipts arrive out of order, repeat, and may contradict each other (a `delivered` after a `failed` when the user
has several phones). The effective status only moves up: sent < delivered < read. A `failed` counts only while
nothing was delivered or read, and a later `delivered`/`read` overrides it.

131026 (undeliverable: not on WhatsApp, an old app, terms not accepted) fails the row. When it has happened on
`UNDELIVERABLE_DAYS` different days (in the office's zone) since the person last wrote or last got a message, they are
unreachable on WhatsApp (platforms.md §2.10), recorded as for a Telegram block (bot.delivery.worker.record_outcome):
their notices go to their other chat account or end as `unreachable`, and their next message makes them reachable
again.

131052/131053 (Meta could not use the media) on a message carrying a stored file: the media id kept for the file
must not be used again (the webhook forgets it: bot.services.files.PlatformIds.forget_sent), and the row is sent again
once, by a new upload (§2.10: re-upload once, then fail the row). To the receipts of the failed send it is still
`failed` while it waits: a `delivered` or `read` of that send ends the wait.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.channels.whatsapp.client import MEDIA_ERRORS, WINDOW_CLOSED
from bot.channels.whatsapp.inbound import StatusUpdate
from bot.chat.messages import Attachment
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import MAX_ATTEMPTS, NoticePolicy, record_outcome
from storage.models import ChannelIdentity, OutboxMessage
from storage.repositories import Repositories
from storage.repositories.receipts import ReceiptRules

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
RANK: dict[str, int] = {"sent": 1, "delivered": 2, "read": 3}
# Row states a receipt may replace. Not "pending": a row waiting to resend its later parts must still go;
# nor needs_template, unreachable, ... which the office acts on.
_RECEIPT_STATES: frozenset[str] = frozenset({"sending", "sent", "delivered", "read", "failed"})
FALLBACK_PREFIX = "fallback:"
MEDIA_RESENT = "media_resent"  # in the payload of a row sent again after a late media failure: the failed message
UNDELIVERABLE = 131026
UNDELIVERABLE_MARK = f"(#{UNDELIVERABLE})"  # in every reason we record for it (sent or in a receipt)
UNDELIVERABLE_DAYS = 2
# next_status for the plain receipts (sent, delivered, read: no error), as the SQL of bot.channels.whatsapp.receipts
RULES = ReceiptRules(tuple(RANK.items()), _RECEIPT_STATES, "failed", RANK["delivered"], MEDIA_RESENT)
# One text for everyone, so that `kopsehat outbox status` counts them on one line (the identity has the date).
UNREACHABLE_REASON = (
    f"undeliverable on WhatsApp {UNDELIVERABLE_MARK} on {UNDELIVERABLE_DAYS} different days: "
    "not a WhatsApp user, an old app, or terms not accepted"
)


@dataclass(frozen=True)
class MediaFailure:
    """Meta could not use the media of a message sent at `sent_at` with a stored file: its kept id must go."""

    attachment: Attachment
    sent_at: datetime


@dataclass(frozen=True)
class StatusEffect:
    """What one receipt did: the row it touched (None: not ours), its status after, a fallback row queued."""

    provider_message_id: str
    outbox_id: int | None
    status: str | None
    fallback_queued: bool = False
    unreachable: bool = False  # the recipient is now unreachable on WhatsApp (131026 on several days)
    media_failure: MediaFailure | None = None  # 131052/131053 for a stored file (the row is pending when sent again)


def outbox_id_from_callback(callback_data: str | None) -> int | None:
    """The outbox id in `biz_opaque_callback_data` ("outbox:<id>"), or None."""
    if not callback_data or not callback_data.startswith("outbox:"):
        return None
    number = callback_data.removeprefix("outbox:")
    return int(number) if number.isdigit() else None


async def find_row(repos: Repositories, update: StatusUpdate) -> OutboxMessage | None:
    """The outbox row a receipt is about: by our callback data first, then by the provider message id."""
    outbox_id = outbox_id_from_callback(update.callback_data)
    if outbox_id is not None:
        row = await repos.outbox.get(outbox_id)
        if row is not None and row.channel == CHANNEL:
            return row
    return await repos.outbox.by_provider_id(CHANNEL, update.provider_message_id)


def next_status(current: str, update: StatusUpdate) -> str:
    """The row's effective status after this receipt (never a step back)."""
    if current not in _RECEIPT_STATES:
        return current
    if update.status == "failed":
        return current if RANK.get(current, 0) >= RANK["delivered"] else "failed"
    if current == "failed":
        return update.status if RANK[update.status] >= RANK["delivered"] else "failed"
    return update.status if RANK[update.status] > RANK.get(current, 0) else current


def failure_reason(update: StatusUpdate) -> str:
    """A short reason for the office, e.g. "(#131026) Message undeliverable: ..."."""
    parts = [f"(#{update.error_code})" if update.error_code is not None else "failed"]
    if update.error_title:
        parts.append(update.error_title)
    reason = " ".join(parts)
    if update.error_detail and update.error_detail != update.error_title:
        reason += f": {update.error_detail}"
    return reason[:500]


async def apply_status(
    repos: Repositories, update: StatusUpdate, now: datetime, zone: tzinfo, policy: NoticePolicy | None = None
) -> StatusEffect:
    """Apply one receipt to its outbox row (idempotent: a repeat changes nothing).

    `zone` decides what "different days" are for 131026; `policy` (delivery's) moves notices of a person who became
    unreachable to their other chat account.
    """
    row = await find_row(repos, update)
    if row is None:
        log.debug("whatsapp status %s for an unknown message %s", update.status, update.provider_message_id)
        return StatusEffect(update.provider_message_id, None, None)
    before = row.status
    if update.status == "failed" and update.provider_message_id == row.payload.get(MEDIA_RESENT):
        return StatusEffect(update.provider_message_id, row.id, before)  # a repeat: the row was sent again for it
    seen = "failed" if before == "pending" and MEDIA_RESENT in row.payload else before  # waiting to be sent again
    after = next_status(seen, update)
    if after == seen:
        return StatusEffect(update.provider_message_id, row.id, before)
    row.status, row.updated_at = after, now
    if row.provider_message_id is None:
        row.provider_message_id = update.provider_message_id[:128]
    if after != "failed":
        row.last_error = None
        return StatusEffect(update.provider_message_id, row.id, after)
    row.last_error = failure_reason(update)
    if update.error_code == UNDELIVERABLE and (gone := await undeliverable(repos, row, row.last_error, now, zone)):
        await record_outcome(repos, row, gone, now)
        if policy is not None:
            await policy.after_outcome(repos, row, gone, now)
        return StatusEffect(update.provider_message_id, row.id, row.status, unreachable=True)
    if update.error_code in MEDIA_ERRORS and (failure := _media_failure(row, before, now)) is not None:
        again = _send_again(row, update.provider_message_id, now)
        log.warning(
            "whatsapp: outbox %s to %s failed: %s; forgetting the media id of stored file %s, %s",
            row.id,
            _masked(row.recipient),
            failure_reason(update),
            failure.attachment.file_id,
            "sending it again" if again else "not sent again",
        )
        return StatusEffect(update.provider_message_id, row.id, row.status, media_failure=failure)
    queued = False
    if update.error_code == WINDOW_CLOSED:
        queued = await _queue_template_fallback(repos, row, now)
        if queued:
            row.last_error = f"{row.last_error} (template fallback queued)"[:500]
    log.warning("whatsapp: outbox %s to %s failed: %s", row.id, _masked(row.recipient), row.last_error)
    return StatusEffect(update.provider_message_id, row.id, after, fallback_queued=queued)


async def apply_statuses(
    repos: Repositories,
    updates: Sequence[StatusUpdate],
    now: datetime,
    zone: tzinfo,
    policy: NoticePolicy | None = None,
) -> list[StatusEffect]:
    """Apply a webhook's receipts in the order given (the result does not depend on it)."""
    return [await apply_status(repos, update, now, zone, policy) for update in updates]


async def undeliverable(
    repos: Repositories, row: OutboxMessage, error: str, now: datetime, zone: tzinfo
) -> SendOutcome | None:
    """The "unreachable" outcome for `row`, failed now with 131026 (`error`), when that makes UNDELIVERABLE_DAYS days
    with a 131026 for its recipient since they last wrote or had a message delivered; else None.
    """
    identity = await _identity_of(repos, row)
    if identity is None:
        return None
    delivered = await repos.outbox.last_delivered_at(identity.id, CHANNEL)
    signs_of_life = [t for t in (identity.last_inbound_at, delivered) if t is not None]
    failures = await repos.outbox.failed_with(
        identity.id, CHANNEL, UNDELIVERABLE_MARK, besides=row.id, after=max(signs_of_life) if signs_of_life else None
    )
    days = sorted({t.astimezone(zone).date() for t in [*failures, now]})
    if len(days) < UNDELIVERABLE_DAYS:
        return None
    log.warning(
        "whatsapp: %s is unreachable: undeliverable on %s (last: %s)",
        _masked(row.recipient),
        ", ".join(day.isoformat() for day in days),
        error,
    )
    return SendOutcome("unreachable", error=UNREACHABLE_REASON)


async def _identity_of(repos: Repositories, row: OutboxMessage) -> ChannelIdentity | None:
    if row.identity_id is not None:
        return await repos.identities.get(row.identity_id)
    return await repos.identities.find(CHANNEL, row.recipient)


def _media_failure(row: OutboxMessage, before: str, now: datetime) -> MediaFailure | None:
    """The stored file of a row whose media Meta could not use, and when it went; None for a row without one, or
    sent as a template (without its file)."""
    raw = row.payload.get("attachment")
    if not raw or row.payload.get("template_only"):
        return None
    attachment = Attachment.from_json(raw)
    if attachment.file_id is None:
        return None
    # A receipt that overtook the write of its send (the row still `sending`) is about a send made just now.
    sent_at = row.sent_at if row.sent_at is not None and before != "sending" else now
    return MediaFailure(attachment, sent_at)


def _send_again(row: OutboxMessage, failed_message_id: str, now: datetime) -> bool:
    """Put a row whose media Meta could not use back to pending, once and within the attempts (else it stays
    failed); it is marked with the failed message, so that a repeat of that receipt changes nothing."""
    if MEDIA_RESENT in row.payload or row.attempts >= MAX_ATTEMPTS:
        return False
    row.status, row.next_attempt_at, row.claimed_until = "pending", now, None
    row.payload = {**row.payload, MEDIA_RESENT: failed_message_id}
    row.last_error = f"{row.last_error} (sending again with a new upload)"[:500]
    return True


async def _queue_template_fallback(repos: Repositories, row: OutboxMessage, now: datetime) -> bool:
    """Meta refused a free-form message outside the 24-hour window: queue the same notice as a template, once."""
    if row.dedupe_key.startswith(FALLBACK_PREFIX):
        return False  # a fallback that failed with 131047 again: do not loop
    added = await repos.outbox.enqueue(
        dedupe_key=f"{FALLBACK_PREFIX}{row.id}",
        channel=row.channel,
        recipient=row.recipient,
        identity_id=row.identity_id,
        officer_id=row.officer_id,
        staff_id=row.staff_id,
        kind=row.kind,
        business_initiated=True,
        priority=row.priority,
        payload={**row.payload, "template_only": True},
        announcement_id=row.announcement_id,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    return bool(added)


def _masked(recipient: str) -> str:
    return recipient[:4] + "…" + recipient[-3:] if len(recipient) > 8 else "…"
