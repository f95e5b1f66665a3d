"""The forms as data (forms_data/*.json): the monthly self-report (sections, questions, the check rules) and the
office's short forms (a new training, an announcement), all run by the one step engine (`report_flow`).

`load_form()` reads the shipped file once; `questions_for(form, profile, ...)` picks and orders the questions a
cooperative answers. A question's `key` is what its answer is stored under: the spec's figure key
(``cash``), ``management.<sub_aspect>.<n>`` or ``compliance.<fact>``. Two indicative questions reuse contract keys
that a savings-and-loan unit also reports, so their keys are ``indicative.total_assets`` and
``indicative.current_liabilities``; `Question.figure` always holds the spec key, and `figures_for` maps answers
back to spec keys per framework.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

from bot.domain.check_rules import RuleSet, rules_from_json
from bot.domain.figures import INDICATIVE, PERDEP
from bot.domain.health.keys import MANAGEMENT_SUBS, SAVINGS_AND_LOAN_TYPES
from bot.domain.numbers import parse_yes_no
from bot.domain.periods import Period

QuestionKind = Literal["amount", "yesno", "integer", "choice", "text", "moment", "segment"]
Audience = Literal["perdep", "indicative"]
Cadence = Literal["monthly", "yearly"]

INDICATIVE_TYPES: Final = frozenset({"konsumen", "produsen", "pemasaran", "jasa", "kkmp", "ksu"})


@dataclass(frozen=True)
class Section:
    """A part of the report, asked in one go and editable from the summary."""

    id: str
    title_id: str
    title_en: str
    applies_to: frozenset[str]
    cadence: Cadence
    note_id: str = ""
    note_en: str = ""
    title_unit_id: str | None = None
    title_unit_en: str | None = None

    def title(self, lang: str = "id") -> str:
        return self.title_id if lang == "id" else self.title_en

    def note(self, lang: str = "id") -> str:
        return self.note_id if lang == "id" else self.note_en


@dataclass(frozen=True)
class Group:
    """A sub-aspect of a yearly section ("management.general"): its items are carried forward together (§8.3)."""

    id: str
    title_id: str
    title_en: str

    def title(self, lang: str = "id") -> str:
        return self.title_id if lang == "id" else self.title_en

    def holds(self, key: str) -> bool:
        return key.startswith(f"{self.id}.")


@dataclass(frozen=True)
class Option:
    """A fixed answer of a choice question."""

    id: str
    label_id: str
    label_en: str


@dataclass(frozen=True)
class Limits:
    """What an answer of the office's forms must respect, besides its kind (all optional).

    `min_length`/`max_length`: a text's length (longer is cut); `minimum`/`maximum`: an integer's range;
    `none_words`: typed words that mean "none" (stored as ""), `none_offer`: "none" is offered as a button too;
    `future`: a moment after now; `after`: a moment after that answer (a time alone is on its day);
    `not_after`: a moment no later than that answer.
    """

    min_length: int = 0
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    none_words: frozenset[str] = frozenset()
    none_offer: bool = False
    future: bool = False
    after: str | None = None
    not_after: str | None = None


@dataclass(frozen=True)
class Question:
    """One question of the form; labels and hints in Indonesian and English."""

    key: str
    kind: QuestionKind
    section: Section
    label_id: str
    label_en: str
    hint_id: str
    hint_en: str
    example_id: str
    example_en: str
    may_be_negative: bool
    applies_to: frozenset[str]
    types: frozenset[str] = frozenset()
    figure: str | None = None
    short_id: str | None = None
    short_en: str | None = None
    options: tuple[Option, ...] = ()
    group: Group | None = None
    only_when_asked_by_checks: bool = False  # asked only when `report_checks.check` needs it (`Checked.ask`)
    statement_id: str | None = None  # the line's name under SAK EP where it differs from the older one in `label_id`
    ask_again_while_no: bool = False  # a yearly item answered "tidak" is asked every report until it is "ya"
    limits: Limits = field(default_factory=Limits)

    @property
    def yearly(self) -> bool:
        """Asked at most once a year and carried forward (management, compliance), not reported monthly."""
        return self.section.cadence == "yearly"

    def label(self, lang: str = "id") -> str:
        return self.label_id if lang == "id" else self.label_en

    def statement_label(self, lang: str = "id") -> str:
        """The name on the financial statements: SAK EP's, the older one in brackets ("Aset tetap (Aktiva tetap)")."""
        label = self.label(lang)
        return f"{self.statement_id} ({label})" if lang == "id" and self.statement_id else label

    def short(self, lang: str = "id") -> str:
        """The name used in echoes and the summary ("Kas", "NIB")."""
        found = self.short_id if lang == "id" else self.short_en
        return found or self.label(lang)

    def hint(self, lang: str = "id") -> str:
        return self.hint_id if lang == "id" else self.hint_en

    def example(self, lang: str = "id") -> str:
        return self.example_id if lang == "id" else self.example_en


