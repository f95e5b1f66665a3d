"""The trend of totals over periods across the category zones (PNG) and its text fallback."""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.charts.common import (
    HUNDRED,
    INK,
    MAIN,
    ZONE_FILL,
    TrendPoint,
    category_label,
    category_legend,
    checked_lang,
    cut_text,
    cuts_of,
    draw_title,
    new_figure,
    png,
)
from bot.charts.words import word
from bot.domain.health.rules import Category
from bot.domain.numbers import format_decimal


def trend_png(points: Sequence[TrendPoint], *, title: str, categories: Sequence[Category], lang: str = "id") -> bytes:
    """Totals over periods (800×800 PNG) over the category zones; hollow markers for provisional, diamonds for
    official (a book year's verified year-end score).

    `categories` are the rules' categories from the top: they give the zones, their lines and the legend.
    """
    language = checked_lang(lang)
    cuts = cuts_of(categories)
    if not points:
        raise ValueError("points: at least one period is needed")
    for point in points:
        if point.total is not None and (not point.total.is_finite() or not 0 <= point.total <= HUNDRED):
            raise ValueError(f"points: total {point.total} for {point.label!r} must be between 0 and 100")
    totals = [float(p.total) if p.total is not None else math.nan for p in points]
    known = [t for t in totals if not math.isnan(t)]
    # Some room below the lowest cut point and the lowest total, on a multiple of 10 (40 for 51).
    bottom = max(0, math.floor((min([float(cuts[-1]), *known]) - 6) / 10) * 10)

    figure = new_figure(800, 800)
    draw_title(figure, title, width=42)
    title_lines = len(textwrap.wrap(title, width=42)) or 1
    top = 0.975 - 0.042 * title_lines - 0.05
    axes: Axes = figure.add_axes((0.1, 0.32, 0.86, top - 0.32))
    count = len(points)
    xs = list(range(count))
    axes.set_xlim(-0.6, count - 0.4)
    axes.set_ylim(bottom, 100)

    bounds = [HUNDRED, *cuts, Decimal(bottom)]
    for index, (high, low) in enumerate(itertools.pairwise(bounds)):
        if high > low:
            axes.axhspan(float(low), float(high), color=ZONE_FILL[index], linewidth=0, zorder=0)
    for cut in cuts:
        axes.axhline(float(cut), color="white", linewidth=2, zorder=1)
    ticks = sorted(set(bounds))
    axes.set_yticks([float(t) for t in ticks], [cut_text(t, language) for t in ticks])

    axes.plot(xs, totals, color=MAIN, linewidth=3.2, zorder=3)
    many = count > 8
    crowded = count > 12
    for x, point, total in zip(xs, points, totals, strict=True):
        if point.total is None:
            axes.text(x, bottom + 1.5, "–", ha="center", va="bottom", fontsize=26, color="#555555", zorder=4)
            continue
        axes.plot(
            [x],
            [total],
            marker="D" if point.official else "o",
            markersize=10 if crowded else (12 if many else 14),
            color=MAIN,
            markeredgewidth=2.8,
            markerfacecolor="white" if point.provisional else MAIN,
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
            color=INK,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )

    axes.set_xticks(xs)
    rotate = count > 5
    axes.set_xticklabels(
        [p.label for p in points],
        fontsize=12 if many else 15,
        color=INK,
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor" if rotate else "default",
    )
    axes.tick_params(axis="y", labelsize=14, colors=INK)
    axes.tick_params(axis="x", length=0, pad=8)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)

    marks: list[Artist] = [
        Line2D([0], [0], color=MAIN, marker="o", markersize=13, linestyle="none", label=word("verified", language)),
        Line2D(
            [0],
            [0],
            color=MAIN,
            marker="o",
            markersize=13,
            markerfacecolor="white",
            markeredgewidth=2.8,
            linestyle="none",
            label=word("provisional", language),
        ),
    ]
    zones: list[Artist] = [
        Patch(facecolor=fill, edgecolor="#9a9a9a", label=label)
        for fill, label in zip(ZONE_FILL, category_legend(categories, language), strict=True)
    ]
    official = Line2D(
        [0], [0], color=MAIN, marker="D", markersize=12, linestyle="none", label=word("official", language)
    )
    # The legend fills column by column: verified, official + zones 1 and 3 left; provisional + zones 2 and 4 right.
    handles = [marks[0], official, *zones[0::2], marks[1], *zones[1::2]]
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
    return png(figure)


def trend_text(points: Sequence[TrendPoint], lang: str = "id", *, categories: Sequence[Category]) -> str:
    """One line per period: "Okt 2026: 72,40 Cukup Sehat (sementara), naik 3,30" (labels from `categories`)."""
    language = checked_lang(lang)
    lines = []
    last: Decimal | None = None
    for point in points:
        if point.total is None:
            lines.append(f"{point.label}: {word('no_score', language)}")
            continue
        line = f"{point.label}: {format_decimal(point.total, 2, language)} {category_label(point.total, categories)}"
        standing = "official" if point.official else "provisional" if point.provisional else "verified"
        line += f" ({word(f'{standing}_short', language)})"
        if last is not None:
            change = point.total.quantize(Decimal("0.01"), ROUND_HALF_UP) - last.quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            if change > 0:
                line += f", {word('up', language)} {format_decimal(change, 2, language)}"
            elif change < 0:
                line += f", {word('down', language)} {format_decimal(-change, 2, language)}"
            else:
                line += f", {word('same', language)}"
        lines.append(line)
        last = point.total
    return "\n".join(lines)
