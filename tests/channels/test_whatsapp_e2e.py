"""An officer on WhatsApp, end to end: registers, fills a whole monthly report with buttons and lists, gets the score
with its picture, and asks for the status; every message a signed webhook, every answer through the fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import forms
from bot.services.invites import create_invite
from storage.db import Database
from storage.models import utcnow
from tests.channels.test_whatsapp_webhook import SITI, WaBot, running_bot
from tests.fakes.graph_api import FakeGraphAPI
from tests.handlers.chat import KSP_VALUES, answer_for


@pytest.fixture
async def bot(db: Database, fake_graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[WaBot]:
    async with running_bot(db, fake_graph, tmp_path) as wa_bot:
        yield wa_bot


class Officer:
    """Siti on her phone: reads what the bot sent her and answers by typing, tapping a button or picking a row."""

    def __init__(self, bot: WaBot) -> None:
        self.bot = bot
        self.seen = 0
        self.new: list[dict[str, Any]] = []
        self.taps = {"button_reply": 0, "list_reply": 0}

    def _read(self) -> list[dict[str, Any]]:
        bodies = self.bot.fake.messages_to(SITI)
        self.new, self.seen = bodies[self.seen :], len(bodies)
        return self.new

    async def say(self, text: str) -> list[dict[str, Any]]:
        assert await self.bot.say(text) == 200
        return self._read()

    def options(self) -> tuple[str, list[tuple[str, str]]]:
        """The interactive message among the newest bodies: its kind and (id, title) options."""
        interactive = [b["interactive"] for b in self.new if b["type"] == "interactive"]
        assert interactive, f"no buttons or list in {self.new}"
        last = interactive[-1]
        if last["type"] == "button":
            return "button_reply", [(b["reply"]["id"], b["reply"]["title"]) for b in last["action"]["buttons"]]
        rows = [row for section in last["action"]["sections"] for row in section["rows"]]
        return "list_reply", [(row["id"], row["title"]) for row in rows]

    async def tap(self, wanted: str) -> list[dict[str, Any]]:
        """Tap the option whose id ends with `wanted` (or whose title is `wanted`)."""
        kind, options = self.options()
        for choice_id, title in options:
            if choice_id.split(":")[-1] == wanted or title == wanted:
                assert await self.bot.press(choice_id, title, kind=kind) == 200
                self.taps[kind] += 1
                return self._read()
        raise AssertionError(f"no option {wanted!r} in {options}")

    async def state(self) -> tuple[str, str | None]:
        async with self.bot.db.transaction() as repos:
            found = await repos.chats.load("whatsapp", SITI)
            assert found is not None
            conversation = found[1]
            engine = (conversation.progress or {}).get("engine") or {}
        return engine.get("stage", "none"), engine.get("current") or engine.get("pending")


def texts(bodies: list[dict[str, Any]]) -> str:
    parts = [b["text"]["body"] for b in bodies if b["type"] == "text"]
    parts += [b["interactive"]["body"]["text"] for b in bodies if b["type"] == "interactive"]
    return "\n".join(parts)


async def register(bot: WaBot) -> None:
    async with bot.db.transaction() as repos:
        cooperative, _ = await repos.cooperatives.upsert(
            {"name": "KSP Maju Bersama", "nik": "3576010001", "type": "ksp"}
        )
        code, _invite = await create_invite(
            repos, role="bendahara", now=utcnow(), expires_in=timedelta(days=1), uses=1, cooperative_id=cooperative.id
        )
    assert await bot.say(f"DAFTAR {code}") == 200


async def test_an_officer_completes_a_monthly_report_on_whatsapp(bot: WaBot) -> None:
    await register(bot)
    siti = Officer(bot)
    welcome = siti._read()
    assert "KSP Maju Bersama" in texts(welcome)
    kind, _ = siti.options()
    assert kind == "button_reply", "three choices come as reply buttons"
    await siti.tap("Isi laporan")
    form = forms.load_form()
    for _ in range(400):
        stage, key = await siti.state()
        if stage == "summary":
            break
        if stage == "confirm_change":
            await siti.tap("yes")
            continue
        assert key is not None, texts(siti.new)
        question = form.question(key)
        answer = answer_for(question, KSP_VALUES)
        interactive = [b for b in siti.new if b["type"] == "interactive"]
        if interactive and question.kind in ("yesno", "choice"):
            kind, options = siti.options()
            await siti.tap(options[0][0].split(":")[-1] if question.kind == "choice" else "yes")
        else:
            await siti.say(answer)
    else:
        raise AssertionError("the report never reached its summary")
    summary = texts(siti.new)
    assert "Ringkasan" in summary
    kind, options = siti.options()
    assert kind == "list_reply" and len(options) > 3, "more than three choices come as a list"
    before_upload = sum(1 for call in bot.fake.calls if call.path.endswith("/media"))
    await siti.tap("submit")
    done = siti.new
    assert "Terima kasih" in texts(done) and "Skor" in texts(done)
    assert siti.taps["button_reply"] > 0 and siti.taps["list_reply"] > 0
    uploads = [call for call in bot.fake.calls if call.path.endswith("/media")]
    assert len(uploads) == before_upload + 1
    assert uploads[-1].files["file"][2].startswith(b"\x89PNG")
    [image] = [b for b in done if b["type"] == "image"]
    assert image["image"]["id"] == uploads[-1].response["id"]
    async with bot.db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        latest = await repos.reports.latest_submitted(coop.id)
    assert latest is not None and latest[0].status == "submitted"
    assert all(row.status == "sent" for row in await bot.rows())

    status = await siti.say("status")
    assert "Skor" in texts(status)
    assert [b for b in status if b["type"] == "image"], "the status comes with its picture"
    assert await bot.receipts() == 200
    assert {row.status for row in await bot.rows()} == {"sent"}
