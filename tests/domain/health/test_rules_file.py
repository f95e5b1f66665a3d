"""The rules file: every entry loads; broken files are refused naming the file and the entry."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.domain.health import keys
from bot.domain.health.rules import RulesError, default_rules_path, load_rules
from bot.domain.health.tables import BandTable, probe_points
from tests.domain.health.vectors import write_rules


def refused(tmp_path: Path, data: dict[str, Any]) -> str:
    path = write_rules(tmp_path, data)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert all(line.startswith(f"{path}: ") for line in message.splitlines())
    return message


def test_packaged_rules_load_completely() -> None:
    rules = load_rules()
    assert rules.version_hash == hashlib.sha256(default_rules_path().read_bytes()).hexdigest()
    assert [a.key for a in rules.aspects] == [a for a, _ in keys.ASPECTS]
    assert sum(a.weight for a in rules.aspects) == 100
    assert set(rules.tables) == set(keys.RATIO_COMPONENTS)
    assert [c.key for c in rules.categories] == list(keys.CATEGORIES)
    assert [m.items for m in rules.management.values()] == [12, 6, 5, 10, 5]
    assert all(len(m.items_text) == m.items for m in rules.management.values())
    assert rules.derived["own_capital"][-1] == ("participation_capital", Decimal("0.5"))
    assert [i.key for i in rules.indicative] == list(keys.INDICATORS)
    for key in (f"{a}.{c}" for a, comps in keys.ASPECTS for c in comps):
        for advice in rules.coaching.components[key]:
            assert 2 <= len(advice.steps["id"]) <= 4 and len(advice.steps["en"]) == len(advice.steps["id"])
    assert set(rules.coaching.escalation) == set(keys.CATEGORIES)


def test_every_variant_covers_the_real_line(rules_data: dict[str, Any], tmp_path: Path) -> None:
    for comp, entry in rules_data["tables"].items():
        for variant in entry["variants"]:
            rules_data["tables"][comp]["default"] = variant
            rules = load_rules(write_rules(tmp_path, rules_data))
            table = rules.tables[comp]
            for x in probe_points(table):
                assert table.first_match(x) is not None
                assert table.nilai(x) == table.first_match(x)


def test_wrong_band_order_is_refused(rules_data: dict[str, Any], tmp_path: Path) -> None:
    bands = rules_data["tables"]["cash_ratio"]["variants"]["standard"]["bands"]
    bands[1], bands[2] = bands[2], bands[1]
    message = refused(tmp_path, rules_data)
    assert "tables.cash_ratio.variants.standard.bands[" in message
    assert "out of order" in message


def test_gap_in_coverage_is_refused(rules_data: dict[str, Any], tmp_path: Path) -> None:
    bands = rules_data["tables"]["cash_ratio"]["variants"]["standard"]["bands"]
    bands[2] = {"gt": 16, "le": 20, "nilai": 50}
    message = refused(tmp_path, rules_data)
    assert "tables.cash_ratio.variants.standard.bands[2]: gap" in message


def test_gap_at_a_single_edge_is_refused(rules_data: dict[str, Any], tmp_path: Path) -> None:
    bands = rules_data["tables"]["member_loan_share"]["variants"]["standard"]["bands"]
    bands[0] = {"lt": 25, "nilai": 0}
    message = refused(tmp_path, rules_data)
    assert "tables.member_loan_share.variants.standard.bands[1]: gap: ratio exactly 25" in message


def test_overlap_at_an_edge_is_refused(rules_data: dict[str, Any], tmp_path: Path) -> None:
    rules_data["tables"]["return_on_assets"]["variants"]["standard"]["bands"][1] = {"ge": 5, "le": 7.5, "nilai": 50}
    message = refused(tmp_path, rules_data)
    assert "tables.return_on_assets.variants.standard.bands[2]: overlap" in message


def test_open_top_missing_is_refused(rules_data: dict[str, Any], tmp_path: Path) -> None:
    rules_data["tables"]["loans_to_funds"]["variants"]["version_a"]["bands"][3] = {"ge": 100, "lt": 200, "nilai": 1}
    message = refused(tmp_path, rules_data)
    assert "tables.loans_to_funds.variants.version_a.bands[3]: the last band must have no upper bound" in message


def test_aspect_weights_must_sum_to_100(rules_data: dict[str, Any], tmp_path: Path) -> None:
    rules_data["aspects"][0]["weight"] = 16
    rules_data["aspects"][0]["components"][0]["weight"] = 7
    message = refused(tmp_path, rules_data)
    assert ": aspects: weights sum to 101, not 100" in message


def test_component_weights_must_sum_to_aspect_weight(rules_data: dict[str, Any], tmp_path: Path) -> None:
    rules_data["aspects"][4]["components"][1]["weight"] = 6
    message = refused(tmp_path, rules_data)
    assert "aspects[4].components: weights sum to 16, not 15" in message


def test_management_points_must_fill_the_weight(rules_data: dict[str, Any], tmp_path: Path) -> None:
    rules_data["management"]["assets"]["points_per_yes"] = "0.25"
    assert "management.assets: items x points_per_yes" in refused(tmp_path, rules_data)
    rules_data["management"]["assets"]["points_per_yes"] = "0.3"
    rules_data["management"]["assets"]["items_text"].pop()
    assert "management.assets.items_text: must have 10 entries" in refused(tmp_path, rules_data)


@pytest.mark.parametrize(
    ("change", "entry"),
    [
        (lambda d: d["tables"].pop("cash_ratio"), "tables: missing key 'cash_ratio'"),
        (lambda d: d["tables"]["cash_ratio"].update(default="nope"), "tables.cash_ratio.default"),
        (lambda d: d["derived"]["own_capital"].update(salary="1"), "derived.own_capital.salary: unknown key"),
        (lambda d: d["derived"]["own_capital"].update(grants="x"), "derived.own_capital.grants"),
        (lambda d: d["categories"].reverse(), "categories: must list exactly"),
        (lambda d: d["aspects"][2]["components"].pop(), "aspects[2].components: must list exactly"),
        (lambda d: d.update(extra=1), "(top).extra: unknown key"),
        (lambda d: d["coaching"]["escalation"]["sehat"].pop("en"), "coaching.escalation.sehat: missing key 'en'"),
        (lambda d: d["indicative"]["net_margin"].update(unit="rupiah"), "indicative.net_margin.unit"),
        (lambda d: d["compliance"].update(rat_deadline="June"), "compliance.rat_deadline"),
        (lambda d: d["tables"]["cash_ratio"]["variants"]["standard"]["bands"][0].update(nilai=120),
         "tables.cash_ratio.variants.standard.bands[0].nilai"),
    ],
)  # fmt: skip
def test_broken_entries_are_named(rules_data: dict[str, Any], tmp_path: Path, change: Any, entry: str) -> None:
    change(rules_data)
    assert entry in refused(tmp_path, rules_data)


def test_unreadable_and_invalid_json(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(RulesError, match=r"bad\.json: not valid JSON"):
        load_rules(bad)


def test_band_table_fast_path_agrees_with_first_match(rules_data: dict[str, Any]) -> None:
    rules = load_rules()
    for table in rules.tables.values():
        if isinstance(table, BandTable):
            for x in probe_points(table):
                assert table.nilai(x) == table.first_match(x)
