"""Telegram through the webhook route of the real service, against the fake Bot API (nothing leaves 127.0.0.1)."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.telegram.rate import SendLimiter
from bot.channels.telegram.runtime import SECRET_HEADER, TELEGRAM_KEY, WEBHOOK_PATH, TelegramChannel
from bot.config import Settings
from bot.domain.health.rules import default_rules
from bot.runtime import Runtime, build_runtime
from bot.services.invites import create_invite
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage, OutboxMessage, utcnow
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram

# PTB 22 builds RetryAfter through a deprecated int property; nothing of ours reads it that way.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)

SECRET = "k3Y_9fR2-xQ"
PUBLIC_URL = "https://bot.dinaskop.example.go.id"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"
SITI = 5123456789


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def text_update(update_id: int, chat: int, text: str, message_id: int = 1) -> dict[str, Any]:
    """A private text message shaped like Telegram's (fixtures/telegram/text.json)."""
    update = copy.deepcopy(fixture("text"))
    update["update_id"] = update_id
    message = update["message"]
    message["message_id"] = message_id
    message["from"]["id"] = message["chat"]["id"] = chat
    message["text"] = text
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return update


def press_update(update_id: int, chat: int, keyboard_message: dict[str, Any], title: str) -> dict[str, Any]:
    """A press on the button titled `title` of a message the bot sent (as the fake stored it)."""
    rows = keyboard_message["reply_markup"]["inline_keyboard"]
    data = next(b["callback_data"] for row in rows for b in row if b["text"] == title)
    update = copy.deepcopy(fixture("callback_query"))
    update["update_id"] = update_id
    query = update["callback_query"]
    query["id"] = f"cbq-{update_id}"
    query["from"]["id"] = chat
    query["message"] = {**keyboard_message, "chat": {"id": chat, "type": "private", "first_name": "Siti"}}
    query["data"] = data
    return update


@dataclass
class Service:
    """A running `kopsehat run` with Telegram, plus a client that plays Telegram's webhook sender."""

    runtime: Runtime
    channel: TelegramChannel
    fake: FakeTelegram
    db: Database
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.runtime.port}"

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with self.http.post(self.base + WEBHOOK_PATH, json=update, headers=headers) as response:
            await response.read()
            return response.status

    async def say(self, update: dict[str, Any]) -> int:
        """POST an update, then wait until its replies were sent."""
        status = await self.post(update)
        await self.channel.idle()
        return status

    async def health(self) -> dict[str, Any]:
        async with self.http.get(self.base + "/healthz") as response:
            body: dict[str, Any] = await response.json()
            return body

    def last_keyboard_message(self, chat: int) -> dict[str, Any]:
        """The latest message the bot sent to `chat` that still carries a keyboard."""
        return next(
            m for (c, _), m in sorted(self.fake.messages.items(), reverse=True) if c == chat and m.get("reply_markup")
        )


async def wait_until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def fast_limiter() -> SendLimiter:
    """Pacing that does not slow a test down (the limiter has tests of its own)."""
    return SendLimiter(per_second=100_000, overall_burst=1000, chat_interval=0.0001, reply_burst=1000)


