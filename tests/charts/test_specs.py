"""Chart specs take the category zones from the assessment rules, carry them in the outbox and draw them later."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot import charts
from bot.charts import specs
from bot.chat.dispatch import Dispatcher
from bot.chat.messages import Attachment, Reply
from bot.config import load_settings
from bot.domain.health.rules import Rules, default_rules, default_rules_path, load_rules
from bot.runtime import bot_info, load_assessment_rules
from handlers import router
from storage.db import Database
from tests.handlers.chat import Clock, complete_report, registered

STRICTER = {"sehat": 90, "cukup_sehat": "72.5", "dalam_pengawasan": 60}
TREND = [
    charts.TrendPoint("Sep 2026", Decimal("82.00"), False),
    charts.TrendPoint("Okt 2026", Decimal("70.00"), True),
    charts.TrendPoint("Nov 2026", Decimal("57.50"), True),
]


def stricter_rules_file(tmp_path: Path) -> Path:
    """The packaged rules with higher category minimums (90 / 72.5 / 60), as an office could configure them."""
    data = json.loads(default_rules_path().read_text("utf-8"))
    for category in data["categories"]:
        if category["key"] in STRICTER:
            category["min"] = STRICTER[category["key"]]
    path = tmp_path / "stricter.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def through_the_outbox(attachment: Attachment) -> Attachment:
    """The attachment as a delivery worker reads it back from a stored row."""
    return Attachment.from_json(json.loads(json.dumps(attachment.to_json())))


def aspects(fraction: str) -> list[charts.AspectPoint]:
    rules = default_rules()
    return [
        charts.AspectPoint(a.key, "", Decimal(a.weight) * Decimal(fraction), Decimal(a.weight)) for a in rules.aspects
    ]


def test_the_rules_file_decides_the_bands_in_the_spec_the_legend_and_the_text(tmp_path: Path) -> None:
    stricter, packaged = load_rules(stricter_rules_file(tmp_path)), default_rules()

    spec = specs.trend(TREND, title="Riwayat", lang="id", categories=stricter.categories)
    assert spec["categories"] == [
        ["sehat", "Sehat", "90"],
        ["cukup_sehat", "Cukup Sehat", "72.5"],
        ["dalam_pengawasan", "Dalam Pengawasan", "60"],
        ["dalam_pengawasan_khusus", "Dalam Pengawasan Khusus", None],
    ]
    assert specs.trend(TREND, title="Riwayat", lang="id", categories=packaged.categories)["categories"] == [
        ["sehat", "Sehat", "80"],
        ["cukup_sehat", "Cukup Sehat", "66"],
        ["dalam_pengawasan", "Dalam Pengawasan", "51"],
        ["dalam_pengawasan_khusus", "Dalam Pengawasan Khusus", None],
    ]
    assert charts.category_legend(stricter.categories) == [
        "Sehat (≥ 90)",
        "Cukup Sehat (72,5–90)",
        "Dalam Pengawasan (60–72,5)",
        "Dalam Pengawasan Khusus (< 60)",
    ]
    assert charts.category_legend(stricter.categories, "en")[1] == "Cukup Sehat (72.5–90)"
    assert charts.category_legend(packaged.categories) == [
        "Sehat (≥ 80)",
        "Cukup Sehat (66–80)",
        "Dalam Pengawasan (51–66)",
        "Dalam Pengawasan Khusus (< 51)",
    ]
    assert charts.trend_text(TREND, categories=stricter.categories).splitlines() == [
        "Sep 2026: 82,00 Cukup Sehat (terverifikasi)",
        "Okt 2026: 70,00 Dalam Pengawasan (sementara), turun 12,00",
        "Nov 2026: 57,50 Dalam Pengawasan Khusus (sementara), turun 12,50",
    ]
    assert charts.trend_text(TREND, categories=packaged.categories).splitlines() == [
        "Sep 2026: 82,00 Sehat (terverifikasi)",
        "Okt 2026: 70,00 Cukup Sehat (sementara), turun 12,00",
        "Nov 2026: 57,50 Dalam Pengawasan (sementara), turun 12,50",
    ]


def test_a_picture_drawn_at_send_time_shows_the_bands_that_were_scored(tmp_path: Path) -> None:
    stricter = load_rules(stricter_rules_file(tmp_path))
    trend = specs.picture(
        specs.trend(TREND, title="Riwayat", lang="id", categories=stricter.categories), "riwayat.png", "Riwayat"
    )
    drawn = specs.drawn(through_the_outbox(trend)).data
    assert drawn == charts.trend_png(TREND, title="Riwayat", lang="id", categories=stricter.categories)
    assert drawn != charts.trend_png(TREND, title="Riwayat", lang="id", categories=default_rules().categories)

    points = aspects("0.82")  # 82% of every weight: the top zone at 80, the second one at 90
    radar = specs.picture(
        specs.radar(points, title="Status", lang="en", categories=stricter.categories), "status.png", "Status"
    )
    drawn = specs.drawn(through_the_outbox(radar)).data
    assert drawn == charts.radar_png(points, title="Status", lang="en", categories=stricter.categories)
    assert drawn != charts.radar_png(points, title="Status", lang="en", categories=default_rules().categories)


def test_specs_stored_before_they_carried_categories_still_draw_as_they_did() -> None:
    packaged = default_rules().categories
    old_trend: dict[str, Any] = {
        "type": "trend",
        "title": "Riwayat",
        "lang": "id",
        "points": [["Okt 2026", "72.4", True]],
    }
    trend_points = [charts.TrendPoint("Okt 2026", Decimal("72.4"), True)]
    assert specs.render(old_trend) == charts.trend_png(trend_points, title="Riwayat", categories=packaged)
    rows = [[p.key, "", format(p.score, "f"), format(p.weight, "f")] for p in aspects("0.7")]
    old_radar: dict[str, Any] = {"type": "radar", "title": "Status", "lang": "id", "points": rows}
    assert specs.render(old_radar) == charts.radar_png(aspects("0.7"), title="Status", categories=packaged)


def test_charts_refuse_categories_they_cannot_draw() -> None:
    packaged = default_rules().categories
    with pytest.raises(ValueError, match="expected 4"):
        charts.trend_png(TREND, title="x", categories=packaged[:3])
    with pytest.raises(ValueError, match="must fall"):
        charts.radar_png(aspects("0.5"), title="x", categories=(packaged[1], packaged[0], *packaged[2:]))
    with pytest.raises(ValueError, match="the last has none"):
        charts.category_legend((*packaged[:3], packaged[0]))


def pictures(replies: list[Reply]) -> list[dict[str, Any]]:
    return [r.attachment.chart for r in replies if r.attachment is not None and r.attachment.chart is not None]


async def test_a_configured_rules_file_reaches_the_officers_pictures(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPSEHAT_ASSESSMENT_RULES", str(stricter_rules_file(tmp_path)))
    settings = load_settings()
    rules: Rules = load_assessment_rules(settings)
    siti = await registered(db, Dispatcher(db, bot_info(settings, rules), router, clock=Clock()))
    await complete_report(db, siti)
    await siti.press("Kirim")
    [radar] = pictures(siti.last)
    assert radar["type"] == "radar" and radar["categories"][0] == ["sehat", "Sehat", "90"]
    history = await siti.say("riwayat")
    [trend] = pictures(siti.last)
    assert trend["type"] == "trend" and trend["categories"] == radar["categories"]
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        [assessment] = await repos.assessments.history(coop.id)
    assert assessment.total is not None
    label = rules.category_for(assessment.total).label
    assert label != default_rules().category_for(assessment.total).label  # the stricter file scores it lower
    assert f"{charts.format_decimal(assessment.total)} {label} (sementara)" in history
    assert specs.drawn(through_the_outbox(Attachment("photo", "r.png", "image/png", b"", chart=trend))).data
