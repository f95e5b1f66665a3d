"""`/lapor`: the monthly self-report, one question at a time, on the pure step report_flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.chat import report_words
from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router, Waiting
from bot.domain import carry, forms, report_checks, report_flow
from bot.domain.periods import Period, deadline, format_datetime, reporting_period_for
from bot.services import Services
from bot.services.reports import ReportState, asked_questions, every_question, profile_of
from handlers.status import scored_replies

NAME = "lapor"
SECONDS_A_QUESTION = 20  # one typed amount or a pressed button, on a phone


async def _plan(ctx: Context, period: Period, full: bool) -> tuple[tuple[forms.Question, ...], carry.Plan]:
    """This cooperative's questions and the yearly answers carried forward (§8.3), decided once per report and kept
    with its progress; `full` asks every yearly item again ("ubah manajemen")."""
    assert ctx.cooperative is not None
    profile = profile_of(ctx.cooperative)
    every = every_question(profile)
    cached = carry.Plan.from_json(ctx.progress["carry"]) if isinstance(ctx.progress.get("carry"), dict) else None
    if cached is not None and cached.full == full:
        plan = cached
    else:
        stored = await ctx.services.reports.carried_answers(ctx.cooperative.id)
        plan = carry.plan(every, stored, str(period), full)
        ctx.progress["carry"] = plan.to_json()
    return asked_questions(profile, plan.asked), plan


async def _engine_context(ctx: Context, period: Period, plan: carry.Plan) -> report_flow.Context:
    """Last period's answers (looked up once per report and kept with its progress), the stored yearly answers,
    and the language."""
    assert ctx.cooperative is not None
    if ctx.progress.get("previous_of") != str(period):
        ctx.progress["previous"] = await ctx.services.reports.previous_figures(ctx.cooperative.id, period)
        ctx.progress["previous_of"] = str(period)
    previous = {**ctx.progress["previous"], **plan.previous}
    facts = {"members": ctx.cooperative.members}
    return report_flow.Context(previous=previous, lang=ctx.lang, carried=plan.carried, facts=facts)


def _choices(
    ctx: Context, options: Sequence[report_flow.Offer], question: forms.Question | None = None
) -> tuple[Choice, ...]:
    return tuple(Choice(f"{NAME}:{o.id}", report_words.offer(o, question, ctx.lang)) for o in options)


def _ask_text(ctx: Context, ask: report_flow.Ask, period: Period, header: bool = True) -> str:
    """The question; `header` False leaves out the section's title (shown just before, with "Masih sama?")."""
    question, lang = ask.question, ctx.lang
    return ctx.say(
        "report.ask",
        section=question.section.title(lang),
        section_note=question.section.note(lang),
        section_index=ask.section_index,
        section_total=ask.section_total,
        first=header and ask.first_in_section and not ask.editing,
        number=ask.overall_number,
        total=ask.overall_total,
        label=question.label(lang),
        hint=question.hint(lang),
        example=question.example(lang),
        previous=report_words.shown(question, ask.previous_value, lang) if ask.previous_value else None,
        current=report_words.shown(question, ask.current_value, lang) if ask.current_value else None,
        kind=question.kind,
        period=str(period),
    ).text


def _findings(
    ctx: Context,
    questions: Sequence[forms.Question],
    findings: Sequence[report_checks.Finding],
    numbers: Mapping[str, int],
    figures: bool = True,
) -> list[str]:
    by_key = {q.key: q for q in questions}
    return [report_words.finding(f, by_key, numbers, ctx.lang, figures) for f in findings]


