"""The indicative indicators of a non-KSP cooperative over periods, each against its target (PNG), and the text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes

from bot.charts.common import BAND_FILL, INK, MAIN, IndicatorPoint, Lang, checked_lang, new_figure, png
from bot.charts.indicative import TARGET_FILL, indicative_heading, indicative_legend, target_text, value_text
from bot.charts.words import indicator_label, word

MISSING = "#9a9a9a"


@dataclass(frozen=True)
class IndicatorSeries:
    """One indicator over the periods: one point per period (value None: no data that period), oldest first."""

    key: str
    label: str
    points: tuple[IndicatorPoint, ...]


def _limits(series: IndicatorSeries) -> tuple[float, float]:
    """The panel's value range: zero, the target's edges and every value, with a little room."""
    first = series.points[0]
    values = [float(p.value) for p in series.points if p.value is not None]
    edges = [float(e) for e in (first.target_low, first.target_high) if e is not None]
    low, high = min([0.0, *values, *edges]), max([0.0, *values, *edges])
    room = (high - low) * 0.15 or 1.0
    return low - (room if low < 0 else 0), high + room


def _panel(axes: Axes, series: IndicatorSeries, periods: Sequence[str], lang: Lang, bottom: bool) -> None:
    first = series.points[0]
    low, high = _limits(series)
    axes.set_ylim(low, high)
    axes.set_xlim(-0.5, len(periods) - 0.5)
    if first.target_low is not None or first.target_high is not None:
        zone_low = low if first.target_low is None else float(first.target_low)
        zone_high = high if first.target_high is None else float(first.target_high)
        axes.axhspan(zone_low, zone_high, color=TARGET_FILL, linewidth=0, zorder=0)
    xs = range(len(series.points))
    ys = [math.nan if p.value is None else float(p.value) for p in series.points]
    axes.plot(list(xs), ys, color=MAIN, linewidth=2.2, zorder=2)
    for x, point, y in zip(xs, series.points, ys, strict=True):
        if point.value is None or point.band is None:  # no data that period: a grey dash on the axis, no point
            axes.text(x, low, "–", ha="center", va="bottom", fontsize=18, color=MISSING, zorder=3)
            continue
        axes.plot([x], [y], marker="o", markersize=8, color=BAND_FILL[point.band], markeredgecolor=INK, zorder=3)
    last = next((p for p in reversed(series.points) if p.value is not None), None)
    name = series.label or indicator_label(series.key, lang)
    axes.annotate(
        name,
        (0, 1),
        xycoords="axes fraction",
        xytext=(0, 19),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=12,
        fontweight="bold",
        color=INK,
    )
    below = [value_text(last, lang)] if last is not None else []
    target = target_text(first, lang)
    below += [target] if target is not None else []
    axes.annotate(
        " · ".join(below),
        (0, 1),
        xycoords="axes fraction",
        xytext=(0, 4),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=11,
        color=INK,
    )
    axes.set_xticks(list(xs))
    axes.set_xticklabels(periods if bottom else [], fontsize=10, rotation=35, ha="right", rotation_mode="anchor")
    axes.tick_params(axis="y", labelsize=9, colors=INK)
    axes.tick_params(axis="x", length=0)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)


def indicative_trend_png(
    series: Sequence[IndicatorSeries], periods: Sequence[str], *, title: str, lang: str = "id"
) -> bytes:
    """One small panel per indicator (800×800 PNG): its values over `periods` (labels, oldest first) as points
    coloured by band on a line, over a green zone for the target. Marked as indicative only."""
    language = checked_lang(lang)
    if not series or not periods:
        raise ValueError("series: at least one indicator and one period are needed")
    if any(len(s.points) != len(periods) for s in series):
        raise ValueError("series: one point per period is needed")
    figure = new_figure(800, 800)
    subtitle_y = indicative_heading(figure, title, language, width=42, gap=0.01, fontsize=14)
    rows = math.ceil(len(series) / 2)
    top, bottom_edge = subtitle_y - 0.07, 0.16
    height = (top - bottom_edge) / rows
    for index, item in enumerate(series):
        row, column = divmod(index, 2)
        box = (0.08 + column * 0.48, top - (row + 1) * height + 0.04, 0.4, height - 0.11)
        last_in_column = index + 2 >= len(series)
        _panel(figure.add_axes(box), item, periods, language, last_in_column)
    indicative_legend(figure, language, y=0.005, fontsize=14)
    return png(figure)


def indicative_trend_text(series: Sequence[IndicatorSeries], lang: str = "id") -> str:
    """One line per indicator, its first known value to its latest: "Margin bersih: 1,20% → 2,50% (Target ≥ 3%)"."""
    language = checked_lang(lang)
    lines = []
    for item in series:
        known = [p for p in item.points if p.value is not None]
        if not known:
            values = word("no_data", language)
        elif len(known) == 1:
            values = value_text(known[0], language)
        else:
            values = f"{value_text(known[0], language)} → {value_text(known[-1], language)}"
        target = target_text(item.points[0], language)
        name = item.label or indicator_label(item.key, language)
        lines.append(f"{name}: {values}" + (f" ({target})" if target else ""))
    return "\n".join(lines)
