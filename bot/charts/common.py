"""What every chart shares: its inputs, its look, the category zones, and drawing a figure into a small PNG."""

from __future__ import annotations

import io
import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from bot.charts.words import aspect_word
from bot.domain.health.rules import Category, category_of
from bot.domain.numbers import format_decimal

Lang = Literal["id", "en"]
Band = Literal["good", "watch", "weak"]


@dataclass(frozen=True)
class AspectPoint:
    """One aspect of an assessment: `score` out of `weight` (e.g. 14.40 of 15).

    `label` is shown as given; leave it empty ("") to use the built-in label in the chart's language.
    """

    key: str
    label: str
    score: Decimal
    weight: Decimal


@dataclass(frozen=True)
class TrendPoint:
    """One period on the trend line: `label` such as "Okt 2026"; `total` None when there is no score.

    `provisional` (sementara) until a pembina verifies it; `official` (resmi): a book year's verified year-end score.
    """

    label: str
    total: Decimal | None
    provisional: bool
    official: bool = False


@dataclass(frozen=True)
class IndicatorPoint:
    """One indicative indicator (§9.5). `value`/`band` are None when the denominator was zero.

    `unit` is "percent", "times_per_year" or "days" (anything else is shown after the number as given).
    `label` empty ("") means the built-in label in the chart's language.
    """

    key: str
    label: str
    value: Decimal | None
    unit: str
    band: Band | None
    target_low: Decimal | None = None  # the good band's lower edge ("≥ 75%"), None when it has none
    target_high: Decimal | None = None  # the good band's upper edge ("≤ 30 hari"), None when it has none


ASPECT_KEYS: tuple[str, ...] = (
    "capital",
    "asset_quality",
    "management",
    "efficiency",
    "liquidity",
    "growth",
    "identity",
)

DPI = 100
INK = "#111111"
MAIN = "#0b3c8c"  # dark blue: this period
PREV = "#555555"  # dark grey, dashed: previous period
# Light tints for the score zones, one per category from the top (Sehat) down.
ZONE_FILL = ("#cdebc5", "#fff0a8", "#ffd3b0", "#f7b4b4")
ZONE_TEXT = ("#1b5e20", "#6d5a00", "#8a3b00", "#8e1b1b")
BAND_FILL: dict[str, str] = {"good": "#2e7d32", "watch": "#f2b600", "weak": "#c62828", "unknown": "#bdbdbd"}
BAND_TEXT: dict[str, str] = {"good": "white", "watch": INK, "weak": "white", "unknown": INK}

HUNDRED = Decimal(100)


def checked_lang(lang: str) -> Lang:
    if lang == "id":
        return "id"
    if lang == "en":
        return "en"
    raise ValueError(f"unsupported language {lang!r}; use 'id' or 'en'")


def category_label(total: Decimal, categories: Sequence[Category]) -> str:
    """The §7.1 category label of a total (compared after rounding to 2 decimals, as the scorer does).

    Category names are the official Indonesian terms in every language.
    """
    return category_of(categories, total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).label


def cuts_of(categories: Sequence[Category]) -> list[Decimal]:
    """The lowest totals of all categories but the bottom one, from the top (80, 66, 51 in perdep-06-2016)."""
    if len(categories) != len(ZONE_FILL):
        raise ValueError(f"categories: expected {len(ZONE_FILL)} from the top; got {len(categories)}")
    cuts = [c.minimum for c in categories[:-1] if c.minimum is not None]
    if len(cuts) != len(categories) - 1 or categories[-1].minimum is not None:
        raise ValueError("categories: every category but the last needs a minimum; the last has none")
    if any(not 0 < cut <= HUNDRED for cut in cuts) or any(low >= high for high, low in itertools.pairwise(cuts)):
        raise ValueError(f"categories: minimums {', '.join(map(str, cuts))} must fall from 100 towards 0")
    return cuts


def cut_text(value: Decimal, lang: Lang) -> str:
    """A cut point as a chart writes it: 80, or 72,5 (72.5 in English)."""
    return format_decimal(value, len(format(value.normalize(), "f").partition(".")[2]), lang)


def category_legend(categories: Sequence[Category], lang: str = "id") -> list[str]:
    """The trend chart's legend for the category zones, from the top: "Sehat (≥ 80)", "Cukup Sehat (66–80)", …"""
    language = checked_lang(lang)
    cuts = [cut_text(cut, language) for cut in cuts_of(categories)]
    ranges = [f"≥ {cuts[0]}", *(f"{low}–{high}" for high, low in itertools.pairwise(cuts)), f"< {cuts[-1]}"]
    return [f"{category.label} ({span})" for category, span in zip(categories, ranges, strict=True)]


def aspect_label(point: AspectPoint, lang: Lang) -> str:
    return point.label or aspect_word(point.key, lang)


def percent_of_weight(point: AspectPoint) -> Decimal:
    return point.score / point.weight * HUNDRED


def checked_aspects(aspects: Sequence[AspectPoint], what: str) -> list[AspectPoint]:
    """The seven aspects in specification order, or a ValueError saying what is wrong."""
    if len(aspects) != len(ASPECT_KEYS):
        raise ValueError(f"{what}: expected the 7 aspects {', '.join(ASPECT_KEYS)}; got {len(aspects)}")
    by_key: dict[str, AspectPoint] = {}
    for point in aspects:
        if point.key not in ASPECT_KEYS:
            raise ValueError(f"{what}: unknown aspect key {point.key!r}; expected one of {', '.join(ASPECT_KEYS)}")
        if point.key in by_key:
            raise ValueError(f"{what}: aspect {point.key!r} given twice")
        if not point.weight.is_finite() or point.weight <= 0:
            raise ValueError(f"{what}: aspect {point.key!r} has weight {point.weight}; it must be positive")
        if not point.score.is_finite() or not 0 <= point.score <= point.weight:
            raise ValueError(f"{what}: aspect {point.key!r} score {point.score} is not between 0 and {point.weight}")
        by_key[point.key] = point
    return [by_key[key] for key in ASPECT_KEYS]


def zone_of(percent: Decimal, cuts: Sequence[Decimal]) -> int:
    """Index into the zone colours (0 = top zone) for a percentage, using the categories' cut points."""
    return next((index for index, cut in enumerate(cuts) if percent >= cut), len(cuts))


def new_figure(width_px: int, height_px: int) -> Figure:
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def png(figure: Figure) -> bytes:
    """Draw the figure and encode it as a palette PNG (256 colours): about a third of the RGBA size.

    The picture has a few flat colours plus anti-aliased edges, so a palette loses nothing visible; the
    encoding writes no timestamps or software chunks, so the same input gives the same bytes.
    """
    raw = io.BytesIO()
    figure.savefig(raw, format="rgba", dpi=DPI, facecolor="white")
    width, height = figure.canvas.get_width_height()
    image = Image.frombytes("RGBA", (width, height), raw.getvalue()).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG")
    return buffer.getvalue()


def draw_title(figure: Figure, title: str, *, width: int = 40, y: float = 0.975) -> None:
    wrapped = "\n".join(textwrap.wrap(title, width=width)) or " "
    figure.text(0.5, y, wrapped, ha="center", va="top", fontsize=21, fontweight="bold", color=INK)
