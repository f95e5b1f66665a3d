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

import io
import itertools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes
from PIL import Image

from bot.domain.health.rules import Category, category_of
from bot.domain.numbers import format_decimal

Lang = Literal["id", "en"]
Band = Literal["good", "watch", "weak"]

__all__ = [
    "ASPECT_KEYS",
    "AspectPoint",
    "Band",
    "IndicatorPoint",
    "Lang",
    "TrendPoint",
    "category_label",
    "category_legend",
    "format_decimal",
    "indicative_png",
    "radar_png",
    "radar_text",
    "trend_png",
    "trend_text",
]

# ----------------------------------------------------------------------------------------------------
# Inputs


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
    """One period on the trend line: `label` such as "Okt 2026"; `total` None when there is no score."""

    label: str
    total: Decimal | None
    provisional: bool


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


# ----------------------------------------------------------------------------------------------------
# Words

ASPECT_KEYS: tuple[str, ...] = (
    "capital",
    "asset_quality",
    "management",
    "efficiency",
    "liquidity",
    "growth",
    "identity",
)

_ASPECT_LABELS: dict[Lang, dict[str, str]] = {
    "id": {
        "capital": "Permodalan",
        "asset_quality": "Kualitas Aktiva",
        "management": "Manajemen",
        "efficiency": "Efisiensi",
        "liquidity": "Likuiditas",
        "growth": "Kemandirian & Pertumbuhan",
        "identity": "Jatidiri",
    },
    "en": {
        "capital": "Capital",
        "asset_quality": "Asset quality",
        "management": "Management",
        "efficiency": "Efficiency",
        "liquidity": "Liquidity",
        "growth": "Self-reliance & growth",
        "identity": "Cooperative identity",
    },
}

_INDICATOR_LABELS: dict[Lang, dict[str, str]] = {
    "id": {
        "gross_margin": "Margin kotor",
        "inventory_turnover": "Perputaran persediaan",
        "receivable_days": "Umur piutang",
        "payable_days": "Umur utang dagang",
        "current_ratio": "Rasio lancar",
        "equity_ratio": "Modal sendiri / aset",
        "net_margin": "Margin bersih",
        "member_business_share": "Usaha dengan anggota",
    },
    "en": {
        "gross_margin": "Gross margin",
        "inventory_turnover": "Inventory turnover",
        "receivable_days": "Receivable days",
        "payable_days": "Payable days",
        "current_ratio": "Current ratio",
        "equity_ratio": "Equity / assets",
        "net_margin": "Net margin",
        "member_business_share": "Business with members",
    },
}

_WORDS: dict[Lang, dict[str, str]] = {
    "id": {
        "now": "Periode ini",
        "previous": "Periode lalu",
        "official": "Skor resmi",
        "provisional": "Skor sementara",
        "no_score": "belum ada skor",
        "indicative": "Indikatif – bukan penilaian kesehatan resmi",
        "good": "Baik",
        "watch": "Perlu perhatian",
        "weak": "Lemah",
        "unknown": "Tidak ada data",
        "times_per_year": "× setahun",
        "days": "hari",
        "up": "naik",
        "down": "turun",
        "same": "tetap",
        "provisional_short": "sementara",
        "radar_note": "Persen dari bobot tiap aspek",
    },
    "en": {
        "now": "This period",
        "previous": "Previous period",
        "official": "Official score",
        "provisional": "Provisional score",
        "no_score": "no score yet",
        "indicative": "Indicative – not an official health assessment",
        "good": "Good",
        "watch": "Watch",
        "weak": "Weak",
        "unknown": "No data",
        "times_per_year": "× a year",
        "days": "days",
        "up": "up",
        "down": "down",
        "same": "unchanged",
        "provisional_short": "provisional",
        "radar_note": "Percent of each aspect's weight",
    },
}

# ----------------------------------------------------------------------------------------------------
# Look: high contrast, large type, few colours (small PNGs).

_DPI = 100
_INK = "#111111"
_MAIN = "#0b3c8c"  # dark blue: this period
_PREV = "#555555"  # dark grey, dashed: previous period
# Light tints for the score zones, one per category from the top (Sehat) down.
_ZONE_FILL = ("#cdebc5", "#fff0a8", "#ffd3b0", "#f7b4b4")
_ZONE_TEXT = ("#1b5e20", "#6d5a00", "#8a3b00", "#8e1b1b")
_BAND_FILL: dict[str, str] = {"good": "#2e7d32", "watch": "#f2b600", "weak": "#c62828", "unknown": "#bdbdbd"}
_BAND_TEXT: dict[str, str] = {"good": "white", "watch": _INK, "weak": "white", "unknown": _INK}
_BAND_LEVEL: dict[str, float] = {"good": 3.0, "watch": 2.0, "weak": 1.0, "unknown": 3.0}

