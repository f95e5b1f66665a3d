"""Validation of the rules data, section by section; every problem names the entry it is about."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bot.domain.health import keys
from bot.domain.health.checker import Checker
from bot.domain.health.clinic_read import read_clinic, read_labels, read_notes
from bot.domain.health.rules import (
    Advice,
    AspectRule,
    Category,
    CoachingRules,
    ComplianceSettings,
    ComponentRule,
    IndicatorRule,
    ManagementRule,
    Rules,
    RulesError,
    Trigger,
)
from bot.domain.health.rules_bands import read_band
from bot.domain.health.tables import Band, BandTable, LinearTable, Table, probe_points

TOP_KEYS = ("framework", "categories", "aspects", "management", "derived", "tables", "indicative", "coaching",
            "compliance", "labels", "notes", "clinic")  # fmt: skip


def read_rules(data: Any, source: str, version_hash: str) -> Rules:
    """Validate parsed rules JSON; raise RulesError listing every problem."""
    c = Checker()
    if not c.obj(data, "(top)", required=TOP_KEYS, allowed=("management_wording",)):
        raise RulesError([f"{source}: {p}" for p in c.problems])
    if data["framework"] != keys.PERDEP:
        c.fail("framework", f"must be {keys.PERDEP!r}")
    categories = _categories(c, data["categories"])
    aspects = _aspects(c, data["aspects"])
    management = _management(c, data["management"], aspects)
    derived = _derived(c, data["derived"])
    tables, table_variants = _tables(c, data["tables"])
    indicative = _indicative(c, data["indicative"])
    coaching = _coaching(c, data["coaching"])
    compliance = _compliance(c, data["compliance"])
    labels = read_labels(c, data["labels"])
    notes = read_notes(c, data["notes"])
    variants = {k.partition(".")[2] if not k.startswith("management.") else k: tuple(a.variant for a in advice)
                for k, advice in (coaching.components.items() if coaching else ())}  # fmt: skip
    clinic = read_clinic(c, data["clinic"], variants)
    if c.problems:
        raise RulesError([f"{source}: {p}" for p in c.problems])
    assert coaching is not None and compliance is not None and clinic is not None
    return Rules(
        keys.PERDEP, source, version_hash, categories, aspects, management, derived, tables, table_variants,
        indicative, coaching, compliance, labels, notes, clinic,
    )  # fmt: skip


def _categories(c: Checker, value: Any) -> tuple[Category, ...]:
    if not isinstance(value, list) or [e.get("key") for e in value if isinstance(e, dict)] != list(keys.CATEGORIES):
        c.fail("categories", f"must list exactly {', '.join(keys.CATEGORIES)} in that order")
        return ()
    found: list[Category] = []
    for i, entry in enumerate(value):
        path = f"categories[{i}]"
        if not c.obj(entry, path, required=("min", "key", "label")):
            continue
        last = i == len(value) - 1
        minimum = None if entry["min"] is None else c.decimal(entry["min"], f"{path}.min")
        if last != (entry["min"] is None):
            c.fail(f"{path}.min", "only the last category has min null")
        elif found and minimum is not None and found[-1].minimum is not None and minimum >= found[-1].minimum:
            c.fail(f"{path}.min", "must be below the previous category's min")
        found.append(Category(entry["key"], c.text(entry["label"], f"{path}.label") or "", minimum))
    return tuple(found)


def _aspects(c: Checker, value: Any) -> tuple[AspectRule, ...]:
    expected = [a for a, _ in keys.ASPECTS]
    if not isinstance(value, list) or [a.get("key") for a in value if isinstance(a, dict)] != expected:
        c.fail("aspects", f"must list exactly {', '.join(expected)} in that order")
        return ()
    found: list[AspectRule] = []
    for i, (entry, (key, comp_keys)) in enumerate(zip(value, keys.ASPECTS, strict=True)):
        path = f"aspects[{i}]"
        if not c.obj(entry, path, required=("key", "weight", "components")):
            continue
        weight = c.integer(entry["weight"], f"{path}.weight", 1, 100) or 0
        comps = entry["components"]
        if not isinstance(comps, list) or [x.get("key") for x in comps if isinstance(x, dict)] != list(comp_keys):
            c.fail(f"{path}.components", f"must list exactly {', '.join(comp_keys)} in that order")
            continue
        rules: list[ComponentRule] = []
        for j, comp in enumerate(comps):
            cpath = f"{path}.components[{j}]"
            if c.obj(comp, cpath, required=("key", "weight")):
                rules.append(ComponentRule(comp["key"], c.integer(comp["weight"], f"{cpath}.weight", 1, 100) or 0))
        if sum(r.weight for r in rules) != weight:
            c.fail(f"{path}.components", f"weights sum to {sum(r.weight for r in rules)}, not {weight}")
        found.append(AspectRule(key, weight, tuple(rules)))
    if found and sum(a.weight for a in found) != 100:
        c.fail("aspects", f"weights sum to {sum(a.weight for a in found)}, not 100")
    return tuple(found)


def _management(c: Checker, value: Any, aspects: tuple[AspectRule, ...]) -> dict[str, ManagementRule]:
    found: dict[str, ManagementRule] = {}
    if not c.keys_exactly(value, "management", keys.MANAGEMENT_SUBS):
        return found
    weights = {comp.key: comp.weight for a in aspects if a.key == "management" for comp in a.components}
    for key in keys.MANAGEMENT_SUBS:
        path = f"management.{key}"
        entry = value[key]
        if not c.obj(entry, path, required=("items", "points_per_yes", "items_text")):
            continue
        items = c.integer(entry["items"], f"{path}.items", 1, 100)
        points = c.decimal(entry["points_per_yes"], f"{path}.points_per_yes", Decimal(0))
        if items is None or points is None:
            continue
        if key in weights and items * points != weights[key]:
            c.fail(path, f"items x points_per_yes = {items * points}, not the component weight {weights[key]}")
        text = c.texts(entry["items_text"], f"{path}.items_text", items)
        found[key] = ManagementRule(key, items, points, text or ())
    return found


def _derived(c: Checker, value: Any) -> dict[str, tuple[tuple[str, Decimal], ...]]:
    found: dict[str, tuple[tuple[str, Decimal], ...]] = {}
    if not c.keys_exactly(value, "derived", keys.DERIVED_KEYS):
        return found
    figure_keys = keys.BALANCE_KEYS + keys.FLOW_KEYS
    for name in keys.DERIVED_KEYS:
        weights = value[name]
        if not c.obj(weights, f"derived.{name}", allowed=figure_keys):
            continue
        terms = [(k, c.decimal(w, f"derived.{name}.{k}", Decimal(0))) for k, w in weights.items()]
        found[name] = tuple((k, w) for k, w in terms if w is not None and w != 0)
    return found


def _tables(c: Checker, value: Any) -> tuple[dict[str, Table], dict[str, str]]:
    tables: dict[str, Table] = {}
    variants: dict[str, str] = {}
    if not c.keys_exactly(value, "tables", keys.RATIO_COMPONENTS):
        return tables, variants
    for key in keys.RATIO_COMPONENTS:
        path = f"tables.{key}"
        entry = value[key]
        if not c.obj(entry, path, required=("default", "variants")) or not c.any_obj(
            entry["variants"], f"{path}.variants"
        ):
            continue
        read = {name: read_table(c, t, f"{path}.variants.{name}") for name, t in entry["variants"].items()}
        default = entry["default"]
        if default not in read:
            c.fail(f"{path}.default", f"{default!r} is not one of the variants {', '.join(read)}")
        elif (table := read[default]) is not None:
            tables[key], variants[key] = table, default
    return tables, variants


def read_table(c: Checker, value: Any, path: str) -> Table | None:
    """One variant: bands or linear, checked for order, gaps, overlaps and coverage of the real line."""
    if not isinstance(value, dict) or value.get("type") not in ("bands", "linear"):
        c.fail(f"{path}.type", "must be 'bands' or 'linear'")
        return None
    if value["type"] == "linear":
        if not c.obj(value, path, required=("type", "slope", "intercept", "min", "max")):
            return None
        slope, intercept = (
            c.decimal(value["slope"], f"{path}.slope"),
            c.decimal(value["intercept"], f"{path}.intercept"),
        )
        low, high = (
            c.integer(value["min"], f"{path}.min", 0, 100),
            c.integer(value["max"], f"{path}.max", 0, 100),
        )
        if slope is None or intercept is None or low is None or high is None:
            return None
        if low > high:
            c.fail(path, "min is above max")
            return None
        return LinearTable(slope, intercept, low, high)
    if not c.obj(value, path, required=("type", "bands")) or not isinstance(value["bands"], list) or not value["bands"]:
        c.fail(f"{path}.bands", "must be a non-empty list")
        return None
    bands = [read_band(c, b, f"{path}.bands[{i}]", with_nilai=True) for i, b in enumerate(value["bands"])]
    if None in bands:
        return None
    ready = tuple(b for b in bands if b is not None)
    before = len(c.problems)
    _check_order(c, ready, path)
    table = BandTable(ready)
    for x in probe_points(table):
        if table.first_match(x) is None:
            c.fail(f"{path}.bands", f"no band covers ratio {x}")
    return table if len(c.problems) == before else None


def _check_order(c: Checker, bands: tuple[Band, ...], path: str) -> None:
    if bands[0].lower is not None:
        c.fail(f"{path}.bands[0]", "the first band must have no lower bound")
    if bands[-1].upper is not None:
        c.fail(f"{path}.bands[{len(bands) - 1}]", "the last band must have no upper bound")
    for i in range(1, len(bands)):
        prev, band, here = bands[i - 1], bands[i], f"{path}.bands[{i}]"
        if prev.upper is None or band.lower is None:
            c.fail(here, "bands out of order: only the first band may be open below, only the last open above")
        elif band.lower < prev.upper:
            c.fail(
                here,
                f"bands out of order: starts at {band.lower}, before the previous band ends at {prev.upper}",
            )
        elif band.lower > prev.upper:
            c.fail(here, f"gap: nothing covers ratios between {prev.upper} and {band.lower}")
        elif prev.upper_inclusive and band.lower_inclusive:
            c.fail(here, f"overlap: {band.lower} is in this band and in the previous one")
        elif not prev.upper_inclusive and not band.lower_inclusive:
            c.fail(here, f"gap: ratio exactly {band.lower} is in no band")


def _indicative(c: Checker, value: Any) -> tuple[IndicatorRule, ...]:
    found: list[IndicatorRule] = []
    if not c.keys_exactly(value, "indicative", keys.INDICATORS):
        return ()
    for key in keys.INDICATORS:
        path = f"indicative.{key}"
        entry = value[key]
        if not c.obj(entry, path, required=("unit", "good", "watch")):
            continue
        if entry["unit"] not in keys.INDICATOR_UNITS:
            c.fail(f"{path}.unit", f"must be one of {', '.join(keys.INDICATOR_UNITS)}")
        good = read_band(c, entry["good"], f"{path}.good", with_nilai=False)
        watch = read_band(c, entry["watch"], f"{path}.watch", with_nilai=False)
        if good is not None and watch is not None:
            found.append(IndicatorRule(key, entry["unit"], good, watch))
    return tuple(found)


def _advice(c: Checker, value: Any, path: str, with_triggers: bool) -> Advice | None:
    required = ("variant", "when", "why", "steps") if with_triggers else ("why", "steps")
    if not c.obj(value, path, required=required):
        return None
    triggers: list[Trigger] = []
    for i, t in enumerate(value.get("when", [])):
        tpath = f"{path}.when[{i}]"
        if not c.obj(t, tpath, allowed=("ratio", "score", "null")) or not t:
            c.fail(tpath, "needs ratio, score or null")
            continue
        ratio = read_band(c, t["ratio"], f"{tpath}.ratio", with_nilai=False) if "ratio" in t else None
        score = read_band(c, t["score"], f"{tpath}.score", with_nilai=False) if "score" in t else None
        triggers.append(Trigger(ratio, score, t.get("null") is True))
    why = c.bilingual(value["why"], f"{path}.why")
    steps = c.bilingual_list(value["steps"], f"{path}.steps")
    if why is None or steps is None:
        return None
    return Advice(str(value.get("variant", "default")), tuple(triggers), why, steps)


def _coaching(c: Checker, value: Any) -> CoachingRules | None:
    parts = ("components", "special", "compliance", "compliance_map", "escalation", "provisional_note",
             "review_list_note")  # fmt: skip
    if not c.keys_exactly(value, "coaching", parts):
        return None
    expected = tuple(f"{a}.{comp}" for a, comps in keys.ASPECTS for comp in comps)
    components: dict[str, tuple[Advice, ...]] = {}
    if c.keys_exactly(value["components"], "coaching.components", expected):
        for key in expected:
            entries = value["components"][key]
            path = f"coaching.components.{key}"
            if not isinstance(entries, list) or not entries:
                c.fail(path, "must be a non-empty list of advice")
                continue
            read = [_advice(c, e, f"{path}[{i}]", with_triggers=True) for i, e in enumerate(entries)]
            components[key] = tuple(a for a in read if a is not None)
    special: dict[str, Advice] = {}
    if c.keys_exactly(value["special"], "coaching.special", ("negative_equity",)):
        for key, entry in value["special"].items():
            if (advice := _advice(c, entry, f"coaching.special.{key}", with_triggers=False)) is not None:
                special[key] = advice
    compliance = _text_lists(c, value["compliance"], "coaching.compliance")
    cmap = value["compliance_map"]
    if c.obj(cmap, "coaching.compliance_map", allowed=keys.COMPLIANCE_ITEMS):
        for item, topic in cmap.items():
            if topic not in compliance:
                c.fail(f"coaching.compliance_map.{item}", f"{topic!r} is not a coaching.compliance entry")
    escalation = _text_lists(c, value["escalation"], "coaching.escalation")
    if set(escalation) != set(keys.CATEGORIES):
        c.fail("coaching.escalation", f"must have exactly {', '.join(keys.CATEGORIES)}")
    notes = [c.bilingual(value[n], f"coaching.{n}") for n in ("provisional_note", "review_list_note")]
    if notes[0] is None or notes[1] is None:
        return None
    return CoachingRules(components, special, compliance, dict(cmap), escalation, notes[0], notes[1])


def _text_lists(c: Checker, value: Any, path: str) -> dict[str, Mapping[str, tuple[str, ...]]]:
    found: dict[str, Mapping[str, tuple[str, ...]]] = {}
    if c.any_obj(value, path):
        for key, entry in value.items():
            if (texts := c.bilingual_list(entry, f"{path}.{key}")) is not None:
                found[key] = texts
    return found


def _month_day(c: Checker, value: Any, path: str) -> tuple[int, int]:
    parts = value.split("-") if isinstance(value, str) else []
    if len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[0]) <= 12 and 1 <= int(parts[1]) <= 31:
        return int(parts[0]), int(parts[1])
    c.fail(path, "must be 'MM-DD'")
    return 1, 1


def _compliance(c: Checker, value: Any) -> ComplianceSettings | None:
    fields = ("book_year_end", "rat_deadline", "rat_due_soon_from", "rat_report_days", "nik_due_soon_days",
              "audit_loans_threshold")  # fmt: skip
    if not c.keys_exactly(value, "compliance", fields):
        return None
    return ComplianceSettings(
        _month_day(c, value["book_year_end"], "compliance.book_year_end"),
        _month_day(c, value["rat_deadline"], "compliance.rat_deadline"),
        _month_day(c, value["rat_due_soon_from"], "compliance.rat_due_soon_from"),
        c.integer(value["rat_report_days"], "compliance.rat_report_days", 1, 366) or 30,
        c.integer(value["nik_due_soon_days"], "compliance.nik_due_soon_days", 1, 366) or 60,
        c.decimal(value["audit_loans_threshold"], "compliance.audit_loans_threshold", Decimal(0)) or Decimal(0),
    )
