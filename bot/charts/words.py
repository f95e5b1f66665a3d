"""The words drawn in the charts and their text fallbacks, from the templates charts.j2 (id and en)."""

from __future__ import annotations

from bot.words import render


def word(key: str, lang: str) -> str:
    """A fixed word: "now", "previous", "official", "provisional", a band, a unit, "up"/"down"/"same", ..."""
    return render.text(lang, "charts.word", key=key)


def aspect_word(key: str, lang: str) -> str:
    """An aspect's short name as the radar writes it ("Kualitas Aktiva")."""
    return render.text(lang, "charts.aspect", key=key)


def indicator_label(key: str, lang: str) -> str:
    """An indicative indicator's name (its key when it has none)."""
    return render.text(lang, "charts.indicator", key=key)
