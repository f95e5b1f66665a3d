"""Numbers and bands as officers read them: 72,40 in Indonesian, 72.40 in English, '≥ 10%', '> 30 hari'."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.health.tables import Band
from bot.domain.numbers import format_decimal


def number(value: Decimal, lang: str) -> str:
    """72,40 in Indonesian, 72.40 in English."""
    return format_decimal(value, 2, lang)


def bound(value: Decimal, lang: str) -> str:
    """A band edge without trailing zero decimals: 21, 7,5."""
    text = number(value, lang)
    return text[:-3] if text.endswith((",00", ".00")) else text


def band_text(band: Band, unit: str, joiner: str, lang: str) -> str:
    """A band as symbols: '≥ 10%', '> 30 hari dan ≤ 60 hari'."""
    parts = []
    if band.lower is not None:
        parts.append(f"{'≥' if band.lower_inclusive else '>'} {bound(band.lower, lang)}{unit}")
    if band.upper is not None:
        parts.append(f"{'≤' if band.upper_inclusive else '<'} {bound(band.upper, lang)}{unit}")
    return joiner.join(parts)
