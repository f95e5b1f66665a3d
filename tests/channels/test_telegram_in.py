"""Telegram updates (real-shaped JSON fixtures) -> Inbound."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.inbound import (
    TelegramInbound,
    decode_callback,
    encode_callback,
    parse_update,
    update_to_inbound,
)
from bot.chat.messages import Address, Inbound, Pressed, Upload

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"
AT = datetime(2026, 11, 9, 3, 14, tzinfo=UTC)
SITI = Address(channel="telegram", user_id="5123456789")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def parse(name: str) -> TelegramInbound | None:
    return update_to_inbound(Update.de_json(load(name), None), AT)


def message(message_id: str, **fields: Any) -> Inbound:
    return Inbound(
        address=SITI,
        message_id=message_id,
        received_at=AT,
        display_name="Siti Rahayu",
        alt_user_id="siti_ksp",
        **fields,
    )


def test_text_message() -> None:
    assert parse("text") == TelegramInbound(message("u:730021440", text="Kas bulan ini 12,3 jt"))


def test_start_with_deep_link_payload_keeps_the_text() -> None:
    assert parse("start_payload") == TelegramInbound(message("u:730021445", text="/start KOP7Q2M9X"))


def test_command_keeps_the_text() -> None:
    assert parse("command_lapor") == TelegramInbound(message("u:730021447", text="/lapor"))


def test_callback_query_is_a_choice_pressed_on_a_question() -> None:
    pressed = Pressed("52", title="KSP", question="Jenis koperasi Anda?")
    assert parse("callback_query") == TelegramInbound(
        message("cb:4382910057733112001", kind="choice", choice="ksp", pressed=pressed),
        callback_query_id="4382910057733112001",
    )


def test_callback_query_on_inaccessible_message_uses_data_only() -> None:
    assert parse("callback_query_inaccessible") == TelegramInbound(
        message("cb:4382910057733112009", kind="choice", choice="report:start", pressed=Pressed("12")),
        callback_query_id="4382910057733112009",
    )


def test_callback_from_an_old_keyboard_version_is_unsupported_but_still_answerable() -> None:
    raw = load("callback_query")
    raw["callback_query"]["data"] = "v0:ksp"
    parsed = parse_update(raw, AT)
    assert parsed is not None
    assert parsed.inbound.kind == "unsupported"
    assert parsed.inbound.unsupported_type == "callback"
    assert parsed.inbound.pressed is None  # the question is not marked with a choice the bot did not take
    assert parsed.callback_query_id == "4382910057733112001"


def test_edited_message_is_ignored() -> None:
    assert parse("edited_message") is None


@pytest.mark.parametrize(
    ("name", "kind", "caption"),
    [
        ("photo", "photo", "Neraca Oktober"),
        ("sticker", "sticker", ""),
        ("voice", "voice", ""),
        ("location", "location", ""),
        ("video", "video", ""),
    ],
)
def test_media_is_unsupported(name: str, kind: str, caption: str) -> None:
    parsed = parse(name)
    assert parsed == TelegramInbound(
        message(f"u:{load(name)['update_id']}", kind="unsupported", unsupported_type=kind, text=caption)
    )


def test_a_document_is_read_with_its_name_type_size_and_file_id_to_fetch_it() -> None:
    parsed = parse("document")
    assert parsed is not None
    inbound = parsed.inbound
    assert (inbound.kind, inbound.text) == ("document", "")
    assert inbound.upload == Upload(
        "neraca-oktober-2026.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        18422,
        ref="BQACAgUAAxkBAAIBN2Doc",
    )
    assert inbound.upload.data is None  # fetched by the channel before dispatch


def test_kicked_means_blocked() -> None:
    assert parse("my_chat_member_kicked") == TelegramInbound(
        Inbound(SITI, "u:730021460", AT, kind="blocked", display_name="Siti Rahayu")
    )


def test_member_means_unblocked() -> None:
    assert parse("my_chat_member_member") == TelegramInbound(
        Inbound(SITI, "u:730021461", AT, kind="unblocked", display_name="Siti Rahayu")
    )


def test_parse_update_from_raw_dict_matches() -> None:
    assert parse_update(load("text"), AT) == parse("text")


def test_callback_round_trip_and_size() -> None:
    option = "x" * 48
    data = encode_callback(option)
    assert len(data.encode()) <= 64
    assert decode_callback(data) == option
    assert decode_callback(encode_callback("a:b")) == "a:b"


@pytest.mark.parametrize("data", ["", "ksp", "v1:", "v2:ksp", ":ksp"])
def test_decode_refuses_malformed_or_stale(data: str) -> None:
    assert decode_callback(data) is None


def test_encode_refuses_oversize() -> None:
    with pytest.raises(ValueError):
        encode_callback("é" * 40)
    with pytest.raises(ValueError):
        encode_callback("")
