"""Validation of the rules file's word sections: labels, note texts and the clinic (causes, states, readiness)."""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

from bot.domain.health import keys
from bot.domain.health.checker import Checker
from bot.domain.health.rules import (
    Bilingual,
    CauseRule,
    ClinicRules,
    Concern,
    Guidance,
    ReadinessItem,
)
from bot.domain.health.rules_bands import read_band

LABEL_TABLES = ("aspects", "components", "indicators", "units", "bands", "topics", "compliance_items", "statuses",
                "flags", "reasons", "cooperative_types")  # fmt: skip
CLINIC_KEYS = ("required", "causes", "new_cooperative", "data_incomplete", "questionnaire", "indicators",
               "target_words", "target", "indicators_by_type", "readiness", "compliance")  # fmt: skip
MANAGEMENT_CONCERNS = tuple(f"management.{s}" for s in keys.MANAGEMENT_SUBS)
CONCERNS = keys.RATIO_COMPONENTS + MANAGEMENT_CONCERNS


def read_labels(c: Checker, value: Any) -> dict[str, dict[str, Bilingual]]:
    """Every label table, each {key: {'id', 'en'}}; the tables of contract keys must name every key."""
    found: dict[str, dict[str, Bilingual]] = {}
    if not c.keys_exactly(value, "labels", LABEL_TABLES):
        return found
    complete = {
        "aspects": tuple(a for a, _ in keys.ASPECTS),
        "components": tuple(f"{a}.{comp}" for a, comps in keys.ASPECTS for comp in comps),
        "indicators": keys.INDICATORS,
        "units": keys.INDICATOR_UNITS,
        "compliance_items": keys.COMPLIANCE_ITEMS,
        "flags": keys.FLAG_KEYS,
        "cooperative_types": keys.COOPERATIVE_TYPES,
    }
    for table in LABEL_TABLES:
        path = f"labels.{table}"
        entries = value[table]
        if not c.any_obj(entries, path):
            continue
        missing = [k for k in complete.get(table, ()) if k not in entries]
        if missing:
            c.fail(path, f"missing {', '.join(missing)}")
        read = {k: c.bilingual(v, f"{path}.{k}") for k, v in entries.items()}
        found[table] = {k: v for k, v in read.items() if v is not None}
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def read_notes(c: Checker, value: Any) -> dict[str, Bilingual]:
    """Note texts {code: {'id', 'en'}}: format strings whose fields are the same in both languages up to labels."""
    found: dict[str, Bilingual] = {}
    if not c.any_obj(value, "notes"):
        return found
    for code, entry in value.items():
        texts = c.bilingual(entry, f"notes.{code}")
        if texts is None:
            continue
        try:
            _fields(texts["id"]), _fields(texts["en"])
        except ValueError as exc:
            c.fail(f"notes.{code}", f"not a valid format text ({exc})")
            continue
        found[code] = texts
    return found


def _guidance(c: Checker, value: Any, path: str) -> Guidance | None:
    if not c.obj(value, path, required=("text", "steps")):
        return None
    text = c.bilingual(value["text"], f"{path}.text")
    steps = c.bilingual_list(value["steps"], f"{path}.steps")
    return None if text is None or steps is None else Guidance(text, steps)


def _concerns(c: Checker, value: Any, path: str, variants: Mapping[str, tuple[str, ...]]) -> tuple[Concern, ...]:
    found: list[Concern] = []
    if not isinstance(value, list):
        c.fail(path, "must be a list of concern keys, each optionally ':variant'")
        return ()
    for i, raw in enumerate(value):
        key, _, variant = str(raw).partition(":")
        if key not in CONCERNS:
            c.fail(f"{path}[{i}]", f"{key!r} is not a ratio component or management.<sub-aspect>")
        elif variant and variant not in variants.get(key, ()):
            c.fail(f"{path}[{i}]", f"{key} has no coaching variant {variant!r}")
        else:
            found.append((key, variant or None))
    return tuple(found)


def _cause(c: Checker, value: Any, path: str, variants: Mapping[str, tuple[str, ...]]) -> CauseRule | None:
    if not c.obj(value, path, required=("key", "when", "drives", "text", "target", "steps")):
        return None
    when: list[tuple[str, Any]] = []
    for i, entry in enumerate(value["when"] if isinstance(value["when"], list) else []):
        wpath = f"{path}.when[{i}]"
        if c.obj(entry, wpath, required=("concern", "ratio")) and entry["concern"] in keys.RATIO_COMPONENTS:
            band = read_band(c, entry["ratio"], f"{wpath}.ratio", with_nilai=False)
            if band is not None:
                when.append((entry["concern"], band))
        elif isinstance(entry, dict) and "concern" in entry:
            c.fail(f"{wpath}.concern", f"{entry['concern']!r} is not a ratio component")
    if not when:
        c.fail(f"{path}.when", "needs at least one {concern, ratio} condition")
    guidance = _guidance(c, {"text": value["text"], "steps": value["steps"]}, path)
    target = c.bilingual(value["target"], f"{path}.target")
    drives = _concerns(c, value["drives"], f"{path}.drives", variants)
    if guidance is None or target is None:
        return None
    return CauseRule(str(value["key"]), tuple(when), drives, guidance, target)