def _summary_text(
    ctx: Context, questions: Sequence[forms.Question], summary: report_flow.Summary, period: Period
) -> str:
    sections: list[tuple[str, list[str]]] = []
    for section in summary.sections:
        items = section.items
        if items and all(i.question.kind == "yesno" and i.value in (report_flow.YES, report_flow.NO) for i in items):
            yes = sum(i.value == report_flow.YES for i in items)
            numbered = [i.number for i in items if i.number is not None] or [0]
            count = ctx.say("report.yes_count", yes=yes, total=len(items), first=numbered[0], last=numbered[-1]).text
            sections.append((section.title, [count]))
        else:
            sections.append((section.title, [report_words.line(i, ctx.lang) for i in items]))
    return ctx.say(
        "report.summary",
        period=str(period),
        sections=sections,
        answered=summary.answered,
        total=summary.total,
        blocking=_findings(ctx, questions, summary.blocking, summary.numbers),
        warnings=_findings(ctx, questions, summary.warnings, summary.numbers),
    ).text


def _still_same_text(ctx: Context, event: report_flow.ConfirmGroup) -> str:
    """ "Manajemen umum: 10 dari 12 dijawab Ya", the items answered Tidak (the first three in full), "Masih sama?"."""
    section = event.items[0].question.section
    answered_no = [(item.number, item.question.label(ctx.lang)) for item in event.items if item.value == report_flow.NO]
    return ctx.say(
        "report.still_same",
        section=section.title(ctx.lang),
        section_note=section.note(ctx.lang),
        section_index=event.section_index,
        section_total=event.section_total,
        first=event.first_in_section and event.problem is None,
        title=event.group.title(ctx.lang),
        yes=event.yes,
        total=len(event.items),
        no_items=answered_no[:3],
        more=[number for number, _ in answered_no[3:]],
        remaining=event.remaining,
    ).text


def render_events(
    ctx: Context, questions: Sequence[forms.Question], events: Sequence[report_flow.Event], period: Period
) -> list[str | Reply]:
    """Engine events as chat text; Ask/Summary/NeedHelp/ConfirmChange end a message with their choices."""
    out: list[str | Reply] = []
    pending: list[str] = []
    header = True  # the section's title, unless "Masih sama?" showed it just before

    def flush(text: str, options: Sequence[report_flow.Offer], question: forms.Question | None = None) -> None:
        out.append(Reply(text="\n".join([*pending, text]), choices=_choices(ctx, options, question)))
        pending.clear()

    for event in events:
        if isinstance(event, report_flow.Accepted):
            pending.append(report_words.echo(event.question, event.value, ctx.lang))
        elif isinstance(event, report_flow.Problem):
            pending.append(report_words.problem(event, ctx.lang))
        elif isinstance(event, report_flow.Ask):
            flush(_ask_text(ctx, event, period, header), event.options, event.question)
        elif isinstance(event, report_flow.NeedHelp):
            flush(ctx.say("report.need_help", label=event.question.label(ctx.lang)).text, event.options)
        elif isinstance(event, report_flow.ConfirmChange):
            finding = event.finding
            text = ctx.say(
                "report.confirm_change",
                label=event.question.short(ctx.lang),
                old=report_words.shown(event.question, event.old, ctx.lang),
                new=report_words.shown(event.question, event.new, ctx.lang),
                pct=event.change_pct,
                finding=_findings(ctx, questions, [finding], {})[0] if finding and finding.kind != "change" else "",
            ).text
            flush(text, event.options)
        elif isinstance(event, report_flow.ConfirmGroup):
            flush(_still_same_text(ctx, event), event.options)
        elif isinstance(event, report_flow.GroupDecided):
            header = False
            decided = ctx.say(
                "report.group_decided", title=event.group.title(ctx.lang), kept=len(event.kept), changed=event.changed
            )
            pending.append(decided.text)
        elif isinstance(event, report_flow.Summary):
            flush(_summary_text(ctx, questions, event, period), event.options)
        elif isinstance(event, report_flow.SectionList):
            lines = [report_words.line(i, ctx.lang) for i in event.section.items if i.number is not None]
            text = ctx.say("report_flow.section_list", title=event.section.title, lines=lines).text
            flush(text, event.options)
        elif isinstance(event, report_flow.SubmitRefused):
            problems = _findings(ctx, questions, event.blocking, event.numbers)
            flush(ctx.say("report_flow.refused", problems=problems).text, event.options)
        elif isinstance(event, report_flow.AskReason):
            warnings = _findings(ctx, questions, event.warnings, event.numbers)
            flush(ctx.say("report_flow.ask_reason", warnings=warnings, problem=event.problem or "").text, event.options)
        elif isinstance(event, report_flow.HelpRequested):
            pending.append(ctx.say("report.help", label=event.question.label(ctx.lang) if event.question else "").text)
        elif isinstance(event, report_flow.Paused):
            pending.append(ctx.say("report.paused").text)
        elif isinstance(event, report_flow.Cancelled):
            pending.append(ctx.say("report.cancelled").text)
    if pending:
        out.append("\n".join(pending))
    return out


