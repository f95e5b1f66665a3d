"""The clinic's diagnosis and treatment plan for one result: causes before symptoms, states, compliance steps.

Everything said here comes from the rules file's `clinic`, `coaching` and `labels` sections; this module only
decides which entries apply, in which order, and fills in the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from bot.domain.health import keys
from bot.domain.health.compliance import CooperativeRecord, Status, checklist, last_closed_book_year
from bot.domain.health.formats import band_text, bound, number
from bot.domain.health.notes import key_label
from bot.domain.health.result import ComponentResult, HealthResult, IndicativeResult, JsonValue, Result
from bot.domain.health.rules import Advice, Concern, Guidance, Rules
from bot.domain.health.tables import BandTable, LinearTable

State = Literal["ok", "data_incomplete", "new_cooperative"]
Lang = Literal["id", "en"]
FLAG_TOPICS = {"late_or_wrong_books": "books", "unaudited_over_2_5bn": "audit", "no_rat_2_years": "rat"}
SEVERITY = {"weak": Decimal(2), "watch": Decimal(1)}


@dataclass(frozen=True)
class Finding:
    """One cause or state found: its key and a sentence naming it."""

    key: str
    text: str


@dataclass(frozen=True)
class Prescription:
    """One entry of the plan: what it treats (indicator or ratio keys), why, the steps and the target."""

    key: str
    concerns: tuple[str, ...]
    text: str
    steps: tuple[str, ...]
    target: str | None = None
    lost: Decimal = Decimal(0)


@dataclass(frozen=True)
class DueStep:
    """One obligation or readiness item not yet in order: its status, by when, what and how."""

    key: str
    status: Status
    due: date | None
    text: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Treatment:
    """The clinic's answer to one result, in one language."""

    state: State
    diagnosis: tuple[Finding, ...]
    coaching: tuple[Prescription, ...]
    compliance: tuple[DueStep, ...]

    def to_dict(self) -> dict[str, JsonValue]:
        """The `state`, `diagnosis`, `coaching` and `compliance` fields of the assess contract."""
        coaching: list[JsonValue] = []
        for i, p in enumerate(self.coaching, 1):
            entry: dict[str, JsonValue] = {"priority": i, "concerns": list(p.concerns), "text": p.text,
                                           "steps": list(p.steps)}  # fmt: skip
            if p.target is not None:
                entry["target"] = p.target
            coaching.append(entry)
        return {
            "state": self.state,
            "diagnosis": [{"key": f.key, "text": f.text} for f in self.diagnosis],
            "coaching": coaching,
            "compliance": [
                {
                    "key": d.key,
                    "status": d.status,
                    "due": None if d.due is None else d.due.isoformat(),
                    "text": d.text,
                    "steps": list(d.steps),
                }
                for d in self.compliance
            ],
        }


def triggered(advice: Advice, comp: ComponentResult) -> bool:
    """Whether any trigger of an advice holds for a component."""
    for t in advice.triggers:
        if t.null and comp.ratio is None and comp.lost > 0:
            return True
        if t.ratio is not None and comp.ratio is not None and t.ratio.matches(comp.ratio):
            return True
        if t.score is not None and t.score.matches(comp.score):
            return True
    return False


def concern_key(aspect: str, component: str) -> str:
    """The contract's name of a component as a concern: the ratio key, or management.<sub-aspect>."""
    return f"management.{component}" if aspect == "management" else component


def missing_required(reported: tuple[str, ...], framework: str, rules: Rules) -> tuple[str, ...]:
    """The figures a framework needs that were not reported (the first key of each set of alternatives)."""
    present = set(reported)
    return tuple(alt[0] for alt in rules.clinic.required[framework] if not present.intersection(alt))


def is_new(record: CooperativeRecord | None, today: date | None, rules: Rules) -> bool:
    """Under 12 months old, or no book year closed since it was founded (needs the founding date)."""
    if record is None or record.founded_on is None or today is None:
        return False
    founded = record.founded_on
    months = (today.year - founded.year) * 12 + today.month - founded.month - (today.day < founded.day)
    s = rules.compliance
    closed = last_closed_book_year(today, s)
    return months < 12 or s.on(s.book_year_end, closed) < founded


def _guide(g: Guidance, lang: Lang, **values: str) -> tuple[str, tuple[str, ...]]:
    return g.text[lang].format(**values), g.steps[lang]


def _target(rules: Rules, label: str, range_text: str, lang: Lang) -> str:
    return rules.clinic.target[lang].format(label=label, range=range_text)