def _readiness(c: Checker, value: Any) -> dict[str, tuple[ReadinessItem, ...]]:
    found: dict[str, tuple[ReadinessItem, ...]] = {}
    if not c.any_obj(value, "clinic.readiness"):
        return found
    for tag, items in value.items():
        path = f"clinic.readiness.{tag}"
        read: list[ReadinessItem] = []
        for i, item in enumerate(items if isinstance(items, list) else []):
            ipath = f"{path}[{i}]"
            if c.obj(item, ipath, required=("key", "text", "steps")):
                guidance = _guidance(c, {"text": item["text"], "steps": item["steps"]}, ipath)
                if guidance is not None:
                    read.append(ReadinessItem(str(item["key"]), guidance))
        if not read:
            c.fail(path, "must be a non-empty list of {key, text, steps}")
        found[tag] = tuple(read)
    return found


def read_clinic(c: Checker, value: Any, variants: Mapping[str, tuple[str, ...]]) -> ClinicRules | None:
    """The clinic section; `variants` are the coaching variants per concern (to check 'key:variant' entries)."""
    if not c.keys_exactly(value, "clinic", CLINIC_KEYS):
        return None
    required: dict[str, tuple[tuple[str, ...], ...]] = {}
    if c.keys_exactly(value["required"], "clinic.required", (keys.PERDEP, keys.INDICATIVE)):
        for framework, entries in value["required"].items():
            known = keys.PERDEP_FIGURE_KEYS if framework == keys.PERDEP else keys.INDICATIVE_FIGURE_KEYS
            alternatives = tuple(tuple(str(e).split("|")) for e in (entries if isinstance(entries, list) else []))
            bad = [k for alt in alternatives for k in alt if k not in known]
            if bad:
                c.fail(f"clinic.required.{framework}", f"unknown figure keys {', '.join(bad)}")
            required[framework] = alternatives
    causes = [_cause(c, e, f"clinic.causes[{i}]", variants) for i, e in enumerate(value["causes"] or [])]
    new = value["new_cooperative"]
    new_guidance = _guidance(c, {k: v for k, v in new.items() if k != "not_yet"}, "clinic.new_cooperative")
    not_yet = _concerns(c, new.get("not_yet", []), "clinic.new_cooperative.not_yet", variants)
    incomplete = _guidance(c, value["data_incomplete"], "clinic.data_incomplete")
    questionnaire = _guidance(c, value["questionnaire"], "clinic.questionnaire")
    indicators: dict[str, Guidance] = {}
    if c.keys_exactly(value["indicators"], "clinic.indicators", keys.INDICATORS):
        for key in keys.INDICATORS:
            if (g := _guidance(c, value["indicators"][key], f"clinic.indicators.{key}")) is not None:
                indicators[key] = g
    by_type: dict[str, tuple[str, ...]] = {}
    if c.obj(value["indicators_by_type"], "clinic.indicators_by_type", allowed=keys.COOPERATIVE_TYPES):
        for type_, listed in value["indicators_by_type"].items():
            if not isinstance(listed, list) or any(k not in keys.INDICATORS for k in listed):
                c.fail(f"clinic.indicators_by_type.{type_}", "must be a list of indicator keys")
            else:
                by_type[type_] = tuple(listed)
    compliance: dict[str, Bilingual] = {}
    if c.keys_exactly(value["compliance"], "clinic.compliance", keys.COMPLIANCE_ITEMS):
        for item in keys.COMPLIANCE_ITEMS:
            if (t := c.bilingual(value["compliance"][item], f"clinic.compliance.{item}")) is not None:
                compliance[item] = t
    target = c.bilingual(value["target"], "clinic.target")
    joiner = c.bilingual(value["target_words"].get("and") if isinstance(value["target_words"], dict) else None,
                         "clinic.target_words.and")  # fmt: skip
    readiness = _readiness(c, value["readiness"])
    if None in (new_guidance, incomplete, questionnaire, target, joiner) or None in causes:
        return None
    assert new_guidance and incomplete and questionnaire and target and joiner
    return ClinicRules(
        required, tuple(x for x in causes if x is not None), new_guidance, not_yet, incomplete, questionnaire,
        indicators, target, joiner, by_type, readiness, compliance,
    )  # fmt: skip
