"""The report conversation as a pure step engine (goflow style): state plus one input in, new state plus events out.

The host (the report handler) loads `Progress` from storage, calls the engine, stores the new progress, and renders
the events as replies. The engine does no I/O and never raises on user input: every text (empty, 5,000
characters, emoji, "satu juta", a negative where none is allowed) gives a `Problem`, and earlier answers are
never lost. Commands (/batal, /bantuan) are the host's business; the engine only sees answers and option ids.

API::

    start(questions, context, prefilled=None) -> Step        # first Ask (or the Summary if all answered)
    advance(questions, progress, user_input, context) -> Step
    resume(questions, progress, context) -> Step             # re-send the current prompt after a pause
    forget_carried(progress) -> Progress                     # a full re-ask: answers kept by "Masih sama" go
    Step(progress, events); Progress.to_json() / Progress.from_json(raw)

Inputs: `UserInput.text("12,3 jt")` or `UserInput.choose("same")`. Option ids (<= 48 bytes): ``same`` (same as
last month), ``keep`` (keep the current answer, offered when re-asking), ``yes``/``no``, ``opt:<id>`` (choice
questions), ``skip``, ``pause``, ``help`` (offered by NeedHelp), ``back`` (leave a section edit for the summary),
``submit``, ``edit:<section>``, ``cancel``. Typed words work too: "sama", "tetap", "lewati", "kirim",
"ubah neraca", "batal", and the number of a listed option for yes/no and choice questions and the summary.

Events, in the order the host should send them:

* `Accepted(key, value, echo)`: an answer was stored; echo is short ("Kas: Rp12.300.000").
* `Problem(code, question, example, message)`: the input could not be used; `message` is the friendly re-ask
  in the context's language (`PROBLEM_MESSAGES`); always followed by the `Ask` again (with `problem` set) or,
  after every third failure at one question, by `NeedHelp` (offering skip / pause / help, and typing still works).
* `ConfirmGroup(group, items, ...)`: "Masih sama?" for the carried answers of one sub-aspect (`Context.carried`,
  spec §8.3), asked before its first item; ``still`` keeps them all (`GroupDecided` with the kept keys), ``changed``
  asks the sub-aspect's items one by one, each offering its stored answer (``same``). Typed "masih sama", "ya",
  "ada perubahan", "tidak" or the option's number work too.
* `ConfirmChange(question, old, new, change_pct, options)`: a figure moved more than 50% since last period;
  "yes" keeps it, "no" asks again, a new amount replaces it.
* `CrossCheckFailed(check, keys)`: answers contradict each other; the keys in `check.reask` are asked again
  one by one (with a ``keep`` option). If the check still fails after that, `CheckKept(check)` is emitted,
  the answers stay as given (the assessment warns about it) and the report goes on.
* `Ask(...)`: the next question with numbering, previous and current values, and `options` for buttons.
* `Summary(sections, options)`: everything answered; choices Kirim / Ubah <bagian> / Batal.
* `Submitted(answers, skipped, carried)` (carried: the keys kept by "Masih sama", not answered anew),
  `Cancelled(kept_answers)`, `Paused()`, `HelpRequested(question)`.

Answers are stored as strings: amounts as plain decimals ("12300000", "-2500000", "1250000.50"), yes/no as
"ya"/"tidak", integers as digits, choices as the option id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Final, Literal

from bot.domain.forms import Check, Group, Question, checks_for, failed_checks, load_form, stored_decimal
from bot.domain.numbers import (
    AmountProblem,
    format_decimal,
    format_rupiah,
    parse_amount,
    parse_integer,
    parse_yes_no,
    to_plain,
)

Stage = Literal["asking", "confirm_change", "confirm_group", "summary", "done", "cancelled"]
Lang = Literal["id", "en"]
STAGES: Final = ("asking", "confirm_change", "confirm_group", "summary", "done", "cancelled")
HELP_EVERY: Final = 3
MAX_TEXT: Final = 1000
YES: Final = "ya"
NO: Final = "tidak"

PROBLEM_MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    "empty": {
        "id": "Maaf, jawabannya masih kosong. Tulis angkanya, misalnya {example}.",
        "en": "Sorry, the answer is empty. Type the amount, for example {example}.",
    },
    "too_long": {
        "id": "Maaf, jawabannya terlalu panjang. Tulis angkanya saja, misalnya {example}.",
        "en": "Sorry, that is too long. Type just the amount, for example {example}.",
    },
    "words": {
        "id": "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya {example}.",
        "en": "Sorry, we could not read that. Type just the number, for example {example}.",
    },
    "unreadable": {
        "id": "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya {example}.",
        "en": "Sorry, we could not read that. Type just the number, for example {example}.",
    },
    "ambiguous": {
        "id": "Maaf, angkanya bisa dibaca dua cara. Pakai titik untuk ribuan dan koma untuk desimal, "
        "misalnya {example}.",
        "en": "Sorry, that number can be read two ways. Use dots for thousands and a comma for decimals, "
        "for example {example}.",
    },
    "ambiguous_unit": {
        "id": 'Maaf, "m" bisa berarti juta atau miliar. Tulis "jt" untuk juta atau "M" untuk miliar, '
        "misalnya {example}.",
        "en": 'Sorry, "m" could mean million or billion. Write "jt" for million or "M" for billion, '
        "for example {example}.",
    },
    "too_many_decimals": {
        "id": "Maaf, rupiah paling banyak 2 angka di belakang koma. Contoh: {example}.",
        "en": "Sorry, rupiah take at most 2 decimals. Example: {example}.",
    },
    "too_large": {
        "id": "Maaf, angkanya terlalu besar. Periksa lagi, misalnya {example}.",
        "en": "Sorry, that number is too large. Please check it, for example {example}.",
    },
    "not_whole": {
        "id": "Maaf, yang diminta bilangan bulat. Contoh: {example}.",
        "en": "Sorry, a whole number is needed. Example: {example}.",
    },
    "negative": {
        "id": "Maaf, angka ini tidak boleh minus. Tulis tanpa tanda minus, misalnya {example}.",
        "en": "Sorry, this figure cannot be negative. Type it without a minus sign, for example {example}.",
    },
    "expected_yes_no": {
        "id": "Maaf, jawab dengan Ya atau Tidak.",
        "en": "Sorry, please answer yes or no.",
    },
    "expected_choice": {
        "id": "Maaf, pilih salah satu jawaban yang tersedia.",
        "en": "Sorry, please pick one of the answers offered.",
    },
    "no_previous": {
        "id": "Maaf, belum ada angka bulan lalu. Tulis angkanya, misalnya {example}.",
        "en": "Sorry, there is no figure from last month. Type it, for example {example}.",
    },
    "nothing_to_keep": {
        "id": "Maaf, pertanyaan ini belum dijawab. Tulis jawabannya, misalnya {example}.",
        "en": "Sorry, this question has no answer yet. Type one, for example {example}.",
    },
    "unknown_choice": {
        "id": "Maaf, pilihan itu sudah tidak berlaku. Silakan jawab pertanyaan ini.",
        "en": "Sorry, that choice no longer applies. Please answer this question.",
    },
    "expected_still_same": {
        "id": "Maaf, belum bisa kami baca. Pilih *Masih sama* bila jawabannya tidak berubah, atau *Ada perubahan*.",
        "en": "Sorry, we could not read that. Choose *Still the same* if nothing changed, or *Something changed*.",
    },
    "choose_option": {
        "id": "Silakan pilih: Kirim, Ubah (nama bagian), atau Batal.",
        "en": "Please choose: Submit, Edit (section name), or Cancel.",
    },
    "finished": {
        "id": "Laporan ini sudah selesai.",
        "en": "This report is already finished.",
    },
}

OPTION_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "same": {"id": "Sama seperti bulan lalu", "en": "Same as last month"},
    "keep": {"id": "Tetap {value}", "en": "Keep {value}"},
    "yes": {"id": "Ya", "en": "Yes"},
    "no": {"id": "Tidak", "en": "No"},
    "skip": {"id": "Lewati dulu", "en": "Skip for now"},
    "pause": {"id": "Lanjut nanti", "en": "Continue later"},
    "help": {"id": "Minta bantuan", "en": "Ask for help"},
    "back": {"id": "Kembali ke ringkasan", "en": "Back to summary"},
    "submit": {"id": "Kirim", "en": "Submit"},
    "edit": {"id": "Ubah {section}", "en": "Edit {section}"},
    "cancel": {"id": "Batal", "en": "Cancel"},
    "yes_keep": {"id": "Ya, benar", "en": "Yes, correct"},
    "no_fix": {"id": "Tidak, ubah", "en": "No, change it"},
    "still": {"id": "Masih sama", "en": "Still the same"},
    "changed": {"id": "Ada perubahan", "en": "Something changed"},
}
NOT_FILLED: Final = {"id": "belum diisi", "en": "not filled in"}
YES_NO_TEXT: Final = {"id": {YES: "Ya", NO: "Tidak"}, "en": {YES: "Yes", NO: "No"}}

_SAME_WORDS: Final = frozenset(
    {"sama", "same", "idem", "sama seperti bulan lalu", "sama dengan bulan lalu", "tetap sama"}
)
_KEEP_WORDS: Final = frozenset({"tetap", "keep", "tidak berubah", "sudah benar"})
_SKIP_WORDS: Final = frozenset({"lewati", "lewat", "skip", "lewati dulu"})
_SUBMIT_WORDS: Final = frozenset({"kirim", "submit", "kirim laporan", "selesai"})
_CANCEL_WORDS: Final = frozenset({"batal", "cancel", "batalkan"})
_CONTROLS: Final = frozenset({"same", "keep", "skip", "pause", "help", "back"})
_STILL_WORDS: Final = frozenset({"masih sama", "masih", "sama", "tetap", "tetap sama", "still the same", "same"})
_CHANGED_WORDS: Final = frozenset(
    {"ada perubahan", "ada", "berubah", "ada yang berubah", "ubah", "something changed", "changed", "change"}
)


@dataclass(frozen=True)
class Context:
    """What the engine needs besides the answers: last period's answers and the officer's language."""

    previous: Mapping[str, str] = field(default_factory=dict)
    lang: Lang = "id"
    change_threshold_pct: Decimal = Decimal(50)
    checks: tuple[Check, ...] | None = None  # None: the shipped form's checks
    carried: Mapping[str, str] = field(default_factory=dict)  # stored answers confirmed per sub-aspect (§8.3)


@dataclass(frozen=True)
class UserInput:
    """One thing the officer did: typed text or chose an option."""

    text_value: str | None = None
    choice: str | None = None

    @classmethod
    def text(cls, value: str) -> UserInput:
        return cls(text_value=value)

    @classmethod
    def choose(cls, option_id: str) -> UserInput:
        return cls(choice=option_id)


@dataclass(frozen=True)
class Progress:
    """The state of one report conversation; JSON-serialisable."""

    answers: Mapping[str, str] = field(default_factory=dict)
    current: str | None = None
    failures: int = 0
    pending: str | None = None
    stage: Stage = "asking"
    editing: str | None = None
    revisit: tuple[str, ...] = ()
    revisit_check: str | None = None
    resume_after: str | None = None
    acknowledged: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    groups_done: tuple[str, ...] = ()  # sub-aspects whose "Masih sama?" was answered
    carried: tuple[str, ...] = ()  # answers kept by "Masih sama" (not answered anew)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "answers": dict(self.answers),
            "current": self.current,
            "failures": self.failures,
            "pending": self.pending,
            "stage": self.stage,
            "editing": self.editing,
            "revisit": list(self.revisit),
            "revisit_check": self.revisit_check,
            "resume_after": self.resume_after,
            "acknowledged": list(self.acknowledged),
            "skipped": list(self.skipped),
            "groups_done": list(self.groups_done),
            "carried": list(self.carried),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Progress:
        """Rebuild from `to_json`; raises ValueError on a malformed document."""
        stage = raw.get("stage", "asking")
        answers = raw.get("answers", {})
        if stage not in STAGES or not isinstance(answers, dict):
            raise ValueError("malformed report progress")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            raise ValueError("malformed report answers")
        try:
            return cls(
                answers=dict(answers),
                current=_opt_str(raw.get("current")),
                failures=int(raw.get("failures", 0)),
                pending=_opt_str(raw.get("pending")),
                stage=stage,
                editing=_opt_str(raw.get("editing")),
                revisit=tuple(str(k) for k in raw.get("revisit", ())),
                revisit_check=_opt_str(raw.get("revisit_check")),
                resume_after=_opt_str(raw.get("resume_after")),
                acknowledged=tuple(str(k) for k in raw.get("acknowledged", ())),
                skipped=tuple(str(k) for k in raw.get("skipped", ())),
                groups_done=tuple(str(k) for k in raw.get("groups_done", ())),
                carried=tuple(str(k) for k in raw.get("carried", ())),
            )
        except TypeError as error:
            raise ValueError("malformed report progress") from error


def _opt_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("malformed report progress")


@dataclass(frozen=True)
class Offer:
    """A button or numbered option the host shows; `id` comes back in `UserInput.choose`."""

    id: str
    label: str


@dataclass(frozen=True)
class Ask:
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
    problem: str | None = None
    editing: bool = False

    @property
    def first_in_section(self) -> bool:
        return self.number == 1


@dataclass(frozen=True)
class Accepted:
    key: str
    value: str
    echo: str


@dataclass(frozen=True)
class Problem:
    code: str
    question: Question | None
    example: str
    message: str


@dataclass(frozen=True)
class NeedHelp:
    question: Question
    failures: int
    options: tuple[Offer, ...]


@dataclass(frozen=True)
class ConfirmChange:
    question: Question
    key: str
    old: str
    new: str
    old_display: str
    new_display: str
    change_pct: Decimal
    options: tuple[Offer, ...]


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
    problem: str | None = None

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
class CrossCheckFailed:
    check: Check
    keys: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class CheckKept:
    check: Check
    message: str


@dataclass(frozen=True)
class SummaryItem:
    key: str
    label: str
    value: str | None
    display: str


@dataclass(frozen=True)
class SummarySection:
    id: str
    title: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class Summary:
    sections: tuple[SummarySection, ...]
    answered: int
    total: int
    options: tuple[Offer, ...]


@dataclass(frozen=True)
class Submitted:
    answers: Mapping[str, str]
    skipped: tuple[str, ...]
    carried: tuple[str, ...] = ()


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
    | CrossCheckFailed
    | CheckKept
    | Summary
    | Submitted
    | Cancelled
    | Paused
    | HelpRequested
)


@dataclass(frozen=True)
class Step:
    progress: Progress
    events: tuple[Event, ...]


# ---------------------------------------------------------------- display helpers


def display_value(question: Question, value: str, lang: Lang = "id") -> str:
    """How a stored answer reads in the chat: "Rp12.300.000", "Ya", "1.250"."""
    if question.kind == "amount":
        amount = stored_decimal(value)
        return format_rupiah(amount) if amount is not None else value
    if question.kind == "yesno":
        return YES_NO_TEXT[lang].get(value, value)
    if question.kind == "integer":
        number = stored_decimal(value)
        return format_decimal(number, 0) if number is not None else value
    for option in question.options:
        if option.id == value:
            return option.label_id if lang == "id" else option.label_en
    return value


def echo(question: Question, value: str, lang: Lang = "id") -> str:
    """ "Kas: Rp12.300.000"."""
    return f"{question.short(lang)}: {display_value(question, value, lang)}"


def problem_message(code: str, example: str, lang: Lang = "id") -> str:
    """The friendly re-ask for a problem code."""
    template = PROBLEM_MESSAGES.get(code, PROBLEM_MESSAGES["unreadable"])[lang]
    return template.format(example=example)


def _label(option: str, lang: Lang, **values: str) -> str:
    return OPTION_LABELS[option][lang].format(**values)


# ---------------------------------------------------------------- navigation


def _find(questions: Sequence[Question], key: str | None) -> Question | None:
    return next((q for q in questions if q.key == key), None)


def _section_keys(questions: Sequence[Question], section_id: str) -> list[str]:
    return [q.key for q in questions if q.section.id == section_id]


def _following(questions: Sequence[Question], progress: Progress, after: str | None) -> str | None:
    """The key to ask after `after` (None: none left, go to the summary)."""
    if progress.editing is not None:
        keys = _section_keys(questions, progress.editing)
        if after in keys:
            index = keys.index(after) + 1
            return keys[index] if index < len(keys) else None
        return keys[0] if keys else None
    for question in questions:
        if question.key not in progress.answers and question.key not in progress.skipped:
            return question.key
    return None


def _options_for(question: Question, progress: Progress, context: Context) -> tuple[Offer, ...]:
    lang = context.lang
    offers: list[Offer] = []
    if question.kind == "yesno":
        offers += [Offer("yes", _label("yes", lang)), Offer("no", _label("no", lang))]
    if question.kind == "choice":
        offers += [Offer(f"opt:{o.id}", o.label_id if lang == "id" else o.label_en) for o in question.options]
    current = progress.answers.get(question.key)
    previous = context.previous.get(question.key)
    if current is not None:
        offers.append(Offer("keep", _label("keep", lang, value=display_value(question, current, lang))))
    elif previous is not None and question.kind not in ("yesno", "choice"):
        offers.append(Offer("same", _label("same", lang)))
    elif previous is not None:
        offers.append(Offer("same", f"{_label('same', lang)} ({display_value(question, previous, lang)})"))
    if progress.editing is not None:
        offers.append(Offer("back", _label("back", lang)))
    return tuple(offers)


def _ask(questions: Sequence[Question], progress: Progress, context: Context, problem: str | None = None) -> Ask:
    question = _find(questions, progress.current)
    assert question is not None  # callers only ask a known key
    sections = list(dict.fromkeys(q.section.id for q in questions))
    in_section = _section_keys(questions, question.section.id)
    previous = context.previous.get(question.key)
    current = progress.answers.get(question.key)
    return Ask(
        question=question,
        number=in_section.index(question.key) + 1,
        total=len(in_section),
        section_index=sections.index(question.section.id) + 1,
        section_total=len(sections),
        overall_number=[q.key for q in questions].index(question.key) + 1,
        overall_total=len(questions),
        previous_value=display_value(question, previous, context.lang) if previous is not None else None,
        current_value=display_value(question, current, context.lang) if current is not None else None,
        options=_options_for(question, progress, context),
        problem=problem,
        editing=progress.editing is not None,
    )


def _carried_pending(questions: Sequence[Question], progress: Progress, context: Context, group: Group) -> list[str]:
    """The keys of `group` whose carried answers are not yet in this report."""
    return [
        q.key for q in questions if group.holds(q.key) and q.key in context.carried and q.key not in progress.answers
    ]


def _group_to_confirm(questions: Sequence[Question], progress: Progress, context: Context) -> Group | None:
    """The sub-aspect to ask "Masih sama?" about before asking `progress.current`, if any."""
    question = _find(questions, progress.current)
    group = question.group if question is not None else None
    if group is None or progress.editing is not None or group.id in progress.groups_done:
        return None
    return group if _carried_pending(questions, progress, context, group) else None


def _confirm_group(
    questions: Sequence[Question], progress: Progress, context: Context, group: Group, problem: str | None = None
) -> ConfirmGroup:
    members = [q for q in questions if group.holds(q.key)]
    pending = set(_carried_pending(questions, progress, context, group))
    items = tuple(CarriedItem(n, q, context.carried[q.key]) for n, q in enumerate(members, 1) if q.key in pending)
    open_keys = [q.key for q in members if q.key not in pending]
    sections = list(dict.fromkeys(q.section.id for q in questions))
    section_id = members[0].section.id
    lang = context.lang
    return ConfirmGroup(
        group=group,
        section_index=sections.index(section_id) + 1,
        section_total=len(sections),
        first_in_section=_section_keys(questions, section_id)[0] == members[0].key,
        items=items,
        remaining=sum(1 for k in open_keys if k not in progress.answers and k not in progress.skipped),
        options=(Offer("still", _label("still", lang)), Offer("changed", _label("changed", lang))),
        problem=problem,
    )


def _summary(questions: Sequence[Question], progress: Progress, context: Context) -> Summary:
    lang = context.lang
    sections: list[SummarySection] = []
    for section_id in dict.fromkeys(q.section.id for q in questions):
        items = []
        members = [q for q in questions if q.section.id == section_id]
        for question in members:
            value = progress.answers.get(question.key)
            shown = display_value(question, value, lang) if value is not None else NOT_FILLED[lang]
            items.append(SummaryItem(question.key, question.short(lang), value, shown))
        sections.append(SummarySection(section_id, members[0].section.title(lang), tuple(items)))
    options = (
        Offer("submit", _label("submit", lang)),
        *(Offer(f"edit:{s.id}", _label("edit", lang, section=s.title)) for s in sections),
        Offer("cancel", _label("cancel", lang)),
    )
    answered = sum(1 for q in questions if q.key in progress.answers)
    return Summary(tuple(sections), answered, len(questions), options)


def _go_on(questions: Sequence[Question], progress: Progress, context: Context, after: str | None) -> Step:
    """Move to the next question (or the summary) after `after`, emitting the prompt."""
    if progress.revisit:
        progress = replace(progress, current=progress.revisit[0], revisit=progress.revisit[1:], failures=0)
        return Step(progress, (_ask(questions, progress, context),))
    if progress.resume_after is not None:
        after = progress.resume_after
        progress = replace(progress, resume_after=None)
    nxt = _following(questions, progress, after)
    if nxt is None:
        progress = replace(progress, stage="summary", current=None, editing=None, failures=0, pending=None)
        return Step(progress, (_summary(questions, progress, context),))
    progress = replace(progress, stage="asking", current=nxt, failures=0, pending=None)
    group = _group_to_confirm(questions, progress, context)
    if group is not None:
        progress = replace(progress, stage="confirm_group")
        return Step(progress, (_confirm_group(questions, progress, context, group),))
    return Step(progress, (_ask(questions, progress, context),))


# ---------------------------------------------------------------- public API


def start(questions: Sequence[Question], context: Context, prefilled: Mapping[str, str] | None = None) -> Step:
    """Open a report: answers in `prefilled` (a resumed draft, carried-forward answers) are not asked again."""
    progress = Progress(answers=dict(prefilled or {}))
    return _go_on(questions, progress, context, None)


def resume(questions: Sequence[Question], progress: Progress, context: Context) -> Step:
    """Re-send the current prompt, e.g. when the officer comes back after a pause."""
    if progress.stage in ("done", "cancelled"):
        return Step(progress, (_problem("finished", None, context),))
    if progress.stage == "summary":
        return Step(progress, (_summary(questions, progress, context),))
    question = _find(questions, progress.current)
    if question is None:
        return _go_on(questions, replace(progress, stage="asking", pending=None, current=None), context, None)
    if progress.stage == "confirm_change" and progress.pending is not None:
        return Step(progress, (_confirm_event(question, progress.pending, context),))
    if progress.stage == "confirm_group":
        group = _group_to_confirm(questions, progress, context)
        if group is None:
            return _go_on(questions, replace(progress, stage="asking", current=None), context, None)
        return Step(progress, (_confirm_group(questions, progress, context, group),))
    return Step(replace(progress, stage="asking", pending=None), (_ask(questions, progress, context),))


def forget_carried(progress: Progress) -> Progress:
    """The progress without the answers kept by "Masih sama", so that a full re-ask asks them again."""
    if not progress.carried and not progress.groups_done:
        return progress
    answers = {k: v for k, v in progress.answers.items() if k not in progress.carried}
    progress = replace(progress, answers=answers, carried=(), groups_done=())
    if progress.stage in ("summary", "confirm_group"):
        progress = replace(progress, stage="asking", current=None)
    return progress


def advance(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    """Apply one input to the conversation."""
    if progress.stage in ("done", "cancelled"):
        return Step(progress, (_problem("finished", None, context),))
    if user_input.choice == "cancel":
        return _cancel(progress)
    if progress.stage == "summary":
        return _at_summary(questions, progress, user_input, context)
    question = _find(questions, progress.current)
    if question is None:
        return resume(questions, progress, context)
    if progress.stage == "confirm_change":
        return _at_confirm(questions, progress, question, user_input, context)
    if progress.stage == "confirm_group":
        return _at_group(questions, progress, user_input, context)
    return _at_question(questions, progress, question, user_input, context)


# ---------------------------------------------------------------- stages


def _cancel(progress: Progress) -> Step:
    kept = dict(progress.answers)
    return Step(replace(progress, stage="cancelled", pending=None), (Cancelled(kept),))


def _example(question: Question | None, context: Context) -> str:
    if question is None:
        return ""
    return question.example(context.lang)


def _problem(code: str, question: Question | None, context: Context) -> Problem:
    example = _example(question, context)
    return Problem(code, question, example, problem_message(code, example, context.lang))


def _failed(questions: Sequence[Question], progress: Progress, question: Question, code: str, context: Context) -> Step:
    progress = replace(progress, failures=progress.failures + 1, stage="asking", pending=None)
    problem = _problem(code, question, context)
    if progress.failures % HELP_EVERY == 0:
        lang = context.lang
        offers = (
            Offer("skip", _label("skip", lang)),
            Offer("pause", _label("pause", lang)),
            Offer("help", _label("help", lang)),
        )
        return Step(progress, (problem, NeedHelp(question, progress.failures, offers)))
    return Step(progress, (problem, _ask(questions, progress, context, problem=code)))


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s:-]", " ", text.lower()).split())


def _control(user_input: UserInput) -> str | None:
    """The option id an input stands for, if it is a choice or a control word."""
    if user_input.choice is not None:
        return user_input.choice
    words = _normal(user_input.text_value or "")
    if words in _SAME_WORDS:
        return "same"
    if words in _KEEP_WORDS:
        return "keep"
    if words in _SKIP_WORDS:
        return "skip"
    return None


@dataclass(frozen=True)
class _Refused:
    code: str


def _interpret(question: Question, text: str, options: tuple[Offer, ...]) -> str | _Refused:
    """The stored value (or a numbered control option id) for typed text, or why it was refused."""
    if question.kind == "amount":
        found = parse_amount(text)
        if isinstance(found, AmountProblem):
            return _Refused(found.code)
        if found < 0 and not question.may_be_negative:
            return _Refused("negative")
        return to_plain(found)
    if question.kind == "integer":
        number = parse_integer(text)
        if isinstance(number, AmountProblem):
            return _Refused(number.code)
        if number < 0 and not question.may_be_negative:
            return _Refused("negative")
        return str(number)
    normal = _normal(text)
    if normal.isdigit() and len(normal) < 4 and 1 <= int(normal) <= len(options):
        option_id = options[int(normal) - 1].id
        return _value_of_option(question, option_id) or option_id
    if question.kind == "yesno":
        answer = parse_yes_no(text)
        return _Refused(_expected(question)) if answer is None else (YES if answer else NO)
    for option in question.options:
        if normal in (_normal(option.label_id), _normal(option.label_en), option.id.lower()):
            return option.id
    return _Refused(_expected(question))


def _value_of_option(question: Question, option_id: str) -> str | None:
    if question.kind == "yesno" and option_id in ("yes", "no"):
        return YES if option_id == "yes" else NO
    if question.kind == "choice" and option_id.startswith("opt:"):
        wanted = option_id.removeprefix("opt:")
        if any(o.id == wanted for o in question.options):
            return wanted
    return None


def _at_question(
    questions: Sequence[Question], progress: Progress, question: Question, user_input: UserInput, context: Context
) -> Step:
    control = _control(user_input)
    options = _options_for(question, progress, context)
    if control is not None:
        if control in _CONTROLS:
            return _control_step(questions, progress, question, control, context)
        value = _value_of_option(question, control)
        if value is None:
            return _failed(questions, progress, question, "unknown_choice", context)
        return _accept(questions, progress, question, value, context)
    text = user_input.text_value or ""
    if len(text) > MAX_TEXT:
        return _failed(questions, progress, question, "too_long", context)
    found = _interpret(question, text, options)
    if isinstance(found, _Refused):
        return _failed(questions, progress, question, found.code, context)
    if found in _CONTROLS:  # the number of a listed control option
        return _control_step(questions, progress, question, found, context)
    return _propose(questions, progress, question, found, context)


def _expected(question: Question) -> str:
    return "expected_yes_no" if question.kind == "yesno" else "expected_choice"


def _control_step(
    questions: Sequence[Question], progress: Progress, question: Question, control: str, context: Context
) -> Step:
    if control == "same":
        previous = context.previous.get(question.key)
        if previous is None:
            return _failed(questions, progress, question, "no_previous", context)
        return _accept(questions, progress, question, previous, context)
    if control == "keep":
        current = progress.answers.get(question.key)
        if current is None:
            return _failed(questions, progress, question, "nothing_to_keep", context)
        return _accept(questions, progress, question, current, context)
    if control == "skip":
        skipped = progress.skipped if question.key in progress.skipped else (*progress.skipped, question.key)
        progress = replace(progress, skipped=skipped)
        return _after_answer(questions, progress, question, context, ())
    if control == "pause":
        return Step(progress, (Paused(),))
    if control == "help":
        return Step(progress, (HelpRequested(question),))
    if progress.editing is None:  # "back" outside an edit
        return _failed(questions, progress, question, "unknown_choice", context)
    progress = replace(progress, editing=None, revisit=(), revisit_check=None, resume_after=None)
    progress = replace(progress, stage="summary", current=None, failures=0, pending=None)
    return Step(progress, (_summary(questions, progress, context),))


def _change_pct(question: Question, new: str, context: Context) -> Decimal | None:
    """The relative change against last period, when it exceeds the threshold."""
    if question.kind != "amount" or question.key not in context.previous:
        return None
    old_value = stored_decimal(context.previous[question.key])
    new_value = stored_decimal(new)
    if old_value is None or new_value is None or old_value == 0:
        return None
    pct = abs(new_value - old_value) * 100 / abs(old_value)
    return pct.quantize(Decimal("0.01")) if pct > context.change_threshold_pct else None


def _confirm_event(question: Question, new: str, context: Context) -> ConfirmChange:
    old = context.previous.get(question.key, "0")
    lang = context.lang
    pct = _change_pct(question, new, context) or Decimal(0)
    offers = (Offer("yes", _label("yes_keep", lang)), Offer("no", _label("no_fix", lang)))
    return ConfirmChange(
        question, question.key, old, new, display_value(question, old, lang), display_value(question, new, lang),
        pct, offers,
    )  # fmt: skip


def _propose(
    questions: Sequence[Question], progress: Progress, question: Question, value: str, context: Context
) -> Step:
    """A readable answer: confirm a big move first, else accept."""
    if _change_pct(question, value, context) is not None and progress.answers.get(question.key) != value:
        progress = replace(progress, stage="confirm_change", pending=value)
        return Step(progress, (_confirm_event(question, value, context),))
    return _accept(questions, progress, question, value, context)


def _at_confirm(
    questions: Sequence[Question], progress: Progress, question: Question, user_input: UserInput, context: Context
) -> Step:
    pending = progress.pending
    answer: bool | None
    if user_input.choice in ("yes", "no"):
        answer = user_input.choice == "yes"
    elif user_input.choice is not None:
        answer = None
    else:
        text = _normal(user_input.text_value or "")
        answer = parse_yes_no(text) if not text.isdigit() else {"1": True, "2": False}.get(text)
    if answer is True and pending is not None:
        return _accept(questions, replace(progress, stage="asking", pending=None), question, pending, context)
    if answer is False or pending is None:
        progress = replace(progress, stage="asking", pending=None)
        return Step(progress, (_ask(questions, progress, context),))
    return _at_question(questions, replace(progress, stage="asking", pending=None), question, user_input, context)


def _group_decision(user_input: UserInput) -> str | None:
    """ "still", "changed", or None for an answer to "Masih sama?"."""
    if user_input.choice is not None:
        return user_input.choice if user_input.choice in ("still", "changed") else None
    words = _normal(user_input.text_value or "")
    if words == "1" or words in _STILL_WORDS:
        return "still"
    if words == "2" or words in _CHANGED_WORDS:
        return "changed"
    answer = parse_yes_no(words)
    return None if answer is None else "still" if answer else "changed"


def _at_group(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    group = _group_to_confirm(questions, progress, context)
    if group is None:
        return resume(questions, progress, context)
    decision = _group_decision(user_input)
    if decision is None:
        progress = replace(progress, failures=progress.failures + 1)
        problem = _problem("expected_still_same", None, context)
        return Step(progress, (problem, _confirm_group(questions, progress, context, group, problem.code)))
    kept = tuple(_carried_pending(questions, progress, context, group)) if decision == "still" else ()
    progress = replace(
        progress,
        answers={**progress.answers, **{k: context.carried[k] for k in kept}},
        carried=(*progress.carried, *kept),
        groups_done=(*progress.groups_done, group.id),
        stage="asking",
        failures=0,
    )
    step = _go_on(questions, progress, context, None)
    return Step(step.progress, (GroupDecided(group, kept, decision == "changed"), *step.events))


def _accept(
    questions: Sequence[Question], progress: Progress, question: Question, value: str, context: Context
) -> Step:
    answers = {**progress.answers, question.key: value}
    skipped = tuple(k for k in progress.skipped if k != question.key)
    carried = tuple(k for k in progress.carried if k != question.key)
    progress = replace(
        progress, answers=answers, skipped=skipped, carried=carried, failures=0, pending=None, stage="asking"
    )
    accepted = Accepted(question.key, value, echo(question, value, context.lang))
    return _after_answer(questions, progress, question, context, (accepted,))


def _settled(progress: Progress, keys: Sequence[str]) -> bool:
    return all(k in progress.answers or k in progress.skipped for k in keys)


def _after_answer(
    questions: Sequence[Question], progress: Progress, question: Question, context: Context, events: tuple[Event, ...]
) -> Step:
    """Run the cross-checks an answer completes, then move on."""
    checks = checks_for(load_form(), questions) if context.checks is None else context.checks
    asked = {q.key for q in questions}
    if progress.revisit_check is not None and not progress.revisit:
        check = next((c for c in checks if c.id == progress.revisit_check), None)
        progress = replace(progress, revisit_check=None)
        if check is not None and failed_checks([check], progress.answers):
            progress = replace(progress, acknowledged=(*progress.acknowledged, check.id))
            events = (*events, CheckKept(check, check.message(context.lang)))
        step = _go_on(questions, progress, context, question.key)
        return Step(step.progress, events + step.events)
    if progress.revisit_check is None:
        for check in checks:
            relevant = question.key in check.keys and set(check.keys) <= asked
            if not relevant or check.id in progress.acknowledged or not _settled(progress, check.keys):
                continue
            if failed_checks([check], progress.answers):
                reask = tuple(k for k in check.reask if k in asked)
                resume_after = progress.resume_after or question.key
                progress = replace(
                    progress, revisit=reask[1:], current=reask[0], revisit_check=check.id, resume_after=resume_after
                )
                failed = CrossCheckFailed(check, check.keys, check.message(context.lang))
                return Step(progress, (*events, failed, _ask(questions, progress, context)))
    step = _go_on(questions, progress, context, question.key)
    return Step(step.progress, events + step.events)


def _at_summary(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    summary = _summary(questions, progress, context)
    chosen = user_input.choice
    if chosen is None:
        words = _normal(user_input.text_value or "")
        if words.isdigit() and 1 <= int(words) <= len(summary.options):
            chosen = summary.options[int(words) - 1].id
        elif words in _SUBMIT_WORDS:
            chosen = "submit"
        elif words in _CANCEL_WORDS:
            chosen = "cancel"
        else:
            wanted = words.removeprefix("ubah ").removeprefix("edit ")
            for section in summary.sections:
                if wanted in (section.id, _normal(section.title)):
                    chosen = f"edit:{section.id}"
    if chosen == "submit":
        done = replace(progress, stage="done")
        return Step(done, (Submitted(dict(progress.answers), progress.skipped, progress.carried),))
    if chosen == "cancel":
        return _cancel(progress)
    if chosen is not None and chosen.startswith("edit:"):
        section_id = chosen.removeprefix("edit:")
        keys = _section_keys(questions, section_id)
        if keys:
            editing = replace(progress, stage="asking", editing=section_id, current=keys[0], failures=0)
            return Step(editing, (_ask(questions, editing, context),))
    return Step(progress, (_problem("choose_option", None, context), summary))
