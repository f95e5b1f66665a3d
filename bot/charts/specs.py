"""Pictures described as small JSON specs in the outbox and drawn at send time, outside any transaction.

Radar and trend specs carry the categories (keys, names and lowest totals) of the rules the scores were made
with, so a picture drawn later, or by a process configured with other rules, shows the zones that were scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from bot import charts
from bot.chat.messages import Attachment
from bot.domain.health.rules import Category, default_rules


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _category_rows(categories: Sequence[Category]) -> list[list[str | None]]:
    return [[c.key, c.label, _dec(c.minimum)] for c in categories]


def _stored_categories(spec: dict[str, Any]) -> tuple[Category, ...]:
    """The spec's categories; specs stored before they carried them were drawn with the packaged rules' ones."""
    rows = spec.get("categories")
    if rows is None:
        return default_rules().categories
    return tuple(Category(key, label, None if low is None else Decimal(low)) for key, label, low in rows)


def radar(
    points: Sequence[charts.AspectPoint], *, title: str, lang: str, categories: Sequence[Category]
) -> dict[str, Any]:
    """The spec of a radar of the seven aspects, coloured by the zones of `categories` (the rules' categories)."""
    rows = [[p.key, p.label, _dec(p.score), _dec(p.weight)] for p in points]
    return {"type": "radar", "title": title, "lang": lang, "points": rows, "categories": _category_rows(categories)}


def trend(
    points: Sequence[charts.TrendPoint], *, title: str, lang: str, categories: Sequence[Category]
) -> dict[str, Any]:
    """The spec of a trend of totals over the zones of `categories` (the rules' categories)."""
    rows = [[p.label, _dec(p.total), p.provisional, p.official] for p in points]
    return {"type": "trend", "title": title, "lang": lang, "points": rows, "categories": _category_rows(categories)}


def indicative(points: Sequence[charts.IndicatorPoint], *, title: str, lang: str) -> dict[str, Any]:
    """The spec of the indicative indicators' bars."""
    rows = [[p.key, p.label, _dec(p.value), p.unit, p.band] for p in points]
    return {"type": "indicative", "title": title, "lang": lang, "points": rows}


def render(spec: dict[str, Any]) -> bytes:
    """Draw a spec as PNG bytes."""
    title, lang, rows = spec["title"], spec["lang"], spec["points"]
    if spec["type"] == "radar":
        aspects = [charts.AspectPoint(k, label, Decimal(s), Decimal(w)) for k, label, s, w in rows]
        return charts.radar_png(aspects, title=title, lang=lang, categories=_stored_categories(spec))
    if spec["type"] == "trend":
        trend_points = [  # specs stored before the official standing have three values
            charts.TrendPoint(label, None if t is None else Decimal(t), p, bool(official and official[0]))
            for label, t, p, *official in rows
        ]
        return charts.trend_png(trend_points, title=title, lang=lang, categories=_stored_categories(spec))
    indicators = [
        charts.IndicatorPoint(k, label, None if v is None else Decimal(v), unit, cast(charts.Band | None, band))
        for k, label, v, unit, band in rows
    ]
    return charts.indicative_png(indicators, title=title, lang=lang)


def picture(spec: dict[str, Any], filename: str, caption: str) -> Attachment:
    """A photo attachment to be drawn when it is sent."""
    return Attachment("photo", filename, "image/png", b"", caption=caption[:1000], chart=spec)


def drawn(attachment: Attachment) -> Attachment:
    """The attachment with its picture drawn (unchanged if it already has bytes)."""
    if attachment.data or attachment.chart is None:
        return attachment
    return Attachment(
        attachment.kind, attachment.filename, attachment.content_type, render(attachment.chart), attachment.caption
    )
