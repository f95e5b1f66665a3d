"""WhatsApp inbound edge: signature, handshake, every webhook fixture -> Inbound / StatusUpdate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.whatsapp.inbound import (
    ProviderError,
    StatusUpdate,
    meta_signature_ok,
    parse_webhook,
    verify_subscription,
)
from bot.chat.messages import Address, Inbound, Upload
from tests.fakes.graph_api import signed, webhook_fixture

PNID = "109876543210987"
SECRET = "app-secret-123"
SITI = Address("whatsapp", "6281234567890")
SITI_BSUID = "ID.4471923058816620"


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


# -- signature and handshake ---------------------------------------------------------------------


def test_signature_ok_over_raw_bytes_with_emoji_and_indonesian_text() -> None:
    raw, headers = signed({"text": "Terima kasih 🙏, laporan Mei sudah diisi"}, SECRET)
    assert "🙏".encode() in raw
    assert meta_signature_ok(raw, headers["X-Hub-Signature-256"], SECRET)
    assert meta_signature_ok(raw, headers["X-Hub-Signature-256"].upper().replace("SHA256=", "sha256="), SECRET)


def test_signature_missing_or_malformed_header_fails() -> None:
    raw, _ = signed({"a": 1}, SECRET)
    assert not meta_signature_ok(raw, None, SECRET)
    assert not meta_signature_ok(raw, "", SECRET)
    assert not meta_signature_ok(raw, "sha1=abc", SECRET)
    assert not meta_signature_ok(raw, "sha256=ünïcode", SECRET)


def test_signature_with_wrong_secret_or_tampered_body_fails() -> None:
    raw, headers = signed({"a": 1}, SECRET)
    header = headers["X-Hub-Signature-256"]
    assert not meta_signature_ok(raw, header, "other-secret")
    assert not meta_signature_ok(raw + b" ", header, SECRET)
    assert not meta_signature_ok(raw, header, "")


def test_body_reserialised_with_different_escaping_fails() -> None:
    payload = {"text": "Bu Siti 🙏 – neraca"}
    raw, headers = signed(payload, SECRET)
    reserialised = json.dumps(json.loads(raw)).encode()  # ASCII escapes instead of UTF-8
    assert json.loads(reserialised) == payload
    assert not meta_signature_ok(reserialised, headers["X-Hub-Signature-256"], SECRET)


def test_verify_subscription() -> None:
    assert verify_subscription("subscribe", "tok", "1158201444", "tok") == "1158201444"
    assert verify_subscription("subscribe", "wrong", "1158201444", "tok") is None
    assert verify_subscription("unsubscribe", "tok", "1158201444", "tok") is None
    assert verify_subscription("subscribe", None, "1158201444", "tok") is None
    assert verify_subscription("subscribe", "tok", None, "tok") is None
    assert verify_subscription("subscribe", "", "1", "") is None


# -- messages ------------------------------------------------------------------------------------


def only_message(name: str) -> Inbound:
    batch = parse_webhook(webhook_fixture(name), PNID)
    assert len(batch.messages) == 1 and not batch.statuses
    return batch.messages[0]


def test_text() -> None:
    assert only_message("text") == Inbound(
        address=SITI,
        message_id="wamid.IN.a1",
        received_at=at(1779950000),
        kind="text",
        text="lapor",
        display_name="Siti Rahma",
        alt_user_id=SITI_BSUID,
    )


def test_button_reply_is_a_choice() -> None:
    inbound = only_message("button_reply")
    assert (inbound.kind, inbound.choice, inbound.text) == ("choice", "v1:s88:q7:ya", "Ya")
    assert inbound.address == SITI and inbound.message_id == "wamid.IN.a2"


def test_list_reply_is_a_choice() -> None:
    inbound = only_message("list_reply")
    assert (inbound.kind, inbound.choice, inbound.text) == ("choice", "v1:s88:q8:ksp", "Simpan pinjam")


def test_template_quick_reply_is_a_choice_with_the_payload() -> None:
    inbound = only_message("template_button")
    assert (inbound.kind, inbound.choice, inbound.text) == ("choice", "lapor:2026-05", "Isi laporan")
    assert inbound.address == SITI and inbound.alt_user_id is None  # an older payload without BSUID
    assert inbound.received_at == at(1779950100)


@pytest.mark.parametrize(
    ("name", "kind", "caption"),
    [
        ("image", "image", "Foto neraca"),
        ("audio", "audio", ""),
        ("location", "location", ""),
        ("unsupported", "unsupported", ""),
    ],
)
def test_media_and_others_are_unsupported(name: str, kind: str, caption: str) -> None:
    inbound = only_message(name)
    assert inbound.kind == "unsupported"
    assert inbound.unsupported_type == kind
    assert inbound.text == caption
    assert inbound.address == SITI and inbound.choice is None


def test_a_document_is_read_with_its_name_type_and_media_id_to_fetch_it() -> None:
    inbound = only_message("document")
    assert (inbound.kind, inbound.text) == ("document", "Neraca Mei")
    assert inbound.upload == Upload("neraca-2026-05.pdf", "application/pdf", None, ref="1184467203915520")


@pytest.mark.parametrize("name", ["reaction", "system"])
def test_reactions_and_system_messages_are_ignored(name: str) -> None:
    batch = parse_webhook(webhook_fixture(name), PNID)
    assert batch.messages == [] and batch.statuses == []


def test_bsuid_only_sender_uses_the_bsuid_as_user_id() -> None:
    inbound = only_message("bsuid_only")
    assert inbound.address == Address("whatsapp", "ID.9182736450001122")
    assert inbound.alt_user_id is None
    assert inbound.display_name == "Dewi"
    assert inbound.text == "daftar K7Q2"


def test_bsuid_inside_from_is_treated_as_bsuid() -> None:
    inbound = only_message("bsuid_in_from")
    assert inbound.address == Address("whatsapp", "ID.5566778899001122")
    assert inbound.alt_user_id is None and inbound.display_name == "Rudi"


def test_contact_phone_is_used_when_from_is_missing() -> None:
    payload = webhook_fixture("text")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["from"]
    inbound = parse_webhook(payload, PNID).messages[0]
    assert inbound.address == SITI and inbound.alt_user_id == SITI_BSUID


# -- statuses and errors -------------------------------------------------------------------------


def only_status(name: str) -> StatusUpdate:
    batch = parse_webhook(webhook_fixture(name), PNID)
    assert len(batch.statuses) == 1 and not batch.messages
    return batch.statuses[0]


def test_status_sent_with_conversation_and_pricing() -> None:
    assert only_status("status_sent") == StatusUpdate(
        provider_message_id="wamid.OUT.r1",
        status="sent",
        timestamp=at(1779960000),
        recipient="6281234567890",
        recipient_user_id=SITI_BSUID,
        callback_data="outbox:84210",
    )


@pytest.mark.parametrize(
    ("name", "status", "ts"),
    [("status_delivered", "delivered", 1779960003), ("status_read", "read", 1779960040)],
)
def test_status_delivered_and_read(name: str, status: str, ts: int) -> None:
    update = only_status(name)
    assert (update.status, update.timestamp, update.recipient) == (status, at(ts), "6281234567890")
    assert update.error_code is None


def test_status_failed_outside_window() -> None:
    update = only_status("status_failed_131047")
    assert update.status == "failed" and update.error_code == 131047
    assert update.error_title == "Re-engagement message"
    assert update.error_detail == "More than 24 hours have passed since the customer last replied."
    assert update.callback_data == "outbox:84213"


def test_status_failed_undeliverable() -> None:
    update = only_status("status_failed_131026")
    assert (update.status, update.error_code, update.error_title) == (
        "failed",
        131026,
        "Message undeliverable",
    )
    assert update.recipient == "6281299990000" and update.recipient_user_id is None


def test_value_errors_are_reported() -> None:
    batch = parse_webhook(webhook_fixture("value_errors"), PNID)
    assert batch.errors == [
        ProviderError(131000, "Something went wrong", "Message failed to send because of an unknown error.")
    ]
    assert batch.messages == [] and batch.statuses == []


def test_batch_iterates_every_entry_change_message_and_status() -> None:
    batch = parse_webhook(webhook_fixture("batch"), PNID)
    assert [(m.message_id, m.address.user_id, m.display_name) for m in batch.messages] == [
        ("wamid.IN.b1", "6281234567890", "Siti Rahma"),
        ("wamid.IN.b2", "6285700001111", "Pak Budi"),
        ("wamid.IN.b3", "6281300002222", "Ibu Wati"),
    ]
    assert batch.messages[0].text == "Halo 🙏"
    assert batch.messages[2].choice == "v1:s90:q1:mulai"
    assert [(s.provider_message_id, s.status) for s in batch.statuses] == [
        ("wamid.OUT.b7", "delivered"),
        ("wamid.OUT.b8", "read"),
    ]


def test_changes_for_another_phone_number_are_ignored() -> None:
    assert parse_webhook(webhook_fixture("text"), "000000000000000").messages == []


def test_malformed_parts_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    payload = webhook_fixture("batch")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"].insert(0, "not an object")
    value["messages"].append({"id": "wamid.IN.x", "type": "text", "timestamp": "soon", "text": {"body": "?"}})
    value["messages"].append({"id": "wamid.IN.y", "type": "text", "timestamp": "1779970009", "text": {}})
    batch = parse_webhook(payload, PNID)
    assert [m.message_id for m in batch.messages] == ["wamid.IN.b1", "wamid.IN.b2", "wamid.IN.b3"]
    assert any(r.levelname == "WARNING" for r in caplog.records)


# -- robustness ----------------------------------------------------------------------------------

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
known_keys = st.sampled_from(
    ["entry", "changes", "field", "value", "metadata", "phone_number_id", "messages", "statuses", "errors",
     "contacts", "from", "from_user_id", "id", "timestamp", "type", "text", "body", "interactive",
     "button_reply", "list_reply", "button", "payload", "status", "wa_id", "user_id", "profile", "name",
     "error_data", "code"]
)  # fmt: skip
shaped: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.integers() | st.text(max_size=6) | st.sampled_from(["messages", PNID, "text", "1779950000"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(known_keys, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.one_of(json_values, shaped))
def test_parse_webhook_never_raises(payload: Any) -> None:
    batch = parse_webhook(payload, PNID)
    assert all(isinstance(m, Inbound) for m in batch.messages)


@settings(max_examples=200)
@given(
    value=st.dictionaries(
        st.sampled_from(["from", "from_user_id", "id", "timestamp", "type", "text", "interactive", "button"]),
        json_values,
    )
)
def test_parse_webhook_never_raises_on_odd_messages(value: dict[str, Any]) -> None:
    payload = webhook_fixture("text")
    payload["entry"][0]["changes"][0]["value"]["messages"] = [value]
    payload["entry"][0]["changes"][0]["value"]["statuses"] = [value]
    parse_webhook(payload, PNID)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


FIXTURE_NAMES = ["text", "button_reply", "template_button", "batch", "bsuid_only", "status_failed_131047"]


@settings(max_examples=400)
@given(data=st.data(), name=st.sampled_from(FIXTURE_NAMES), replacement=json_values)
def test_parse_webhook_never_raises_on_a_damaged_fixture(data: st.DataObject, name: str, replacement: Any) -> None:
    payload: Any = webhook_fixture(name)
    path = data.draw(st.sampled_from(_paths(payload)[1:]))
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = replacement
    parse_webhook(payload, PNID)
