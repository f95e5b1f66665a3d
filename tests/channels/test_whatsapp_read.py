"""Read receipts: each new inbound WhatsApp message is marked as read once, after its replies; best effort."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.channels.whatsapp.client import WhatsAppSender
from bot.channels.whatsapp.pacing import TokenBucket
from tests.channels.test_whatsapp_webhook import SITI, SITI_BSUID, WaBot, bot
from tests.fakes.graph_api import FakeGraphAPI

__all__ = ["bot"]  # the fixture


def read_calls(bot: WaBot) -> list[int]:
    """Positions in the fake's call log of the read receipts."""
    return [n for n, call in enumerate(bot.fake.calls) if call.json is not None and call.json.get("status") == "read"]


async def test_a_handled_message_is_marked_as_read_after_its_replies(bot: WaBot) -> None:
    assert await bot.say("halo", wamid="wamid.IN.r1") == 200
    assert bot.fake.read_receipts() == ["wamid.IN.r1"]
    [position] = read_calls(bot)
    call = bot.fake.calls[position]
    assert call.json == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN.r1"}
    assert call.headers["Authorization"] == f"Bearer {bot.fake.token}"
    replies = [n for n, c in enumerate(bot.fake.calls) if c.json is not None and c.json.get("to") == SITI]
    assert replies and max(replies) < position, "the replies go first"


async def test_repeats_of_a_webhook_are_not_marked_again(bot: WaBot) -> None:
    payload = bot.message("text", {"body": "halo"}, wamid="wamid.IN.r2")
    assert await bot.post(payload) == 200
    assert await asyncio.gather(*(bot.post(payload) for _ in range(3))) == [200, 200, 200]
    await bot.settle()
    assert bot.fake.read_receipts() == ["wamid.IN.r2"]


async def test_the_messages_of_one_webhook_are_marked_by_one_call_for_the_latest(bot: WaBot) -> None:
    # Meta: marking a message read also marks the earlier messages of the conversation read (one call, both ticks)
    one = bot.message("text", {"body": "halo"}, wamid="wamid.IN.b1")
    two = bot.message("text", {"body": "bantuan"}, wamid="wamid.IN.b2")
    one["entry"][0]["changes"][0]["value"]["messages"] += two["entry"][0]["changes"][0]["value"]["messages"]
    assert await bot.post(one) == 200
    await bot.settle()
    assert bot.fake.read_receipts() == ["wamid.IN.b2"]
    [position] = read_calls(bot)
    replies = [n for n, c in enumerate(bot.fake.calls) if c.json is not None and c.json.get("to") == SITI]
    assert len(replies) >= 2 and max(replies) < position, "both messages were answered, before the mark"


async def test_a_sender_who_wrote_again_before_the_replies_went_is_marked_once_after_the_last_reply(
    bot: WaBot,
) -> None:
    bot.fake.hold()  # the Graph API is slow: the first message's replies wait
    assert await bot.post(bot.message("text", {"body": "halo"}, wamid="wamid.IN.h1")) == 200
    assert await bot.post(bot.message("text", {"body": "bantuan"}, wamid="wamid.IN.h2")) == 200
    bot.fake.release()
    await bot.settle()
    assert bot.fake.read_receipts() == ["wamid.IN.h2"], "one call: the latest, which marks the first read too"
    [position] = read_calls(bot)
    replies = [n for n, c in enumerate(bot.fake.calls) if c.json is not None and c.json.get("to") == SITI]
    assert len(replies) >= 2 and max(replies) < position, "both messages were answered, before the mark"
    assert await bot.say("halo", wamid="wamid.IN.h3") == 200
    assert bot.fake.read_receipts() == ["wamid.IN.h2", "wamid.IN.h3"], "a later message is marked again"


async def test_two_senders_in_one_webhook_are_each_marked(bot: WaBot) -> None:
    one = bot.message("text", {"body": "halo"}, wamid="wamid.IN.s1")
    two = bot.message("text", {"body": "halo"}, wa_id="6281200000002", bsuid=None, wamid="wamid.IN.s2")
    one["entry"][0]["changes"][0]["value"]["messages"] += two["entry"][0]["changes"][0]["value"]["messages"]
    one["entry"][0]["changes"][0]["value"]["contacts"] += two["entry"][0]["changes"][0]["value"]["contacts"]
    assert await bot.post(one) == 200
    await bot.settle()
    assert sorted(bot.fake.read_receipts()) == ["wamid.IN.s1", "wamid.IN.s2"]


async def test_a_bsuid_only_sender_is_marked_as_read_by_message_id(bot: WaBot) -> None:
    assert await bot.say("halo", wa_id=None, wamid="wamid.IN.u1") == 200
    assert bot.fake.messages_to(SITI_BSUID), "the reply goes to the BSUID"
    assert bot.fake.read_receipts() == ["wamid.IN.u1"]


async def test_pictures_are_marked_as_read_and_reactions_are_not(bot: WaBot) -> None:
    await bot.post(bot.message("image", {"id": "1184467203915520", "mime_type": "image/jpeg"}, wamid="wamid.IN.p"))
    await bot.post(bot.message("reaction", {"message_id": "wamid.OUT.1", "emoji": "👍"}, wamid="wamid.IN.x"))
    await bot.settle()
    assert bot.fake.read_receipts() == ["wamid.IN.p"]


async def test_a_refused_read_receipt_is_logged_and_changes_nothing_else(
    bot: WaBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.read_error = 131000
    with caplog.at_level(logging.INFO, logger="bot.channels.whatsapp.runtime"):
        assert await bot.say("halo", wamid="wamid.IN.r3") == 200
    assert len(read_calls(bot)) == 1, "tried once, not retried"
    assert bot.fake.read_receipts() == []
    assert [r for r in caplog.records if "marking a message as read" in r.getMessage()]
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a courtesy"
    rows = await bot.rows()
    assert rows and all(r.status == "sent" for r in rows), "the replies went"
    assert (await bot.healthz())["channels"]["whatsapp"]["state"] == "ok"


async def test_a_refused_token_on_the_read_receipt_pauses_sending(bot: WaBot) -> None:
    await bot.say("halo")
    [read] = read_calls(bot)
    replies = read  # the calls before the read receipt: the replies to "halo"
    bot.fake.fail_next(190, after=replies)  # the same replies go again; their read receipt is refused
    await bot.say("halo")
    assert len(bot.fake.calls) == 2 * (replies + 1)
    assert (await bot.healthz())["channels"]["whatsapp"]["state"] == "auth_failed"
    calls = len(bot.fake.calls)
    await bot.say("halo")
    assert len(bot.fake.calls) == calls, "no replies and no read receipts while the token is refused"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_the_sender_marks_read_outside_the_message_throttle(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession
) -> None:
    throttle = TokenBucket(0.1, burst=1.0)
    sender = WhatsAppSender(session, fake_graph.url, fake_graph.phone_number_id, fake_graph.token, throttle=throttle)
    assert throttle.try_acquire() == 0  # the only token: a message now would wait 10 s
    outcomes = await asyncio.wait_for(asyncio.gather(*(sender.mark_read(f"wamid.IN.{n}") for n in range(5))), 1.0)
    assert {o.status for o in outcomes} == {"sent"}
    assert fake_graph.read_receipts() == [f"wamid.IN.{n}" for n in range(5)]