def component_range(rules: Rules, aspect: str, comp: ComponentResult, lang: Lang) -> str | None:
    """The ratio range of a component's best nilai ('< 21%'); None for management and falling linear rules."""
    if aspect == "management":
        return None
    table = rules.tables[comp.key]
    if isinstance(table, LinearTable):
        if table.slope <= 0:
            return None
        return f"≥ {bound((Decimal(table.maximum) - table.intercept) / table.slope, lang)}%"
    assert isinstance(table, BandTable)
    return band_text(max(table.bands, key=lambda b: b.nilai), "%", rules.clinic.joiner[lang], lang)


def component_target(rules: Rules, aspect: str, comp: ComponentResult, lang: Lang) -> str | None:
    """'Target: <component> <best range>.' for a ratio component."""
    best = component_range(rules, aspect, comp, lang)
    label = rules.label("components", f"{aspect}.{comp.key}", lang)
    return None if best is None else _target(rules, label, best, lang)


def _ratios(result: HealthResult, lang: Lang) -> dict[str, str]:
    return {
        c.key: "-" if c.ratio is None else number(c.ratio, lang)
        for a in result.aspects
        if a.key != "management"
        for c in a.components
    }


def _matches(concern: Concern, key: str, advice: Advice) -> bool:
    return concern[0] == key and (concern[1] is None or concern[1] == advice.variant)


def _health_plan(result: HealthResult, rules: Rules, lang: Lang, new: bool) -> tuple[list[Finding], list[Prescription]]:
    """Causes (ranked by the lost points they drive), then the negative-equity row, then the rest by lost points."""
    found: dict[str, tuple[Advice, ComponentResult, str, int]] = {}
    order = 0
    for aspect in result.aspects:
        for comp in aspect.components:
            key = concern_key(aspect.key, comp.key)
            advices = rules.coaching.components.get(f"{aspect.key}.{comp.key}", ())
            advice = next((a for a in advices if triggered(a, comp)), None)
            skipped = aspect.key == "management" and comp.key in result.unanswered
            if advice is not None and not skipped:
                found[key] = (advice, comp, aspect.key, order)
            order += 1
    ratios = _ratios(result, lang)
    findings: list[Finding] = []
    ranked: list[tuple[Decimal, int, int, Prescription]] = []
    claimed: set[str] = set()
    ratio_of = {c.key: c.ratio for a in result.aspects if a.key != "management" for c in a.components}
    for i, cause in enumerate(rules.clinic.causes):
        if not any((x := ratio_of[k]) is not None and band.matches(x) for k, band in cause.when):
            continue
        named = [k for k, _ in cause.when]
        driven = [k for k, (advice, _, _, _) in found.items() if any(_matches(d, k, advice) for d in cause.drives)]
        concerns = sorted(driven, key=lambda k: (k not in named, named.index(k) if k in named else 0))
        lost = sum((found[k][1].lost for k in concerns), Decimal(0))
        text, steps = _guide(cause.guidance, lang, **ratios)
        findings.append(Finding(cause.key, text))
        ranked.append((lost, 0, i, Prescription(cause.key, tuple(concerns), text, steps, cause.target[lang], lost)))
        claimed.update(concerns)
    if result.unanswered:
        subs = tuple(f"management.{s}" for s in result.unanswered)
        weights = [c.weight for a in result.aspects if a.key == "management" for c in a.components]
        names = [c.key for a in result.aspects if a.key == "management" for c in a.components]
        lost = Decimal(sum(w for w, n in zip(weights, names, strict=True) if n in result.unanswered))
        labels = ", ".join(key_label(rules, s, lang) for s in subs)
        text, steps = _guide(rules.clinic.questionnaire, lang, subs_label=labels, lost=number(lost, lang))
        ranked.append((lost, 1, 0, Prescription("questionnaire", subs, text, steps, None, lost)))
        claimed.update(subs)
    for key, (advice, comp, aspect_key, position) in found.items():
        if key in claimed or (new and any(_matches(c, key, advice) for c in rules.clinic.not_yet)):
            continue
        target = component_target(rules, aspect_key, comp, lang)
        row = Prescription(key, (key,), advice.why[lang], advice.steps[lang], target, comp.lost)
        ranked.append((comp.lost, 1, position, row))
    ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
    plan = [r[3] for r in ranked]
    rank = {p.key: i for i, p in enumerate(plan)}
    findings.sort(key=lambda f: rank.get(f.key, len(plan)))
    if result.negative_equity:
        special = rules.coaching.special["negative_equity"]
        row = Prescription("negative_equity", ("equity_to_assets",), special.why[lang], special.steps[lang])
        plan.insert(1 if plan and ranked[0][1] == 0 else 0, row)
        findings.append(Finding("negative_equity", special.why[lang]))
    return findings, plan


