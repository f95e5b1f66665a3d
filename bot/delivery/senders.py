"""What every channel's sender promises the delivery workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.chat.messages import Address, Reply

SendStatus = Literal["sent", "retry", "unreachable", "failed", "needs_template", "auth_failed"]


@dataclass(frozen=True)
class SendOutcome:
    """How one send went; `error` is a short reason for the office and never contains a secret.

    `retry_after` is set only when the platform named a wait; otherwise the worker's own backoff applies.
    """

    status: SendStatus
    provider_message_ids: tuple[str, ...] = ()
    retry_after: float | None = None
    error: str | None = None


class ChannelSender(Protocol):
    """Sends one reply to one address and says how it went; never raises for platform errors."""

    async def send(
        self,
        address: Address,
        reply: Reply,
        *,
        business_initiated: bool = False,
    ) -> SendOutcome: ...
