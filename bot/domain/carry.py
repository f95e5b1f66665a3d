"""Carrying the yearly answers forward (spec §8.3): what a report confirms per sub-aspect, offers, or asks again.

Each month the stored answers of a management sub-aspect are shown together and confirmed with one "Masih sama?"
(`report_flow.ConfirmGroup`); only an answer that is stale (answered 12 or more months before), never given, or given
to other wording is always asked. Yearly items without a group (the compliance facts) are asked only when due, and
otherwise carried silently; a readiness item answered "tidak" (`Question.ask_again_while_no`) is asked again every
report until it is in place, so it is followed up. A full re-ask ("ubah manajemen") asks every yearly item,
offering its stored answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.forms import Question, wording_hash, yearly_due
from bot.domain.report_flow.state import NO


@dataclass(frozen=True)
class StoredAnswer:
    """A carried answer: its value ("ya"/"tidak"), the reporting period it was given in, its wording's hash."""

    value: str
    period: str
    wording: str | None = None  # None: recorded before wording was kept, taken as unchanged

    def fits(self, question: Question) -> bool:
        """Whether it answers the item's current wording."""
        return self.wording is None or self.wording == wording_hash(question)


@dataclass(frozen=True)
class Plan:
    """The yearly part of one report; JSON-serialisable so a report decides it once."""

    asked: tuple[str, ...] = ()  # the yearly items in this report's questions
    previous: Mapping[str, str] = field(default_factory=dict)  # stored answers to offer ("Sama seperti bulan lalu")
    carried: Mapping[str, str] = field(default_factory=dict)  # fresh answers, confirmed per sub-aspect
    full: bool = False  # every yearly item asked again, none confirmed per sub-aspect

    def questions(self, questions: Sequence[Question]) -> list[Question]:
        """The monthly questions and the yearly ones this report includes, in asking order."""
        asked = set(self.asked)
        return [q for q in questions if not q.yearly or q.key in asked]

    def to_json(self) -> dict[str, Any]:
        return {
            "asked": list(self.asked),
            "previous": dict(self.previous),
            "carried": dict(self.carried),
            "full": self.full,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Plan:
        return cls(
            tuple(str(k) for k in raw.get("asked", ())),
            {str(k): str(v) for k, v in dict(raw.get("previous", {})).items()},
            {str(k): str(v) for k, v in dict(raw.get("carried", {})).items()},
            bool(raw.get("full", False)),
        )


def plan(questions: Sequence[Question], stored: Mapping[str, StoredAnswer], period: str, full: bool = False) -> Plan:
    """Which yearly items of `questions` a report for `period` includes, offers and lets confirm per sub-aspect."""
    asked: list[str] = []
    previous: dict[str, str] = {}
    carried: dict[str, str] = {}
    for question in questions:
        if not question.yearly:
            continue
        answer = stored.get(question.key)
        if answer is None or not answer.fits(question):  # never answered, or answered to other wording
            asked.append(question.key)
            continue
        previous[question.key] = answer.value
        fresh = not yearly_due(answer.period, period) and not (question.ask_again_while_no and answer.value == NO)
        if fresh and not full and question.group is not None:
            carried[question.key] = answer.value
        if full or not fresh or question.group is not None:
            asked.append(question.key)
    return Plan(tuple(asked), previous, carried, full)
