"""The indicative indicators of a non-KSP cooperative as bars coloured by band (PNG)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from bot.charts.common import (
    BAND_FILL,
    BAND_LEVEL,
    BAND_TEXT,
    INK,
    IndicatorPoint,
    Lang,
    checked_lang,
    draw_title,
    new_figure,
    png,
)
from bot.charts.words import indicator_label, word
from bot.domain.numbers import format_decimal


def _indicator_value(point: IndicatorPoint, lang: Lang) -> str:
    if point.value is None:
        return word("unknown", lang)
    number = format_decimal(point.value, 2, lang)
    if point.unit == "percent":
        return f"{number}%"
    if point.unit in ("times_per_year", "days"):
        return f"{number} {word(point.unit, lang)}".replace(" ×", "×")
    return f"{number} {point.unit}".rstrip()


def indicative_png(indicators: Sequence[IndicatorPoint], *, title: str, lang: str = "id") -> bytes:
    """Horizontal bars, one per indicator, coloured by band (800×800 PNG), marked as indicative only.

    The indicators have different units, so a bar's length shows its band (longer is better), and the value
    itself is written on the bar.
    """
    language = checked_lang(lang)
    if not indicators:
        raise ValueError("indicators: at least one indicator is needed")
    count = len(indicators)

    figure = new_figure(800, 800)
    draw_title(figure, title, width=40)
    title_lines = len(textwrap.wrap(title, width=40)) or 1
    subtitle_y = 0.975 - 0.04 * title_lines - 0.012
    figure.text(
        0.5,
        subtitle_y,
        word("indicative", language),
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
        ["\n".join(textwrap.wrap(p.label or indicator_label(p.key, language), width=16)) for p in indicators],
        fontsize=16 if count <= 10 else 12,
        color=INK,
        linespacing=1.05,
    )
    axes.tick_params(axis="y", length=0, pad=10)
    for x in (1, 2):
        axes.axvline(x, color="#d0d0d0", linewidth=1, zorder=0)

    for row, point in enumerate(indicators):
        band = point.band if point.value is not None and point.band is not None else "unknown"
        level = BAND_LEVEL[band]
        axes.barh(
            row,
            level,
            height=0.7,
            color=BAND_FILL[band],
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
            color=BAND_TEXT[band],
            zorder=3,
        )

    legend = [Patch(facecolor=BAND_FILL[b], label=word(b, language)) for b in ("good", "watch", "weak")]
    figure.legend(
        handles=legend,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.015),
        ncols=3,
        fontsize=15,
        frameon=False,
        handlelength=1.4,
    )
    return png(figure)
