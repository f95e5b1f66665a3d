"""What the engine tells its host: the events of one step, in the order they are to be sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, get_args

from bot.domain.forms import Group, Question
from bot.domain.numbers import AmountProblemCode
from bot.domain.report_checks import Finding
from bot.domain.report_flow.state import YES, Progress

FlowProblemCode = Literal[
    "negative", "expected_yes_no", "expected_choice", "no_previous", "nothing_to_keep", "unknown_choice",
    "expected_still_same", "choose_option", "finished", "unknown_line", "reason_short",
    "too_short", "bad_moment", "past", "before_start", "after_start", "out_of_range",
]  # fmt: skip
ProblemCode = AmountProblemCode | FlowProblemCode
PROBLEM_CODES: Final[tuple[ProblemCode, ...]] = (*get_args(AmountProblemCode), *get_args(FlowProblemCode))
OfferWord = Literal[
    "same", "keep", "yes", "no", "skip", "pause", "help", "back", "submit", "edit", "cancel", "yes_keep", "no_fix",
    "still", "changed", "option", "item", "none",
]  # fmt: skip


@dataclass(frozen=True)
class Offer:
    """A button or numbered option the host shows; `id` comes back in `UserInput.choose`; `word` names its label,
    `value` fills it: the stored answer offered by same/keep, the section's title (edit), the option's label."""

    id: str
    word: OfferWord
    value: str | None = None


@dataclass(frozen=True)
class Ask:
    """The next question; `previous_value` and `current_value` are stored answers (last period's, this report's)."""

    question: Question
    number: int
    total: int
    section_index: int
    section_total: int
    overall_number: int
    overall_total: int
    previous_value: str | None
    current_value: str | None
    options: tuple[Offer, ...]
    problem: ProblemCode | None = None
    editing: bool = False

    @property
    def first_in_section(self) -> bool:
        return self.number == 1


@dataclass(frozen=True)
class Accepted:
    question: Question
    value: str

    @property
    def key(self) -> str:
        return self.question.key


@dataclass(frozen=True)
class Problem:
    """Why an input could not be used; `example` (from the form) goes into the re-ask."""

    code: ProblemCode
    question: Question | None
    example: str


@dataclass(frozen=True)
class NeedHelp:
    question: Question
    failures: int
    options: tuple[Offer, ...]


@dataclass(frozen=True)
class ConfirmChange:
    """A likely typo asked back once with the number (`finding`: a large or 1,000-fold change, a figure too small)."""

    question: Question
    key: str
    old: str
    new: str
    change_pct: Decimal
    options: tuple[Offer, ...]
    finding: Finding | None = None


@dataclass(frozen=True)
class CarriedItem:
    """One carried answer shown with its sub-aspect: its number in the sub-aspect, the item, the stored value."""

    number: int
    question: Question
    value: str


@dataclass(frozen=True)
class ConfirmGroup:
    """ "Masih sama?": the carried answers of one sub-aspect; `remaining` of its items are asked after them anyway."""

    group: Group
    section_index: int
    section_total: int
    first_in_section: bool
    items: tuple[CarriedItem, ...]
    remaining: int
    options: tuple[Offer, ...]
    problem: ProblemCode | None = None

    @property
    def yes(self) -> int:
        return sum(item.value == YES for item in self.items)


@dataclass(frozen=True)
class GroupDecided:
    """The answer to "Masih sama?": the stored answers kept (`kept`), or the items to be asked again (`changed`)."""

    group: Group
    kept: tuple[str, ...]
    changed: bool


@dataclass(frozen=True)
class SummaryItem:
    """A line of the summary: `number` is what "ubah <number>" names (None: computed, not asked)."""

    question: Question
    value: str | None
    number: int | None = None

    @property
    def computed(self) -> bool:
        return self.number is None

    @property
    def key(self) -> str:
        return self.question.key


@dataclass(frozen=True)
class SummarySection:
    id: str
    title: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class Summary:
    """Everything answered: the numbered lines, every blocking problem and open warning again, the choices."""

    sections: tuple[SummarySection, ...]
    answered: int
    total: int
    options: tuple[Offer, ...]
    blocking: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    numbers: Mapping[str, int] = field(default_factory=dict)  # key -> line number


@dataclass(frozen=True)
class SectionList:
    """The numbered lines of one section: the officer types (or presses) the one to change."""

    section: SummarySection
    options: tuple[Offer, ...]


@dataclass(frozen=True)
class SubmitRefused:
    """*Kirim* while blocking problems remain: each named with its sums and the numbered figures that enter it."""

    blocking: tuple[Finding, ...]
    numbers: Mapping[str, int]
    options: tuple[Offer, ...]


@dataclass(frozen=True)
class AskReason:
    """*Kirim* with open warnings: one reason confirms them all (or "ubah <number>" corrects a figure)."""

    warnings: tuple[Finding, ...]
    numbers: Mapping[str, int]
    options: tuple[Offer, ...]
    problem: ProblemCode | None = None


@dataclass(frozen=True)
class Submitted:
    """The answers to send; `confirmed`: warning id -> the officer's reason ("" when confirmed as asked)."""

    answers: Mapping[str, str]
    skipped: tuple[str, ...]
    carried: tuple[str, ...] = ()
    confirmed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cancelled:
    kept_answers: Mapping[str, str]


@dataclass(frozen=True)
class Paused:
    pass


@dataclass(frozen=True)
class HelpRequested:
    question: Question | None


Event = (
    Ask
    | Accepted
    | Problem
    | NeedHelp
    | ConfirmChange
    | ConfirmGroup
    | GroupDecided
    | Summary
    | SectionList
    | SubmitRefused
    | AskReason
    | Submitted
    | Cancelled
    | Paused
    | HelpRequested
)


@dataclass(frozen=True)
class Step:
    progress: Progress
    events: tuple[Event, ...]
