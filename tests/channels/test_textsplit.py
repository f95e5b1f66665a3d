"""split_text: chunks fit, nothing but whitespace is lost, order is kept, cuts fall at the kindest place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.textsplit import split_text, utf16_len


def _visible(text: str) -> str:
    return "".join(text.split())


def test_short_text_is_one_chunk_stripped() -> None:
    assert split_text("  Halo Bu Siti.\n", 4000) == ["Halo Bu Siti."]


def test_blank_text_gives_no_chunks() -> None:
    assert split_text(" \n\n ", 10) == []


def test_paragraphs_are_packed_greedily() -> None:
    text = "aaaa\n\nbbbb\n\ncccc"
    assert split_text(text, 10) == ["aaaa\n\nbbbb", "cccc"]


def test_long_paragraph_falls_back_to_lines_then_sentences() -> None:
    text = "Satu dua.\nTiga empat lima enam. Tujuh delapan."
    assert split_text(text, 22) == ["Satu dua.", "Tiga empat lima enam.", "Tujuh delapan."]


def test_words_before_hard_cut() -> None:
    assert split_text("alpha beta gamma", 11) == ["alpha beta", "gamma"]


def test_hard_cut_as_last_resort() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_budget_counts_utf16_units() -> None:
    chunks = split_text("😀" * 5, 4)
    assert chunks == ["😀😀", "😀😀", "😀"]
    assert all(utf16_len(c) <= 4 for c in chunks)


def test_limit_below_two_is_refused() -> None:
    with pytest.raises(ValueError):
        split_text("abc", 1)


_alphabet = st.sampled_from([*"ab .!?\n\t", "\n\n", "😀", "é", "Rp12.300.000", "\u3000"])
_texts = st.lists(_alphabet, max_size=300).map("".join) | st.text(max_size=300)


@settings(max_examples=300, deadline=None)
@given(text=_texts, limit=st.integers(min_value=2, max_value=60))
def test_chunks_fit_and_lose_nothing(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(chunk and chunk == chunk.strip() for chunk in chunks)
    assert all(utf16_len(chunk) <= limit for chunk in chunks)
    assert "".join(_visible(c) for c in chunks) == _visible(text)


@settings(max_examples=100, deadline=None)
@given(paragraphs=st.lists(st.text(alphabet="abc .", min_size=1, max_size=40), min_size=1, max_size=30))
def test_whole_paragraphs_are_never_cut_when_they_fit(paragraphs: list[str]) -> None:
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    chunks = split_text("\n\n".join(paragraphs), 50)
    for paragraph in paragraphs:
        assert any(paragraph in chunk for chunk in chunks)


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_utf16_len_counts_code_units_astral_characters_two_lone_surrogates_one(text: str) -> None:
    assert utf16_len(text) == sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def test_utf16_len_of_a_reply_with_emoji_and_a_lone_surrogate() -> None:
    assert utf16_len("Skor: Sehat 💚") == 14
    assert utf16_len("nama \ud800") == 6  # e.g. a name read from JSON by the standard library