@asynccontextmanager
async def telegram_service(
    db: Database, fake: FakeTelegram, *, webhook: bool = True, ready: bool = True, **overrides: Any
) -> AsyncIterator[Service]:
    """`build_runtime` with a Telegram token, as `kopsehat run` does, on a free loopback port; with `ready`, once
    the webhook is set (or polling runs). A refused token is checked again every 0.05 s instead of every minute."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        http_host="127.0.0.1",
        http_port=0,
        telegram_token=SecretStr(fake.token),
        telegram_api_url=fake.url,
        public_url=PUBLIC_URL if webhook else None,
        telegram_webhook_secret=SecretStr(SECRET) if webhook else None,
        **overrides,
    )
    runtime = build_runtime(settings, db, default_rules())
    channel = runtime.app[TELEGRAM_KEY]
    channel.sender.limiter = fast_limiter()
    channel.token_check_interval = 0.05
    await runtime.start()
    try:
        async with aiohttp.ClientSession() as http:
            service = Service(runtime, channel, fake, db, http)
            if ready:
                await wait_until(lambda: channel.webhook_set if webhook else channel.polling)
            yield service
    finally:
        await runtime.stop()


async def invite_code(db: Database, *, nik: str = "3171-KSP-0001") -> str:
    """A cooperative and a one-use invitation for its bendahara; the code an officer would type."""
    async with db.transaction() as repos:
        cooperative, _ = await repos.cooperatives.upsert({"name": "KSP Maju Bersama", "nik": nik, "type": "ksp"})
        code, _invite = await create_invite(
            repos, role="bendahara", now=utcnow(), expires_in=timedelta(hours=1), uses=1, cooperative_id=cooperative.id
        )
    return code


async def outbox_rows(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as repos:
        return list((await repos.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def identity_of(db: Database, chat: int) -> ChannelIdentity:
    async with db.transaction() as repos:
        stmt = select(ChannelIdentity).where(
            ChannelIdentity.channel == "telegram", ChannelIdentity.external_id == str(chat)
        )
        found = (await repos.session.scalars(stmt)).first()
    assert found is not None
    return found


@pytest.fixture
async def service(db: Database, fake_telegram: FakeTelegram) -> AsyncIterator[Service]:
    async with telegram_service(db, fake_telegram) as running:
        yield running


# -- start-up --------------------------------------------------------------------------------------------


async def test_start_sets_webhook_with_secret_and_commands_in_both_languages(service: Service) -> None:
    hook = service.fake.webhook
    assert hook is not None
    assert hook["url"] == PUBLIC_URL + WEBHOOK_PATH
    assert hook["secret_token"] == SECRET
    assert set(hook["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    assert {("default", "id"), ("default", "en"), ("default", "")} <= set(service.fake.commands)
    assert service.fake.commands[("default", "en")][0]["description"] == "Fill in the monthly report"
    assert not service.fake.calls_to("deleteWebhook")


async def test_health_reports_telegram_webhook_and_get_me(service: Service) -> None:
    body = await service.health()
    telegram = body["channels"]["telegram"]
    assert telegram["ok"] is True
    assert (telegram["mode"], telegram["get_me"], telegram["webhook_set"]) == ("webhook", "ok", True)
    assert telegram["bot"] == "@kopsehat_test_bot"
    assert service.fake.token not in json.dumps(body)


# -- receiving -------------------------------------------------------------------------------------------


async def test_start_with_code_through_the_webhook_registers_and_replies(service: Service) -> None:
    code = await invite_code(service.db)
    update = fixture("start_payload")
    update["message"]["text"] = f"/start {code}"
    assert await service.say(update) == 200
    texts = service.fake.sent_texts(SITI)
    assert len(texts) == 1
    assert "KSP Maju Bersama" in texts[0]
    welcome = service.fake.calls_to("sendMessage")[0].params
    assert welcome["parse_mode"] == "HTML"
    assert "<b>lapor</b>" in welcome["text"]  # the template's *lapor*, shown bold
    assert welcome["reply_markup"]["inline_keyboard"]
    assert [r.status for r in await outbox_rows(service.db)] == ["sent"]


async def test_wrong_or_missing_secret_is_403_and_nothing_is_recorded(service: Service) -> None:
    update = fixture("text")
    assert await service.post(update, secret="wrong-secret") == 403
    assert await service.post(update, secret=None) == 403
    assert await service.post(update, secret=SECRET + "x") == 403
    await service.channel.idle()
    assert not service.fake.calls_to("sendMessage")
    assert await outbox_rows(service.db) == []
    assert await service.say(update) == 200  # the same update_id was not stored: now it is handled
    assert len(service.fake.sent_texts(SITI)) == 1


async def test_the_same_update_twice_gets_one_reply(service: Service) -> None:
    update = fixture("text")
    assert await service.say(update) == 200
    assert await service.say(update) == 200
    assert len(service.fake.sent_texts(SITI)) == 1
    assert len(await outbox_rows(service.db)) == 1


async def test_concurrent_repeats_of_one_update_get_one_reply(service: Service) -> None:
    update = fixture("text")
    statuses = await asyncio.gather(*(service.post(update) for _ in range(5)))
    await service.channel.idle()
    assert statuses == [200] * 5
    assert len(service.fake.sent_texts(SITI)) == 1


async def test_not_json_is_400(service: Service) -> None:
    async with service.http.post(
        service.base + WEBHOOK_PATH, data=b"{not json", headers={SECRET_HEADER: SECRET}
    ) as response:
        assert response.status == 400


async def test_the_database_away_before_commit_answers_503_and_the_resend_is_handled(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service.runtime.dispatcher.handle
    calls = 0

    async def flaky(inbound: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return await real(inbound)

    monkeypatch.setattr(service.runtime.dispatcher, "handle", flaky)
    update = fixture("text")
    assert await service.say(update) == 503  # Telegram keeps the update and sends it again
    assert not service.fake.calls_to("sendMessage")
    assert await service.say(update) == 200
    assert len(service.fake.sent_texts(SITI)) == 1


@pytest.mark.parametrize("name", ["photo", "sticker", "voice", "location"])
async def test_media_gets_a_polite_explanation(service: Service, name: str) -> None:
    assert await service.say(fixture(name)) == 200
    texts = service.fake.sent_texts(SITI)
    assert len(texts) == 1
    assert "belum bisa kami baca" in texts[0]


async def test_ignored_update_kinds_are_200_without_reply(service: Service) -> None:
    assert await service.say(fixture("edited_message")) == 200
    assert not service.fake.calls_to("sendMessage")


async def test_a_press_is_answered_and_the_question_shows_the_choice(service: Service) -> None:
    code = await invite_code(service.db)
    await service.say(text_update(1, SITI, f"/start {code}"))
    welcome = service.last_keyboard_message(SITI)
    press = press_update(2, SITI, welcome, "Isi laporan")
    assert await service.say(press) == 200
    assert service.fake.answered_callbacks == [("cbq-2", None)]
    edits = service.fake.calls_to("editMessageText")
    assert len(edits) == 1 and edits[0].status == 200
    edited = service.fake.messages[(SITI, welcome["message_id"])]
    assert edited["text"].endswith("✅ Isi laporan")
    assert "reply_markup" not in edited  # no second press on an answered question
    assert "Laporan bulanan KSP Maju Bersama" in service.fake.sent_texts(SITI)[1]
    sent_before = len(service.fake.sent_texts(SITI))
    assert await service.say(press) == 200  # Telegram resends the press: answered again, nothing else
    assert [cb for cb, _ in service.fake.answered_callbacks] == ["cbq-2", "cbq-2"]
    assert len(service.fake.sent_texts(SITI)) == sent_before


async def test_my_chat_member_kicked_and_member_change_reachability_at_once(service: Service) -> None:
    await service.say(fixture("text"))
    assert await service.say(fixture("my_chat_member_kicked")) == 200
    identity = await identity_of(service.db, SITI)
    assert (identity.reachable, identity.unreachable_reason) == (False, "blocked by the user")
    assert await service.say(fixture("my_chat_member_member")) == 200
    assert (await identity_of(service.db, SITI)).reachable is True
    assert len(service.fake.sent_texts(SITI)) == 1  # blocking and unblocking say nothing


# -- sending ---------------------------------------------------------------------------------------------


async def test_a_403_marks_the_officer_unreachable_for_the_office(service: Service) -> None:
    service.fake.block_chat(SITI)
    assert await service.say(fixture("text")) == 200
    rows = await outbox_rows(service.db)
    assert [(r.status, r.last_error) for r in rows] == [("unreachable", "Forbidden: bot was blocked by the user")]
    identity = await identity_of(service.db, SITI)
    assert identity.reachable is False
    assert identity.unreachable_reason == "Forbidden: bot was blocked by the user"


async def test_a_429_storm_loses_nothing_and_duplicates_nothing(service: Service) -> None:
    chats = [SITI + n for n in range(8)]
    service.fake.rate_limit_next(1, "sendMessage", times=6)
    started = time.monotonic()
    statuses = await asyncio.gather(
        *(service.post(text_update(100 + n, chat, f"halo {n}")) for n, chat in enumerate(chats))
    )
    await service.channel.idle()
    assert statuses == [200] * len(chats)
    assert sum(1 for c in service.fake.calls_to("sendMessage") if c.status == 429) == 6
    assert [len(service.fake.sent_texts(chat)) for chat in chats] == [1] * len(chats)
    assert {r.status for r in await outbox_rows(service.db)} == {"sent"}
    assert time.monotonic() - started >= 1.0  # everyone waited out retry_after


async def test_a_long_flood_wait_goes_back_to_the_outbox_and_is_sent_later(service: Service) -> None:
    service.fake.rate_limit_next(900, "sendMessage")
    assert await service.say(fixture("text")) == 200
    [row] = await outbox_rows(service.db)
    assert row.status == "pending" and row.next_attempt_at is not None
    assert row.next_attempt_at - row.updated_at >= timedelta(seconds=899)
    assert service.channel.sender.limiter is not None and service.channel.sender.limiter.paused_for > 800
    assert service.fake.sent_texts(SITI) == []


async def test_a_server_error_is_retried_by_delivery_and_ends_sent(service: Service) -> None:
    service.fake.fail_next("sendMessage", error_code=502)
    assert await service.say(fixture("text")) == 200
    [row] = await outbox_rows(service.db)
    assert (row.status, row.attempts) == ("pending", 1)
    await wait_until(lambda: len(service.fake.sent_texts(SITI)) == 1, within=8)
    await wait_until_sent(service.db)


async def wait_until_sent(db: Database, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while {r.status for r in await outbox_rows(db)} != {"sent"}:
        assert time.monotonic() < deadline, "outbox never all sent"
        await asyncio.sleep(0.05)


async def test_stopping_in_the_middle_of_a_burst_loses_no_update_that_got_200(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    """`kopsehat run` stopped while 60 updates are in flight: each one answered 200 is recorded with its reply
    (sent, or in the outbox for the next start); the others Telegram sends again, and they are new then."""
    async with telegram_service(db, fake_telegram) as service:

        async def post(update_id: int) -> int:
            try:
                return await service.post(text_update(update_id, SITI + update_id, "menu"))
            except aiohttp.ClientError:
                return 0  # the connection closed under it: Telegram would send it again

        posts = [asyncio.create_task(post(i)) for i in range(60)]
        pending = set(posts)
        while len(posts) - len(pending) < 5:  # a few answered; others in a batch being written, or not read yet
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        await service.runtime.stop()
        statuses = await asyncio.gather(*posts)
    answered = {f"u:{i}" for i, status in enumerate(statuses) if status == 200}
    assert answered
    async with db.transaction() as repos:
        recorded = set(
            await repos.session.scalars(select(InboundMessage.message_id).where(InboundMessage.channel == "telegram"))
        )
        replies = {
            row.dedupe_key.split(":", 2)[2].rsplit(":", 1)[0]: row.status
            for row in (await repos.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")))
        }
    assert answered <= recorded
    assert all(replies.get(message_id) in {"sent", "pending", "sending"} for message_id in recorded), replies


async def test_a_press_answered_only_after_a_restart_still_shows_the_choice(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    """The reply to a press could not go at once (token refused); the next process sends it from the outbox and
    marks the question answered, though it never saw that question: the press is stored with the reply."""
    async with telegram_service(db, fake_telegram) as first:
        await first.say(text_update(1, SITI, f"/start {await invite_code(db)}"))
        welcome = first.last_keyboard_message(SITI)
        fake_telegram.revoke_token()
        assert await first.say(press_update(2, SITI, welcome, "Isi laporan")) == 200
    question = (SITI, welcome["message_id"])
    assert "reply_markup" in fake_telegram.messages[question]  # nothing could be sent or edited
    fake_telegram.restore_token()
    async with telegram_service(db, fake_telegram):
        await wait_until(lambda: any("Laporan bulanan" in text for text in fake_telegram.sent_texts(SITI)), 10)
    assert fake_telegram.messages[question]["text"].endswith("✅ Isi laporan")
    assert "reply_markup" not in fake_telegram.messages[question]
