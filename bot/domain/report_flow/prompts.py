"""Where the conversation goes next and the prompts it sends: the question, "Masih sama?", the summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from bot.domain import report_checks
from bot.domain.forms import Group, Question
from bot.domain.memo import LastTuple
from bot.domain.numbers import to_plain
from bot.domain.report_flow.events import (
    Ask,
    CarriedItem,
    ConfirmGroup,
    Offer,
    Problem,
    ProblemCode,
    Step,
    Summary,
    SummaryItem,
    SummarySection,
)
from bot.domain.report_flow.interpret import FREE_TEXT, normal_words, stale
from bot.domain.report_flow.state import Context, Progress


def find_question(questions: Sequence[Question], key: str | None) -> Question | None:
    return next((q for q in questions if q.key == key), None)


def askable(questions: Sequence[Question], progress: Progress | None = None) -> list[Question]:
    """The questions put to the officer: not those computed from other answers, nor those the checks ask only when
    they need them (unless answered or asked for)."""
    return _askable(questions, progress.answers if progress is not None else {})


def _askable(questions: Sequence[Question], answers: Mapping[str, str], also: str | None = None) -> list[Question]:
    """`askable` with these answers, and `also` answered too when given."""
    derived = report_checks.derivable(questions)
    split = _LAST_ASKABLE.get(questions, derived)  # the same question tuple as the last call (a report's every message)
    if split is None:
        always = tuple(q for q in questions if q.key not in derived and not q.only_when_asked_by_checks)
        sometimes = frozenset(q.key for q in questions if q.key not in derived and q.only_when_asked_by_checks)
        split = always, sometimes
        _LAST_ASKABLE.keep(questions, derived, split)
    always, sometimes = split
    if also not in sometimes and all(key not in answers for key in sometimes):  # none asked only by the checks
        return list(always)
    return [
        q
        for q in questions
        if q.key not in derived and (not q.only_when_asked_by_checks or q.key in answers or q.key == also)
    ]


# For the last question tuple `askable` was given (with its derivable keys): its questions always asked, and the keys
# of those asked only when the checks need them (or answered).
_LAST_ASKABLE: LastTuple[tuple[tuple[Question, ...], frozenset[str]]] = LastTuple()


def section_keys(questions: Sequence[Question], section_id: str) -> list[str]:
    return [q.key for q in askable(questions) if q.section.id == section_id]


def checked(questions: Sequence[Question], progress: Progress, context: Context) -> report_checks.Checked:
    return report_checks.check(questions, progress.answers, context.previous, context.facts, context.rules)


def _open(question: Question, progress: Progress) -> bool:
    return question.key not in progress.answers and question.key not in progress.skipped


def _following(questions: Sequence[Question], progress: Progress, context: Context, after: str | None) -> str | None:
    """The key to ask after `after` (None: none left, go to the summary)."""
    if progress.editing is not None and progress.editing.startswith("item:"):
        return None
    if progress.editing is not None:
        keys = section_keys(questions, progress.editing)
        if after in keys:
            index = keys.index(after) + 1
            return keys[index] if index < len(keys) else None
        return keys[0] if keys else None
    for question in askable(questions):
        if _open(question, progress):
            return question.key
    wanted = checked(questions, progress, context).ask
    return next((q.key for q in questions if q.key in wanted and _open(q, progress)), None)


def questions_left(questions: Sequence[Question], progress: Progress, context: Context) -> int:
    """How many messages the officer still answers: open questions, one "Masih sama?" per sub-aspect carried."""
    left = 0
    groups: set[str] = set()
    for question in askable(questions):
        if not _open(question, progress):
            continue
        group = question.group
        if group is not None and question.key in context.carried and group.id not in progress.groups_done:
            groups.add(group.id)
        else:
            left += 1
    return left + len(groups)


def options_for(question: Question, progress: Progress, context: Context) -> tuple[Offer, ...]:
    lang = context.lang
    offers: list[Offer] = []
    if question.kind == "yesno":
        offers += [Offer("yes", "yes"), Offer("no", "no")]
    if question.kind == "choice":
        offers += [Offer(f"opt:{o.id}", "option", o.label_id if lang == "id" else o.label_en) for o in question.options]
    if question.limits.none_offer:
        offers.append(Offer("none", "none"))
    current = progress.answers.get(question.key)
    previous = context.previous.get(question.key)
    if current is not None:
        offers.append(Offer("keep", "keep", current))
    elif previous is not None and question.kind not in ("yesno", "choice"):
        offers.append(Offer("same", "same"))
    elif previous is not None:
        offers.append(Offer("same", "same", previous))
    if progress.editing is not None:
        offers.append(Offer("back", "back"))
    return tuple(offers)


def ask_event(
    questions: Sequence[Question], progress: Progress, context: Context, problem: ProblemCode | None = None
) -> Ask:
    question = find_question(questions, progress.current)
    assert question is not None  # callers only ask a known key
    shown = _askable(questions, progress.answers, also=question.key)
    sections = list(dict.fromkeys(q.section.id for q in shown))
    in_section = [q.key for q in shown if q.section.id == question.section.id]
    return Ask(
        question=question,
        number=in_section.index(question.key) + 1,
        total=len(in_section),
        section_index=sections.index(question.section.id) + 1,
        section_total=len(sections),
        overall_number=[q.key for q in shown].index(question.key) + 1,
        overall_total=len(shown),
        previous_value=context.previous.get(question.key),
        current_value=progress.answers.get(question.key),
        options=options_for(question, progress, context),
        problem=problem,
        editing=progress.editing is not None,
    )


def carried_pending(questions: Sequence[Question], progress: Progress, context: Context, group: Group) -> list[str]:
    """The keys of `group` whose carried answers are not yet in this report."""
    return [
        q.key for q in questions if group.holds(q.key) and q.key in context.carried and q.key not in progress.answers
    ]


def group_to_confirm(questions: Sequence[Question], progress: Progress, context: Context) -> Group | None:
    """The sub-aspect to ask "Masih sama?" about before asking `progress.current`, if any."""
    question = find_question(questions, progress.current)
    group = question.group if question is not None else None
    if group is None or progress.editing is not None or group.id in progress.groups_done:
        return None
    return group if carried_pending(questions, progress, context, group) else None


def confirm_group_event(
    questions: Sequence[Question],
    progress: Progress,
    context: Context,
    group: Group,
    problem: ProblemCode | None = None,
) -> ConfirmGroup:
    members = [q for q in questions if group.holds(q.key)]
    pending = set(carried_pending(questions, progress, context, group))
    items = tuple(CarriedItem(n, q, context.carried[q.key]) for n, q in enumerate(members, 1) if q.key in pending)
    open_keys = [q.key for q in members if q.key not in pending]
    sections = list(dict.fromkeys(q.section.id for q in questions))
    section_id = members[0].section.id
    return ConfirmGroup(
        group=group,
        section_index=sections.index(section_id) + 1,
        section_total=len(sections),
        first_in_section=section_keys(questions, section_id)[0] == members[0].key,
        items=items,
        remaining=sum(1 for k in open_keys if k not in progress.answers and k not in progress.skipped),
        options=(Offer("still", "still"), Offer("changed", "changed")),
        problem=problem,
    )


BACK_WORDS: Final = frozenset({"kembali", "sebelumnya", "back", "previous"})
EDIT_WORDS: Final = ("ubah", "edit", "ganti")


def answered_to_reask(questions: Sequence[Question], progress: Progress, question: Question, text: str) -> str | None:
    """The answered question to ask again in the middle of a report, before `question` is answered: the one before
    it for "kembali", line N for "ubah N" (the number each question shows); None when `text` names none (or is the
    answer itself: a free text), or while one answer is being changed from the summary."""
    if question.kind in FREE_TEXT or progress.editing is not None:
        return None
    current, words = question.key, normal_words(text)
    wanted = edit_number(words)
    if wanted is None and words not in BACK_WORDS:  # an answer (every message of a report but these): nothing to walk
        return None
    order = [q.key for q in askable(questions, progress)]
    answered = [k for k in order if k in progress.answers and k != current]
    if wanted is None:
        before = [k for k in order[: order.index(current)] if k in answered] if current in order else []
        return before[-1] if before else None
    numbers = line_numbers(questions, progress)
    return next((k for k in answered if numbers.get(k) == wanted), None)


def edit_number(words: str, *, bare: bool = False) -> int | None:
    """The line named by "ubah 8" (or by "8" alone when `bare`, while a section's lines are listed): 0 for a number too
    long to name one; None for other words."""
    parts = words.split()
    if len(parts) == 2 and parts[0] in EDIT_WORDS and parts[1].isdigit():
        number = parts[1]
    elif bare and words.isdigit():
        number = words
    else:
        return None
    return int(number) if len(number) < 6 else 0


def line_numbers(questions: Sequence[Question], progress: Progress) -> dict[str, int]:
    """The number of each line of the summary that can be changed ("ubah 8")."""
    return {q.key: n for n, q in enumerate(askable(questions, progress), 1)}


def summary_sections(
    questions: Sequence[Question], progress: Progress, context: Context, found: report_checks.Checked
) -> tuple[SummarySection, ...]:
    numbers = line_numbers(questions, progress)
    derived = report_checks.derivable(questions)
    sections: list[SummarySection] = []
    for section_id in dict.fromkeys(q.section.id for q in questions):
        items = []
        members = [q for q in questions if q.section.id == section_id and (q.key in numbers or q.key in derived)]
        for question in members:
            if question.key in numbers:
                items.append(SummaryItem(question, progress.answers.get(question.key), numbers[question.key]))
            elif question.key in found.derived:
                items.append(SummaryItem(question, to_plain(found.derived[question.key])))
        if items:
            sections.append(SummarySection(section_id, members[0].section.title(context.lang), tuple(items)))
    return tuple(sections)


def summary_options(sections: Sequence[SummarySection]) -> tuple[Offer, ...]:
    return (
        Offer("submit", "submit"),
        *(Offer(f"edit:{s.id}", "edit", s.title) for s in sections),
        Offer("cancel", "cancel"),
    )


def summary_event(questions: Sequence[Question], progress: Progress, context: Context) -> Summary:
    found = checked(questions, progress, context)
    sections = summary_sections(questions, progress, context, found)
    numbers = line_numbers(questions, progress)
    answered = sum(1 for key in numbers if key in progress.answers)
    return Summary(
        sections,
        answered,
        len(numbers),
        summary_options(sections),
        found.blocking,
        found.open_warnings(progress.confirmed),
        numbers,
    )


def go_on(questions: Sequence[Question], progress: Progress, context: Context, after: str | None) -> Step:
    """Move to the next question (or the summary) after `after`, emitting the prompt."""
    nxt = _following(questions, progress, context, after)
    late = stale(questions, progress.answers, context) if nxt is None else None
    question = find_question(questions, late.key) if late is not None else None
    if late is not None and question is not None:  # e.g. an end before a start just changed: asked before the summary
        progress = replace(progress, stage="asking", current=question.key, editing=f"item:{question.key}", failures=0)
        problem = Problem(late.code, question, question.example(context.lang))
        return Step(progress, (problem, ask_event(questions, progress, context, problem=late.code)))
    if nxt is None:
        progress = replace(
            progress, stage="summary", current=None, editing=None, listing=None, failures=0, pending=None
        )
        return Step(progress, (summary_event(questions, progress, context),))
    progress = replace(progress, stage="asking", current=nxt, failures=0, pending=None)
    group = group_to_confirm(questions, progress, context)
    if group is not None:
        progress = replace(progress, stage="confirm_group")
        return Step(progress, (confirm_group_event(questions, progress, context, group),))
    return Step(progress, (ask_event(questions, progress, context),))