def _indicative_plan(result: IndicativeResult, rules: Rules, lang: Lang) -> tuple[list[Finding], list[Prescription]]:
    """Weak indicators before those to watch, in the rules' order; only the indicators of this type."""
    applicable = rules.clinic.indicators_by_type.get(result.cooperative_type, keys.INDICATORS)
    ranked: list[tuple[Decimal, int, Finding, Prescription]] = []
    for position, (ind, rule) in enumerate(zip(result.indicators, rules.indicative, strict=True)):
        if ind.key not in applicable or ind.band not in SEVERITY or ind.value is None:
            continue
        unit = rules.label("units", ind.unit, lang)
        text, steps = _guide(rules.clinic.indicators[ind.key], lang, value=number(ind.value, lang))
        goal = band_text(rule.good, unit, rules.clinic.joiner[lang], lang)
        target = _target(rules, rules.label("indicators", ind.key, lang), goal, lang)
        row = Prescription(ind.key, (ind.key,), text, steps, target)
        ranked.append((SEVERITY[ind.band], position, Finding(ind.key, text), row))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return [r[2] for r in ranked], [r[3] for r in ranked]


def due_steps(
    record: CooperativeRecord | None, today: date | None, flags: tuple[str, ...], rules: Rules, lang: Lang
) -> tuple[DueStep, ...]:
    """Checklist items not in order, flags with a remedy and readiness items not in place; dated ones first."""
    steps: list[DueStep] = []
    how: Mapping[str, Mapping[str, tuple[str, ...]]] = rules.coaching.compliance
    if record is not None and today is not None:
        book_year = str(last_closed_book_year(today, rules.compliance))
        for item in checklist(record, today, rules.compliance):
            if item.status in ("ok", "unknown"):  # unknown facts are asked in the report, not prescribed
                continue
            topic = rules.coaching.compliance_map.get(item.key)
            text = rules.clinic.compliance[item.key][lang].format(book_year=book_year)
            steps.append(DueStep(item.key, item.status, item.due, text, how[topic][lang] if topic else ()))
    for flag in flags:
        topic = FLAG_TOPICS.get(flag)
        if topic is not None:
            steps.append(DueStep(flag, "not_met", None, rules.label("flags", flag, lang), how[topic][lang]))
    kinds = set() if record is None else {*record.tags, record.cooperative_type}  # a KKMP by type or by tag
    listed = {s.key for s in steps}  # NIB: a checklist item already said
    for tag in sorted(kinds):
        for entry in rules.clinic.readiness.get(tag, ()):
            if entry.key in listed:
                continue
            answer = record.readiness.get(entry.key) if record is not None else None
            if answer is not True:
                status: Status = "unknown" if answer is None else "not_met"
                text, how_steps = _guide(entry.guidance, lang)
                steps.append(DueStep(f"{tag}.{entry.key}", status, None, text, how_steps))
    dated = sorted((s for s in steps if s.due is not None), key=lambda s: s.due or date.max)
    return tuple(dated + [s for s in steps if s.due is None])


def treat(
    result: Result, rules: Rules, lang: Lang = "id", record: CooperativeRecord | None = None, today: date | None = None
) -> Treatment:
    """State, diagnosis, plan and compliance steps for a result (and the cooperative's record, when known)."""
    new = is_new(record, today, rules)
    missing = missing_required(result.reported, result.framework, rules)
    compliance = due_steps(record, today, result.flags, rules, lang)
    new_finding = Finding("new_cooperative", rules.clinic.new_cooperative.text[lang])
    if missing:
        labels = ", ".join(key_label(rules, k, lang) for k in missing)
        text, steps = _guide(rules.clinic.data_incomplete, lang, keys_label=labels)
        plan = [Prescription("data_incomplete", missing, text, steps)]
        if isinstance(result, HealthResult) and result.unanswered:
            plan += [p for p in _health_plan(result, rules, lang, new)[1] if p.key == "questionnaire"]
        findings = [Finding("data_incomplete", text)] + ([new_finding] if new else [])
        return Treatment("data_incomplete", tuple(findings), tuple(plan), compliance)
    if isinstance(result, HealthResult):
        findings, plan = _health_plan(result, rules, lang, new)
    else:
        findings, plan = _indicative_plan(result, rules, lang)
    if new:
        text, steps = _guide(rules.clinic.new_cooperative, lang)
        plan.insert(0, Prescription("new_cooperative", (), text, steps))
        findings.insert(0, new_finding)
    return Treatment("new_cooperative" if new else "ok", tuple(findings), tuple(plan), compliance)
