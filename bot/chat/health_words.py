"""Plain-text explanations of a result: a phone-sized summary for chat and a full text for the CLI.

The words are the templates' health.j2 (id and en); the rules file gives the labels, coaching texts and targets.
"""

from __future__ import annotations

from bot.domain.coaching import Coaching, Lang
from bot.domain.health.clinic import DueStep, Prescription, component_range
from bot.domain.health.formats import number
from bot.domain.health.notes import ASPECT_OF, officer_text
from bot.domain.health.result import ComponentResult, HealthResult, IndicativeResult, Result
from bot.domain.health.rules import Rules, default_rules
from bot.domain.periods import format_date
from bot.words import render

SUMMARY_BUDGET = 1500
CHAT_PLAN_ITEMS = 3


def word(key: str, lang: Lang) -> str:
    """A fixed word of health.j2: "score", "not_computed", "next_steps", ..."""
    return render.text(lang, "health.word", key=key)


def header(result: Result, lang: Lang) -> str:
    """'Skor sementara: 72,40 - Cukup Sehat' (provisional) or 'Cukup Sehat - skor 72,40' (official)."""
    if isinstance(result, IndicativeResult):
        return render.text(lang, "health.indicative_header", label=result.label)
    total = number(result.total, lang)
    if result.provisional:
        return f"{word('provisional_score', lang)}: {total} - {result.category_label}"
    return f"{result.category_label} - {word('score', lang)} {total}"


def _reason(result: HealthResult, comp: ComponentResult, rules: Rules, lang: Lang) -> str | None:
    """Why a ratio was not computed, from the component's own note (losses are not missing figures)."""
    for n in result.notes:
        if n.topic == comp.key and n.code in ("lowest", "top"):
            text = officer_text(n, rules, lang).split(": ", 1)[1]
            return text[:1].upper() + text[1:]
    return None


def raise_hint(rules: Rules, aspect: str, comp: ComponentResult, lang: Lang, result: HealthResult | None = None) -> str:
    """One short sentence on what would raise a component's nilai."""
    if comp.score >= comp.weight:
        return word("at_maximum", lang)
    if aspect == "management":
        return render.text(lang, "health.per_yes", points=number(rules.management[comp.key].points_per_yes, lang))
    best = component_range(rules, aspect, comp, lang)
    if best is None:
        return word("lower_is_better", lang)
    hint = render.text(lang, "health.best_at", range=best)
    reason = _reason(result, comp, rules, lang) if result is not None and comp.ratio is None else None
    return hint if reason is None else f"{reason} {hint}"


def _component_line(rules: Rules, result: HealthResult, aspect: str, comp: ComponentResult, lang: Lang) -> str:
    name = rules.label("components", f"{aspect}.{comp.key}", lang)
    nilai = comp.nilai if isinstance(comp.nilai, int) else number(comp.nilai, lang)
    if comp.ratio is not None:
        ratio = f"{number(comp.ratio, lang)}%"
    elif aspect == "management":
        ratio = ""
    else:
        ratio = word("not_computed", lang)
    score = f"{word('score', lang)} {number(comp.score, lang)}/{comp.weight}"
    shown = f"{ratio}, " if ratio else ""
    hint = raise_hint(rules, aspect, comp, lang, result)
    return f"  - {name}: {shown}{word('nilai', lang)} {nilai}, {score}. {hint}"


def _concern_name(rules: Rules, key: str, lang: Lang) -> str | None:
    if key in ASPECT_OF:
        return rules.label("components", f"{ASPECT_OF[key]}.{key}", lang)
    if key.startswith("management."):
        return rules.label("components", key, lang)
    if key in rules.labels["indicators"]:
        return rules.label("indicators", key, lang)
    return None


def _plan_lines(rules: Rules, item: Prescription, lang: Lang, with_why: bool, max_steps: int) -> list[str]:
    name = _concern_name(rules, item.key, lang)
    head = f"• {name}: {item.text}" if name and with_why else f"• {name}" if name else f"• {item.text}"
    lines = [head]
    if item.target and with_why:
        lines.append(f"  {item.target}")
    return lines + [f"  {i}. {s}" for i, s in enumerate(item.steps[:max_steps], 1)]


