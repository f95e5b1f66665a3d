"""Both webhooks fuzzed end to end: thousands of generated bodies with the right secret or signature, on both databases.

Each body is shaped like the platform's (a Telegram update, a Meta webhook) with any part replaced by rubbish: wrong
types, huge numbers, NUL and lone surrogates, very long ids. The service runs in a thread of its own (hypothesis
drives the posts from the test's thread); every answer must be a 200, and the log must hold no error and no traceback.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from storage.models import InboundMessage
from tests.channels.test_telegram_webhook import SECRET, telegram_service
from tests.channels.test_whatsapp_webhook import APP_SECRET, running_bot
from tests.conftest import drop_test_database, make_test_database
from tests.fakes.graph_api import FakeGraphAPI, signed_headers
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)
T = TypeVar("T")
EXAMPLES = 1000  # bodies per webhook and database

rubbish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
nasty = st.sampled_from(["\x00", "\ud800", "a\x00b", "\u202e", "x" * 300, "", " ", "\n", "😊" * 70, "𝕂"])
words = st.sampled_from(["/start", "menu", "lapor", "bantuan", "DAFTAR ABCD", "ya", "1", "HADIR 1234", "rat"])
texts = st.one_of(words, st.text(max_size=30), nasty, st.builds(lambda a, b: a + b, words, nasty))
small_ids = st.integers(1, 12)
ids = st.one_of(small_ids, small_ids, st.integers(-(2**70), 2**70), st.text(max_size=5), nasty, rubbish)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the well-formed value, sometimes rubbish in its place."""
    return st.one_of(strategy, strategy, strategy, rubbish)


tg_user = maybe(
    st.fixed_dictionaries(
        {"id": ids, "is_bot": maybe(st.booleans()), "first_name": maybe(texts)},
        optional={"last_name": maybe(texts), "username": maybe(texts), "language_code": maybe(texts)},
    )
)
tg_chat = maybe(
    st.fixed_dictionaries(
        {"id": ids, "type": maybe(st.sampled_from(["private", "group", "supergroup", "channel"]))},
        optional={"first_name": maybe(texts), "title": maybe(texts)},
    )
)
tg_message = st.fixed_dictionaries(
    {"message_id": ids, "date": maybe(st.integers(0, 2**31))},
    optional={
        "chat": tg_chat,
        "from": tg_user,
        "text": maybe(texts),
        "caption": maybe(texts),
        "photo": maybe(st.just([{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}])),
        "sticker": rubbish,
        "migrate_to_chat_id": ids,
        "migrate_from_chat_id": ids,
        "reply_markup": maybe(st.just({"inline_keyboard": [[{"text": "Ya", "callback_data": "v1:ya"}]]})),
    },
)
tg_member = st.fixed_dictionaries({"status": maybe(st.sampled_from(["kicked", "member", "left"])), "user": tg_user})
tg_update = st.fixed_dictionaries(
    {"update_id": ids},
    optional={
        "message": maybe(tg_message),
        "edited_message": maybe(tg_message),
        "callback_query": maybe(
            st.fixed_dictionaries(
                {"id": ids, "from": tg_user, "chat_instance": maybe(texts)},
                optional={"data": maybe(st.one_of(texts, st.just("v1:go:menu"))), "message": maybe(tg_message)},
            )
        ),
        "my_chat_member": maybe(
            st.fixed_dictionaries(
                {"chat": tg_chat, "from": tg_user, "date": maybe(st.integers(0, 2**31))},
                optional={"old_chat_member": tg_member, "new_chat_member": tg_member},
            )
        ),
    },
)

# Well-formed in every type, with any words: these go all the way through dispatch to a reply.
fresh = st.builds(itertools.count(1).__next__)  # a new id each time (hypothesis would repeat small ones)
tg_person = st.fixed_dictionaries(
    {"id": small_ids, "is_bot": st.just(False), "first_name": texts},
    optional={"last_name": texts, "username": texts},
)
tg_plain_message = st.fixed_dictionaries(
    {
        "message_id": st.integers(1, 2**31),
        "date": st.integers(0, 2**31),
        "chat": st.fixed_dictionaries({"id": small_ids, "type": st.just("private")}),
        "from": tg_person,
        "text": texts,
    }
)
tg_wellformed = st.one_of(
    st.fixed_dictionaries({"update_id": fresh, "message": tg_plain_message}),
    st.fixed_dictionaries(
        {
            "update_id": fresh,
            "callback_query": st.fixed_dictionaries(
                {
                    "id": fresh.map(str),
                    "from": tg_person,
                    "chat_instance": st.just("1"),
                    "data": st.one_of(texts, st.just("v1:go:menu"), st.just("v1:lapor:mulai")),
                    "message": tg_plain_message,
                }
            ),
        }
    ),
)

