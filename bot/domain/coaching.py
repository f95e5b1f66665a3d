"""Diagnosis to next steps (spec §10): weakest components, special rows, escalation ladder, compliance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.domain.health.compliance import ComplianceItem
from bot.domain.health.flags import points_to_special_supervision
from bot.domain.health.result import ComponentResult, HealthResult, Result
from bot.domain.health.rules import Advice, Rules

Lang = Literal["id", "en"]
MAX_COMPONENTS = 3
FLAG_TOPICS = {"late_or_wrong_books": "books", "unaudited_over_2_5bn": "audit", "no_rat_2_years": "rat"}


@dataclass(frozen=True)
class CoachingItem:
    """One thing to work on: its key (aspect.component or a topic), why it matters, and 2-4 steps."""

    key: str
    why: str
    steps: tuple[str, ...]
    lost: Decimal = Decimal(0)


@dataclass(frozen=True)
class Coaching:
    """Everything the bot says after a score, in one language."""

    lang: Lang
    components: tuple[CoachingItem, ...]
    negative_equity: CoachingItem | None
    missing_figures: CoachingItem | None
    category: str | None
    escalation: tuple[str, ...]
    provisional_note: str | None
    review_list_note: str | None
    compliance: tuple[CoachingItem, ...]


def _triggered(advice: Advice, comp: ComponentResult) -> bool:
    for t in advice.triggers:
        if t.null and comp.ratio is None and comp.lost > 0:
            return True
        if t.ratio is not None and comp.ratio is not None and t.ratio.matches(comp.ratio):
            return True
        if t.score is not None and t.score.matches(comp.score):
            return True
    return False


def _item(key: str, advice: Advice, lang: Lang, lost: Decimal = Decimal(0)) -> CoachingItem:
    return CoachingItem(key, advice.why[lang], advice.steps[lang], lost)


def weakest(result: HealthResult, rules: Rules, lang: Lang = "id") -> tuple[CoachingItem, ...]:
    """At most three triggered components, most points lost first, ties in aspect order (§10.1)."""
    candidates: list[tuple[Decimal, int, CoachingItem]] = []
    order = 0
    for aspect in result.aspects:
        for comp in aspect.components:
            key = f"{aspect.key}.{comp.key}"
            advice = next((a for a in rules.coaching.components.get(key, ()) if _triggered(a, comp)), None)
            if advice is not None:
                candidates.append((comp.lost, order, _item(key, advice, lang, comp.lost)))
            order += 1
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return tuple(item for _, _, item in candidates[:MAX_COMPONENTS])


def compliance_coaching(
    items: tuple[ComplianceItem, ...], rules: Rules, lang: Lang = "id", flags: tuple[str, ...] = ()
) -> tuple[CoachingItem, ...]:
    """Steps for every checklist item not met or due soon, and for flags with a remedy (never dropped)."""
    topics: list[str] = []
    for item in items:
        topic = rules.coaching.compliance_map.get(item.key)
        if item.status in ("not_met", "due_soon") and topic is not None and topic not in topics:
            topics.append(topic)
    for flag in flags:
        topic = FLAG_TOPICS.get(flag)
        if topic is not None and topic not in topics:
            topics.append(topic)
    return tuple(CoachingItem(t, "", rules.coaching.compliance[t][lang]) for t in topics)


def coach(result: Result, rules: Rules, lang: Lang = "id", compliance: tuple[ComplianceItem, ...] = ()) -> Coaching:
    """Coaching for a result; an indicative result gets compliance coaching only (it has no score)."""
    c = rules.coaching
    steps = compliance_coaching(compliance, rules, lang, result.flags)
    review = c.review_list_note[lang] if points_to_special_supervision(result.flags) else None
    if not isinstance(result, HealthResult):
        return Coaching(lang, (), None, None, None, (), None, review, steps)
    negative = _item("negative_equity", c.special["negative_equity"], lang) if result.negative_equity else None
    missing = _item("missing_figures", c.special["missing_figures"], lang) if result.missing_figures else None
    return Coaching(
        lang=lang,
        components=weakest(result, rules, lang),
        negative_equity=negative,
        missing_figures=missing,
        category=result.category,
        escalation=c.escalation[result.category][lang],
        provisional_note=c.provisional_note[lang] if result.provisional else None,
        review_list_note=review,
        compliance=steps,
    )
