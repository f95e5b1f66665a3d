"""The §9.4 checklist from a cooperative record and today's date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.health.compliance import CooperativeRecord, checklist
from bot.domain.health.rules import Rules


def status(rules: Rules, record: CooperativeRecord, today: date) -> dict[str, str]:
    return {i.key: i.status for i in checklist(record, today, rules.compliance)}


@pytest.mark.parametrize(
    ("book_year", "today", "expected"),
    [
        (2025, date(2026, 5, 1), "ok"),
        (2024, date(2026, 2, 28), "ok"),
        (2024, date(2026, 3, 1), "due_soon"),
        (2024, date(2026, 6, 30), "due_soon"),
        (2024, date(2026, 7, 1), "not_met"),
        (2023, date(2026, 2, 1), "not_met"),
        (None, date(2026, 2, 1), "unknown"),
    ],
)
def test_rat_held(rules: Rules, book_year: int | None, today: date, expected: str) -> None:
    assert status(rules, CooperativeRecord(last_rat_book_year=book_year), today)["rat_held"] == expected


def test_rat_reported_and_ods_within_30_days(rules: Rules) -> None:
    rat = date(2026, 3, 20)
    record = CooperativeRecord(last_rat_date=rat)
    assert status(rules, record, date(2026, 4, 19))["rat_reported"] == "due_soon"
    assert status(rules, record, date(2026, 4, 20))["rat_reported"] == "not_met"
    done = CooperativeRecord(last_rat_date=rat, rat_reported_on=date(2026, 4, 1), ods_updated_on=date(2026, 4, 2))
    got = status(rules, done, date(2026, 9, 1))
    assert (got["rat_reported"], got["ods_updated"]) == ("ok", "ok")
    assert status(rules, CooperativeRecord(), date(2026, 9, 1))["rat_reported"] == "unknown"


def test_nik_validity(rules: Rules) -> None:
    expiry = date(2026, 12, 31)
    record = CooperativeRecord(nik_expires_on=expiry)
    assert status(rules, record, date(2026, 10, 31))["nik_valid"] == "ok"
    assert status(rules, record, date(2026, 11, 1))["nik_valid"] == "due_soon"
    assert status(rules, record, expiry)["nik_valid"] == "not_met"


def test_facts_kkmp_and_audit(rules: Rules) -> None:
    record = CooperativeRecord(
        cooperative_type="konsumen", is_kkmp=True, has_nib=True, has_npwp=False, kkmp_data_entered=None
    )
    got = status(rules, record, date(2026, 1, 10))
    assert (got["nib"], got["npwp"], got["kkmp_data"], got["ad_art_sop"]) == ("ok", "not_met", "unknown", "unknown")
    assert "audit" not in got
    big = CooperativeRecord(loans_outstanding=Decimal("2500000001"), audited=False)
    assert status(rules, big, date(2026, 1, 10))["audit"] == "not_met"
    small = CooperativeRecord(loans_outstanding=Decimal("2500000000"), audited=False)
    assert status(rules, small, date(2026, 1, 10))["audit"] == "ok"
    assert "kkmp_data" not in status(rules, small, date(2026, 1, 10))
