"""Indicative pictures: each indicator against its target, "tidak ada data" without a bar, the trend in `riwayat`."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image

from bot.charts import IndicatorPoint, IndicatorSeries, indicative_png, indicative_trend_png, indicative_trend_text
from bot.charts.common import BAND_FILL
from bot.charts.indicative import row_of, target_text
from bot.charts.specs import drawn, render
from storage.db import Database
from tests.charts.test_specs import pictures, through_the_outbox
from tests.handlers.chat import Clock, complete_report, dispatcher, registered

CONSUMER = {
    "sales": "600 jt", "sales_to_members": "420 jt", "cost_of_goods_sold": "530 jt", "inventory": "90 jt",
    "receivables": "35 jt", "payables": "40 jt", "current_assets": "220 jt", "indicative.current_liabilities":
    "120 jt", "equity": "260 jt", "indicative.total_assets": "400 jt", "net_surplus": "12 jt",
    "total_revenue": "610 jt",
}  # fmt: skip


def point(value: str | None, band: str | None, low: str | None = "75", high: str | None = None) -> IndicatorPoint:
    return IndicatorPoint(
        "member_business_share", "", None if value is None else Decimal(value), "percent", band,  # type: ignore[arg-type]
        None if low is None else Decimal(low), None if high is None else Decimal(high),
    )  # fmt: skip


def colour_pixels(png: bytes, colour: str) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB").crop((0, 0, 800, 700))  # above the legend
    wanted = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    counts = image.getcolors(maxcolors=1 << 16) or []
    return sum(count for count, pixel in counts if pixel == wanted)


def test_a_value_is_drawn_against_its_target_on_the_same_row() -> None:
    at_target = row_of(point("75", "good"))
    assert at_target.zone == (0.5, 1.0) and at_target.bar_end == 0.5  # the target's edge sits mid-row
    short = row_of(point("50", "watch"))
    assert short.bar_end < at_target.zone[0]
    lower_is_better = row_of(point("45", "watch", low=None, high="30"))
    assert lower_is_better.zone == (0.0, 0.5) and lower_is_better.bar_end > 0.5  # past the target: too long
    far = row_of(point("700", "good", low="150"))
    assert far.bar_end == 1.0 and far.clipped
    assert row_of(point("-4.5", "weak", low="3")).bar_end == 0.0
    assert target_text(point("70", "watch"), "id") == "Target ≥ 75%"
    assert target_text(point("45", "watch", low=None, high="30"), "en") == "Target ≤ 30%"


def test_no_data_is_not_drawn_as_a_bar() -> None:
    assert row_of(point(None, None)).bar_end == 0.0
    missing = indicative_png([point(None, None)], title="Koperasi Konsumen Sejahtera – Juni 2026")
    weak = indicative_png([point("20", "weak")], title="Koperasi Konsumen Sejahtera – Juni 2026")
    assert colour_pixels(weak, BAND_FILL["weak"]) > 2000  # a weak value: a red bar
    for band in ("good", "watch", "weak", "unknown"):  # no data: no bar of any colour, the old grey one included
        assert colour_pixels(missing, BAND_FILL[band]) < 50, band


def test_the_indicators_over_periods_are_one_panel_each_and_a_text() -> None:
    net = (point("1.2", "watch", "3"), point(None, None, "3"), point("2.5", "watch", "3"))
    series = [
        IndicatorSeries("net_margin", "", net),
        IndicatorSeries("gross_margin", "", (point("11", "good", "10"),) * 3),
    ]
    png = indicative_trend_png(series, ["Apr 2026", "Mei 2026", "Jun 2026"], title="Koperasi Konsumen Sejahtera")
    assert Image.open(io.BytesIO(png)).size == (800, 800)
    text = indicative_trend_text(series, "id")
    assert text.splitlines() == [
        "Margin bersih: 1,20% → 2,50% (Target ≥ 3%)",
        "Margin kotor: 11,00% → 11,00% (Target ≥ 10%)",
    ]


async def test_riwayat_of_a_consumer_cooperative_shows_its_indicators_over_the_months(db: Database) -> None:
    clock = Clock()
    budi = await registered(db, dispatcher(db, clock), "budi", "3576010002", type_="konsumen",
                            name="Koperasi Konsumen Sejahtera")  # fmt: skip
    assert "Belum ada riwayat" in await budi.say("riwayat")
    await complete_report(db, budi, CONSUMER)
    assert "sudah kami terima" in await budi.press("Kirim")
    [bars] = pictures(budi.last)
    assert bars["type"] == "indicative"
    share = next(row for row in bars["points"] if row[0] == "member_business_share")
    assert share[2:] == ["70", "percent", "watch", "75", None]  # the value, its band and its target
    clock.advance(days=30)  # 3 December: November's report
    await complete_report(db, budi, {**CONSUMER, "net_surplus": "30 jt", "total_revenue": "620 jt"})
    await budi.press("Kirim")
    history = await budi.say("riwayat")
    assert "Perkembangan indikator (indikatif, bukan penilaian kesehatan KSP/USP) dari Oktober 2026 sampai " \
        "November 2026:" in history  # fmt: skip
    assert "Margin bersih: 1,97% → 4,84% (Target ≥ 3%)" in history
    assert "Porsi usaha dengan anggota: 70,00% → 70,00% (Target ≥ 75%)" in history
    [trend] = pictures(budi.last)
    assert trend["type"] == "indicative_trend" and trend["periods"] == ["Oktober 2026", "November 2026"]
    png = drawn(through_the_outbox(budi.last[-1].attachment)).data  # type: ignore[arg-type]
    assert png.startswith(b"\x89PNG")


def test_indicative_specs_stored_before_the_targets_still_draw() -> None:
    rows = [["net_margin", "Margin bersih", "1.97", "percent", "watch"], ["payable_days", "", None, "days", None]]
    old = {"type": "indicative", "title": "KKMP Maju – Oktober 2026", "lang": "id", "points": rows}
    assert render(old).startswith(b"\x89PNG")
