"""Reading what the officer typed: control words, answers, and the number of a listed option."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.forms import Question
from bot.domain.moments import parse_end, parse_moment
from bot.domain.numbers import AmountProblem, parse_amount, parse_integer, parse_yes_no, to_plain
from bot.domain.report_flow.events import Offer, ProblemCode
from bot.domain.report_flow.state import NO, YES, Context, UserInput

SAME_WORDS: Final = frozenset(
    {"sama", "same", "idem", "sama seperti bulan lalu", "sama dengan bulan lalu", "tetap sama"}
)
KEEP_WORDS: Final = frozenset({"tetap", "keep", "tidak berubah", "sudah benar"})
SKIP_WORDS: Final = frozenset({"lewati", "lewat", "skip", "lewati dulu"})
SUBMIT_WORDS: Final = frozenset({"kirim", "submit", "kirim laporan", "selesai"})
CANCEL_WORDS: Final = frozenset({"batal", "cancel", "batalkan"})
CONTROLS: Final = frozenset({"same", "keep", "skip", "pause", "help", "back"})
STILL_WORDS: Final = frozenset({"masih sama", "masih", "sama", "tetap", "tetap sama", "still the same", "same"})
CHANGED_WORDS: Final = frozenset(
    {"ada perubahan", "ada", "berubah", "ada yang berubah", "ubah", "something changed", "changed", "change"}
)
FREE_TEXT: Final = frozenset({"text", "segment"})  # kinds whose answer is the text itself (no length cap of 1,000)
NONE: Final = ""  # the stored answer "none" (no limit, no deadline, now)


def normal_words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s:-]", " ", text.lower()).split())


def control_of(user_input: UserInput, context: Context) -> str | None:
    """The option id an input stands for, if it is a choice or a control word."""
    if user_input.choice is not None:
        return user_input.choice
    if not context.control_words:
        return None
    words = normal_words(user_input.text_value or "")
    if words in SAME_WORDS:
        return "same"
    if words in KEEP_WORDS:
        return "keep"
    if words in SKIP_WORDS:
        return "skip"
    return None


@dataclass(frozen=True)
class Refused:
    code: ProblemCode
    key: str | None = None


def read_answer(
    question: Question,
    text: str,
    options: tuple[Offer, ...],
    answers: Mapping[str, str] | None = None,
    context: Context | None = None,
) -> str | Refused:
    """The stored value (or a numbered control option id) for typed text, or why it was refused; a moment is read
    against the other `answers` and the `context` (now, the zone)."""
    limits = question.limits
    if limits.none_words and normal_words(text) in limits.none_words:
        return NONE
    if question.kind in FREE_TEXT:
        cleaned = text.strip()
        if len(cleaned) < max(limits.min_length, 1):
            return Refused("too_short")
        return cleaned[: limits.max_length] if limits.max_length else cleaned
    if question.kind == "moment":
        return read_moment(question, text, answers or {}, context or Context())
    if question.kind == "amount":
        found = parse_amount(text)
        if isinstance(found, AmountProblem):
            return Refused(found.code)
        if found < 0 and not question.may_be_negative:
            return Refused("negative")
        return to_plain(found)
    if question.kind == "integer":
        number = parse_integer(text)
        if isinstance(number, AmountProblem):
            return Refused(number.code)
        if number < 0 and not question.may_be_negative:
            return Refused("negative")
        low, high = question.limits.minimum, question.limits.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            return Refused("out_of_range")
        return str(number)
    normal = normal_words(text)
    if normal.isdigit() and len(normal) < 4 and 1 <= int(normal) <= len(options):
        option_id = options[int(normal) - 1].id
        return value_of_option(question, option_id) or option_id
    if question.kind == "yesno":
        answer = parse_yes_no(text)
        return Refused(expected_code(question)) if answer is None else (YES if answer else NO)
    for option in question.options:
        if normal in (normal_words(option.label_id), normal_words(option.label_en), option.id.lower()):
            return option.id
    return Refused(expected_code(question))


def read_moment(question: Question, text: str, answers: Mapping[str, str], context: Context) -> str | Refused:
    """A date and time in the context's zone, as ISO text; a time alone is on the day of `limits.after`."""
    limits, zone = question.limits, ZoneInfo(context.zone)
    start = stored_moment(answers.get(limits.after, "")) if limits.after else None
    found = parse_end(text, start, zone) if start is not None else parse_moment(text, zone)
    if found is None:
        return Refused("bad_moment")
    code = moment_problem(question, found, answers, context)
    return found.isoformat() if code is None else Refused(code)


def moment_problem(
    question: Question, moment: datetime, answers: Mapping[str, str], context: Context
) -> ProblemCode | None:
    """Why a moment does not fit its question's limits (now, and the answers it is bound to), if it does not."""
    limits = question.limits
    if limits.future and context.now is not None and moment <= context.now:
        return "past"
    start = stored_moment(answers.get(limits.after, "")) if limits.after else None
    if start is not None and moment <= start:
        return "before_start"
    latest = stored_moment(answers.get(limits.not_after, "")) if limits.not_after else None
    if latest is not None and moment > latest:
        return "after_start"
    return None


def stored_moment(value: str) -> datetime | None:
    """A stored moment (ISO text), or None for "none" or anything else."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def stale(questions: Sequence[Question], answers: Mapping[str, str], context: Context) -> Refused | None:
    """The first answered moment that no longer holds (it has gone by, or an answer it depends on changed since),
    as the refusal of that question; `Refused.key` names it."""
    for question in questions:
        value = answers.get(question.key, "")
        moment = stored_moment(value) if question.kind == "moment" else None
        if moment is None:
            continue
        code = moment_problem(question, moment, answers, context)
        if code is not None:
            return Refused(code, question.key)
    return None


def value_of_option(question: Question, option_id: str) -> str | None:
    if option_id == "none" and question.limits.none_offer:
        return NONE
    if question.kind == "yesno" and option_id in ("yes", "no"):
        return YES if option_id == "yes" else NO
    if question.kind == "choice" and option_id.startswith("opt:"):
        wanted = option_id.removeprefix("opt:")
        if any(o.id == wanted for o in question.options):
            return wanted
    return None


def expected_code(question: Question) -> ProblemCode:
    return "expected_yes_no" if question.kind == "yesno" else "expected_choice"


def group_decision(user_input: UserInput) -> str | None:
    """ "still", "changed", or None for an answer to "Masih sama?"."""
    if user_input.choice is not None:
        return user_input.choice if user_input.choice in ("still", "changed") else None
    words = normal_words(user_input.text_value or "")
    if words == "1" or words in STILL_WORDS:
        return "still"
    if words == "2" or words in CHANGED_WORDS:
        return "changed"
    answer = parse_yes_no(words)
    return None if answer is None else "still" if answer else "changed"
