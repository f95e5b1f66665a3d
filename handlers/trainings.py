"""`/pelatihan` (what is coming, register, cancel; staff: participants and codes), `/pelatihan_baru`, `HADIR <kode>`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.chat.staff_forms import FormReplies, StaffForm, answer, office_zone, said
from bot.domain import report_flow
from bot.domain.periods import format_datetime
from bot.services import access, segments, trainings
from bot.services.reports import NotAllowed
from bot.services.training_catalog import Action
from handlers import announcements

LIST = trainings.ROUTE
NEW = "pelatihan_baru"
LISTED = 5
FORM = StaffForm(
    NEW,
    "new_training",
    "trainings",
    presses={"kind:": "opt:", "nodeadline": "none", "save": "submit", "cancel": "cancel"},
    offers={"opt:": "kind:", "none": "nodeadline"},
)


def may_organise(ctx: Context) -> bool:
    return ctx.staff is not None and ctx.staff.role in ("admin", "pembina")


async def list_(ctx: Context) -> Sequence[Reply]:
    """What is coming: for officers with their registration, for staff (what they may read: a pembina, what was kept
    to their kecamatan, as on the office web app) with the numbers."""
    catalog = ctx.services.training_catalog
    upcoming = [(u.training, u.session) for u in await catalog.upcoming(ctx.now, ctx.staff)]
    zone = office_zone(ctx)
    counts = await catalog.counts([t.id for t, _ in upcoming])
    if ctx.staff is not None:
        items = []
        choices: list[Choice] = []
        for index, (training, session) in enumerate(upcoming[:LISTED], start=1):
            numbers = counts.get(training.id, {})
            items.append(
                {
                    "id": training.id,
                    "title": training.title,
                    "when": trainings.when_text(session, zone, ctx.lang),
                    "registered": numbers.get("registered", 0),
                    "waitlisted": numbers.get("waitlisted", 0),
                    "declined": numbers.get("declined", 0),
                    "capacity": training.capacity,
                }
            )
            if index <= 3:  # the list holds only what they may read
                choices.append(
                    Choice(
                        f"{LIST}:peserta:{training.id}", ctx.say("trainings.button_participants_for", index=index).text
                    )
                )
                if access.may_run_training(training, ctx.staff):
                    choices.append(
                        Choice(f"{LIST}:kode:{training.id}", ctx.say("trainings.button_code_for", index=index).text)
                    )
        return [ctx.say("trainings.list_staff", tuple(choices[:10]), items=items)]
    assert ctx.officer is not None and ctx.cooperative is not None
    officer, cooperative = ctx.officer, ctx.cooperative
    mine = await catalog.registrations_of(officer.id)
    upcoming = [(t, s) for t, s in upcoming if t.id in mine or await catalog.invited(t, officer.id, cooperative.id)][
        :LISTED
    ]
    items, choices = [], []
    for index, (training, session) in enumerate(upcoming, start=1):
        status = mine[training.id].status if training.id in mine else None
        numbers = counts.get(training.id, {})
        full = training.capacity is not None and numbers.get("registered", 0) >= training.capacity
        items.append(
            {
                "title": training.title,
                "kind": training.kind,
                "when": trainings.when_text(session, zone, ctx.lang),
                "place": trainings.place_of(training),
                "status": status,
                "full": full,
            }
        )
        if status in ("registered", "waitlisted"):
            choices.append(
                Choice(f"{LIST}:batal:{training.id}", ctx.say("trainings.button_cancel_for", index=index).text)
            )
        else:
            choices.append(
                Choice(f"{LIST}:daftar:{training.id}", ctx.say("trainings.button_register_for", index=index).text)
            )
    return [ctx.say("trainings.list_officer", tuple(choices), items=items)]


async def on_choice(ctx: Context) -> Sequence[Reply]:
    """A pressed button (read and checked by the dispatcher): daftar, tidak, batal (officers); peserta, kode (staff)."""
    press = ctx.press
    if press is None:
        return await list_(ctx)
    action, training_id = press.action, press.number()
    if action == "peserta":
        return await show_roster(ctx, training_id)
    if action == "kode":
        return await show_code(ctx, training_id)
    assert ctx.officer is not None
    zone = office_zone(ctx)
    catalog = ctx.services.training_catalog
    answer: Action = "daftar" if action == "daftar" else "tidak" if action == "tidak" else "batal"
    outcome = await catalog.answer(answer, training_id, ctx.officer.id, ctx.now, zone, ctx.bot.quiet_hours)
    training = outcome.training
    if training is None:
        return [ctx.say("trainings.not_found")]
    session = await catalog.first_session(training.id)
    values: dict[str, Any] = {"title": training.title}
    if outcome.status == "registered":
        values |= {"when": trainings.when_text(session, zone, ctx.lang), "place": trainings.place_of(training)}
    if outcome.status in ("waitlisted", "already"):
        values["position"] = outcome.position
    choices: tuple[Choice, ...] = ()
    if outcome.status in ("registered", "waitlisted", "already"):
        choices = (Choice(f"{LIST}:batal:{training.id}", ctx.say("trainings.button_cancel").text),)
    reply = ctx.say(f"trainings.{outcome.status}", choices, **values)
    title = next((c.title for c in _pressed_titles(ctx)), None)
    return [Reply(reply.text, reply.choices, confirms=title)]


def _pressed_titles(ctx: Context) -> list[Choice]:
    text = ctx.inbound.text.strip()
    return [Choice(ctx.inbound.choice or "x", text)] if text else []


async def show_roster(ctx: Context, training_id: int) -> Sequence[Reply]:
    catalog = ctx.services.training_catalog
    training = await catalog.get(training_id)
    if training is None:
        return [ctx.say("trainings.not_found")]
    try:
        lines = await catalog.roster(training_id, ctx.staff)
    except NotAllowed:
        return [ctx.say("trainings.outside_area")]
    session = await catalog.first_session(training_id)
    shown = [line for line in lines if line.status in ("registered", "waitlisted", "walk-in")][:40]
    return [
        ctx.say(
            "trainings.roster",
            id=training.id,
            title=training.title,
            when=trainings.when_text(session, office_zone(ctx), ctx.lang),
            registered=sum(line.status == "registered" for line in lines),
            capacity=training.capacity,
            waitlisted=sum(line.status == "waitlisted" for line in lines),
            attended=sum(line.attended_at is not None for line in lines),
            lines=shown,
        )
    ]


async def show_code(ctx: Context, training_id: int) -> Sequence[Reply]:
    catalog = ctx.services.training_catalog
    try:
        code = await catalog.new_attendance_code(training_id, ctx.staff)
    except NotAllowed:
        return [ctx.say("trainings.outside_area")]
    training = await catalog.get(training_id)
    if code is None or training is None:
        return [ctx.say("trainings.not_found")]
    return [ctx.say("trainings.code_shown", title=training.title, code=code)]


async def check_in(ctx: Context) -> Sequence[Reply]:
    """`HADIR <kode>` from an officer at the venue."""
    if ctx.officer is None or ctx.cooperative is None:
        if ctx.staff is not None and ctx.handler in ("umumkan", NEW):
            resume = form_step if ctx.handler == NEW else announcements.resume
            return await resume(ctx)  # a staff member's text that happens to start with "hadir"
        return [ctx.say("common.officers_only")] if ctx.staff else [ctx.say("onboarding.stranger")]
    code = "".join(ctx.inbound.text.strip().split()[1:])
    if not code:
        return [ctx.say("trainings.ask_code")]
    found = await ctx.services.training_catalog.check_in(
        ctx.identity.id, code, ctx.officer.id, ctx.cooperative.id, ctx.now
    )
    if found.refused is not None:
        return [ctx.say("trainings.too_many_tries" if found.refused == "chat" else "trainings.codes_paused")]
    training = found.training
    if training is None:
        return [ctx.say("trainings.wrong_code")]
    if not found.new:
        return [ctx.say("trainings.attended_before", title=training.title)]
    return [ctx.say("trainings.attended", title=training.title, clinic=training.kind == "klinik")]


# --- /pelatihan_baru: the form of forms_data/new_training.json on the step engine ------------------------------------


async def new_training(ctx: Context) -> Sequence[Reply]:
    """Start the form."""
    if not may_organise(ctx):
        return [ctx.say("trainings.not_allowed")]
    return await _said(ctx, FORM.start(ctx))


async def form_step(ctx: Context) -> Sequence[Reply]:
    """The answer to the current question of the form, or a press of its preview."""
    if not may_organise(ctx):
        return [ctx.say("trainings.not_allowed")]
    if ctx.handler != NEW:
        return await new_training(ctx)
    return await answer(FORM, SAYS, ctx, _reach, "trainings.nobody")


async def _reach(ctx: Context, segment: segments.Segment) -> tuple[int, object, str]:
    audience = await ctx.services.training_catalog.audience(segment)
    return audience.reach().now, audience.reach(), audience.segment.spec


async def _said(ctx: Context, step: report_flow.Step) -> list[Reply]:
    return await said(FORM, SAYS, ctx, step)


async def _ask(ctx: Context, ask: report_flow.Ask) -> Reply:
    return FORM.ask(ctx, ask, FORM.suggested_segments(ctx) if ask.question.kind == "segment" else ())


def _plan_from(ctx: Context, answers: Mapping[str, str]) -> trainings.TrainingPlan:
    place = answers["place"]
    is_link = place.lower().startswith(("http://", "https://"))
    return trainings.TrainingPlan(
        title=answers["title"],
        kind=answers["kind"],
        starts_at=datetime.fromisoformat(answers["start"]),
        ends_at=datetime.fromisoformat(answers["end"]),
        segment=segments.for_staff(answers["segment"], ctx.staff),
        venue=None if is_link else place,
        link=place if is_link else None,
        capacity=int(answers["capacity"]) if answers.get("capacity") else None,
        deadline=datetime.fromisoformat(answers["deadline"]) if answers.get("deadline") else None,
    )


async def _preview(ctx: Context, answers: Mapping[str, str]) -> Reply:
    built = _plan_from(ctx, answers)
    audience = await ctx.services.training_catalog.audience(built.segment)
    reach = audience.reach()
    zone = office_zone(ctx)
    choices = (
        Choice(f"{NEW}:save", ctx.say("trainings.button_save", count=reach.now).text),
        Choice(f"{NEW}:cancel", ctx.say("trainings.button_cancel_form").text),
    )
    when = f"{format_datetime(built.starts_at, zone, ctx.lang)} – {format_datetime(built.ends_at, zone, ctx.lang)}"
    return ctx.say(
        "trainings.preview",
        choices,
        title=built.title,
        kind=built.kind,
        when=when,
        place=built.venue or built.link,
        capacity=built.capacity,
        deadline=format_datetime(built.deadline, zone, ctx.lang) if built.deadline else None,
        segment=built.segment.words,
        reach=reach,
        cooperatives=audience.cooperatives,
    )


async def _save(ctx: Context, answers: Mapping[str, str], progress: report_flow.Progress) -> list[Reply]:
    assert ctx.staff is not None
    built = _plan_from(ctx, answers)
    training, reach = await ctx.services.training_catalog.create(
        built, staff_id=ctx.staff.id, now=ctx.now, zone=office_zone(ctx), quiet=ctx.bot.quiet_hours
    )  # the reach of the invitations it made, as the preview counted it
    if training is None:  # everyone in it became unreachable since the preview: nothing saved, choose again
        return [ctx.say("trainings.nobody", reach=reach), *await _said(ctx, FORM.edit(ctx, progress, "segment"))]
    return [ctx.say("trainings.created", id=training.id, title=training.title, reach=reach)]


SAYS = FormReplies(_ask, _preview, _save, "trainings.form_cancelled")


router = Router(
    Route(LIST, frozenset({"pelatihan", "klinik", "jadwal pelatihan", "bimtek"}), list_, on_choice),
    Route(
        NEW,
        frozenset({"pelatihan_baru", "pelatihan baru", "buat pelatihan"}),
        new_training,
        form_step,
        audience="staff",
    ),
    Route("hadir", frozenset({"hadir"}), check_in, audience="member", takes_argument=True),
)