wa_ids = st.one_of(st.sampled_from(["wamid.A", "wamid.B", "wamid.C"]), st.text(max_size=8), nasty, rubbish)
wa_senders = st.one_of(st.sampled_from(["6281200000001", "6281200000002", "ID.1234567890"]), nasty, rubbish)
wa_message = st.fixed_dictionaries(
    {
        "id": wa_ids,
        "timestamp": maybe(st.one_of(st.integers(-(2**40), 2**40).map(str), st.integers(0, 2**70))),
        "type": maybe(st.sampled_from(["text", "interactive", "button", "image", "reaction", "location", "xyz"])),
        "from": wa_senders,
    },
    optional={
        "from_user_id": wa_senders,
        "text": maybe(st.fixed_dictionaries({"body": maybe(texts)})),
        "interactive": maybe(
            st.fixed_dictionaries(
                {
                    "type": maybe(st.sampled_from(["button_reply", "list_reply", "nfm_reply"])),
                    "button_reply": maybe(st.fixed_dictionaries({"id": maybe(texts), "title": maybe(texts)})),
                    "list_reply": maybe(st.fixed_dictionaries({"id": maybe(texts), "title": maybe(texts)})),
                }
            )
        ),
        "button": maybe(st.fixed_dictionaries({"payload": maybe(texts), "text": maybe(texts)})),
        "image": maybe(st.fixed_dictionaries({"caption": maybe(texts)})),
    },
)
wa_contact = st.fixed_dictionaries(
    {"wa_id": wa_senders}, optional={"user_id": wa_senders, "profile": maybe(st.fixed_dictionaries({"name": texts}))}
)
wa_status = st.fixed_dictionaries(
    {
        "id": wa_ids,
        "status": maybe(st.sampled_from(["sent", "delivered", "read", "failed", "deleted"])),
        "timestamp": maybe(st.integers(0, 2**40).map(str)),
    },
    optional={
        "recipient_id": wa_senders,
        "biz_opaque_callback_data": maybe(st.one_of(texts, st.just("outbox:1"))),
        "errors": maybe(st.lists(st.fixed_dictionaries({"code": ids, "title": maybe(texts)}), max_size=2)),
    },
)


def wa_wellformed(phone_number_id: str) -> st.SearchStrategy[Any]:
    sender = st.sampled_from(["6281200000001", "6281200000002", "6281200000003"])

    def envelope(wamid: str, who: str, body: str, name: str) -> dict[str, Any]:
        message = {"id": f"wamid.{wamid}", "timestamp": "1779950000", "type": "text", "text": {"body": body}}
        value = {
            "metadata": {"phone_number_id": phone_number_id},
            "contacts": [{"wa_id": who, "profile": {"name": name}}],
            "messages": [{**message, "from": who}],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }

    return st.builds(envelope, fresh.map(str), sender, texts.filter(bool), texts)


def wa_body(phone_number_id: str) -> st.SearchStrategy[Any]:
    value = st.fixed_dictionaries(
        {"metadata": maybe(st.fixed_dictionaries({"phone_number_id": maybe(st.just(phone_number_id))}))},
        optional={
            "contacts": maybe(st.lists(maybe(wa_contact), max_size=2)),
            "messages": maybe(st.lists(maybe(wa_message), max_size=3)),
            "statuses": maybe(st.lists(maybe(wa_status), max_size=2)),
            "errors": maybe(st.lists(rubbish, max_size=2)),
        },
    )
    change = st.fixed_dictionaries({"field": maybe(st.just("messages")), "value": maybe(value)})
    entry = st.fixed_dictionaries({"id": maybe(texts), "changes": maybe(st.lists(maybe(change), max_size=2))})
    return st.one_of(
        *[wa_wellformed(phone_number_id)] * 4,
        st.fixed_dictionaries({"object": st.just("whatsapp_business_account"), "entry": st.lists(entry, max_size=2)}),
        rubbish,
    )


