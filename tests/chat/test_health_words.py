"""Explanations: headers, Indonesian numbers, component lines, phone-sized summary."""

from __future__ import annotations

import pytest

from bot.chat.health_words import full_text, header, summary_text
from bot.domain.coaching import coach
from bot.domain.health.assessment import assess
from bot.domain.health.result import HealthResult, IndicativeResult
from bot.domain.health.rules import Rules, default_rules
from tests.domain.health.vectors import V95, v111


@pytest.fixture
def rules() -> Rules:
    """The packaged rules."""
    return default_rules()


def scored(months: int = 12, **figures: object) -> HealthResult:
    data = v111(**figures)
    data["months_elapsed"] = months
    result = assess(data)
    assert isinstance(result, HealthResult)
    return result


def test_headers() -> None:
    assert header(scored(), "id") == "Sehat - skor 86,10"
    assert header(scored(), "en") == "Sehat - score 86.10"
    assert header(scored(6), "id") == "Skor sementara: 87,85 - Sehat"
    indicative = assess(V95)
    assert isinstance(indicative, IndicativeResult)
    assert header(indicative, "id") == "Indikatif - bukan penilaian kesehatan resmi"


def test_full_text_lists_every_component_in_indonesian_format(rules: Rules) -> None:
    result = scored()
    text = full_text(result, coach(result, rules, "id"), "id", rules)
    assert "Rasio kas: 12,50%, nilai 100, skor 10,00/10. Sudah maksimal." in text
    assert "Porsi pinjaman berisiko: 66,67%, nilai 25, skor 1,25/5. Nilai terbaik bila rasio < 21%." in text
    assert "Manajemen umum: nilai 83,33, skor 2,50/3. Tiap jawaban 'ya' tambahan +0,25 poin." in text
    assert "Pinjaman terhadap dana yang diterima: 136,36%" in text and " thd " not in text
    assert "Tindak lanjut Dinas:" in text and "Perbarui SOP pinjaman" in text


def test_summary_is_phone_sized_in_both_languages(rules: Rules) -> None:
    for result in (scored(), scored(3, own_capital=-5, gross_surplus=-1, current_liabilities=0)):
        for lang in ("id", "en"):
            text = summary_text(result, coach(result, rules, lang), lang)
            assert len(text) <= 1500
            assert text.splitlines()[0] == header(result, lang)
    text = summary_text(scored(), coach(scored(), rules, "en"), "en")
    assert "- Asset quality: 17.75/25" in text and "Next steps:" in text


def test_indicative_summary(rules: Rules) -> None:
    result = assess(V95)
    assert isinstance(result, IndicativeResult)
    text = summary_text(result, coach(result, rules, "id"), "id")
    assert "Margin bersih: 1,97% (perlu perhatian)" in text
    assert "Perputaran persediaan: 11,78 kali setahun (baik)" in text
    assert "Sehat" not in text
