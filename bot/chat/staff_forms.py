"""The office's short forms (a new training, an announcement) hosted on the one step engine (`report_flow`).

A handler names its form (forms_data/<form>.json) and how its buttons map to the engine's options; this module
loads the progress, hands in one input, stores the new progress, and says the questions and problems from the
handler's templates (`<words>.ask_<key>`, `<words>.problem`). `said` turns the engine's events into replies and
`answer` checks a segment against the office's records (how many it reaches); the preview, the saving and that count
stay with the handler (`FormReplies`, `Reach`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.domain import report_flow
from bot.domain.forms import Question, load_form
from bot.domain.periods import reporting_period_for
from bot.services import segments

PROGRESS_KEY = "engine"


@dataclass(frozen=True)
class StaffForm:
    """A form of the office's and its chat: `route` (the handler's), `form` (the data file), `words` (the template
    file), `presses`: a pressed button's action -> the engine's option id (an action ending in ":" takes the button's
    word: ``kind:`` + ``klinik`` -> ``opt:klinik``); `offers`: the engine's option id -> the button's action;
    `renamed`: the keys a form begun before the engine stored under other names."""

    route: str
    form: str
    words: str
    presses: Mapping[str, str] = field(default_factory=dict)
    offers: Mapping[str, str] = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict)  # a stored key of before -> the form's

    @property
    def questions(self) -> tuple[Question, ...]:
        return load_form(self.form).questions

    def context(self, ctx: Context) -> report_flow.Context:
        """Moments in the office's zone, checked against now; no rules, no help offer, no typed control words."""
        return report_flow.Context(
            lang=ctx.lang,
            now=ctx.now,
            zone=ctx.bot.office_zone,
            rules=load_form(self.form).rules,
            help_every=0,
            control_words=False,
        )

    def progress(self, ctx: Context) -> report_flow.Progress:
        """The stored progress (one of the if-chain before, {"step", "plan"}, carries on; an unreadable one starts
        over)."""
        if PROGRESS_KEY not in ctx.progress and "step" in ctx.progress:
            return self._earlier(ctx.progress)
        try:
            return report_flow.Progress.from_json(ctx.progress.get(PROGRESS_KEY) or {})
        except ValueError:
            return report_flow.Progress()

    def _earlier(self, stored: Mapping[str, object]) -> report_flow.Progress:
        """A form begun before the forms ran on the engine: its answers kept, its step asked (or the preview)."""
        plan = stored.get("plan")
        values = plan if isinstance(plan, dict) else stored
        keys = {q.key for q in self.questions}
        answers = {
            self.renamed.get(k, k): "" if v is None else str(v)
            for k, v in values.items()
            if self.renamed.get(k, k) in keys
        }
        step = self.renamed.get(str(stored["step"]), str(stored["step"]))
        if step in keys:
            answers.pop(step, None)
            return report_flow.Progress(answers=answers, current=step)
        return report_flow.Progress(answers=answers, stage="summary" if step == "confirm" else "asking")

    def current(self, ctx: Context) -> Question | None:
        """The question being answered, if one is."""
        progress = self.progress(ctx)
        if progress.stage != "asking":
            return None
        return next((q for q in self.questions if q.key == progress.current), None)

    def user_input(self, ctx: Context) -> report_flow.UserInput:
        """A pressed button as the engine's option, else the typed text."""
        press = ctx.press
        if press is not None and press.route == self.route:
            option = self.presses.get(press.action)
            if option is None and f"{press.action}:" in self.presses and press.values:
                option = self.presses[f"{press.action}:"] + press.word()
            return report_flow.UserInput.choose(option or press.action)
        return report_flow.UserInput.text(ctx.inbound.text.strip())

    def start(self, ctx: Context) -> report_flow.Step:
        return self.keep(ctx, report_flow.start(self.questions, self.context(ctx)))

    def advance(self, ctx: Context, user_input: report_flow.UserInput | None = None) -> report_flow.Step:
        step = report_flow.advance(
            self.questions, self.progress(ctx), user_input or self.user_input(ctx), self.context(ctx)
        )
        return self.keep(ctx, step)

    def resume(self, ctx: Context) -> report_flow.Step:
        return self.keep(ctx, report_flow.resume(self.questions, self.progress(ctx), self.context(ctx)))

    def edit(self, ctx: Context, progress: report_flow.Progress, key: str) -> report_flow.Step:
        """Ask `key` again (then the preview again), from `progress` (e.g. that of a form just sent)."""
        return self.keep(ctx, report_flow.edit(self.questions, progress, key, self.context(ctx)))

    def keep(self, ctx: Context, step: report_flow.Step) -> report_flow.Step:
        """Store the step's progress: the form goes on, or is over (sent, cancelled)."""
        if step.progress.stage in ("done", "cancelled"):
            ctx.goto(None)
        else:
            ctx.goto(self.route, {PROGRESS_KEY: step.progress.to_json()})
        return step

    def ask(self, ctx: Context, ask: report_flow.Ask, choices: tuple[Choice, ...] = (), **values: object) -> Reply:
        """The question, with its offers as buttons (after `choices`, e.g. the suggested segments)."""
        offered: list[Choice] = []
        for offer in ask.options:
            action = self.action_of(offer.id)
            if action is not None:
                label = offer.value if offer.word == "option" and offer.value else None
                offered.append(Choice(f"{self.route}:{action}", label or ctx.say(f"{self.words}.button_{action}").text))
        return ctx.say(f"{self.words}.ask_{ask.question.key}", (*choices, *offered), ex=ctx.examples, **values)

    def action_of(self, option_id: str) -> str | None:
        """The button action offering an engine option (None: not offered as a button)."""
        if option_id in self.offers:
            return self.offers[option_id]
        head, _, rest = option_id.partition(":")
        return self.offers[f"{head}:"] + rest if rest and f"{head}:" in self.offers else None

    def suggested_segments(self, ctx: Context) -> tuple[Choice, ...]:
        """The suggested segments as buttons ("Semua koperasi", "Belum lapor", "KSP saja")."""
        options = segments.suggestions(str(reporting_period_for(ctx.now, ctx.zone)))
        return tuple(Choice(f"{self.route}:seg:{i}", ctx.say(title).text) for i, (_, title) in enumerate(options))

    def typed_segment(self, ctx: Context) -> str:
        """The segment answered: a pressed suggestion's, or the text typed."""
        press = ctx.press
        if press is not None and press.route == self.route and press.action == "seg":
            options = segments.suggestions(str(reporting_period_for(ctx.now, ctx.zone)))
            if press.number() < len(options):
                return options[press.number()][0]
        return ctx.inbound.text.strip()

    def problem(self, ctx: Context, problem: report_flow.Problem) -> list[Reply]:
        """The problem as the form's templates say it (nothing when they say nothing: the question is asked again)."""
        key = problem.question.key if problem.question is not None else ""
        reply = ctx.say(f"{self.words}.problem", code=problem.code, key=key, ex=ctx.examples)
        return [reply] if reply.text.strip() else []


