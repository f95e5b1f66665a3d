"""WhatsAppSender against the fake Graph API: what goes over the wire and how errors are classified."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.channels.whatsapp.client import WhatsAppSender, classify_error
from bot.channels.whatsapp.pacing import RecipientPacer, TokenBucket
from bot.channels.whatsapp.templates import TemplateSpec
from bot.chat.messages import Address, Attachment, Choice, Reply
from bot.delivery.senders import ChannelSender, SendOutcome
from bot.services.files import PlatformIds
from storage.db import Database
from tests.fakes.graph_api import FakeGraphAPI

SITI = Address("whatsapp", "6281234567890")
REMINDER = TemplateSpec("pengingat_laporan_bulanan", "id", ("name", "period"), ("start_payload",))
PARAMS = {"name": "Bu Siti", "period": "Mei 2026", "start_payload": "lapor:2026-05"}


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def sender_for(fake: FakeGraphAPI, session: aiohttp.ClientSession, timeout: float = 15.0) -> WhatsAppSender:
    templates = {"report_reminder": REMINDER}
    return WhatsAppSender(session, fake.url, fake.phone_number_id, fake.token, templates, timeout=timeout)


@pytest.fixture
def sender(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> WhatsAppSender:
    fake_graph.user_wrote(SITI.user_id)
    return sender_for(fake_graph, session)


def test_sender_is_a_channel_sender(sender: WhatsAppSender) -> None:
    as_protocol: ChannelSender = sender
    assert as_protocol is sender
    assert "fake-graph-token" not in repr(sender)


async def test_text_is_sent_with_the_bearer_token(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    outcome = await sender.send(SITI, Reply("Terima kasih, laporan sudah kami terima."), callback_data="outbox:7")
    assert outcome.status == "sent"
    [call] = fake_graph.calls
    assert call.path == f"/v25.0/{fake_graph.phone_number_id}/messages"
    assert call.headers["Authorization"] == f"Bearer {fake_graph.token}"
    assert outcome.provider_message_ids == (call.response["messages"][0]["id"],)
    [body] = fake_graph.messages_to(SITI.user_id)
    assert body["text"]["body"] == "Terima kasih, laporan sudah kami terima."
    assert body["biz_opaque_callback_data"] == "outbox:7"


async def test_words_beyond_ascii_arrive_as_written(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    text = "Laporan Mei ✅ — Rp 1.250.000 · “terima kasih” 🙏"
    outcome = await sender.send(SITI, Reply(text, choices=(Choice("ya", "Ya, kirim ✅"),)))
    assert outcome.status == "sent"
    [call] = fake_graph.calls
    assert call.headers["Content-Type"].startswith("application/json")
    [body] = fake_graph.messages_to(SITI.user_id)
    assert body["interactive"]["body"]["text"] == text
    assert body["interactive"]["action"]["buttons"][0]["reply"]["title"] == "Ya, kirim ✅"


async def test_buttons_and_lists_pass_the_fakes_schema_checks(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    for count in (2, 3, 4, 10, 11):
        options = tuple(Choice(f"c{n}", f"Pilihan yang cukup panjang {n}") for n in range(count))
        assert (await sender.send(SITI, Reply("Pilih salah satu.", options))).status == "sent"
    types = [b["type"] for b in fake_graph.messages_to(SITI.user_id)]
    assert types == ["interactive", "interactive", "interactive", "interactive", "text"]


async def test_long_text_with_buttons_is_several_messages(sender: WhatsAppSender) -> None:
    text = "\n".join(f"{n}. Kas Rp12.300.000 · Bank Rp48.000.000 · Pinjaman Rp1,2 miliar" for n in range(80))
    outcome = await sender.send(SITI, Reply(text, (Choice("kirim", "Kirim"), Choice("ubah", "Ubah"))))
    assert outcome.status == "sent" and len(outcome.provider_message_ids) == 3


async def test_image_is_uploaded_then_sent_by_id(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    picture = Attachment("photo", "radar.png", "image/png", b"\x89PNG\r\n\x1a\nfake", caption="Radar")
    outcome = await sender.send(SITI, Reply("Skor kesehatan Oktober 2026", attachment=picture))
    assert outcome.status == "sent" and len(outcome.provider_message_ids) == 2
    upload, *_ = fake_graph.calls
    assert upload.path.endswith("/media")
    assert upload.form == {"messaging_product": "whatsapp", "type": "image/png"}
    assert upload.files["file"] == ("radar.png", "image/png", b"\x89PNG\r\n\x1a\nfake")
    media_id = upload.response["id"]
    bodies = fake_graph.messages_to(SITI.user_id)
    assert [b["type"] for b in bodies] == ["text", "image"]
    assert bodies[1]["image"] == {"id": media_id, "caption": "Radar"}


async def test_a_stored_file_goes_by_its_media_id_and_a_refused_id_means_one_new_upload_not_a_loop(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession, db: Database
) -> None:
    async with db.transaction() as repos:
        file_id = await repos.files.store("rekap.pdf", "application/pdf", b"%PDF-1.7 rekap")
    ids = PlatformIds(db)
    sender = WhatsAppSender(session, fake_graph.url, fake_graph.phone_number_id, fake_graph.token, media=ids)
    pdf = Attachment("document", "rekap.pdf", "application/pdf", b"%PDF-1.7 rekap", file_id=file_id)
    numbers = [f"62812345678{n}" for n in range(3)]
    for number in numbers:
        fake_graph.user_wrote(number)
    for number in numbers[:2]:
        assert (await sender.send(Address("whatsapp", number), Reply("Rekap", attachment=pdf))).status == "sent"
    [upload] = fake_graph.uploads()
    first_id = upload.response["id"]
    assert [fake_graph.messages_to(n)[-1]["document"]["id"] for n in numbers[:2]] == [first_id, first_id]
    fake_graph.forget_media(first_id)
    fake_graph.fail_next(131053, after=3)  # text, refused document, new upload: then the new id fails too
    outcome = await sender.send(Address("whatsapp", numbers[2]), Reply("Rekap", attachment=pdf))
    assert outcome.status == "retry" and "(#131053)" in (outcome.error or "") and len(outcome.provider_message_ids) == 1
    assert len(fake_graph.uploads()) == 2, "one new upload, then the row waits for the delivery worker's retry"
    assert [body["type"] for body in fake_graph.messages_to(numbers[2])] == ["text"]


async def test_uploaded_media_can_be_fetched_back(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> None:
    media_id = fake_graph.add_media(b"%PDF-1.7", "application/pdf")
    auth = {"Authorization": f"Bearer {fake_graph.token}"}
    async with session.get(f"{fake_graph.url}/{media_id}", headers=auth) as response:
        info = await response.json()
    assert info["mime_type"] == "application/pdf" and info["file_size"] == 8
    async with session.get(info["url"], headers=auth) as response:
        assert await response.read() == b"%PDF-1.7"
    async with session.get(info["url"]) as response:
        assert response.status == 401


async def test_too_large_picture_fails_without_a_call(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    picture = Attachment("photo", "big.png", "image/png", b"x" * (5 * 1024 * 1024 + 1))
    outcome = await sender.send(SITI, Reply("", attachment=picture))
    assert outcome.status == "failed" and "big.png" in (outcome.error or "")
    assert fake_graph.calls == []


async def test_outside_the_window_needs_a_template(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> None:
    fake_graph.user_wrote("6289900001111", fake_graph.now() - timedelta(hours=25))
    sender = sender_for(fake_graph, session)
    outcome = await sender.send(Address("whatsapp", "6289900001111"), Reply("Pengingat laporan"))
    assert outcome.status == "needs_template"
    assert "131047" in (outcome.error or "")


async def test_business_initiated_send_needs_an_open_window(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    for window_open in (None, False):
        outcome = await sender.send(SITI, Reply("Pengingat"), business_initiated=True, window_open=window_open)
        assert outcome.status == "needs_template"
    assert fake_graph.calls == []
    opened = await sender.send(SITI, Reply("Pengingat"), business_initiated=True, window_open=True)
    assert opened.status == "sent"


async def test_template_is_sent_outside_the_window(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> None:
    fake_graph.register_template("pengingat_laporan_bulanan", "id", 2)
    sender = sender_for(fake_graph, session)
    budi = Address("whatsapp", "6285700001111")  # never wrote
    outcome = await sender.send_template(budi, "report_reminder", PARAMS, callback_data="outbox:9")
    assert outcome.status == "sent" and len(outcome.provider_message_ids) == 1
    [body] = fake_graph.messages_to(budi.user_id)
    assert body["template"]["name"] == "pengingat_laporan_bulanan"
    assert body["biz_opaque_callback_data"] == "outbox:9"


async def test_template_problems_are_failures(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    assert not sender.has_template("announcement")
    missing = await sender.send_template(SITI, "announcement", {})
    assert missing.status == "failed" and "announcement" in (missing.error or "")
    wrong_params = await sender.send_template(SITI, "report_reminder", {"name": "Siti"})
    assert wrong_params.status == "failed" and "period" in (wrong_params.error or "")
    unknown_at_meta = await sender.send_template(SITI, "report_reminder", PARAMS)  # not registered
    assert unknown_at_meta.status == "failed" and "132001" in (unknown_at_meta.error or "")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (130429, "retry"),
        (131056, "retry"),
        (4, "retry"),
        (80007, "retry"),
        (131000, "retry"),
        (131026, "failed"),
        (132000, "failed"),
        (131047, "needs_template"),
        (190, "auth_failed"),
    ],
)
async def test_graph_errors_are_classified_by_code(
    sender: WhatsAppSender, fake_graph: FakeGraphAPI, code: int, status: str
) -> None:
    fake_graph.fail_next(code)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == status
    assert f"#{code}" in (outcome.error or "")


async def test_rate_limit_gives_a_backoff_hint_and_slows_the_bucket(
    sender: WhatsAppSender, fake_graph: FakeGraphAPI
) -> None:
    fake_graph.fail_next(130429)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "retry" and outcome.retry_after is not None and 1.0 <= outcome.retry_after <= 4.0
    assert sender.throttle.rate < sender.throttle.nominal_rate


async def test_undeliverable_fails_with_the_reason(sender: WhatsAppSender, fake_graph: FakeGraphAPI) -> None:
    fake_graph.fail_next(131026)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome == SendOutcome("failed", error="(#131026) Message undeliverable: Message undeliverable")


async def test_wrong_token_is_auth_failed(fake_graph: FakeGraphAPI, session: aiohttp.ClientSession) -> None:
    fake_graph.user_wrote(SITI.user_id)
    sender = WhatsAppSender(session, fake_graph.url, fake_graph.phone_number_id, "expired-token")
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "auth_failed"
    assert fake_graph.calls[0].status == 401


async def test_a_hanging_api_is_a_retry_within_the_timeout(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession
) -> None:
    fake_graph.user_wrote(SITI.user_id)
    fake_graph.hang_next()
    sender = sender_for(fake_graph, session, timeout=0.3)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "retry" and "timeout" in (outcome.error or "")


async def test_network_error_is_a_retry(session: aiohttp.ClientSession, unused_tcp_port: int) -> None:
    sender = WhatsAppSender(session, f"http://127.0.0.1:{unused_tcp_port}/v25.0", "1", "t")
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "retry" and "network error" in (outcome.error or "")


async def test_failure_on_a_later_part_keeps_the_ids_already_sent(
    sender: WhatsAppSender, fake_graph: FakeGraphAPI
) -> None:
    pdf = Attachment("document", "rekap.pdf", "application/pdf", b"%PDF")
    fake_graph.fail_next(131000, http_status=500, after=2)  # upload and text pass, the document fails
    outcome = await sender.send(SITI, Reply("Rekap Mei 2026", attachment=pdf))
    assert outcome.status == "retry"
    assert outcome.provider_message_ids == (fake_graph.calls[1].response["messages"][0]["id"],)
    assert (outcome.error or "").startswith("part 2 of 2: (#131000)")


async def test_the_token_is_never_logged(
    fake_graph: FakeGraphAPI, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_graph.user_wrote(SITI.user_id)
    sender = sender_for(fake_graph, session, timeout=0.3)
    for code in (190, 130429, 131026, 131047, 131000):
        fake_graph.fail_next(code)
        await sender.send(SITI, Reply("Halo"))
    fake_graph.hang_next()
    await sender.send(SITI, Reply("Halo"))
    await sender.send(SITI, Reply("Halo"))
    assert caplog.records
    assert all(fake_graph.token not in record.getMessage() for record in caplog.records)
    assert fake_graph.token not in caplog.text


def test_classify_error_without_a_code_uses_the_http_status() -> None:
    assert classify_error(None, 502, "bad gateway").status == "retry"
    assert classify_error(None, 400, "odd").status == "failed"
    assert classify_error(131009, 400, "bad parameter").status == "failed"
    assert classify_error(131031, 400, "locked").status == "auth_failed"


# -- pacing --------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_token_bucket_allows_a_burst_then_paces() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=5, burst=2, clock=clock, sleep=clock.sleep)
    assert bucket.try_acquire() == 0 and bucket.try_acquire() == 0
    assert bucket.try_acquire() == pytest.approx(0.2)
    await bucket.acquire()
    assert clock.now == pytest.approx(1000.2)


def test_token_bucket_slows_down_and_recovers() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=80, clock=clock, recover_after=60)
    bucket.slow_down()
    assert bucket.rate == pytest.approx(64)
    clock.now += 61
    bucket.try_acquire()
    assert bucket.rate == 80


def test_recipient_pacer_keeps_bulk_notices_apart() -> None:
    clock = FakeClock()
    pacer = RecipientPacer(clock=clock)
    assert pacer.delay_for("62811") == 0
    pacer.mark_sent("62811")
    assert pacer.delay_for("62811") == pytest.approx(6.0)
    assert pacer.delay_for("62822") == 0
    clock.now += 4
    assert pacer.delay_for("62811") == pytest.approx(2.0)
    pacer.back_off("62811", 30)
    assert pacer.delay_for("62811") == pytest.approx(30.0)


async def test_fake_enforces_throughput(fake_graph: FakeGraphAPI, sender: WhatsAppSender) -> None:
    fake_graph.messages_per_second = 2
    outcomes = [await sender.send(SITI, Reply(f"Pesan {n}")) for n in range(3)]
    assert [o.status for o in outcomes] == ["sent", "sent", "retry"]
    assert "130429" in (outcomes[2].error or "")
