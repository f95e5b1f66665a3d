"""Where the conversation goes next and the prompts it sends: the question, "Masih sama?", the summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.domain.forms import Group, Question
from bot.domain.report_flow.events import (
    Ask,
    CarriedItem,
    ConfirmGroup,
    Offer,
    ProblemCode,
    Step,
    Summary,
    SummaryItem,
    SummarySection,
)
from bot.domain.report_flow.state import Context, Progress


def find_question(questions: Sequence[Question], key: str | None) -> Question | None:
    return next((q for q in questions if q.key == key), None)


def section_keys(questions: Sequence[Question], section_id: str) -> list[str]:
    return [q.key for q in questions if q.section.id == section_id]


def _following(questions: Sequence[Question], progress: Progress, after: str | None) -> str | None:
    """The key to ask after `after` (None: none left, go to the summary)."""
    if progress.editing is not None:
        keys = section_keys(questions, progress.editing)
        if after in keys:
            index = keys.index(after) + 1
            return keys[index] if index < len(keys) else None
        return keys[0] if keys else None
    for question in questions:
        if question.key not in progress.answers and question.key not in progress.skipped:
            return question.key
    return None


def options_for(question: Question, progress: Progress, context: Context) -> tuple[Offer, ...]:
    lang = context.lang
    offers: list[Offer] = []
    if question.kind == "yesno":
        offers += [Offer("yes", "yes"), Offer("no", "no")]
    if question.kind == "choice":
        offers += [Offer(f"opt:{o.id}", "option", o.label_id if lang == "id" else o.label_en) for o in question.options]
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
    sections = list(dict.fromkeys(q.section.id for q in questions))
    in_section = section_keys(questions, question.section.id)
    return Ask(
        question=question,
        number=in_section.index(question.key) + 1,
        total=len(in_section),
        section_index=sections.index(question.section.id) + 1,
        section_total=len(sections),
        overall_number=[q.key for q in questions].index(question.key) + 1,
        overall_total=len(questions),
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


def summary_event(questions: Sequence[Question], progress: Progress, context: Context) -> Summary:
    lang = context.lang
    sections: list[SummarySection] = []
    for section_id in dict.fromkeys(q.section.id for q in questions):
        items = []
        members = [q for q in questions if q.section.id == section_id]
        for question in members:
            items.append(SummaryItem(question, progress.answers.get(question.key)))
        sections.append(SummarySection(section_id, members[0].section.title(lang), tuple(items)))
    options = (
        Offer("submit", "submit"),
        *(Offer(f"edit:{s.id}", "edit", s.title) for s in sections),
        Offer("cancel", "cancel"),
    )
    answered = sum(1 for q in questions if q.key in progress.answers)
    return Summary(tuple(sections), answered, len(questions), options)


def go_on(questions: Sequence[Question], progress: Progress, context: Context, after: str | None) -> Step:
    """Move to the next question (or the summary) after `after`, emitting the prompt."""
    if progress.revisit:
        progress = replace(progress, current=progress.revisit[0], revisit=progress.revisit[1:], failures=0)
        return Step(progress, (ask_event(questions, progress, context),))
    if progress.resume_after is not None:
        after = progress.resume_after
        progress = replace(progress, resume_after=None)
    nxt = _following(questions, progress, after)
    if nxt is None:
        progress = replace(progress, stage="summary", current=None, editing=None, failures=0, pending=None)
        return Step(progress, (summary_event(questions, progress, context),))
    progress = replace(progress, stage="asking", current=nxt, failures=0, pending=None)
    group = group_to_confirm(questions, progress, context)
    if group is not None:
        progress = replace(progress, stage="confirm_group")
        return Step(progress, (confirm_group_event(questions, progress, context, group),))
    return Step(progress, (ask_event(questions, progress, context),))