_HUNDRED = Decimal(100)


# ----------------------------------------------------------------------------------------------------
# Small helpers


def _lang(lang: str) -> Lang:
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


def _cuts(categories: Sequence[Category]) -> list[Decimal]:
    """The lowest totals of all categories but the bottom one, from the top (80, 66, 51 in perdep-06-2016)."""
    if len(categories) != len(_ZONE_FILL):
        raise ValueError(f"categories: expected {len(_ZONE_FILL)} from the top; got {len(categories)}")
    cuts = [c.minimum for c in categories[:-1] if c.minimum is not None]
    if len(cuts) != len(categories) - 1 or categories[-1].minimum is not None:
        raise ValueError("categories: every category but the last needs a minimum; the last has none")
    if any(not 0 < cut <= _HUNDRED for cut in cuts) or any(low >= high for high, low in itertools.pairwise(cuts)):
        raise ValueError(f"categories: minimums {', '.join(map(str, cuts))} must fall from 100 towards 0")
    return cuts


def _number(value: Decimal, lang: Lang) -> str:
    """A cut point as a chart writes it: 80, or 72,5 (72.5 in English)."""
    return format_decimal(value, len(format(value.normalize(), "f").partition(".")[2]), lang)


def category_legend(categories: Sequence[Category], lang: str = "id") -> list[str]:
    """The trend chart's legend for the category zones, from the top: "Sehat (≥ 80)", "Cukup Sehat (66–80)", …"""
    language = _lang(lang)
    cuts = [_number(cut, language) for cut in _cuts(categories)]
    ranges = [f"≥ {cuts[0]}", *(f"{low}–{high}" for high, low in itertools.pairwise(cuts)), f"< {cuts[-1]}"]
    return [f"{category.label} ({span})" for category, span in zip(categories, ranges, strict=True)]


def _aspect_label(point: AspectPoint, lang: Lang) -> str:
    return point.label or _ASPECT_LABELS[lang][point.key]


def _percent_of_weight(point: AspectPoint) -> Decimal:
    return point.score / point.weight * _HUNDRED


def _checked_aspects(aspects: Sequence[AspectPoint], what: str) -> list[AspectPoint]:
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


def _zone(percent: Decimal, cuts: Sequence[Decimal]) -> int:
    """Index into the zone colours (0 = top zone) for a percentage, using the categories' cut points."""
    return next((index for index, cut in enumerate(cuts) if percent >= cut), len(cuts))


