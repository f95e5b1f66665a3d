"""Geometry of the server-drawn SVG charts (the templates draw them): the category trend and a score's line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.health import keys
from bot.services.office import CategoryCount
from bot.services.office_record import ScoreLine

WIDTH, HEIGHT = 720, 260
PLOT_TOP, PLOT_BOTTOM, PLOT_LEFT, PLOT_RIGHT = 10, 220, 40, 710
SERIES = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus", "indicative_only", "not_assessed")


@dataclass(frozen=True)
class Bar:
    """One rectangle: x, y, width, height, its series (the CSS class) and the count it stands for."""

    x: float
    y: float
    width: float
    height: float
    series: str
    count: int


@dataclass(frozen=True)
class Label:
    """A text at x, y."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    """What a template needs to draw one chart."""

    width: int
    height: int
    bars: tuple[Bar, ...] = ()
    points: str = ""  # polyline points of a line chart
    dots: tuple[Label, ...] = ()  # a marker with its value
    labels: tuple[Label, ...] = ()  # the x axis
    ticks: tuple[Label, ...] = ()  # the y axis
    empty: bool = False


def trend_bars(trend: Sequence[CategoryCount], categories: Sequence[str]) -> Chart:
    """Stacked bars, one per period: the categories, indicative only, not assessed (all cooperatives in scope)."""
    top = max((c.total for c in trend), default=0) or 1
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(trend))
    scale = (PLOT_BOTTOM - PLOT_TOP) / top
    bars, labels = [], []
    for index, count in enumerate(trend):
        values = [count.both(c) for c in categories] + [count.indicative_only, count.not_assessed]
        y = float(PLOT_BOTTOM)
        x = PLOT_LEFT + index * slot + slot * 0.15
        for series, value in zip(SERIES, values, strict=True):
            if value:
                height = value * scale
                y -= height
                bars.append(Bar(round(x, 1), round(y, 1), round(slot * 0.7, 1), round(height, 1), series, value))
        labels.append(
            Label(
                round(x + slot * 0.35, 1), PLOT_BOTTOM + 18, f"{count.period.month:02d}/{count.period.year % 100:02d}"
            )
        )
    ticks = tuple(Label(PLOT_LEFT - 6, round(PLOT_BOTTOM - v * scale + 4, 1), str(v)) for v in (0, top // 2, top))
    return Chart(
        WIDTH, HEIGHT, tuple(bars), labels=tuple(labels), ticks=ticks, empty=not any(c.assessed for c in trend)
    )


def score_line(scores: Sequence[ScoreLine]) -> Chart:
    """The official framework's total per period, 0 to 100."""
    points = [s for s in scores if s.framework == keys.PERDEP and s.total is not None]
    if not points:
        return Chart(WIDTH, HEIGHT, empty=True)
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(points))
    scale = Decimal(PLOT_BOTTOM - PLOT_TOP) / 100
    coordinates = []
    dots, labels = [], []
    for index, score in enumerate(points):
        assert score.total is not None
        x = round(PLOT_LEFT + index * slot + slot / 2, 1)
        y = round(float(PLOT_BOTTOM - min(max(score.total, Decimal(0)), Decimal(100)) * scale), 1)
        coordinates.append(f"{x},{y}")
        dots.append(Label(x, y, str(score.total)))
        labels.append(Label(x, PLOT_BOTTOM + 18, f"{score.period.month:02d}/{score.period.year % 100:02d}"))
    ticks = tuple(
        Label(PLOT_LEFT - 6, round(PLOT_BOTTOM - v * float(scale) + 4, 1), str(v)) for v in (0, 51, 66, 80, 100)
    )
    return Chart(WIDTH, HEIGHT, points=" ".join(coordinates), dots=tuple(dots), labels=tuple(labels), ticks=ticks)