@dataclass(frozen=True)
class FormReplies:
    """How a handler says what its form's engine decided: the question (`ask`), the preview (`preview`), what
    saving says (`save`), and the template of a cancelled form (`cancelled`). Problems are the form's own."""

    ask: Callable[[Context, report_flow.Ask], Awaitable[Reply]]
    preview: Callable[[Context, Mapping[str, str]], Awaitable[Reply]]
    save: Callable[[Context, Mapping[str, str], report_flow.Progress], Awaitable[Sequence[Reply]]]
    cancelled: str


async def said(form: StaffForm, says: FormReplies, ctx: Context, step: report_flow.Step) -> list[Reply]:
    """The engine's events as replies; the preview and the saving reach the office's records."""
    replies: list[Reply] = []
    for event in step.events:
        if isinstance(event, report_flow.Problem):
            replies += form.problem(ctx, event)
        elif isinstance(event, report_flow.Ask):
            replies.append(await says.ask(ctx, event))
        elif isinstance(event, report_flow.Summary):
            replies.append(await says.preview(ctx, step.progress.answers))
        elif isinstance(event, report_flow.Submitted):
            replies += await says.save(ctx, event.answers, step.progress)
        elif isinstance(event, report_flow.Cancelled):
            replies.append(ctx.say(says.cancelled))
    return replies


Reach = Callable[[Context, segments.Segment], Awaitable[tuple[int, object, str]]]


async def answer(form: StaffForm, says: FormReplies, ctx: Context, reach: Reach, nobody: str) -> list[Reply]:
    """One answer to the form. The segment, unlike the other answers, is checked against the office's records:
    `reach` gives for a segment (kept to a pembina's kecamatan) how many it reaches now, the reach to show, and the
    segment as stored; an unknown region or a segment that reaches nobody (`nobody`, a template) is asked again."""
    question = form.current(ctx)
    if question is None or question.kind != "segment":
        return await said(form, says, ctx, form.advance(ctx))
    try:
        count, shown, spec = await reach(ctx, segments.for_staff(form.typed_segment(ctx), ctx.staff))
    except segments.SegmentError as exc:
        problem = ctx.say("announcements.bad_segment", problem=exc.text(ctx.lang))
        return [problem, *await said(form, says, ctx, form.resume(ctx))]
    if count == 0:
        return [ctx.say(nobody, reach=shown), *await said(form, says, ctx, form.resume(ctx))]
    return await said(form, says, ctx, form.advance(ctx, report_flow.UserInput.text(spec)))


def office_zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.bot.office_zone)
