"""The terminal channel: `kopsehat chat` reads lines from standard input and prints the bot's replies."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.channels.base import Channel
from bot.chat.messages import Address, Inbound, Reply
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import Delivery


class ConsoleChannel(Channel):
    """Prints replies: text, numbered choices, and attachments saved as files whose paths are printed."""

    name = "console"

    def __init__(
        self,
        delivery: Delivery,
        out: TextIO = sys.stdout,
        files_dir: Path = Path("kopsehat-chat-files"),
        user: str | None = None,
    ) -> None:
        super().__init__(delivery)
        self.out = out
        self.files_dir = files_dir
        self.count = 0
        # The terminal's own user: a message for another console user (left undelivered when their session was
        # cut off, and delivered now, since nothing is dropped) is printed with its addressee, not as this user's.
        self.user = user

    async def start(self) -> None:
        """Nothing to open: the terminal is there."""

    async def stop(self) -> None:
        await self.stop_background(0)

    async def probe(self) -> dict[str, Any]:
        return {"ok": True, "printed": self.count}

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        bot = "bot>" if self.user in (None, address.user_id) else f"bot \u2192 {address.user_id}>"
        lines = [f"{bot} {line}" if line else bot for line in reply.text.splitlines()]
        for number, choice in enumerate(reply.choices, start=1):
            lines.append(f"     [{number}] {choice.title}")
        if reply.attachment is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / reply.attachment.filename
            path.write_bytes(reply.attachment.data)
            lines.append(f"{bot} [{'gambar' if reply.attachment.kind == 'photo' else 'berkas'}: {path}]")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        self.count += 1
        return SendOutcome("sent", (f"console-{self.count}",))


def inbound_from_line(user: str, line: str, number: int, session: str, name: str | None = None) -> Inbound:
    """One typed line as an Inbound of the console channel; `name` is the person's display name, if given (the
    user id is an address, not a name to greet)."""
    return Inbound(
        address=Address("console", user),
        message_id=f"{session}:{number}",
        received_at=datetime.now(UTC),
        text=line.rstrip("\n"),
        display_name=name,
    )
