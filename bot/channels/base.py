"""The one interface of a chat channel (Telegram, WhatsApp, the terminal) and the lifecycle they share.

A channel starts and stops with the service, reports its state for /healthz (`probe`) and sends one reply to one
address (`send`, what the delivery workers call). The replies of the messages it dispatched go out at once in the
background, one user's in the order they were made; whatever does not go stays in the outbox for delivery.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Coroutine, Sequence
from typing import Any

from bot.channels.background import BackgroundTasks
from bot.chat.dispatch import Outgoing, UserLocks
from bot.chat.messages import Address, ChannelName, Reply
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import Delivery
from storage import jsonio

log = logging.getLogger(__name__)


def read_json(body: bytes) -> Any:
    """A webhook's JSON body (orjson, a quarter of `json.loads`' time, or the standard library for what orjson
    refuses: `storage.jsonio`). ValueError or RecursionError when it is not JSON."""
    return jsonio.loads(body)


class Channel(ABC):
    """A chat platform as the service runs it: start, stop, probe, send."""

    name: ChannelName

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self._background = BackgroundTasks()
        self._send_locks = UserLocks()

    @abstractmethod
    async def start(self) -> None:
        """Begin receiving (and be ready to send); a platform being away must not stop the service."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop receiving, let the sends under way finish briefly, close."""

    @abstractmethod
    async def probe(self) -> dict[str, Any]:
        """The channel's state for /healthz; `ok` False when it cannot receive or send."""

    @abstractmethod
    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        """Send one reply to one address and say how it went; never raises for platform errors."""

    def spawn(self, work: Coroutine[Any, Any, None], name: str | None = None) -> None:
        """Go on with `work` after the platform was answered."""
        self._background.spawn(work, name)

    async def send_replies(self, address: Address, outgoing: Sequence[Outgoing]) -> None:
        """Send one user's replies right away, after that user's earlier ones; a failure leaves them to delivery."""
        try:
            async with self._send_locks.get(address):
                await self.delivery.send_now(outgoing)
        except Exception:  # the replies stay in the outbox; the delivery worker sends them
            log.exception("%s: sending replies right away failed; the delivery worker will retry", self.name)

    async def idle(self) -> None:
        """Wait until every background answer and send has finished (tests, shutdown)."""
        await self._background.idle()

    async def stop_background(self, grace: float) -> None:
        """Give the background sends `grace` seconds, then cancel them (their rows go back to delivery)."""
        await self._background.stop(grace)