def _new_figure(width_px: int, height_px: int) -> Figure:
    figure = Figure(figsize=(width_px / _DPI, height_px / _DPI), dpi=_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    """Draw the figure and encode it as a palette PNG (256 colours): about a third of the RGBA size.

    The picture has a few flat colours plus anti-aliased edges, so a palette loses nothing visible; the
    encoding writes no timestamps or software chunks, so the same input gives the same bytes.
    """
    raw = io.BytesIO()
    figure.savefig(raw, format="rgba", dpi=_DPI, facecolor="white")
    width, height = figure.canvas.get_width_height()
    image = Image.frombytes("RGBA", (width, height), raw.getvalue()).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG")
    return buffer.getvalue()


def _title(figure: Figure, title: str, *, width: int = 40, y: float = 0.975) -> None:
    wrapped = "\n".join(textwrap.wrap(title, width=width)) or " "
    figure.text(0.5, y, wrapped, ha="center", va="top", fontsize=21, fontweight="bold", color=_INK)


# ----------------------------------------------------------------------------------------------------
# Radar


def radar_png(
    aspects: Sequence[AspectPoint],
    *,
    title: str,
    categories: Sequence[Category],
    lang: str = "id",
    previous: Sequence[AspectPoint] | None = None,
) -> bytes:
    """A seven-spoke radar (800×800 PNG) of each aspect as percent of its weight; `previous` dashed.

    Each percentage is coloured by the zone of the `categories` (the rules' categories, from the top) it falls in.
    """
    language = _lang(lang)
    cuts = _cuts(categories)
    current = _checked_aspects(aspects, "aspects")
    before = _checked_aspects(previous, "previous") if previous is not None else None
    words = _WORDS[language]

    figure = _new_figure(800, 800)
    _title(figure, title, width=42)
    title_lines = len(textwrap.wrap(title, width=42)) or 1
    figure.text(
        0.5,
        0.975 - 0.042 * title_lines - 0.008,
        words["radar_note"],
        ha="center",
        va="top",
        fontsize=14,
        color="#444444",
    )
    axes = figure.add_axes((0.25, 0.2, 0.5, 0.5), projection="polar")
    assert isinstance(axes, PolarAxes)
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    axes.set_ylim(0, 100)
    axes.set_facecolor("#f4f6fa")
    axes.spines["polar"].set_color("#8a8a8a")

    count = len(ASPECT_KEYS)
    angles = [2 * math.pi * i / count for i in range(count)]
    axes.set_yticks([20, 40, 60, 80, 100])
    axes.set_yticklabels([])
    axes.set_xticks(angles)
    axes.set_xticklabels([])
    axes.grid(True, color="#b5b5b5", linewidth=1.0)
    for value in (50, 100):
        axes.text(
            math.pi / count,
            value,
            f"{value}%",
            fontsize=12,
            color="#555555",
            ha="center",
            va="center",
            zorder=5,
        )

    def polygon(points: list[AspectPoint]) -> tuple[list[float], list[float]]:
        values = [float(_percent_of_weight(p)) for p in points]
        return [*angles, angles[0]], [*values, values[0]]

    xs, ys = polygon(current)
    axes.fill(xs, ys, color="#b9cdef", zorder=2, linewidth=0)
    if before is not None:
        prev_xs, prev_ys = polygon(before)
        axes.plot(prev_xs, prev_ys, color=_PREV, linewidth=2.6, linestyle=(0, (5, 3)), zorder=3)
    axes.plot(xs, ys, color=_MAIN, linewidth=3.4, zorder=4)
    axes.scatter(angles, ys[:-1], s=80, color=_MAIN, zorder=6, edgecolors="white", linewidths=1.5)

    # Aspect labels outside the circle; the percentage under each, coloured by its zone (colour only).
    for angle, point in zip(angles, current, strict=True):
        percent = _percent_of_weight(point)
        sine, cosine = math.sin(angle), math.cos(angle)
        horizontal = "center" if abs(sine) < 0.2 else ("left" if sine > 0 else "right")
        label = "\n".join(textwrap.wrap(_aspect_label(point, language), width=13))
        lines = label.count("\n") + 1
        pct = f"{format_decimal(percent, 0, language)}%"
        color = _ZONE_TEXT[_zone(percent, cuts)]
        common: dict[str, Any] = {"ha": horizontal, "fontsize": 17, "clip_on": False, "linespacing": 1.1}
        # (offset in points from the spoke's end, vertical alignment) of the label and of the percentage
        if cosine > 0.5:  # top: label above the percentage, both above the circle
            label_at, pct_at = (24, "bottom"), (0, "bottom")
        elif cosine < -0.5:  # bottom: label under the circle, percentage under the label
            label_at, pct_at = (0, "top"), (-24 * lines, "top")
        else:  # sides: label just above the spoke's end, percentage just below
            label_at, pct_at = (2, "bottom"), (-2, "top")
        for text, (offset, vertical), ink, weight in ((label, label_at, _INK, "normal"), (pct, pct_at, color, "bold")):
            axes.annotate(
                text,
                (angle, 112),
                xytext=(0, offset),
                textcoords="offset points",
                va=vertical,
                color=ink,
                fontweight=weight,
                annotation_clip=False,
                **common,
            )

    handles: list[Line2D] = [Line2D([0], [0], color=_MAIN, linewidth=3.4, marker="o", markersize=9, label=words["now"])]
    if before is not None:
        handles.append(Line2D([0], [0], color=_PREV, linewidth=2.6, linestyle=(0, (5, 3)), label=words["previous"]))
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.015),
        ncols=len(handles),
        fontsize=16,
        frameon=False,
        handlelength=2.6,
        columnspacing=2.5,
    )
    return _png(figure)


