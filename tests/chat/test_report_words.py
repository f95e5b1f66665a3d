"""The report engine's codes all have their words, in Indonesian and English."""

from __future__ import annotations

from typing import get_args

import pytest

from bot.domain.report_flow import PROBLEM_CODES, OfferWord
from bot.words import render

FALLBACK = {"id": "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya 5 jt.",
            "en": "Sorry, we could not read that. Type just the number, for example 5 jt."}  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_problem_code_has_its_own_re_ask(lang: str) -> None:
    messages = {code: render.text(lang, "report_flow.problem", code=code, example="5 jt") for code in PROBLEM_CODES}
    assert messages["unreadable"] == messages["words"] == FALLBACK[lang]
    own = {code: text for code, text in messages.items() if code not in ("unreadable", "words")}
    assert all(text and text != FALLBACK[lang] and "\n" not in text for text in own.values()), own
    assert len(set(own.values())) == len(own)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_button_word_has_a_label(lang: str) -> None:
    words = [w for w in get_args(OfferWord) if w != "option"]
    labels = {w: render.text(lang, "report_flow.option", word=w, value="Neraca") for w in words}
    assert all(label and label != "Neraca" and "\n" not in label for label in labels.values()), labels
    assert len(set(labels.values())) == len(labels)
    assert render.text(lang, "report_flow.option", word="option", value="Koperasi") == "Koperasi"


def test_indonesian_words_are_not_english() -> None:
    assert render.text("id", "report_flow.option", word="same", value="Ya") == "Sama seperti bulan lalu (Ya)"
    assert render.text("en", "report_flow.option", word="same", value="Yes") == "Same as last month (Yes)"
    assert [render.text("id", "report_flow.yes_no", value=v) for v in ("ya", "tidak")] == ["Ya", "Tidak"]
    assert [render.text("en", "report_flow.yes_no", value=v) for v in ("ya", "tidak")] == ["Yes", "No"]
    assert render.text("id", "report_flow.not_filled") == "belum diisi"