@dataclass(frozen=True)
class Form:
    """The whole form: sections and questions in asking order, and the rules that check answers together."""

    id: str
    version: int
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    rules: RuleSet
    groups: tuple[Group, ...] = ()

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


@dataclass(frozen=True)
class Profile:
    """What kind of cooperative answers: its type, tags (e.g. ``kkmp``, ``pesantren``) and savings unit."""

    cooperative_type: str
    tags: frozenset[str] = frozenset()
    has_savings_unit: bool = False

    @property
    def is_kkmp(self) -> bool:
        return self.cooperative_type == "kkmp" or "kkmp" in self.tags

    @property
    def is_unit(self) -> bool:
        """True when the savings-and-loan figures are those of a unit (USP), not of a KSP."""
        if self.cooperative_type == "usp":
            return True
        return self.cooperative_type not in SAVINGS_AND_LOAN_TYPES and self.has_savings_unit

    @property
    def audiences(self) -> frozenset[str]:
        """``perdep`` for KSPs and savings units, ``indicative`` for every other type."""
        found: set[str] = set()
        if self.cooperative_type in SAVINGS_AND_LOAN_TYPES or self.has_savings_unit:
            found.add("perdep")
        if self.cooperative_type not in SAVINGS_AND_LOAN_TYPES:
            found.add("indicative")
        return frozenset(found)

    @property
    def perdep_type(self) -> str | None:
        """The `cooperative_type` to send with `perdep-06-2016`: ``ksp``, ``usp`` or None."""
        if "perdep" not in self.audiences:
            return None
        return "ksp" if self.cooperative_type == "ksp" else "usp"

    @property
    def type_names(self) -> frozenset[str]:
        return frozenset({self.cooperative_type, *self.tags})


def _section(raw: Mapping[str, Any]) -> Section:
    return Section(
        id=raw["id"],
        title_id=raw["title_id"],
        title_en=raw["title_en"],
        applies_to=frozenset(raw["applies_to"]),
        cadence=raw["cadence"],
        note_id=raw.get("note_id", ""),
        note_en=raw.get("note_en", ""),
        title_unit_id=raw.get("title_unit_id"),
        title_unit_en=raw.get("title_unit_en"),
    )


def _question(raw: Mapping[str, Any], sections: Mapping[str, Section], groups: Sequence[Group]) -> Question:
    return Question(
        key=raw["key"],
        kind=raw["kind"],
        section=sections[raw["section"]],
        label_id=raw.get("label_id", ""),
        label_en=raw.get("label_en", ""),
        hint_id=raw.get("hint_id", ""),
        hint_en=raw.get("hint_en", ""),
        example_id=raw.get("example_id", ""),
        example_en=raw.get("example_en", ""),
        may_be_negative=bool(raw.get("may_be_negative", False)),
        applies_to=frozenset(raw["applies_to"]),
        types=frozenset(raw.get("types", ())),
        figure=raw.get("figure"),
        short_id=raw.get("short_id"),
        short_en=raw.get("short_en"),
        options=tuple(Option(o["id"], o["label_id"], o["label_en"]) for o in raw.get("options", ())),
        group=next((g for g in groups if g.holds(raw["key"])), None),
        only_when_asked_by_checks=bool(raw.get("only_when_asked_by_checks", False)),
        statement_id=raw.get("statement_id"),
        ask_again_while_no=bool(raw.get("ask_again_while_no", False)),
        limits=_limits(raw.get("limits", {})),
    )


def _limits(raw: Mapping[str, Any]) -> Limits:
    return Limits(
        min_length=int(raw.get("min_length", 0)),
        max_length=raw.get("max_length"),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        none_words=frozenset(raw.get("none_words", ())),
        none_offer=bool(raw.get("none_offer", False)),
        future=bool(raw.get("future", False)),
        after=raw.get("after"),
        not_after=raw.get("not_after"),
    )


