"""One input in, one step out: the stages of the report conversation and the public entry points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Final

from bot.domain.forms import Question
from bot.domain.numbers import parse_yes_no, to_plain
from bot.domain.report_checks import Finding, figure_warnings
from bot.domain.report_flow.events import (
    Accepted,
    AskReason,
    Cancelled,
    ConfirmChange,
    Event,
    GroupDecided,
    HelpRequested,
    NeedHelp,
    Offer,
    Paused,
    Problem,
    ProblemCode,
    SectionList,
    Step,
    SubmitRefused,
    Submitted,
)
from bot.domain.report_flow.interpret import (
    CANCEL_WORDS,
    CONTROLS,
    FREE_TEXT,
    SUBMIT_WORDS,
    Refused,
    control_of,
    group_decision,
    normal_words,
    read_answer,
    stale,
    value_of_option,
)
from bot.domain.report_flow.prompts import (
    answered_to_reask,
    ask_event,
    carried_pending,
    checked,
    confirm_group_event,
    edit_number,
    find_question,
    go_on,
    group_to_confirm,
    line_numbers,
    options_for,
    summary_event,
)
from bot.domain.report_flow.state import Context, Progress, UserInput

MAX_TEXT: Final = 1000
MIN_REASON: Final = 3
MAX_REASON: Final = 500
ASKED_BACK: Final = ("typo", "change", "minimum")  # warnings about one figure, asked back as it is typed


def start(
    questions: Sequence[Question],
    context: Context,
    prefilled: Mapping[str, str] | None = None,
    carried: Sequence[str] = (),
) -> Step:
    """Open a report: answers in `prefilled` (a resumed draft, stored answers) are not asked again; those named in
    `carried` are stored answers kept as they are unless changed."""
    progress = Progress(answers=dict(prefilled or {}), carried=tuple(k for k in carried if k in (prefilled or {})))
    return go_on(questions, progress, context, None)


def resume(questions: Sequence[Question], progress: Progress, context: Context) -> Step:
    """Re-send the current prompt, e.g. when the officer comes back after a pause."""
    if progress.stage in ("done", "cancelled"):
        return Step(progress, (_problem("finished", None, context),))
    if progress.stage == "summary" and progress.listing is not None:
        return Step(progress, (_section_list(questions, progress, context, progress.listing),))
    if progress.stage == "summary":
        return Step(progress, (summary_event(questions, progress, context),))
    if progress.stage == "reason":
        return Step(progress, (_ask_reason(questions, progress, context),))
    question = find_question(questions, progress.current)
    if question is None:
        return go_on(questions, replace(progress, stage="asking", pending=None, current=None), context, None)
    if progress.stage == "confirm_change" and progress.pending is not None:
        finding = _asked_back(questions, progress, question, progress.pending, context)
        return Step(progress, (_confirm_event(question, progress.pending, context, finding),))
    if progress.stage == "confirm_group":
        group = group_to_confirm(questions, progress, context)
        if group is None:
            return go_on(questions, replace(progress, stage="asking", current=None), context, None)
        return Step(progress, (confirm_group_event(questions, progress, context, group),))
    return Step(replace(progress, stage="asking", pending=None), (ask_event(questions, progress, context),))


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
    if progress.stage == "reason":
        return _at_reason(questions, progress, user_input, context)
    question = find_question(questions, progress.current)
    if question is None:
        return resume(questions, progress, context)
    if progress.stage == "confirm_change":
        return _at_confirm(questions, progress, question, user_input, context)
    if progress.stage == "confirm_group":
        return _at_group(questions, progress, user_input, context)
    return _at_question(questions, progress, question, user_input, context)


def _cancel(progress: Progress) -> Step:
    kept = dict(progress.answers)
    return Step(replace(progress, stage="cancelled", pending=None), (Cancelled(kept),))


def _example(question: Question | None, context: Context) -> str:
    if question is None:
        return ""
    return question.example(context.lang)


def _problem(code: ProblemCode, question: Question | None, context: Context) -> Problem:
    return Problem(code, question, _example(question, context))


def _failed(
    questions: Sequence[Question], progress: Progress, question: Question, code: ProblemCode, context: Context
) -> Step:
    progress = replace(progress, failures=progress.failures + 1, stage="asking", pending=None)
    problem = _problem(code, question, context)
    if context.help_every and progress.failures % context.help_every == 0:
        offers = (Offer("skip", "skip"), Offer("pause", "pause"), Offer("help", "help"))
        return Step(progress, (problem, NeedHelp(question, progress.failures, offers)))
    return Step(progress, (problem, ask_event(questions, progress, context, problem=code)))


def _at_question(
    questions: Sequence[Question], progress: Progress, question: Question, user_input: UserInput, context: Context
) -> Step:
    control = control_of(user_input, context)
    options = options_for(question, progress, context)
    if control is not None:
        if control in CONTROLS:
            return _control_step(questions, progress, question, control, context)
        value = value_of_option(question, control)
        if value is None:
            return _failed(questions, progress, question, "unknown_choice", context)
        return _accept(questions, progress, question, value, context)
    text = user_input.text_value or ""
    if len(text) > MAX_TEXT and question.kind not in FREE_TEXT:
        return _failed(questions, progress, question, "too_long", context)
    earlier = answered_to_reask(questions, progress, question, text)
    if earlier is not None:  # a slip just noticed: that answer again, then on from where the officer was
        again = replace(progress, stage="asking", current=earlier, failures=0, pending=None)
        return Step(again, (ask_event(questions, again, context),))
    found = read_answer(question, text, options, progress.answers, context)
    if isinstance(found, Refused):
        return _failed(questions, progress, question, found.code, context)
    if found in CONTROLS:  # the number of a listed control option
        return _control_step(questions, progress, question, found, context)
    return _propose(questions, progress, question, found, context)


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
    progress = replace(progress, editing=None, stage="summary", current=None, failures=0, pending=None)
    return Step(progress, (summary_event(questions, progress, context),))


def _asked_back(
    questions: Sequence[Question], progress: Progress, question: Question, value: str, context: Context
) -> Finding | None:
    """The likely typo in `value` (a big or 1,000-fold change, a figure too small) not yet confirmed, if any."""
    for finding in figure_warnings(question, value, context.previous, context.rules):
        if finding.kind in ASKED_BACK and finding.id not in progress.confirmed:
            return finding
    return None


def _confirm_event(question: Question, new: str, context: Context, finding: Finding | None) -> ConfirmChange:
    old = context.previous.get(question.key, "0")
    pct = finding.pct if finding is not None and finding.pct is not None else Decimal(0)
    offers = (Offer("yes", "yes_keep"), Offer("no", "no_fix"))
    return ConfirmChange(question, question.key, old, new, pct, offers, finding)


def _propose(
    questions: Sequence[Question], progress: Progress, question: Question, value: str, context: Context
) -> Step:
    """A readable answer: a likely typo is asked back once with the number, else accepted."""
    finding = _asked_back(questions, progress, question, value, context)
    if finding is not None and progress.answers.get(question.key) != value:
        progress = replace(progress, stage="confirm_change", pending=value)
        return Step(progress, (_confirm_event(question, value, context, finding),))
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
        text = normal_words(user_input.text_value or "")
        answer = parse_yes_no(text) if not text.isdigit() else {"1": True, "2": False}.get(text)
    if answer is True and pending is not None:
        finding = _asked_back(questions, progress, question, pending, context)
        confirmed = {**progress.confirmed, finding.id: ""} if finding is not None else progress.confirmed
        progress = replace(progress, stage="asking", pending=None, confirmed=confirmed)
        return _accept(questions, progress, question, pending, context, keep_confirmed=True)
    if answer is False or pending is None:
        progress = replace(progress, stage="asking", pending=None)
        return Step(progress, (ask_event(questions, progress, context),))
    return _at_question(questions, replace(progress, stage="asking", pending=None), question, user_input, context)


def _at_group(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    group = group_to_confirm(questions, progress, context)
    if group is None:
        return resume(questions, progress, context)
    decision = group_decision(user_input)
    if decision is None:
        progress = replace(progress, failures=progress.failures + 1)
        problem = _problem("expected_still_same", None, context)
        return Step(progress, (problem, confirm_group_event(questions, progress, context, group, problem.code)))
    kept = tuple(carried_pending(questions, progress, context, group)) if decision == "still" else ()
    progress = replace(
        progress,
        answers={**progress.answers, **{k: context.carried[k] for k in kept}},
        carried=(*progress.carried, *kept),
        groups_done=(*progress.groups_done, group.id),
        stage="asking",
        failures=0,
    )
    step = go_on(questions, progress, context, None)
    return Step(step.progress, (GroupDecided(group, kept, decision == "changed"), *step.events))


def _accept(
    questions: Sequence[Question],
    progress: Progress,
    question: Question,
    value: str,
    context: Context,
    keep_confirmed: bool = False,
) -> Step:
    answers = {**progress.answers, question.key: value}
    skipped = tuple(k for k in progress.skipped if k != question.key)
    carried = tuple(k for k in progress.carried if k != question.key)
    confirmed = progress.confirmed
    if not keep_confirmed and progress.answers.get(question.key) != value:  # a new value is confirmed anew
        confirmed = {k: v for k, v in confirmed.items() if not k.endswith(f":{question.key}")}
    progress = replace(
        progress,
        answers=answers,
        skipped=skipped,
        carried=carried,
        confirmed=confirmed,
        failures=0,
        pending=None,
        stage="asking",
    )
    accepted = Accepted(question, value)
    return _after_answer(questions, progress, question, context, (accepted,))


def _after_answer(
    questions: Sequence[Question], progress: Progress, question: Question, context: Context, events: tuple[Event, ...]
) -> Step:
    step = go_on(questions, progress, context, question.key)
    return Step(step.progress, events + step.events)


def _section_list(questions: Sequence[Question], progress: Progress, context: Context, section_id: str) -> SectionList:
    summary = summary_event(questions, progress, context)
    section = next(s for s in summary.sections if s.id == section_id)
    offers = tuple(Offer(f"item:{i.key}", "item", i.question.short(context.lang)) for i in section.items if i.number)
    return SectionList(section, (*offers, Offer("back", "back")))


def _line(words: str, numbers: dict[str, int], listing: bool) -> str | None:
    """The key named by "ubah 8" (or "8" while a section's lines are listed); "" for a number that names none."""
    wanted = edit_number(words, bare=listing)
    return None if wanted is None else next((k for k, n in numbers.items() if n == wanted), "")


def edit(questions: Sequence[Question], progress: Progress, key: str, context: Context) -> Step:
    """Ask one answer again, then back to the summary (e.g. a segment that reaches nobody any more)."""
    return _jump(questions, replace(progress, stage="summary", listing=None), key, context)


def _jump(questions: Sequence[Question], progress: Progress, key: str, context: Context) -> Step:
    """Ask one figure, then back to the summary."""
    editing = replace(progress, stage="asking", editing=f"item:{key}", listing=None, current=key, failures=0)
    return Step(editing, (ask_event(questions, editing, context),))


def _at_summary(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    summary = summary_event(questions, progress, context)
    numbers = dict(line_numbers(questions, progress))
    chosen = user_input.choice
    if chosen is None:
        words = normal_words(user_input.text_value or "")
        line = _line(words, numbers, progress.listing is not None)
        if line == "":
            return Step(progress, (_problem("unknown_line", None, context), summary))
        if line is not None:
            chosen = f"item:{line}"
        elif words.isdigit() and len(words) < 4 and 1 <= int(words) <= len(summary.options):
            chosen = summary.options[int(words) - 1].id
        elif words in SUBMIT_WORDS:
            chosen = "submit"
        elif words in CANCEL_WORDS:
            chosen = "cancel"
        elif words in ("kembali", "back", "ringkasan"):
            chosen = "back"
        else:
            wanted = words.removeprefix("ubah ").removeprefix("edit ")
            for section in summary.sections:
                if wanted in (section.id, normal_words(section.title)):
                    chosen = f"edit:{section.id}"
    if chosen == "submit":
        return _submit(questions, replace(progress, listing=None), context)
    if chosen == "cancel":
        return _cancel(progress)
    if chosen == "back":
        progress = replace(progress, listing=None)
        return Step(progress, (summary_event(questions, progress, context),))
    if chosen is not None and chosen.startswith("item:") and chosen.removeprefix("item:") in numbers:
        return _jump(questions, progress, chosen.removeprefix("item:"), context)
    if chosen is not None and chosen.startswith("edit:"):
        section_id = chosen.removeprefix("edit:")
        if any(s.id == section_id for s in summary.sections):
            listed = replace(progress, listing=section_id)
            return Step(listed, (_section_list(questions, listed, context, section_id),))
    return Step(progress, (_problem("choose_option", None, context), summary))


def _submit(questions: Sequence[Question], progress: Progress, context: Context) -> Step:
    """*Kirim*: refused while a blocking problem remains; open warnings first need a reason."""
    late = stale(questions, progress.answers, context)
    if late is not None and late.key is not None:  # a moment gone by since it was typed, or its start changed
        step = _jump(questions, progress, late.key, context)
        return Step(step.progress, (_problem(late.code, find_question(questions, late.key), context), *step.events))
    found = checked(questions, progress, context)
    numbers = line_numbers(questions, progress)
    if found.blocking:
        summary = summary_event(questions, progress, context)
        return Step(progress, (SubmitRefused(found.blocking, numbers, summary.options),))
    if found.open_warnings(progress.confirmed):
        waiting = replace(progress, stage="reason")
        return Step(waiting, (_ask_reason(questions, waiting, context),))
    return _done(questions, progress, context)


def _done(questions: Sequence[Question], progress: Progress, context: Context) -> Step:
    found = checked(questions, progress, context)
    answers = dict(progress.answers)
    for key, value in found.derived.items():
        answers.setdefault(key, to_plain(value))
    confirmed = {w.id: progress.confirmed.get(w.id, "") for w in found.warnings}
    done = replace(progress, stage="done")
    return Step(done, (Submitted(answers, progress.skipped, progress.carried, confirmed),))


def _ask_reason(
    questions: Sequence[Question], progress: Progress, context: Context, problem: ProblemCode | None = None
) -> AskReason:
    found = checked(questions, progress, context)
    offers = (Offer("back", "back"), Offer("cancel", "cancel"))
    return AskReason(found.open_warnings(progress.confirmed), line_numbers(questions, progress), offers, problem)


def _at_reason(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    """The reason that confirms the open warnings, or "ubah 8" to correct a figure instead."""
    numbers = dict(line_numbers(questions, progress))
    if user_input.choice == "back":
        progress = replace(progress, stage="summary")
        return Step(progress, (summary_event(questions, progress, context),))
    if user_input.choice is not None and user_input.choice.startswith("item:"):
        key = user_input.choice.removeprefix("item:")
        if key in numbers:
            return _jump(questions, progress, key, context)
    text = " ".join((user_input.text_value or "").split())
    words = normal_words(text)
    line = _line(words, numbers, False)
    if line:
        return _jump(questions, progress, line, context)
    if words in CANCEL_WORDS:
        return _cancel(progress)
    if user_input.choice is not None or line == "" or len(words) < MIN_REASON:
        code: ProblemCode = "unknown_line" if line == "" else "reason_short"
        return Step(progress, (_ask_reason(questions, progress, context, code),))
    found = checked(questions, progress, context)
    reason = text[:MAX_REASON]
    confirmed = {**progress.confirmed, **{w.id: reason for w in found.open_warnings(progress.confirmed)}}
    return _submit(questions, replace(progress, stage="summary", confirmed=confirmed), context)
