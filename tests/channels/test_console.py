"""`kopsehat chat`'s terminal: a reply to another console user, left in the outbox when that user's session was cut
off and delivered by this one (nothing is dropped), is printed with its addressee, not as this user's reply."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.channels.console import ConsoleChannel, inbound_from_line
from bot.delivery.worker import Delivery
from storage.db import Database
from tests.handlers.chat import dispatcher


async def test_another_users_leftover_is_printed_with_its_addressee(db: Database, tmp_path: Path) -> None:
    bot = dispatcher(db)
    await bot.handle(inbound_from_line("siti", "halo", 0, "cut-off"))  # siti's session ended before its delivery
    await bot.handle(inbound_from_line("budi", "halo", 0, "now"))
    out = io.StringIO()
    terminal = Delivery(db, {})
    terminal.senders["console"] = ConsoleChannel(terminal, out=out, files_dir=tmp_path, user="budi")
    await terminal.drain_once(datetime.now(UTC) + timedelta(minutes=1))
    printed = out.getvalue().splitlines()
    budi = [line for line in printed if line.startswith("bot>")]
    siti = [line for line in printed if line.startswith("bot \u2192 siti>")]
    assert budi and siti and len(budi) + len(siti) == len([line for line in printed if line.startswith("bot")])
    assert [line.removeprefix("bot>") for line in budi] == [line.removeprefix("bot \u2192 siti>") for line in siti]
