"""Diagnosis to next steps (spec §10): the clinic's treatment plan, the escalation ladder and the notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.health.clinic import DueStep, Finding, Prescription, Treatment, treat
from bot.domain.health.compliance import CooperativeRecord
from bot.domain.health.flags import points_to_special_supervision
from bot.domain.health.result import HealthResult, Result
from bot.domain.health.rules import Rules

Lang = Literal["id", "en"]


@dataclass(frozen=True)
class Coaching:
    """Everything the bot says after a score, in one language."""

    lang: Lang
    treatment: Treatment
    category: str | None
    escalation: tuple[str, ...]
    provisional_note: str | None
    review_list_note: str | None

    @property
    def state(self) -> str:
        """ok, data_incomplete or new_cooperative."""
        return self.treatment.state

    @property
    def diagnosis(self) -> tuple[Finding, ...]:
        """The causes and states found."""
        return self.treatment.diagnosis

    @property
    def plan(self) -> tuple[Prescription, ...]:
        """The treatment plan, first priority first."""
        return self.treatment.coaching

    @property
    def compliance(self) -> tuple[DueStep, ...]:
        """Obligations and readiness items not in order, dated ones first."""
        return self.treatment.compliance


def coach(
    result: Result,
    rules: Rules,
    lang: Lang = "id",
    record: CooperativeRecord | None = None,
    today: date | None = None,
) -> Coaching:
    """Coaching for a result; an indicative result has no category and no escalation (it has no score)."""
    c = rules.coaching
    treatment = treat(result, rules, lang, record, today)
    review = c.review_list_note[lang] if points_to_special_supervision(result.flags) else None
    if not isinstance(result, HealthResult):
        return Coaching(lang, treatment, None, (), None, review)
    return Coaching(
        lang=lang,
        treatment=treatment,
        category=result.category,
        escalation=c.escalation[result.category][lang],
        provisional_note=c.provisional_note[lang] if result.provisional else None,
        review_list_note=review,
    )
