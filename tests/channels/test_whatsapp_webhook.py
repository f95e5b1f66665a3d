"""The WhatsApp webhook of `kopsehat run` against the fake Graph API: signatures, dedupe, receipts, identity, token."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.channels.whatsapp.inbound import StatusUpdate
from bot.channels.whatsapp.runtime import WHATSAPP_KEY, WhatsAppChannel, window_open
from bot.channels.whatsapp.status import next_status
from bot.config import Settings
from bot.runtime import Runtime, build_runtime, load_assessment_rules
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage, OutboxMessage, utcnow
from tests.fakes.graph_api import FakeGraphAPI, signed, signed_headers

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "verify-me"
SITI = "6281234567890"
SITI_BSUID = "ID.4471923058816620"
TEMPLATES = {
    "report_reminder": {
        "name": "pengingat_laporan_bulanan",
        "language": "id",
        "parameters": ["name", "cooperative", "period", "deadline"],
        "buttons": ["start_payload"],
    }
}


def envelope(
    phone_number_id: str,
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A webhook POST body as Meta shapes it."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "200000000000001", "changes": [{"field": "messages", "value": value}]}],
    }


def status_event(wamid: str, status: str, *, code: int | None = None, callback: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(utcnow().timestamp()))}
    event["recipient_id"] = SITI
    if callback:
        event["biz_opaque_callback_data"] = callback
    if code is not None:
        event["errors"] = [{"code": code, "title": "Message undeliverable", "error_data": {"details": "gone"}}]
    return event


@dataclass
class WaBot:
    """`kopsehat run` with WhatsApp configured against the fake Graph API; speaks as users through signed webhooks."""

    runtime: Runtime
    fake: FakeGraphAPI
    http: aiohttp.ClientSession
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def channel(self) -> WhatsAppChannel:
        return self.runtime.app[WHATSAPP_KEY]

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.runtime.port}"

    async def post_raw(self, raw: bytes, headers: dict[str, str]) -> int:
        async with self.http.post(f"{self.base}/whatsapp/webhook", data=raw, headers=headers) as response:
            await response.read()
            return response.status

    async def post(self, payload: dict[str, Any]) -> int:
        raw, headers = signed(payload, APP_SECRET)
        return await self.post_raw(raw, headers)

    def message(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        wa_id: str | None = SITI,
        bsuid: str | None = SITI_BSUID,
        at: datetime | None = None,
        wamid: str | None = None,
    ) -> dict[str, Any]:
        """A one-message webhook payload; the fake notes that the user wrote (their window opens)."""
        at = at or utcnow()
        message: dict[str, Any] = {
            "id": wamid or f"wamid.IN.{next(self.ids)}",
            "timestamp": str(int(at.timestamp())),
            "type": kind,
            kind: body,
        }
        contact: dict[str, Any] = {"profile": {"name": "Siti Rahma"}}
        if wa_id:
            message["from"], contact["wa_id"] = wa_id, wa_id
        if bsuid:
            message["from_user_id"], contact["user_id"] = bsuid, bsuid
        self.fake.user_wrote(wa_id or bsuid or "", at)
        return envelope(self.fake.phone_number_id, messages=[message], contacts=[contact])

    async def say(self, text: str, **kwargs: Any) -> int:
        status = await self.post(self.message("text", {"body": text}, **kwargs))
        await self.settle()
        return status

    async def press(self, choice_id: str, title: str, *, kind: str = "button_reply", **kwargs: Any) -> int:
        body = {"type": kind, kind: {"id": choice_id, "title": title}}
        status = await self.post(self.message("interactive", body, **kwargs))
        await self.settle()
        return status

    async def settle(self) -> None:
        await self.channel.webhook.settle()

    async def receipts(self) -> int:
        """Post the statuses the fake produced so far (Meta's receipts), as one webhook."""
        payload = self.fake.status_webhook()
        return await self.post(payload) if payload else 200

    async def rows(self) -> list[OutboxMessage]:
        async with self.db.transaction() as repos:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            return list((await repos.session.scalars(stmt)).all())

    async def count(self, model: type[Any]) -> int:
        async with self.db.transaction() as repos:
            return int((await repos.session.execute(select(func.count()).select_from(model))).scalar_one())

    async def healthz(self) -> dict[str, Any]:
        async with self.http.get(f"{self.base}/healthz") as response:
            data: dict[str, Any] = await response.json()
            return data


def settings_for(
    db: Database, fake: FakeGraphAPI, tmp_path: Path, templates: dict[str, Any] | None, **overrides: Any
) -> Settings:
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(TEMPLATES if templates is None else templates), encoding="utf-8")
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db.url,
        http_host="127.0.0.1",
        http_port=0,
        whatsapp_token=SecretStr(fake.token),
        whatsapp_phone_number_id=fake.phone_number_id,
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_verify_token=SecretStr(VERIFY_TOKEN),
        whatsapp_api_url=fake.url,
        whatsapp_templates=path,
        **overrides,
    )


