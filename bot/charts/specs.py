"""Pictures described as small JSON specs in the outbox and drawn at send time, outside any transaction.

Radar and trend specs carry the categories (keys, names and lowest totals) of the rules the scores were made
with, so a picture drawn later, or by a process configured with other rules, shows the zones that were scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from bot import charts
from bot.domain.health.rules import Category, default_rules
from bot.words.messages import Attachment


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _num(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


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
    rows = [[p.key, p.label, _dec(p.value), p.unit, p.band, _dec(p.target_low), _dec(p.target_high)] for p in points]
    return {"type": "indicative", "title": title, "lang": lang, "points": rows}


def indicative_trend(
    series: Sequence[charts.IndicatorSeries], periods: Sequence[str], *, title: str, lang: str
) -> dict[str, Any]:
    """The spec of the indicators over periods, each against its target."""
    rows = [
        [s.key, s.label, s.points[0].unit, _dec(s.points[0].target_low), _dec(s.points[0].target_high),
         [[_dec(p.value), p.band] for p in s.points]]
        for s in series
    ]  # fmt: skip
    return {"type": "indicative_trend", "title": title, "lang": lang, "periods": list(periods), "points": rows}


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
    if spec["type"] == "indicative_trend":
        series = [
            charts.IndicatorSeries(key, label, tuple(
                charts.IndicatorPoint(key, label, _num(v), unit, cast(charts.Band | None, band), _num(low), _num(high))
                for v, band in values
            ))
            for key, label, unit, low, high, values in rows
        ]  # fmt: skip
        return charts.indicative_trend_png(series, spec["periods"], title=title, lang=lang)
    indicators = [  # specs stored before the targets have five values
        charts.IndicatorPoint(k, label, _num(v), unit, cast(charts.Band | None, band), *map(_num, target))
        for k, label, v, unit, band, *target in rows
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