class ServiceThread:
    """An event loop in a thread of its own, holding the running services while the test's thread posts to them."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzzed-service", daemon=True)
        self.thread.start()

    def run(self, work: Callable[[], Awaitable[T]], timeout: float = 120) -> T:
        async def call() -> T:
            return await work()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class Fuzzed:
    """Telegram and WhatsApp services on one fresh database, and how to post to each."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self.stack = AsyncExitStack()

    async def start(self) -> None:
        self.db, self.schema = await make_test_database(self.backend, self.tmp_path)
        fake_telegram = await self.stack.enter_async_context(FakeTelegram())
        self.fake_graph = FakeGraphAPI()
        await self.fake_graph.start()
        self.stack.push_async_callback(self.fake_graph.close)
        self.telegram = await self.stack.enter_async_context(telegram_service(self.db, fake_telegram))
        self.whatsapp = await self.stack.enter_async_context(running_bot(self.db, self.fake_graph, self.tmp_path))
        self.http = await self.stack.enter_async_context(aiohttp.ClientSession())

    async def stop(self) -> None:
        await self.telegram.channel.idle()
        await self.whatsapp.settle()
        await self.stack.aclose()
        await drop_test_database(self.db, self.schema)

    async def post_telegram(self, update: Any) -> int:
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        url = self.telegram.base + WEBHOOK_PATH
        async with self.http.post(url, data=json.dumps(update).encode(), headers=headers) as response:
            await response.read()
            return response.status

    async def post_whatsapp(self, payload: Any) -> int:
        raw = json.dumps(payload).encode()  # ASCII with escapes: lone surrogates too
        headers = signed_headers(raw, APP_SECRET)
        async with self.http.post(f"{self.whatsapp.base}/whatsapp/webhook", data=raw, headers=headers) as response:
            await response.read()
            return response.status


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzzed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceThread, Fuzzed]]:
    if request.param == "postgresql":
        from tests.conftest import require_postgres

        require_postgres()
    thread = ServiceThread()
    service = Fuzzed(request.param, tmp_path)
    try:
        thread.run(service.start)
        yield thread, service
        thread.run(service.stop)
    finally:
        thread.close()


async def stored(service: Fuzzed) -> int:
    async with service.db.reading() as repos:
        return int((await repos.session.execute(select(func.count()).select_from(InboundMessage))).scalar_one())


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def test_the_telegram_webhook_answers_any_authenticated_update_without_a_500(
    fuzzed: tuple[ServiceThread, Fuzzed], caplog: pytest.LogCaptureFixture
) -> None:
    thread, service = fuzzed
    caplog.set_level(logging.WARNING)
    seen: dict[int, int] = {}

    @FUZZ
    @given(update=st.one_of(tg_wellformed, tg_wellformed, tg_update, st.dictionaries(st.text(max_size=10), rubbish)))
    def post(update: dict[str, Any]) -> None:
        status = thread.run(lambda: service.post_telegram(update))
        seen[status] = seen.get(status, 0) + 1
        assert status == 200, update

    post()
    thread.run(service.telegram.channel.idle)
    print(f"telegram ({service.backend}): answers {seen}, {thread.run(lambda: stored(service))} messages stored")
    assert sum(seen.values()) >= EXAMPLES
    assert not problems(caplog)


def test_the_whatsapp_webhook_answers_any_signed_body_without_a_500(
    fuzzed: tuple[ServiceThread, Fuzzed], caplog: pytest.LogCaptureFixture
) -> None:
    thread, service = fuzzed
    caplog.set_level(logging.WARNING)
    seen: dict[int, int] = {}

    @FUZZ
    @given(payload=wa_body(service.fake_graph.phone_number_id))
    def post(payload: Any) -> None:
        status = thread.run(lambda: service.post_whatsapp(payload))
        seen[status] = seen.get(status, 0) + 1
        assert status == 200, payload

    post()
    thread.run(service.whatsapp.settle)
    print(f"whatsapp ({service.backend}): answers {seen}, {thread.run(lambda: stored(service))} messages stored")
    assert sum(seen.values()) >= EXAMPLES
    assert not problems(caplog)