def form_from_json(raw: Mapping[str, Any]) -> Form:
    """A Form from its JSON document; raises KeyError/ValueError when the document is malformed."""
    sections = tuple(_section(s) for s in raw["sections"])
    by_id = {s.id: s for s in sections}
    groups = tuple(Group(g["id"], g["title_id"], g["title_en"]) for g in raw.get("groups", ()))
    questions = tuple(_question(q, by_id, groups) for q in raw["questions"])
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate question keys in the form")
    rules = rules_from_json(raw.get("rules", {}))
    unknown = (rules.keys() | {k for q in questions for k in (q.limits.after, q.limits.not_after) if k}) - set(keys)
    if unknown:
        raise ValueError(f"the rules or limits name unknown keys: {sorted(unknown)}")
    order = {s.id: i for i, s in enumerate(sections)}
    ordered = tuple(sorted(questions, key=lambda q: order[q.section.id]))  # stable: keeps file order within
    return Form(raw["form"], int(raw["version"]), sections, ordered, rules, groups)


@cache
def load_form(name: str = "monthly_report") -> Form:
    """The form shipped in bot/domain/forms_data/<name>.json."""
    text = resources.files("bot.domain").joinpath("forms_data", f"{name}.json").read_text(encoding="utf-8")
    return form_from_json(json.loads(text))


def _applies(question: Question, profile: Profile) -> bool:
    if not question.applies_to & profile.audiences:
        return False
    return not question.types or bool(question.types & profile.type_names)


def questions_for(
    form: Form,
    profile: Profile,
    include_management: bool,
    include_compliance: bool = False,
    include_asked_by_checks: bool = False,
) -> list[Question]:
    """The questions this cooperative answers, in asking order.

    The management questionnaire and the compliance facts are yearly sections (answers carried forward, §8.3):
    `carry.plan` decides which of their items a report includes. Questions asked only when the checks need them
    (`Question.only_when_asked_by_checks`) come with `include_asked_by_checks`.
    """
    chosen: list[Question] = []
    for question in form.questions:
        if question.only_when_asked_by_checks and not include_asked_by_checks:
            continue
        if question.section.id == "manajemen" and not include_management:
            continue
        if question.section.id == "kepatuhan" and not include_compliance:
            continue
        if not _applies(question, profile):
            continue
        section = question.section
        if profile.is_unit and "perdep" in section.applies_to and section.title_unit_id and section.title_unit_en:
            section = replace(section, title_id=section.title_unit_id, title_en=section.title_unit_en)
            question = replace(question, section=section)
        chosen.append(question)
    return chosen


def stored_decimal(text: str) -> Decimal | None:
    """A stored amount ("12300000", "1250000.50") as a Decimal, or None if it is not one."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def amounts(answers: Mapping[str, str], keys: Iterable[str]) -> dict[str, Decimal]:
    """The stored answers of `keys` that are amounts, as Decimals."""
    found: dict[str, Decimal] = {}
    for key in keys:
        value = stored_decimal(answers[key]) if key in answers else None
        if value is not None:
            found[key] = value
    return found


def figures_for(questions: Iterable[Question], answers: Mapping[str, str], framework: str) -> dict[str, Decimal]:
    """The answered figures of one framework keyed by spec figure key, ready for `assess`."""
    audience = "perdep" if framework == PERDEP else "indicative" if framework == INDICATIVE else None
    found: dict[str, Decimal] = {}
    for question in questions:
        if question.figure is None or audience not in question.applies_to or question.key not in answers:
            continue
        value = amounts(answers, [question.key]).get(question.key)
        if value is not None:
            found[question.figure] = value
    return found


def management_answers(answers: Mapping[str, str], form: Form | None = None) -> dict[str, list[bool]] | None:
    """The management answers as `assess` takes them (booleans per sub-aspect), or None if incomplete."""
    form = form or load_form()
    result: dict[str, list[bool]] = {}
    for sub in MANAGEMENT_SUBS:
        keys = [q.key for q in form.questions if q.key.startswith(f"management.{sub}.")]
        values = [parse_yes_no(answers.get(k, "")) for k in keys]
        if any(v is None for v in values):
            return None
        result[sub] = [bool(v) for v in values]
    return result


def wording_hash(question: Question) -> str:
    """A short fingerprint of an item's Indonesian wording: a stored answer to other wording is asked again (§8.3)."""
    return hashlib.sha256(question.label_id.encode("utf-8")).hexdigest()[:16]


def yearly_due(last_answered_period: str | None, period: str) -> bool:
    """Whether yearly sections are asked in `period` ("2026-11"): never answered, or answered 12+ months before."""
    if last_answered_period is None:
        return True
    last, now = Period.parse(last_answered_period), Period.parse(period)
    return (now.year - last.year) * 12 + (now.month - last.month) >= 12
