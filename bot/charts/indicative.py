"""The indicative indicators of a non-KSP cooperative, each drawn against its target (PNG)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from bot.charts.common import (
    BAND_FILL,
    INK,
    IndicatorPoint,
    Lang,
    checked_lang,
    cut_text,
    draw_title,
    new_figure,
    png,
)
from bot.charts.words import indicator_label, word
from bot.domain.numbers import format_decimal

TARGET_FILL = "#cdebc5"  # the good band, as the radar's top zone
TRACK_FILL = "#eeeeee"
MISSING_TEXT = "#6b6b6b"
TWO = Decimal(2)
FOUR = Decimal(4)


@dataclass(frozen=True)
class Row:
    """Where one indicator's bar ends and its target zone lies, as fractions of the row's width (0..1)."""

    bar_end: float  # 0 when there is no value (nothing drawn) or the value is zero or negative
    clipped: bool  # the value runs past the row's end
    zone: tuple[float, float] | None  # the good band; None when the indicator has no target


def _fraction(value: Decimal, scale: Decimal) -> float:
    return float(min(max(value / scale, Decimal(0)), Decimal(1)))


def row_of(point: IndicatorPoint) -> Row:
    """One row's geometry: each row has its own scale, twice its target's edge, so the target sits mid-row."""
    edges = [e for e in (point.target_low, point.target_high) if e is not None and e > 0]
    value = point.value
    if edges:
        edge = max(edges)
        scale = max(edge * TWO, min(value or Decimal(0), edge * FOUR) * Decimal("1.1"))
    else:
        scale = max(abs(value or Decimal(0)) * Decimal("1.25"), Decimal(1))
    zone = None
    if point.target_low is not None or point.target_high is not None:
        low = Decimal(0) if point.target_low is None else point.target_low
        zone = (_fraction(low, scale), 1.0 if point.target_high is None else _fraction(point.target_high, scale))
    if value is None:
        return Row(0.0, False, zone)
    return Row(_fraction(value, scale), value > scale, zone)


def _number(value: Decimal, unit: str, lang: Lang, exact: bool = False) -> str:
    number = cut_text(value, lang) if exact else format_decimal(value, 2, lang)
    if unit == "percent":
        return f"{number}%"
    if unit in ("times_per_year", "days"):
        return f"{number} {word(unit, lang)}".replace(" ×", "×")
    return f"{number} {unit}".rstrip()


def value_text(point: IndicatorPoint, lang: Lang) -> str:
    """'70,00%', '2,10× setahun', '45,00 hari' ('tidak ada data' without a value)."""
    return word("no_data", lang) if point.value is None else _number(point.value, point.unit, lang)


def target_text(point: IndicatorPoint, lang: Lang) -> str | None:
    """'Target ≥ 75%', 'Target ≤ 30 hari' (None without a target)."""
    parts = []
    if point.target_low is not None:
        parts.append(f"≥ {_number(point.target_low, point.unit, lang, exact=True)}")
    if point.target_high is not None:
        parts.append(f"≤ {_number(point.target_high, point.unit, lang, exact=True)}")
    return f"{word('target', lang)} {', '.join(parts)}" if parts else None


def _draw_row(axes: Axes, row: int, point: IndicatorPoint, lang: Lang, size: int) -> None:
    """The track, the target zone and its edge, the bar; under it the value (left) and the target (right)."""
    geometry = row_of(point)
    missing = point.value is None or point.band is None
    axes.add_patch(Rectangle((0, row - 0.34), 1, 0.4, facecolor=TRACK_FILL, edgecolor="none", zorder=1))
    if geometry.zone is not None and not missing:
        start, end = geometry.zone
        axes.add_patch(Rectangle((start, row - 0.34), end - start, 0.4, facecolor=TARGET_FILL, zorder=1.5))
        for x in {start, end} - {0.0, 1.0}:
            axes.plot([x, x], [row - 0.38, row + 0.1], color=INK, linewidth=2.5, zorder=4)
    target = target_text(point, lang)
    if target is not None:
        axes.text(1, row + 0.27, target, ha="right", va="center", fontsize=size - 2, color=INK, zorder=3)
    if missing:  # nothing to draw: no bar, only the words
        axes.text(
            0.02,
            row - 0.14,
            word("no_data", lang),
            ha="left",
            va="center",
            fontsize=size,
            fontstyle="italic",
            color=MISSING_TEXT,
            zorder=3,
        )
        return
    assert point.value is not None and point.band is not None
    if geometry.bar_end > 0:
        axes.barh(row - 0.14, geometry.bar_end, height=0.26, color=BAND_FILL[point.band], zorder=2)
    text = value_text(point, lang) + (" »" if geometry.clipped else "")
    axes.text(0, row + 0.27, text, ha="left", va="center", fontsize=size, fontweight="bold", color=INK, zorder=5)


def indicative_heading(figure: Figure, title: str, lang: Lang, *, width: int, gap: float, fontsize: int) -> float:
    """The picture's title and, under it, the red "indicative only" line; returns that line's top (figure fraction)."""
    draw_title(figure, title, width=width)
    title_lines = len(textwrap.wrap(title, width=width)) or 1
    subtitle_y = 0.975 - 0.04 * title_lines - gap
    figure.text(
        0.5,
        subtitle_y,
        word("indicative", lang),
        ha="center",
        va="top",
        fontsize=fontsize,
        color="#8e1b1b",
        fontstyle="italic",
    )
    return subtitle_y


def indicative_legend(figure: Figure, lang: Lang, *, y: float, fontsize: int) -> None:
    """The bands' colours and the target zone, in one row at the bottom of the picture."""
    legend = [Patch(facecolor=BAND_FILL[b], label=word(b, lang)) for b in ("good", "watch", "weak")]
    legend.append(Patch(facecolor=TARGET_FILL, edgecolor=INK, label=word("target", lang)))
    figure.legend(
        handles=legend,
        loc="lower center",
        bbox_to_anchor=(0.5, y),
        ncols=4,
        fontsize=fontsize,
        frameon=False,
        handlelength=1.4,
    )


def indicative_png(indicators: Sequence[IndicatorPoint], *, title: str, lang: str = "id") -> bytes:
    """One row per indicator (800×800 PNG), marked as indicative only: a bar for the value coloured by band,
    over a green zone for the target; an indicator without data gets no bar, only the words "tidak ada data".

    The indicators have different units, so each row has its own scale (twice its target's edge).
    """
    language = checked_lang(lang)
    if not indicators:
        raise ValueError("indicators: at least one indicator is needed")
    count = len(indicators)

    figure = new_figure(800, 800)
    subtitle_y = indicative_heading(figure, title, language, width=40, gap=0.012, fontsize=15)
    top = subtitle_y - 0.06
    axes: Axes = figure.add_axes((0.33, 0.12, 0.63, top - 0.12))
    axes.set_xlim(0, 1)
    axes.set_ylim(count - 0.45, -0.55)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xticks([])
    size = 15 if count <= 10 else 11
    axes.set_yticks([r - 0.08 for r in range(count)])
    axes.set_yticklabels(
        ["\n".join(textwrap.wrap(p.label or indicator_label(p.key, language), width=16)) for p in indicators],
        fontsize=size,
        color=INK,
        linespacing=1.05,
    )
    axes.tick_params(axis="y", length=0, pad=10)
    for row, point in enumerate(indicators):
        _draw_row(axes, row, point, language, size)

    indicative_legend(figure, language, y=0.015, fontsize=15)
    return png(figure)