@asynccontextmanager
async def running_bot(
    db: Database, fake: FakeGraphAPI, tmp_path: Path, *, templates: dict[str, Any] | None = None, **overrides: Any
) -> AsyncIterator[WaBot]:
    """The service on 127.0.0.1 without its background delivery loop (tests drain the outbox themselves)."""
    settings = settings_for(db, fake, tmp_path, templates, **overrides)
    runtime = build_runtime(settings, db, load_assessment_rules(settings))
    runtime.components = [c for c in runtime.components if c.name != "delivery"]
    await runtime.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield WaBot(runtime, fake, http)
    finally:
        await runtime.stop()


@pytest.fixture
async def bot(db: Database, fake_graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[WaBot]:
    async with running_bot(db, fake_graph, tmp_path) as wa_bot:
        yield wa_bot


# --- handshake and signature ---------------------------------------------------------------------


async def test_subscription_handshake(bot: WaBot) -> None:
    url = f"{bot.base}/whatsapp/webhook"
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    async with bot.http.get(url, params=good) as response:
        assert (response.status, await response.text()) == (200, "1158201444")
        assert response.content_type == "text/plain"
    for bad in ({**good, "hub.verify_token": "nope"}, {**good, "hub.mode": "unsubscribe"}, {}):
        async with bot.http.get(url, params=bad) as response:
            assert response.status == 403


async def test_bad_signature_stores_nothing(bot: WaBot) -> None:
    payload = bot.message("text", {"body": "lapor — Koperasi Sejahtera 😊"})
    raw, headers = signed(payload, APP_SECRET)
    assert await bot.post_raw(raw, {"Content-Type": "application/json"}) == 401
    assert await bot.post_raw(raw, {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}) == 403
    assert await bot.post_raw(raw, signed(payload, "another-secret")[1]) == 403
    reserialised = json.dumps(json.loads(raw)).encode()  # ASCII-escaped: other bytes, same JSON
    assert reserialised != raw
    assert await bot.post_raw(reserialised, headers) == 403
    assert await bot.post_raw(raw + b" ", headers) == 403
    await bot.settle()
    for model in (InboundMessage, ChannelIdentity, OutboxMessage):
        assert await bot.count(model) == 0
    assert bot.fake.calls == []
    assert await bot.post_raw(raw, headers) == 200  # the genuine bytes (emoji and all) are accepted


async def test_signed_garbage_is_refused_without_effect(bot: WaBot) -> None:
    raw = b"{not json"
    assert await bot.post_raw(raw, signed_headers(raw, APP_SECRET)) == 400
    assert await bot.post(envelope("999999")) == 200  # another number's change: ignored, still 200
    assert await bot.count(InboundMessage) == 0


# --- de-duplication -------------------------------------------------------------------------------


async def test_a_duplicate_delivery_replies_once(bot: WaBot) -> None:
    payload = bot.message("text", {"body": "halo"}, wamid="wamid.IN.dup")
    assert await bot.post(payload) == 200
    await bot.settle()
    first = bot.fake.messages_to(SITI)
    assert first, "the bot answers a stranger"
    statuses = await asyncio.gather(*(bot.post(payload) for _ in range(3)))  # Meta retries, even concurrently
    assert statuses == [200, 200, 200]
    await bot.settle()
    assert bot.fake.messages_to(SITI) == first
    assert await bot.count(InboundMessage) == 1
    assert all(row.status == "sent" for row in await bot.rows())


async def test_every_message_of_a_batch_is_handled_in_order(bot: WaBot) -> None:
    one = bot.message("text", {"body": "halo"})
    two = bot.message("text", {"body": "bantuan"})
    one["entry"][0]["changes"][0]["value"]["messages"] += two["entry"][0]["changes"][0]["value"]["messages"]
    assert await bot.post(one) == 200
    await bot.settle()
    assert await bot.count(InboundMessage) == 2
    rows = await bot.rows()
    assert [r.dedupe_key.split(":")[2] for r in rows] == sorted({r.dedupe_key.split(":")[2] for r in rows})
    assert all(row.status == "sent" for row in rows)


# --- identity ------------------------------------------------------------------------------------


async def test_phone_and_bsuid_are_one_identity(bot: WaBot) -> None:
    assert await bot.say("halo") == 200
    assert await bot.say("halo lagi", wa_id=None) == 200  # a username user: only the BSUID arrives
    async with bot.db.transaction() as repos:
        identities = list((await repos.session.scalars(select(ChannelIdentity))).all())
    assert [(i.external_id, i.alt_external_id) for i in identities] == [(SITI, SITI_BSUID)]
    assert bot.fake.messages_to(SITI_BSUID), "the reply to a BSUID-only message goes to the BSUID"


# --- unsupported kinds ---------------------------------------------------------------------------


async def test_pictures_get_a_polite_answer_and_reactions_nothing(bot: WaBot) -> None:
    await bot.post(bot.message("image", {"id": "1184467203915520", "mime_type": "image/jpeg"}))
    await bot.settle()
    [answer] = [b for b in bot.fake.messages_to(SITI) if b["type"] == "text"][:1]
    assert "belum" in answer["text"]["body"].lower()
    before = len(bot.fake.messages_to(SITI))
    await bot.post(bot.message("reaction", {"message_id": "wamid.OUT.1", "emoji": "👍"}))
    await bot.settle()
    assert len(bot.fake.messages_to(SITI)) == before


# --- receipts --------------------------------------------------------------------------------------


STATUS_NAMES = ("sent", "delivered", "read")


def _update(status: str, code: int | None = None) -> StatusUpdate:
    return StatusUpdate("wamid.X", status, utcnow(), error_code=code)  # type: ignore[arg-type]


@pytest.mark.parametrize("order", list(itertools.permutations([*STATUS_NAMES, "failed"])))
def test_receipts_in_any_order_end_in_the_same_state(order: tuple[str, ...]) -> None:
    state = "sending"
    for name in order:
        state = next_status(state, _update(name))
        state = next_status(state, _update(name))  # and each one twice
    assert state == "read"


def test_failed_counts_only_until_something_was_delivered() -> None:
    assert next_status("sent", _update("failed")) == "failed"
    assert next_status("failed", _update("sent")) == "failed"
    assert next_status("failed", _update("delivered")) == "delivered"
    assert next_status("delivered", _update("failed")) == "delivered"
    assert next_status("needs_template", _update("read")) == "needs_template"
    assert next_status("pending", _update("delivered")) == "pending"


async def test_receipts_out_of_order_end_in_the_right_state(bot: WaBot) -> None:
    await bot.say("halo")
    rows = await bot.rows()
    assert rows and all(r.status == "sent" for r in rows)
    first, last = rows[0], rows[-1]
    assert first.provider_message_id and last.provider_message_id
    wamid = first.provider_message_id.split(",")[0]
    callback = f"outbox:{first.id}"
    for name in ("read", "sent", "delivered", "read", "failed", "sent"):
        payload = envelope(bot.fake.phone_number_id, statuses=[status_event(wamid, name, callback=callback)])
        assert await bot.post(payload) == 200
    # Without callback data (an older message), the receipt is matched by the provider message id.
    other = last.provider_message_id.split(",")[-1]
    batch = [status_event(other, "delivered"), status_event(other, "sent")]
    assert await bot.post(envelope(bot.fake.phone_number_id, statuses=batch)) == 200
    by_id = {r.id: r for r in await bot.rows()}
    assert by_id[first.id].status == "read"
    assert by_id[last.id].status in ("delivered", "read")
    assert by_id[first.id].last_error is None


async def test_a_terminal_failure_is_recorded_with_its_reason(bot: WaBot) -> None:
    bot.fake.not_on_whatsapp(SITI)
    await bot.say("halo")
    assert await bot.receipts() == 200  # sent, then failed 131026
    rows = await bot.rows()
    assert rows and rows[0].status == "failed"
    assert rows[0].last_error is not None and "131026" in rows[0].last_error
    late = envelope(bot.fake.phone_number_id, statuses=[status_event("wamid.unknown", "read")])
    assert await bot.post(late) == 200  # a receipt for a message that is not ours changes nothing


# --- the token -------------------------------------------------------------------------------------


async def test_an_expired_token_stops_sending_and_shows_in_healthz(
    bot: WaBot, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await bot.healthz())["channels"]["whatsapp"]["state"] == "ok"
    bot.fake.fail_next(190)
    with caplog.at_level(logging.ERROR, logger="bot.channels.whatsapp.runtime"):
        await bot.say("halo")
    assert any("refused the access token" in r.getMessage() for r in caplog.records)
    assert bot.fake.token not in caplog.text
    health = await bot.healthz()
    assert health["status"] == "degraded"
    assert health["channels"]["whatsapp"]["state"] == "auth_failed"
    calls = len(bot.fake.calls)
    await bot.say("halo lagi")
    assert len(bot.fake.calls) == calls, "no more calls to Meta while the token is refused"
    rows = await bot.rows()
    assert rows and all(r.status == "pending" for r in rows), "nothing is lost: the rows wait"
    assert all(r.next_attempt_at > utcnow() + timedelta(minutes=5) for r in rows)


def test_the_window_is_24_hours_less_a_margin() -> None:
    now = utcnow()
    assert window_open(now - timedelta(hours=23), now)
    assert not window_open(now - timedelta(hours=23, minutes=55), now)
    assert not window_open(None, now)
