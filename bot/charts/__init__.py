"""Pictures officers receive on their phones (PNG bytes), and text fallbacks for when pictures cannot show.

Everything here is drawn with matplotlib's object-oriented API on the Agg canvas (``Figure`` +
``FigureCanvasAgg``), never ``pyplot``: no global figure registry, no global rcParams changes, so rendering
is safe from several threads and leaks nothing. Inputs are ``Decimal``; they become floats only where they
are plotted (these are pictures, not money).

Scores follow the health-assessment specification: seven aspects with their weights (§2.0) and the categories
of §7.1, whose names and lowest totals the caller passes from the assessment rules it scored with
(``Rules.categories``), so a picture never disagrees with the score. The per-aspect colour zones in the radar
use the same cut points, as §7.1 allows, but the picture never calls them a category. The indicative chart
(§9.5) is always subtitled as not an official health assessment.
"""

from __future__ import annotations

from bot.charts.common import (
    ASPECT_KEYS,
    AspectPoint,
    Band,
    IndicatorPoint,
    Lang,
    TrendPoint,
    category_label,
    category_legend,
)
from bot.charts.indicative import indicative_png
from bot.charts.indicative_trend import IndicatorSeries, indicative_trend_png, indicative_trend_text
from bot.charts.radar import radar_png, radar_text
from bot.charts.trend import trend_png, trend_text
from bot.domain.numbers import format_decimal

__all__ = [
    "ASPECT_KEYS",
    "AspectPoint",
    "Band",
    "IndicatorPoint",
    "IndicatorSeries",
    "Lang",
    "TrendPoint",
    "category_label",
    "category_legend",
    "format_decimal",
    "indicative_png",
    "indicative_trend_png",
    "indicative_trend_text",
    "radar_png",
    "radar_text",
    "trend_png",
    "trend_text",
]
