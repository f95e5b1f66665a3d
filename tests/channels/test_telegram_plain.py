"""Plain text updates read from their JSON (the hot path) give the Inbound python-telegram-bot's objects give."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.channels.telegram.inbound import read_plain_text, read_update

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"
AT = datetime(2026, 11, 9, 3, 14, tzinfo=UTC)
PLAIN = ("text", "command_lapor", "start_payload")


def through_ptb(data: dict[str, Any]) -> Any:
    try:
        update = Update.de_json(copy.deepcopy(data), None)
    except Exception:
        return "ignored"
    return read_update(update, AT)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_real_update_reads_the_same_or_goes_through_ptb(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if path.stem == "errors" or not isinstance(data, dict) or "update_id" not in data:
        pytest.skip("not an update")
    plain = read_plain_text(copy.deepcopy(data), AT)
    if path.stem in PLAIN:
        assert plain is not None, "a person's text is read without python-telegram-bot's objects"
        assert plain == through_ptb(data)
    else:
        assert plain is None


texts = st.text(st.characters(codec="utf-8") | st.sampled_from(["\x00", "\ud800", "\u200b"]), max_size=30)
values = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), texts, st.just([]), st.just({}))


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    user: dict[str, Any] = {"id": draw(st.integers(1, 2**40)), "is_bot": False, "first_name": draw(texts)}
    for key in ("last_name", "username", "language_code"):
        if draw(st.booleans()):
            user[key] = draw(texts)
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 2**31)),
        "date": 1762658040,
        "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        "from": user,
        "text": draw(texts),
    }
    if draw(st.booleans()):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    update: dict[str, Any] = {"update_id": draw(st.integers(0, 2**40)), "message": message}
    for _ in range(draw(st.integers(0, 2))):  # a field of another type, or one the fast path does not know
        # (the chat as it is now: a first change may have made it a value of another type)
        target = draw(st.sampled_from([t for t in (update, message, message["chat"], user) if isinstance(t, dict)]))
        target[draw(st.sampled_from([*target, "extra"]))] = draw(values)
    return update


@settings(max_examples=300, deadline=None)
@given(updates())
def test_what_is_read_from_the_json_is_what_ptb_reads(data: dict[str, Any]) -> None:
    plain = read_plain_text(copy.deepcopy(data), AT)
    if plain is not None:
        assert plain == through_ptb(data)
