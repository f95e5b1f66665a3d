"""The radar of the seven aspects (PNG) and its text fallback."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.projections.polar import PolarAxes

from bot.charts.common import (
    ASPECT_KEYS,
    INK,
    MAIN,
    PREV,
    ZONE_TEXT,
    AspectPoint,
    aspect_label,
    checked_aspects,
    checked_lang,
    cuts_of,
    draw_title,
    new_figure,
    percent_of_weight,
    png,
    zone_of,
)
from bot.charts.words import word
from bot.domain.health.rules import Category
from bot.domain.numbers import format_decimal


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
    language = checked_lang(lang)
    cuts = cuts_of(categories)
    current = checked_aspects(aspects, "aspects")
    before = checked_aspects(previous, "previous") if previous is not None else None

    figure = new_figure(800, 800)
    draw_title(figure, title, width=42)
    title_lines = len(textwrap.wrap(title, width=42)) or 1
    figure.text(
        0.5,
        0.975 - 0.042 * title_lines - 0.008,
        word("radar_note", language),
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
        values = [float(percent_of_weight(p)) for p in points]
        return [*angles, angles[0]], [*values, values[0]]

    xs, ys = polygon(current)
    axes.fill(xs, ys, color="#b9cdef", zorder=2, linewidth=0)
    if before is not None:
        prev_xs, prev_ys = polygon(before)
        axes.plot(prev_xs, prev_ys, color=PREV, linewidth=2.6, linestyle=(0, (5, 3)), zorder=3)
    axes.plot(xs, ys, color=MAIN, linewidth=3.4, zorder=4)
    axes.scatter(angles, ys[:-1], s=80, color=MAIN, zorder=6, edgecolors="white", linewidths=1.5)

    # Aspect labels outside the circle; the percentage under each, coloured by its zone (colour only).
    for angle, point in zip(angles, current, strict=True):
        percent = percent_of_weight(point)
        sine, cosine = math.sin(angle), math.cos(angle)
        horizontal = "center" if abs(sine) < 0.2 else ("left" if sine > 0 else "right")
        label = "\n".join(textwrap.wrap(aspect_label(point, language), width=13))
        lines = label.count("\n") + 1
        pct = f"{format_decimal(percent, 0, language)}%"
        color = ZONE_TEXT[zone_of(percent, cuts)]
        common: dict[str, Any] = {"ha": horizontal, "fontsize": 17, "clip_on": False, "linespacing": 1.1}
        # (offset in points from the spoke's end, vertical alignment) of the label and of the percentage
        if cosine > 0.5:  # top: label above the percentage, both above the circle
            label_at, pct_at = (24, "bottom"), (0, "bottom")
        elif cosine < -0.5:  # bottom: label under the circle, percentage under the label
            label_at, pct_at = (0, "top"), (-24 * lines, "top")
        else:  # sides: label just above the spoke's end, percentage just below
            label_at, pct_at = (2, "bottom"), (-2, "top")
        for text, (offset, vertical), ink, weight in ((label, label_at, INK, "normal"), (pct, pct_at, color, "bold")):
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

    handles: list[Line2D] = [
        Line2D([0], [0], color=MAIN, linewidth=3.4, marker="o", markersize=9, label=word("now", language))
    ]
    if before is not None:
        handles.append(
            Line2D([0], [0], color=PREV, linewidth=2.6, linestyle=(0, (5, 3)), label=word("previous", language))
        )
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
    return png(figure)


def radar_text(aspects: Sequence[AspectPoint], lang: str = "id") -> str:
    """One line per aspect for a phone: a 10-block bar, the percent of the weight (comma decimal), the label.

    The bar comes first so the bars line up even in a proportional font.
    """
    language = checked_lang(lang)
    lines = []
    for point in checked_aspects(aspects, "aspects"):
        percent = percent_of_weight(point)
        filled = int((percent / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        bar = "█" * filled + "░" * (10 - filled)
        lines.append(f"{bar} {format_decimal(percent, 1, language)}% {aspect_label(point, language)}")
    return "\n".join(lines)