def _as_replies(items: list[str | Reply]) -> list[Reply]:
    return [item if isinstance(item, Reply) else Reply(text=item) for item in items]


async def _save_draft(ctx: Context, period: Period, progress: report_flow.Progress) -> None:
    """The answers given so far; answers kept by "Masih sama" are stored already and stay out of the draft."""
    assert ctx.officer is not None and ctx.cooperative is not None
    answers = {k: v for k, v in progress.answers.items() if k not in progress.carried}
    await ctx.services.reports.save_draft(ctx.cooperative.id, period, answers, officer_id=ctx.officer.id, at=ctx.now)


async def start(ctx: Context) -> Sequence[Reply]:
    """Open (or continue) the report of the period being reported now."""
    assert ctx.officer is not None and ctx.cooperative is not None
    period = reporting_period_for(ctx.now, ctx.zone)
    report = await ctx.services.reports.open(ctx.cooperative.id, period)
    if report.submitted and ctx.handler != NAME:
        revision = report.latest
        choices = (
            Choice("go:status", ctx.say("help.button_status").text),
            Choice(f"{NAME}:correct", ctx.say("report.button_correct").text),
        )
        return [
            ctx.say(
                "report.already_submitted",
                choices,
                period=str(period),
                at=format_datetime(revision.at, ctx.zone, ctx.lang) if revision else "",
                who=(revision.officer_name or "") if revision else "",
            )
        ]
    saved = ctx.progress.get("engine") if ctx.handler == NAME and ctx.progress.get("period") == str(period) else None
    if not saved:
        for stale in ("carry", "previous", "previous_of"):
            ctx.progress.pop(stale, None)
    questions, plan = await _plan(ctx, period, full=bool(ctx.progress.get("yearly")))
    econtext = await _engine_context(ctx, period, plan)
    intro: list[Reply] = []
    if not saved and report.draft and report.draft_officer_id and report.draft_officer_id != ctx.officer.id:
        at = format_datetime(report.draft_updated_at or ctx.now, ctx.zone, ctx.lang)
        intro.append(ctx.say("report.draft_by_other", who=report.draft_officer_name or "", at=at))
    if saved:
        progress = _with_draft(saved, report)
        if progress.current in report.draft and progress.current not in saved.get("answers", {}):
            progress = replace(progress, current=None)  # answered meanwhile in the form: on to the next open one
        step = report_flow.resume(questions, report_flow.forget_carried(progress) if plan.full else progress, econtext)
    else:
        step = report_flow.start(questions, econtext, prefilled=dict(report.draft) or None)
    due = deadline(period, ctx.zone, ctx.bot.deadline_day)
    left = report_flow.questions_left(questions, step.progress, econtext)
    intro.append(
        ctx.say(
            "report.opened",
            cooperative=ctx.cooperative.name,
            period=str(period),
            sections=len({q.section.id for q in questions}),
            left=left,
            minutes=max(1, -(-left * SECONDS_A_QUESTION // 60)),
            deadline=format_datetime(due, ctx.zone, ctx.lang),
            resumed=bool(saved or report.draft),
            late=ctx.now > due,
        )
    )
    return intro + await _apply(ctx, report, period, questions, step, reason=ctx.progress.get("reason"))


def _with_draft(saved: dict[str, Any], report: ReportState) -> report_flow.Progress:
    """The saved engine state with the cooperative's draft answers (another officer may have added some)."""
    progress = report_flow.Progress.from_json(saved)
    merged = {**progress.answers, **report.draft}
    return report_flow.Progress(**{**progress.__dict__, "answers": merged})


async def resume(ctx: Context) -> Sequence[Reply]:
    """The officer's answer to the current question (typed, or a pressed button)."""
    assert ctx.officer is not None and ctx.cooperative is not None
    inbound = ctx.inbound
    choice = (inbound.choice or "").split(":", 1)[1] if inbound.kind == "choice" and inbound.choice else None
    if choice is not None and choice.split(":", 1)[0] == "correct":
        asked = choice.split(":", 1)[1] if ":" in choice else ""  # a send-back's button names the period
        ctx.goto(NAME, {"awaiting": "reason", **({"correct": asked} if _period(asked) else {})})
        return [ctx.say("report.ask_reason")]
    if ctx.progress.get("awaiting") == "reason":
        reason = inbound.text.strip()[:500]
        if len(reason) < 3:
            return [ctx.say("report.ask_reason")]
        return await _start_correction(ctx, reason, _period(ctx.progress.get("correct")))
    if ctx.handler != NAME or not ctx.progress.get("engine"):
        return await start(ctx)
    period = Period.parse(ctx.progress["period"])
    report = await ctx.services.reports.open(ctx.cooperative.id, period)
    questions, plan = await _plan(ctx, period, full=bool(ctx.progress.get("yearly")))
    econtext = await _engine_context(ctx, period, plan)
    progress = _with_draft(ctx.progress["engine"], report)
    user_input = report_flow.UserInput.choose(choice) if choice else report_flow.UserInput.text(inbound.text)
    step = report_flow.advance(questions, progress, user_input, econtext)
    return await _apply(ctx, report, period, questions, step, reason=ctx.progress.get("reason"))


async def prepare(services: Services, waiting: Waiting) -> None:
    """A batch's officers answering report questions: their reports locked and read in one statement; those opening
    one (`/lapor`): the reports made, last period's figures and the yearly answers read for all at once."""
    keys = []
    for cooperative_id, progress in waiting.continuing:
        period = _period(progress.get("period")) if progress.get("engine") else None
        if period is not None:  # else `resume` deals with it alone
            keys.append((cooperative_id, period))
    await services.reports.prepare(keys)
    if waiting.starting and waiting.at is not None:
        await services.reports.prepare_openings(waiting.starting, waiting.at)


def _period(text: object) -> Period | None:
    """A period named by a button or the conversation's state (None: none, or not a period)."""
    try:
        return Period.parse(text) if isinstance(text, str) else None
    except ValueError:
        return None


async def _start_correction(ctx: Context, reason: str, period: Period | None = None) -> Sequence[Reply]:
    assert ctx.cooperative is not None
    report = await ctx.services.reports.correction(ctx.cooperative.id, period)
    if report is None or report.latest is None:
        ctx.goto(None)
        return await start(ctx)
    period = report.period
    stored = await ctx.services.reports.carried_answers(ctx.cooperative.id)
    plan = carry.Plan(asked=tuple(stored))  # the stored yearly answers are shown and may be changed too
    ctx.progress = {"reason": reason, "carry": plan.to_json()}
    questions, plan = await _plan(ctx, period, full=False)
    econtext = await _engine_context(ctx, period, plan)
    yearly = {key: answer.value for key, answer in stored.items()}
    computed = report_checks.derivable(questions)  # computed again from the figures as corrected
    prefilled = {**{k: v for k, v in report.latest.figures.items() if k not in computed}, **yearly}
    step = report_flow.start(questions, econtext, prefilled=prefilled, carried=tuple(yearly))
    return await _apply(ctx, report, period, questions, step, reason=reason)


async def _apply(
    ctx: Context,
    report: ReportState,
    period: Period,
    questions: Sequence[forms.Question],
    step: report_flow.Step,
    reason: str | None = None,
) -> list[Reply]:
    """Persist the step (draft answers and conversation state) and turn its events into replies."""
    replies = _as_replies(render_events(ctx, questions, step.events, period))
    submitted = next((e for e in step.events if isinstance(e, report_flow.Submitted)), None)
    if submitted is not None:
        return replies + await _submit(ctx, period, submitted, reason)
    if not report.submitted or reason:
        await _save_draft(ctx, period, step.progress)
    if step.progress.stage in ("done", "cancelled") or any(isinstance(e, report_flow.Paused) for e in step.events):
        ctx.goto(None)
    else:
        state: dict[str, Any] = {"period": str(period), "engine": step.progress.to_json()}
        for kept in ("carry", "previous", "previous_of"):
            if kept in ctx.progress:
                state[kept] = ctx.progress[kept]
        if reason:
            state["reason"] = reason
        if ctx.progress.get("yearly"):
            state["yearly"] = True
        ctx.goto(NAME, state)
    return replies


async def _submit(ctx: Context, period: Period, submitted: report_flow.Submitted, reason: str | None) -> list[Reply]:
    """Submit the answers (stored, audited, scored) and say so."""
    replies = await submitted_replies(ctx, period, submitted.answers, submitted.carried, submitted.confirmed, reason)
    ctx.goto(None)
    return replies


async def submitted_replies(
    ctx: Context,
    period: Period,
    answers: Mapping[str, str],
    carried: Sequence[str] = (),
    confirmed: Mapping[str, str] | None = None,
    reason: str | None = None,
) -> list[Reply]:
    """Submit a report (stored, audited, scored; `BlockingProblems` while its books do not add up) and the replies
    that say so: thanks, then the score, coaching and picture of each assessment (the chat's *Kirim*, the form's)."""
    assert ctx.officer is not None and ctx.cooperative is not None
    submission = await ctx.services.reports.submit(
        ctx.cooperative.id,
        period,
        answers,
        officer_id=ctx.officer.id,
        at=ctx.now,
        carried=carried,
        reason=reason,
        confirmed=confirmed,
    )
    late = ctx.now > deadline(period, ctx.zone, ctx.bot.deadline_day)
    replies = [
        ctx.say(
            "report.thanks",
            period=str(period),
            at=format_datetime(ctx.now, ctx.zone, ctx.lang),
            correction=submission.correction,
            late=late,
        )
    ]
    for item in submission.scored:
        replies.extend(await scored_replies(ctx, item, period))
    return replies


async def edit_management(ctx: Context) -> Sequence[Reply]:
    """ "ubah manajemen": ask the yearly questionnaire again in this period's report."""
    ctx.progress = {**ctx.progress, "yearly": True}
    return await start(ctx)


router = Router(
    Route(
        NAME,
        frozenset({"lapor", "laporan", "report", "isi laporan"}),
        start,
        resume,
        audience="officer",
        prepare=prepare,
    ),
    Route("ubah_manajemen", frozenset({"ubah manajemen", "ubah_manajemen"}), edit_management, audience="officer"),
)


async def take_answers(ctx: Context, period: Period, answers: Mapping[str, str]) -> list[Reply]:
    """Answers from another door (a workbook) over the draft, then the chat goes on where they leave it: the summary
    with *Kirim* when every question is answered. A yearly answer equal to the one stored is kept as confirmed."""
    assert ctx.cooperative is not None
    report = await ctx.services.reports.open(ctx.cooperative.id, period)
    ctx.goto(None)
    questions, plan = await _plan(ctx, period, full=False)
    econtext = await _engine_context(ctx, period, plan)
    asked = {q.key for q in questions} - report_checks.derivable(questions)  # computed again, as in chat
    taken = {k: v for k, v in answers.items() if k in asked}
    prefilled = {**report.draft, **taken}
    carried = [k for k, v in plan.carried.items() if prefilled.get(k) == v]
    step = report_flow.start(questions, econtext, prefilled=prefilled, carried=carried)
    return await _apply(ctx, report, period, questions, step)
