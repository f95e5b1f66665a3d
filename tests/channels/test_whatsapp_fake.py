"""The fake Graph API behaves like Meta where the bot depends on it (so the other tests mean something)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.channels.whatsapp.client import WhatsAppSender
from bot.channels.whatsapp.inbound import meta_signature_ok, parse_webhook
from bot.chat.messages import Address, Choice, Reply
from tests.fakes.graph_api import FakeGraphAPI, signed

SITI = Address("whatsapp", "6281234567890")


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def post(session: aiohttp.ClientSession, fake: FakeGraphAPI, body: dict[str, Any]) -> dict[str, Any]:
    url = f"{fake.url}/{fake.phone_number_id}/messages"
    async with session.post(url, json=body, headers={"Authorization": f"Bearer {fake.token}"}) as response:
        data: dict[str, Any] = await response.json()
        return data


def text_to(to: str, text: str = "Halo") -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": text},
    }


async def test_async_window_error_arrives_as_a_failed_status(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession
) -> None:
    fake_graph.window_error = "async"
    sender = WhatsAppSender(session, fake_graph.url, fake_graph.phone_number_id, fake_graph.token)
    outcome = await sender.send(SITI, Reply("Pengingat"), callback_data="outbox:5")
    assert outcome.status == "sent"  # accepted; the failure comes later, as with Meta
    payload = fake_graph.status_webhook()
    assert payload is not None and fake_graph.status_webhook() is None
    statuses = parse_webhook(payload, fake_graph.phone_number_id).statuses
    assert [(s.status, s.error_code, s.callback_data) for s in statuses] == [
        ("sent", None, "outbox:5"),
        ("failed", 131047, "outbox:5"),
    ]
    assert statuses[0].provider_message_id == outcome.provider_message_ids[0]


async def test_not_on_whatsapp_fails_later_with_131026(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession
) -> None:
    fake_graph.user_wrote("6281299990000")
    fake_graph.not_on_whatsapp("6281299990000")
    answer = await post(session, fake_graph, text_to("6281299990000"))
    assert answer["messages"][0]["id"].startswith("wamid.")
    payload = fake_graph.status_webhook()
    assert payload is not None
    failed = parse_webhook(payload, fake_graph.phone_number_id).statuses[-1]
    assert (failed.status, failed.error_code) == ("failed", 131026)


async def test_pair_rate_limit(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> None:
    fake_graph.pair_burst = 2
    fake_graph.user_wrote(SITI.user_id)
    codes = [(await post(session, fake_graph, text_to(SITI.user_id))).get("error", {}).get("code") for _ in range(3)]
    assert codes == [None, None, 131056]


async def test_window_is_24_hours_from_the_users_last_message(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession
) -> None:
    fake_graph.user_wrote("628111", fake_graph.now() - timedelta(hours=23, minutes=50))
    fake_graph.user_wrote("628222", fake_graph.now() - timedelta(hours=24, minutes=1))
    assert "messages" in await post(session, fake_graph, text_to("628111"))
    assert (await post(session, fake_graph, text_to("628222")))["error"]["code"] == 131047
    assert (await post(session, fake_graph, text_to("628333")))["error"]["code"] == 131047


@pytest.mark.parametrize(
    ("interactive", "code"),
    [
        ({"type": "button", "body": {"text": "?"}, "action": {"buttons": []}}, 131009),
        (
            {
                "type": "button",
                "body": {"text": "?"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "x" * 21}}]},
            },
            131009,
        ),
        ({"type": "list", "body": {"text": "x" * 1025}, "action": {"button": "Pilih", "sections": []}}, 131009),
    ],
)
async def test_schema_violations_are_refused(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession, interactive: dict[str, Any], code: int
) -> None:
    fake_graph.user_wrote(SITI.user_id)
    body = {**text_to(SITI.user_id), "type": "interactive", "interactive": interactive}
    del body["text"]
    assert (await post(session, fake_graph, body))["error"]["code"] == code


async def test_too_many_buttons_from_a_sender_would_be_refused(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession
) -> None:
    fake_graph.user_wrote(SITI.user_id)
    body = {
        **text_to(SITI.user_id),
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pilih"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": str(n), "title": str(n)}} for n in range(4)]},
        },
    }
    assert (await post(session, fake_graph, body))["error"]["code"] == 131009
    sender = WhatsAppSender(session, fake_graph.url, fake_graph.phone_number_id, fake_graph.token)
    four = tuple(Choice(str(n), f"Pilihan {n}") for n in range(4))
    assert (await sender.send(SITI, Reply("Pilih", four))).status == "sent"  # ours becomes a list


async def test_template_parameter_rules(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> None:
    fake_graph.register_template("pengingat_rat", "id", 1)

    def template(*texts: str) -> dict[str, Any]:
        parameters = [{"type": "text", "text": t} for t in texts]
        return {
            **text_to(SITI.user_id),
            "type": "template",
            "template": {
                "name": "pengingat_rat",
                "language": {"code": "id"},
                "components": [{"type": "body", "parameters": parameters}],
            },
        }

    assert "messages" in await post(session, fake_graph, template("Bu Siti"))
    assert (await post(session, fake_graph, template("a", "b")))["error"]["code"] == 132000
    assert (await post(session, fake_graph, template("Bu\nSiti")))["error"]["code"] == 132018


def test_signed_webhook_roundtrip() -> None:
    payload = {"entry": [], "note": "Koperasi Sejahtera 🌾"}
    raw, headers = signed(payload, "s3cret")
    assert json.loads(raw) == payload
    assert meta_signature_ok(raw, headers["X-Hub-Signature-256"], "s3cret")