def _due_lines(rules: Rules, item: DueStep, lang: Lang, with_how: bool, max_steps: int) -> list[str]:
    status = rules.label("statuses", item.status, lang)
    if item.due is not None:
        when = f" ({status}, {word('by', lang)} {format_date(item.due, lang, weekday=False)})"
    else:
        when = f" ({status})"
    steps = [f"  {i}. {s}" for i, s in enumerate(item.steps[:max_steps], 1)] if with_how else []
    return [f"• {item.text}{when}", *steps]


def _coaching_lines(
    rules: Rules, coaching: Coaching, lang: Lang, with_why: bool, max_steps: int, items: int
) -> list[str]:
    lines: list[str] = []
    causes = [f for f in coaching.diagnosis if f.key not in ("new_cooperative", "data_incomplete")]
    if with_why and coaching.state == "ok" and len(causes) > 1 and items > CHAT_PLAN_ITEMS:
        lines.append(word("main_causes", lang))
        lines += [f"- {f.text}" for f in causes]
    if coaching.plan:
        lines.append(word("next_steps", lang))
        for item in coaching.plan[:items]:
            lines += _plan_lines(rules, item, lang, with_why, max_steps)
    if coaching.compliance:
        lines.append(word("obligations", lang))
        for due in coaching.compliance:
            lines += _due_lines(rules, due, lang, max_steps > 0, min(max_steps, 2 if items <= CHAT_PLAN_ITEMS else 4))
    if coaching.review_list_note:
        lines.append(coaching.review_list_note)
    return lines


def _indicator_lines(rules: Rules, result: IndicativeResult, lang: Lang) -> list[str]:
    lines = []
    for ind in result.indicators:
        name = rules.label("indicators", ind.key, lang)
        if ind.value is None:
            lines.append(f"- {name}: {word('not_computed', lang)}")
            continue
        unit = rules.label("units", ind.unit, lang)
        band = rules.label("bands", ind.band or "", lang)
        lines.append(f"- {name}: {number(ind.value, lang)}{unit} ({band})")
    return lines


def summary_text(result: Result, coaching: Coaching, lang: Lang = "id", rules: Rules | None = None) -> str:
    """The officer-facing chat summary, kept under ~1,500 characters; the plan's first three entries."""
    active = rules if rules is not None else default_rules()
    lines = [header(result, lang)]
    if isinstance(result, IndicativeResult):
        lines += _indicator_lines(active, result, lang)
    else:
        for a in result.aspects:
            lines.append(f"- {active.label('aspects', a.key, lang)}: {number(a.score, lang)}/{a.weight}")
    text = ""
    for with_why, max_steps in ((True, 4), (True, 2), (False, 2), (False, 1), (False, 0)):
        text = "\n".join(lines + _coaching_lines(active, coaching, lang, with_why, max_steps, CHAT_PLAN_ITEMS))
        if len(text) <= SUMMARY_BUDGET:
            break
    return text


def full_text(result: Result, coaching: Coaching, lang: Lang = "id", rules: Rules | None = None) -> str:
    """The full explanation: every aspect and component, notes, the whole plan, compliance and the escalation."""
    active = rules if rules is not None else default_rules()
    lines = [header(result, lang), ""]
    if isinstance(result, IndicativeResult):
        lines += _indicator_lines(active, result, lang)
    else:
        lines += _aspect_lines(result, active, lang)
    if result.notes:
        lines += ["", word("notes", lang)]
        lines += [f"- {officer_text(n, active, lang)}" for n in result.notes]
    coaching_lines = _coaching_lines(active, coaching, lang, True, 5, len(coaching.plan))
    if coaching_lines:
        lines += ["", *coaching_lines]
    if coaching.escalation:
        lines += ["", word("office_follow_up", lang)]
        lines += [f"- {s}" for s in coaching.escalation]
    if coaching.provisional_note:
        lines.append(coaching.provisional_note)
    return "\n".join(lines)


def _aspect_lines(result: HealthResult, rules: Rules, lang: Lang) -> list[str]:
    lines = []
    for a in result.aspects:
        lines.append(f"{rules.label('aspects', a.key, lang)}: {number(a.score, lang)}/{a.weight}")
        lines += [_component_line(rules, result, a.key, c, lang) for c in a.components]
    return lines
