"""Time chart rendering: `python bench/charts_bench.py [N]` renders N radars (default 100), ms per chart."""

from __future__ import annotations

import statistics
import sys
import time
from decimal import Decimal

from bot.charts import AspectPoint, IndicatorPoint, TrendPoint, indicative_png, radar_png, trend_png
from bot.domain.health.rules import default_rules

NOW = ["14.40", "17.25", "12.60", "7.50", "9.00", "4.65", "7.00"]
BEFORE = ["13.50", "15.00", "12.00", "7.50", "11.25", "3.90", "6.00"]
TITLE = "KSP Maju Bersama – Oktober 2026: 72,40 (Cukup Sehat)"
RULES = default_rules()  # the aspects and their weights, and the categories, as scored
CATEGORIES = RULES.categories


def points(scores: list[str]) -> list[AspectPoint]:
    return [
        AspectPoint(aspect.key, "", Decimal(score), Decimal(aspect.weight))
        for aspect, score in zip(RULES.aspects, scores, strict=True)
    ]


def main(count: int = 100) -> None:
    now, before = points(NOW), points(BEFORE)
    radar_png(now, title=TITLE, previous=before, categories=CATEGORIES)  # warm-up: font cache, imports
    timings = []
    size = 0
    for _ in range(count):
        start = time.perf_counter()
        size = len(radar_png(now, title=TITLE, previous=before, categories=CATEGORIES))
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"radar_png x{count}: mean {statistics.fmean(timings):.1f} ms, "
        f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms per chart; "
        f"{size / 1000:.1f} kB"
    )

    trend = [TrendPoint(f"Bln {i + 1}", Decimal(60 + i), i > 0) for i in range(12)]
    start = time.perf_counter()
    trend_size = len(trend_png(trend, title="KSP Maju Bersama – skor bulanan", categories=CATEGORIES))
    print(f"trend_png (12 points): {(time.perf_counter() - start) * 1000:.1f} ms; {trend_size / 1000:.1f} kB")
    indicators = [
        IndicatorPoint("gross_margin", "", Decimal("11.67"), "percent", "good"),
        IndicatorPoint("receivable_days", "", Decimal("45"), "days", "watch"),
        IndicatorPoint("net_margin", "", Decimal("0.5"), "percent", "weak"),
        IndicatorPoint("member_business_share", "", None, "percent", None),
    ]
    start = time.perf_counter()
    indicative_size = len(indicative_png(indicators, title="Koperasi Konsumen Sejahtera – Juni 2026"))
    print(f"indicative_png (4 rows): {(time.perf_counter() - start) * 1000:.1f} ms; {indicative_size / 1000:.1f} kB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
