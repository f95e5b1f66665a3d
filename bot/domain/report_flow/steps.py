"""One input in, one step out: the stages of the report conversation and the public entry points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Final

from bot.domain.forms import Question, checks_for, failed_checks, load_form, stored_decimal
from bot.domain.numbers import parse_yes_no
from bot.domain.report_flow.events import (
    Accepted,
    Cancelled,
    CheckKept,
    ConfirmChange,
    CrossCheckFailed,
    Event,
    GroupDecided,
    HelpRequested,
    NeedHelp,
    Offer,
    Paused,
    Problem,
    ProblemCode,
    Step,
    Submitted,
)
from bot.domain.report_flow.interpret import (
    CANCEL_WORDS,
    CONTROLS,
    SUBMIT_WORDS,
    Refused,
    control_of,
    group_decision,
    normal_words,
    read_answer,
    value_of_option,
)
from bot.domain.report_flow.prompts import (
    ask_event,
    carried_pending,
    confirm_group_event,
    find_question,
    go_on,
    group_to_confirm,
    options_for,
    section_keys,
    summary_event,
)
from bot.domain.report_flow.state import Context, Progress, UserInput

HELP_EVERY: Final = 3
MAX_TEXT: Final = 1000


def start(questions: Sequence[Question], context: Context, prefilled: Mapping[str, str] | None = None) -> Step:
    """Open a report: answers in `prefilled` (a resumed draft, carried-forward answers) are not asked again."""
    progress = Progress(answers=dict(prefilled or {}))
    return go_on(questions, progress, context, None)


def resume(questions: Sequence[Question], progress: Progress, context: Context) -> Step:
    """Re-send the current prompt, e.g. when the officer comes back after a pause."""
    if progress.stage in ("done", "cancelled"):
        return Step(progress, (_problem("finished", None, context),))
    if progress.stage == "summary":
        return Step(progress, (summary_event(questions, progress, context),))
    question = find_question(questions, progress.current)
    if question is None:
        return go_on(questions, replace(progress, stage="asking", pending=None, current=None), context, None)
    if progress.stage == "confirm_change" and progress.pending is not None:
        return Step(progress, (_confirm_event(question, progress.pending, context),))
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
    if progress.failures % HELP_EVERY == 0:
        offers = (Offer("skip", "skip"), Offer("pause", "pause"), Offer("help", "help"))
        return Step(progress, (problem, NeedHelp(question, progress.failures, offers)))
    return Step(progress, (problem, ask_event(questions, progress, context, problem=code)))


def _at_question(
    questions: Sequence[Question], progress: Progress, question: Question, user_input: UserInput, context: Context
) -> Step:
    control = control_of(user_input)
    options = options_for(question, progress, context)
    if control is not None:
        if control in CONTROLS:
            return _control_step(questions, progress, question, control, context)
        value = value_of_option(question, control)
        if value is None:
            return _failed(questions, progress, question, "unknown_choice", context)
        return _accept(questions, progress, question, value, context)
    text = user_input.text_value or ""
    if len(text) > MAX_TEXT:
        return _failed(questions, progress, question, "too_long", context)
    found = read_answer(question, text, options)
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
    progress = replace(progress, editing=None, revisit=(), revisit_check=None, resume_after=None)
    progress = replace(progress, stage="summary", current=None, failures=0, pending=None)
    return Step(progress, (summary_event(questions, progress, context),))


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
    pct = _change_pct(question, new, context) or Decimal(0)
    offers = (Offer("yes", "yes_keep"), Offer("no", "no_fix"))
    return ConfirmChange(question, question.key, old, new, pct, offers)


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
        text = normal_words(user_input.text_value or "")
        answer = parse_yes_no(text) if not text.isdigit() else {"1": True, "2": False}.get(text)
    if answer is True and pending is not None:
        return _accept(questions, replace(progress, stage="asking", pending=None), question, pending, context)
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
    questions: Sequence[Question], progress: Progress, question: Question, value: str, context: Context
) -> Step:
    answers = {**progress.answers, question.key: value}
    skipped = tuple(k for k in progress.skipped if k != question.key)
    carried = tuple(k for k in progress.carried if k != question.key)
    progress = replace(
        progress, answers=answers, skipped=skipped, carried=carried, failures=0, pending=None, stage="asking"
    )
    accepted = Accepted(question, value)
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
        step = go_on(questions, progress, context, question.key)
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
                return Step(progress, (*events, failed, ask_event(questions, progress, context)))
    step = go_on(questions, progress, context, question.key)
    return Step(step.progress, events + step.events)


def _at_summary(questions: Sequence[Question], progress: Progress, user_input: UserInput, context: Context) -> Step:
    summary = summary_event(questions, progress, context)
    chosen = user_input.choice
    if chosen is None:
        words = normal_words(user_input.text_value or "")
        if words.isdigit() and 1 <= int(words) <= len(summary.options):
            chosen = summary.options[int(words) - 1].id
        elif words in SUBMIT_WORDS:
            chosen = "submit"
        elif words in CANCEL_WORDS:
            chosen = "cancel"
        else:
            wanted = words.removeprefix("ubah ").removeprefix("edit ")
            for section in summary.sections:
                if wanted in (section.id, normal_words(section.title)):
                    chosen = f"edit:{section.id}"
    if chosen == "submit":
        done = replace(progress, stage="done")
        return Step(done, (Submitted(dict(progress.answers), progress.skipped, progress.carried),))
    if chosen == "cancel":
        return _cancel(progress)
    if chosen is not None and chosen.startswith("edit:"):
        section_id = chosen.removeprefix("edit:")
        keys = section_keys(questions, section_id)
        if keys:
            editing = replace(progress, stage="asking", editing=section_id, current=keys[0], failures=0)
            return Step(editing, (ask_event(questions, editing, context),))
    return Step(progress, (_problem("choose_option", None, context), summary))