def radar_text(aspects: Sequence[AspectPoint], lang: str = "id") -> str:
    """One line per aspect for a phone: a 10-block bar, the percent of the weight (comma decimal), the label.

    The bar comes first so the bars line up even in a proportional font.
    """
    language = _lang(lang)
    lines = []
    for point in _checked_aspects(aspects, "aspects"):
        percent = _percent_of_weight(point)
        filled = int((percent / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        bar = "█" * filled + "░" * (10 - filled)
        lines.append(f"{bar} {format_decimal(percent, 1, language)}% {_aspect_label(point, language)}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# Trend


def trend_png(points: Sequence[TrendPoint], *, title: str, categories: Sequence[Category], lang: str = "id") -> bytes:
    """Totals over periods (800×800 PNG) over the category zones; hollow markers for provisional.

    `categories` are the rules' categories from the top: they give the zones, their lines and the legend.
    """
    language = _lang(lang)
    cuts = _cuts(categories)
    if not points:
        raise ValueError("points: at least one period is needed")
    for point in points:
        if point.total is not None and (not point.total.is_finite() or not 0 <= point.total <= _HUNDRED):
            raise ValueError(f"points: total {point.total} for {point.label!r} must be between 0 and 100")
    words = _WORDS[language]
    totals = [float(p.total) if p.total is not None else math.nan for p in points]
    known = [t for t in totals if not math.isnan(t)]
    # Some room below the lowest cut point and the lowest total, on a multiple of 10 (40 for 51).
    bottom = max(0, math.floor((min([float(cuts[-1]), *known]) - 6) / 10) * 10)

    figure = _new_figure(800, 800)
    _title(figure, title, width=42)
    title_lines = len(textwrap.wrap(title, width=42)) or 1
    top = 0.975 - 0.042 * title_lines - 0.05
    axes: Axes = figure.add_axes((0.1, 0.32, 0.86, top - 0.32))
    count = len(points)
    xs = list(range(count))
    axes.set_xlim(-0.6, count - 0.4)
    axes.set_ylim(bottom, 100)

    bounds = [_HUNDRED, *cuts, Decimal(bottom)]
    for index, (high, low) in enumerate(itertools.pairwise(bounds)):
        if high > low:
            axes.axhspan(float(low), float(high), color=_ZONE_FILL[index], linewidth=0, zorder=0)
    for cut in cuts:
        axes.axhline(float(cut), color="white", linewidth=2, zorder=1)
    ticks = sorted(set(bounds))
    axes.set_yticks([float(t) for t in ticks], [_number(t, language) for t in ticks])

    axes.plot(xs, totals, color=_MAIN, linewidth=3.2, zorder=3)
    many = count > 8
    crowded = count > 12
    for x, point, total in zip(xs, points, totals, strict=True):
        if point.total is None:
            axes.text(x, bottom + 1.5, "–", ha="center", va="bottom", fontsize=26, color="#555555", zorder=4)
            continue
        axes.plot(
            [x],
            [total],
            marker="o",
            markersize=10 if crowded else (12 if many else 14),
            color=_MAIN,
            markeredgewidth=2.8,
            markerfacecolor="white" if point.provisional else _MAIN,
            zorder=4,
            linestyle="none",
        )
        axes.annotate(
            format_decimal(point.total, 2, language),
            (x, total),
            xytext=(0, 12),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=11 if crowded else (14 if many else 16),
            fontweight="bold",
            color=_INK,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )

    axes.set_xticks(xs)
    rotate = count > 5
    axes.set_xticklabels(
        [p.label for p in points],
        fontsize=12 if many else 15,
        color=_INK,
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor" if rotate else "default",
    )
    axes.tick_params(axis="y", labelsize=14, colors=_INK)
    axes.tick_params(axis="x", length=0, pad=8)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)

    marks: list[Artist] = [
        Line2D([0], [0], color=_MAIN, marker="o", markersize=13, linestyle="none", label=words["official"]),
        Line2D(
            [0],
            [0],
            color=_MAIN,
            marker="o",
            markersize=13,
            markerfacecolor="white",
            markeredgewidth=2.8,
            linestyle="none",
            label=words["provisional"],
        ),
    ]
    zones: list[Artist] = [
        Patch(facecolor=fill, edgecolor="#9a9a9a", label=label)
        for fill, label in zip(_ZONE_FILL, category_legend(categories, language), strict=True)
    ]
    # The legend fills column by column: official + zones 1 and 3 left, provisional + zones 2 and 4 right.
    handles = [marks[0], *zones[0::2], marks[1], *zones[1::2]]
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncols=2,
        fontsize=14,
        frameon=False,
        columnspacing=1.2,
        handlelength=1.6,
    )
    return _png(figure)


def trend_text(points: Sequence[TrendPoint], lang: str = "id", *, categories: Sequence[Category]) -> str:
    """One line per period: "Okt 2026: 72,40 Cukup Sehat (sementara), naik 3,30" (labels from `categories`)."""
    language = _lang(lang)
    words = _WORDS[language]
    lines = []
    last: Decimal | None = None
    for point in points:
        if point.total is None:
            lines.append(f"{point.label}: {words['no_score']}")
            continue
        line = f"{point.label}: {format_decimal(point.total, 2, language)} {category_label(point.total, categories)}"
        if point.provisional:
            line += f" ({words['provisional_short']})"
        if last is not None:
            change = point.total.quantize(Decimal("0.01"), ROUND_HALF_UP) - last.quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            if change > 0:
                line += f", {words['up']} {format_decimal(change, 2, language)}"
            elif change < 0:
                line += f", {words['down']} {format_decimal(-change, 2, language)}"
            else:
                line += f", {words['same']}"
        lines.append(line)
        last = point.total
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# Indicative (non-KSP)


def _indicator_value(point: IndicatorPoint, lang: Lang) -> str:
    if point.value is None:
        return _WORDS[lang]["unknown"]
    number = format_decimal(point.value, 2, lang)
    if point.unit == "percent":
        return f"{number}%"
    if point.unit in ("times_per_year", "days"):
        return f"{number} {_WORDS[lang][point.unit]}".replace(" ×", "×")
    return f"{number} {point.unit}".rstrip()


def indicative_png(indicators: Sequence[IndicatorPoint], *, title: str, lang: str = "id") -> bytes:
    """Horizontal bars, one per indicator, coloured by band (800×800 PNG), marked as indicative only.

    The indicators have different units, so a bar's length shows its band (longer is better), and the value
    itself is written on the bar.
    """
    language = _lang(lang)
    if not indicators:
        raise ValueError("indicators: at least one indicator is needed")
    words = _WORDS[language]
    count = len(indicators)

    figure = _new_figure(800, 800)
    _title(figure, title, width=40)
    title_lines = len(textwrap.wrap(title, width=40)) or 1
    subtitle_y = 0.975 - 0.04 * title_lines - 0.012
    figure.text(
        0.5,
        subtitle_y,
        words["indicative"],
        ha="center",
        va="top",
        fontsize=15,
        color="#8e1b1b",
        fontstyle="italic",
    )
    top = subtitle_y - 0.06
    axes: Axes = figure.add_axes((0.36, 0.12, 0.6, top - 0.12))
    axes.set_xlim(0, 3)
    axes.set_ylim(count - 0.5, -0.5)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xticks([])
    axes.set_yticks(range(count))
    axes.set_yticklabels(
        [
            "\n".join(textwrap.wrap(p.label or _INDICATOR_LABELS[language].get(p.key, p.key), width=16))
            for p in indicators
        ],
        fontsize=16 if count <= 10 else 12,
        color=_INK,
        linespacing=1.05,
    )
    axes.tick_params(axis="y", length=0, pad=10)
    for x in (1, 2):
        axes.axvline(x, color="#d0d0d0", linewidth=1, zorder=0)

    for row, point in enumerate(indicators):
        band = point.band if point.value is not None and point.band is not None else "unknown"
        level = _BAND_LEVEL[band]
        axes.barh(
            row,
            level,
            height=0.7,
            color=_BAND_FILL[band],
            zorder=2,
            hatch="//" if band == "unknown" else None,
            edgecolor="#8a8a8a" if band == "unknown" else "none",
            linewidth=0,
        )
        axes.text(
            0.08,
            row,
            _indicator_value(point, language),
            ha="left",
            va="center",
            fontsize=16 if count <= 10 else 12,
            fontweight="bold",
            color=_BAND_TEXT[band],
            zorder=3,
        )

    legend = [Patch(facecolor=_BAND_FILL[b], label=words[b]) for b in ("good", "watch", "weak")]
    figure.legend(
        handles=legend,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.015),
        ncols=3,
        fontsize=15,
        frameon=False,
        handlelength=1.4,
    )
    return _png(figure)
