"""Charts: valid, small, legible PNGs and phone-friendly text fallbacks."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from PIL import Image

from bot.charts import (
    ASPECT_KEYS,
    AspectPoint,
    IndicatorPoint,
    TrendPoint,
    category_label,
    format_decimal,
    indicative_png,
    radar_png,
    radar_text,
    trend_png,
    trend_text,
)
from bot.domain.health.rules import default_rules

PERDEP = default_rules().categories
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BUDGET = 120_000
WEIGHTS = {
    "capital": 15,
    "asset_quality": 25,
    "management": 15,
    "efficiency": 10,
    "liquidity": 15,
    "growth": 10,
    "identity": 10,
}
OCTOBER = {
    "capital": "14.40",
    "asset_quality": "17.25",
    "management": "12.60",
    "efficiency": "7.50",
    "liquidity": "9.00",
    "growth": "4.65",
    "identity": "7.00",
}
SEPTEMBER = {
    "capital": "13.50",
    "asset_quality": "15.00",
    "management": "12.00",
    "efficiency": "7.50",
    "liquidity": "11.25",
    "growth": "3.90",
    "identity": "6.00",
}
LABELS_ID = [
    "Permodalan",
    "Kualitas Aktiva",
    "Manajemen",
    "Efisiensi",
    "Likuiditas",
    "Kemandirian & Pertumbuhan",
    "Jatidiri",
]
TITLE = "KSP Maju Bersama – Oktober 2026: 72,40 (Cukup Sehat)"


def aspects(scores: dict[str, str]) -> list[AspectPoint]:
    return [AspectPoint(key, "", Decimal(scores[key]), Decimal(WEIGHTS[key])) for key in WEIGHTS]


def uniform(fraction: str) -> list[AspectPoint]:
    return [
        AspectPoint(key, "", Decimal(weight) * Decimal(fraction), Decimal(weight)) for key, weight in WEIGHTS.items()
    ]


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) < BUDGET
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


TREND = [
    TrendPoint("Des 2025", Decimal("66.80"), False),
    TrendPoint("Jan 2026", Decimal("58.20"), True),
    TrendPoint("Feb 2026", None, True),
    TrendPoint("Mar 2026", Decimal("61.00"), True),
    TrendPoint("Okt 2026", Decimal("72.40"), True),
]

INDICATORS = [
    IndicatorPoint("gross_margin", "", Decimal("11.67"), "percent", "good"),
    IndicatorPoint("inventory_turnover", "", Decimal("11.78"), "times_per_year", "good"),
    IndicatorPoint("receivable_days", "", Decimal("10.65"), "days", "good"),
    IndicatorPoint("payable_days", "", Decimal("95"), "days", "weak"),
    IndicatorPoint("current_ratio", "", Decimal("183.33"), "percent", "good"),
    IndicatorPoint("equity_ratio", "", Decimal("65"), "percent", "good"),
    IndicatorPoint("net_margin", "", Decimal("1.97"), "percent", "watch"),
    IndicatorPoint("member_business_share", "", None, "percent", None),
]


# --- radar ---------------------------------------------------------------------------------


def test_radar_is_an_800px_png_under_budget() -> None:
    image = decode(radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP))
    assert image.size == (800, 800)


@pytest.mark.parametrize("fraction", ["0", "1", "0.5"])
def test_radar_extremes(fraction: str) -> None:
    assert decode(radar_png(uniform(fraction), title=TITLE, categories=PERDEP)).size == (800, 800)


def test_radar_with_previous_overlay_and_english() -> None:
    png = radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP, previous=aspects(SEPTEMBER), lang="en")
    assert decode(png).size == (800, 800)
    assert png != radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP, lang="en")


def test_radar_is_deterministic_and_order_independent() -> None:
    first = radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP, previous=aspects(SEPTEMBER))
    again = radar_png(list(reversed(aspects(OCTOBER))), title=TITLE, categories=PERDEP, previous=aspects(SEPTEMBER))
    assert first == again


def test_radar_renders_from_several_threads() -> None:
    expected = radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP)
    results: list[bytes] = []

    def work() -> None:
        results.append(radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_radar_long_title_wraps() -> None:
    title = "Koperasi Simpan Pinjam Sejahtera Bersama Makmur Sentosa – Oktober 2026: 72,40 (Cukup Sehat)"
    assert decode(radar_png(aspects(OCTOBER), title=title, categories=PERDEP)).size == (800, 800)


@pytest.mark.parametrize("count", [0, 6, 8])
def test_radar_needs_exactly_seven_aspects(count: int) -> None:
    points = (aspects(OCTOBER) * 2)[:count]
    with pytest.raises(ValueError, match="7 aspects"):
        radar_png(points, title=TITLE, categories=PERDEP)
    with pytest.raises(ValueError, match="7 aspects"):
        radar_text(points)


def test_radar_rejects_duplicate_and_unknown_keys() -> None:
    points = aspects(OCTOBER)
    with pytest.raises(ValueError, match="twice"):
        radar_png([*points[:6], points[0]], title=TITLE, categories=PERDEP)
    with pytest.raises(ValueError, match="unknown aspect key 'solvency'"):
        radar_png([*points[:6], AspectPoint("solvency", "", Decimal(1), Decimal(10))], title=TITLE, categories=PERDEP)


def test_radar_rejects_bad_previous_and_scores() -> None:
    with pytest.raises(ValueError, match="previous"):
        radar_png(aspects(OCTOBER), title=TITLE, categories=PERDEP, previous=aspects(SEPTEMBER)[:3])
    points = aspects(OCTOBER)
    with pytest.raises(ValueError, match="not between 0 and 15"):
        radar_png(
            [AspectPoint("capital", "", Decimal("15.01"), Decimal(15)), *points[1:]], title=TITLE, categories=PERDEP
        )
    with pytest.raises(ValueError, match="weight"):
        radar_png([AspectPoint("capital", "", Decimal(0), Decimal(0)), *points[1:]], title=TITLE, categories=PERDEP)
    with pytest.raises(ValueError, match="language"):
        radar_png(points, title=TITLE, categories=PERDEP, lang="jv")


def test_radar_text_has_labels_percentages_and_short_bars() -> None:
    text = radar_text(aspects(OCTOBER))
    lines = text.splitlines()
    assert len(lines) == 7
    for line, label in zip(lines, LABELS_ID, strict=True):
        assert line.endswith(label)
        bar = line.split(" ")[0]
        assert len(bar) == 10
        assert set(bar) <= {"█", "░"}
    assert "96,0%" in lines[0]
    assert "69,0%" in lines[1]
    assert "46,5%" in lines[5]
    assert lines[0].startswith("██████████")  # 96% rounds to 10 blocks
    assert lines[5].startswith("█████░░░░░")  # 46.5% rounds half-up to 5 blocks


def test_radar_text_extremes_english_and_custom_label() -> None:
    zero = radar_text(uniform("0"), lang="en").splitlines()
    assert zero[0] == "░░░░░░░░░░ 0.0% Capital"
    full = radar_text(uniform("1")).splitlines()
    assert full[6] == "██████████ 100,0% Jatidiri"
    custom = [AspectPoint("capital", "Modal", Decimal(15), Decimal(15)), *aspects(OCTOBER)[1:]]
    assert radar_text(custom).splitlines()[0].endswith("% Modal")


# --- trend ---------------------------------------------------------------------------------


def test_trend_is_a_png_with_gaps_and_provisional_points() -> None:
    image = decode(trend_png(TREND, title="KSP Maju Bersama – skor bulanan", categories=PERDEP))
    assert image.size == (800, 800)


def test_trend_single_point_all_none_and_low_scores() -> None:
    for points in (
        [TrendPoint("Okt 2026", Decimal("72.40"), True)],
        [TrendPoint("Okt 2026", None, True)],
        [TrendPoint("Jan 2026", Decimal(0), False), TrendPoint("Feb 2026", Decimal(100), False)],
    ):
        assert decode(trend_png(points, title="Skor", categories=PERDEP, lang="en")).size == (800, 800)


def test_trend_many_points() -> None:
    points = [TrendPoint(f"Bln {i}", Decimal(50 + i * 2), i % 2 == 0) for i in range(24)]
    assert decode(trend_png(points, title="Dua tahun", categories=PERDEP)).size == (800, 800)


def test_trend_rejects_empty_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="at least one"):
        trend_png([], title="x", categories=PERDEP)
    with pytest.raises(ValueError, match="between 0 and 100"):
        trend_png([TrendPoint("Okt 2026", Decimal("100.5"), False)], title="x", categories=PERDEP)


def test_trend_text() -> None:
    assert trend_text(TREND, categories=PERDEP).splitlines() == [
        "Des 2025: 66,80 Cukup Sehat (terverifikasi)",
        "Jan 2026: 58,20 Dalam Pengawasan (sementara), turun 8,60",
        "Feb 2026: belum ada skor",
        "Mar 2026: 61,00 Dalam Pengawasan (sementara), naik 2,80",
        "Okt 2026: 72,40 Cukup Sehat (sementara), naik 11,40",
    ]
    english = trend_text([TrendPoint("Oct 2026", Decimal("80"), False)] * 2, lang="en", categories=PERDEP)
    assert english.splitlines()[1] == "Oct 2026: 80.00 Sehat (verified), unchanged"
    official = trend_text([TrendPoint("Des 2026", Decimal("81"), False, official=True)], categories=PERDEP)
    assert official == "Des 2026: 81,00 Sehat (resmi)"
    assert trend_text([], categories=PERDEP) == ""


# --- indicative ---------------------------------------------------------------------------------


def test_indicative_is_a_png() -> None:
    for lang in ("id", "en"):
        image = decode(indicative_png(INDICATORS, title="Koperasi Konsumen Sejahtera – Juni 2026", lang=lang))
        assert image.size == (800, 800)


def test_indicative_single_and_unknown() -> None:
    only = [IndicatorPoint("mystery", "Rasio lain", Decimal("-3.5"), "kali", "weak")]
    assert decode(indicative_png(only, title="x")).size == (800, 800)
    with pytest.raises(ValueError, match="at least one"):
        indicative_png([], title="x")


# --- helpers ---------------------------------------------------------------------------------


def test_format_decimal_and_categories() -> None:
    assert format_decimal(Decimal("72.4")) == "72,40"
    assert format_decimal(Decimal("0.125"), 2) == "0,13"
    assert format_decimal(Decimal("-0.001"), 2) == "0,00"
    assert format_decimal(Decimal("72.4"), 2, "en") == "72.40"
    assert [category_label(Decimal(v), PERDEP) for v in ("80", "79.995", "66", "65.99", "51", "50.99")] == [
        "Sehat",
        "Sehat",
        "Cukup Sehat",
        "Dalam Pengawasan",
        "Dalam Pengawasan",
        "Dalam Pengawasan Khusus",
    ]
    assert len(ASPECT_KEYS) == 7
