"""`/pelatihan` (what is coming, register, cancel; staff: participants and codes), `/pelatihan_baru`, `HADIR <kode>`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import format_datetime, reporting_period_for
from bot.services import access, invites, segments, trainings
from bot.services.reports import NotAllowed
from handlers import announcements
from storage.models import Training, TrainingSession

LIST = trainings.ROUTE
NEW = "pelatihan_baru"
LISTED = 5
STEPS = ("title", "kind", "start", "end", "place", "capacity", "segment", "deadline", "confirm")


def office_zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.bot.office_zone)


def may_organise(ctx: Context) -> bool:
    return ctx.staff is not None and ctx.staff.role in ("admin", "pembina")


async def _upcoming(ctx: Context) -> list[tuple[Training, TrainingSession | None]]:
    found = await ctx.repos.trainings.between(ctx.now, ctx.now + timedelta(days=365))
    sessions = await ctx.repos.trainings.sessions([t.id for t in found])
    return [(t, next(iter(sessions.get(t.id) or []), None)) for t in found[:50]]


async def _invited(ctx: Context, training: Training) -> bool:
    assert ctx.officer is not None and ctx.cooperative is not None
    return await access.invited(ctx.repos, training, ctx.officer.id, ctx.cooperative.id)


async def list_(ctx: Context) -> Sequence[Reply]:
    """What is coming: for officers with their registration, for staff with the numbers."""
    upcoming = await _upcoming(ctx)
    zone = office_zone(ctx)
    counts = await ctx.repos.trainings.registered_counts([t.id for t, _ in upcoming])
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
            if index <= 3 and access.may_read_training(training, ctx.staff):
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
    mine = await ctx.repos.trainings.registrations_of(ctx.officer.id)
    upcoming = [(t, s) for t, s in upcoming if t.id in mine or await _invited(ctx, t)][:LISTED]
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
    if action == "daftar":
        outcome = await trainings.register(ctx.repos, training_id, ctx.officer.id, ctx.now)
    elif action == "tidak":
        outcome = await trainings.decline(ctx.repos, training_id, ctx.officer.id, ctx.now)
    else:
        outcome = await trainings.cancel(
            ctx.repos, training_id, ctx.officer.id, ctx.now, zone=zone, quiet=ctx.bot.quiet_hours
        )
    training = outcome.training
    if training is None:
        return [ctx.say("trainings.not_found")]
    session = await trainings.first_session(ctx.repos, training.id)
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
    training = await ctx.repos.trainings.get(training_id)
    if training is None:
        return [ctx.say("trainings.not_found")]
    try:
        lines = await trainings.roster(ctx.repos, training_id, ctx.staff)
    except NotAllowed:
        return [ctx.say("trainings.outside_area")]
    session = await trainings.first_session(ctx.repos, training_id)
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
    try:
        code = await trainings.new_attendance_code(ctx.repos, training_id, ctx.staff)
    except NotAllowed:
        return [ctx.say("trainings.outside_area")]
    training = await ctx.repos.trainings.get(training_id)
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
    refused = await invites.code_refused(ctx.repos, ctx.identity.id, "hadir", ctx.now)
    if refused is not None:
        return [ctx.say("trainings.too_many_tries" if refused == "chat" else "trainings.codes_paused")]
    training, new = await trainings.check_in(ctx.repos, code, ctx.officer.id, ctx.cooperative.id, ctx.now)
    if training is None:
        await invites.record_wrong_code(ctx.repos, ctx.identity.id, "hadir", ctx.now)
        return [ctx.say("trainings.wrong_code")]
    if not new:
        return [ctx.say("trainings.attended_before", title=training.title)]
    return [ctx.say("trainings.attended", title=training.title, clinic=training.kind == "klinik")]


# --- /pelatihan_baru: a short guided form -------------------------------------------------------------------------


def _ask(ctx: Context, step: str, plan: dict[str, Any]) -> Reply:
    ctx.goto(NEW, {"step": step, "plan": plan})
    if step == "kind":
        return ctx.say("trainings.ask_kind", tuple(Choice(f"{NEW}:kind:{k}", k) for k in trainings.KINDS))
    if step == "capacity":  # no button: a typed "1" would be read as pressing it
        return ctx.say("trainings.ask_capacity")
    if step == "segment":
        period = str(reporting_period_for(ctx.now, ctx.zone))
        options = segments.suggestions(period)
        choices = tuple(Choice(f"{NEW}:seg:{i}", ctx.say(title).text) for i, (_, title) in enumerate(options))
        return ctx.say("trainings.ask_segment", choices, ex=ctx.examples)
    if step == "deadline":
        none = (Choice(f"{NEW}:nodeadline", ctx.say("trainings.button_no_deadline").text),)
        return ctx.say("trainings.ask_deadline", none, ex=ctx.examples)
    if step == "start":
        return ctx.say("trainings.ask_start", ex=ctx.examples)
    return ctx.say(f"trainings.ask_{step}")


async def new_training(ctx: Context) -> Sequence[Reply]:
    """Start the form."""
    if not may_organise(ctx):
        return [ctx.say("trainings.not_allowed")]
    return [_ask(ctx, "title", {})]


def _plan_from(ctx: Context, raw: dict[str, Any]) -> trainings.TrainingPlan:
    place = str(raw["place"])
    is_link = place.lower().startswith(("http://", "https://"))
    return trainings.TrainingPlan(
        title=str(raw["title"]),
        kind=str(raw["kind"]),
        starts_at=datetime.fromisoformat(raw["start"]),
        ends_at=datetime.fromisoformat(raw["end"]),
        segment=segments.for_staff(str(raw["segment"]), ctx.staff),
        venue=None if is_link else place,
        link=place if is_link else None,
        capacity=raw.get("capacity"),
        deadline=datetime.fromisoformat(raw["deadline"]) if raw.get("deadline") else None,
    )


async def form_step(ctx: Context) -> Sequence[Reply]:
    """The answer to the current question of the form."""
    if not may_organise(ctx):
        return [ctx.say("trainings.not_allowed")]
    step = str(ctx.progress.get("step", "title"))
    plan: dict[str, Any] = dict(ctx.progress.get("plan") or {})
    choice = (ctx.inbound.choice or "").split(":", 1)[1] if ctx.inbound.kind == "choice" and ctx.inbound.choice else ""
    text = ctx.inbound.text.strip()
    zone = office_zone(ctx)
    if ctx.handler != NEW:
        return await new_training(ctx)
    if step == "title":
        if len(text) < 3:
            return [_ask(ctx, "title", plan)]
        plan["title"] = text[:200]
        return [_ask(ctx, "kind", plan)]
    if step == "kind":
        kind = choice.split(":", 1)[1] if choice.startswith("kind:") else text.lower()
        if kind not in trainings.KINDS:
            return [_ask(ctx, "kind", plan)]
        plan["kind"] = kind
        return [_ask(ctx, "start", plan)]
    if step == "start":
        start = trainings.parse_moment(text, zone)
        if start is None:
            return [ctx.say("trainings.bad_moment", ex=ctx.examples), _ask(ctx, "start", plan)]
        if start <= ctx.now:
            return [ctx.say("trainings.bad_value", problem="waktunya sudah lewat"), _ask(ctx, "start", plan)]
        plan["start"] = start.isoformat()
        return [_ask(ctx, "end", plan)]
    if step == "end":
        start = datetime.fromisoformat(plan["start"])
        end = trainings.parse_end(text, start, zone)
        if end is None or end <= start:
            return [ctx.say("trainings.bad_value", problem="selesainya harus setelah mulai"), _ask(ctx, "end", plan)]
        plan["end"] = end.isoformat()
        return [_ask(ctx, "place", plan)]
    if step == "place":
        if len(text) < 3:
            return [_ask(ctx, "place", plan)]
        plan["place"] = text[:300]
        return [_ask(ctx, "capacity", plan)]
    if step == "capacity":
        if choice == "nolimit" or text.lower() in ("tanpa batas", "0", "-"):
            plan["capacity"] = None
        elif text.isdigit() and 0 < int(text) <= 100_000:
            plan["capacity"] = int(text)
        else:
            return [_ask(ctx, "capacity", plan)]
        return [_ask(ctx, "segment", plan)]
    if step == "segment":
        period = str(reporting_period_for(ctx.now, ctx.zone))
        options = segments.suggestions(period)
        spec = text
        if choice.startswith("seg:") and choice[4:].isdigit() and int(choice[4:]) < len(options):
            spec = options[int(choice[4:])][0]
        try:
            audience = await segments.resolve(ctx.repos, segments.for_staff(spec, ctx.staff))
        except segments.SegmentError as exc:
            return [ctx.say("announcements.bad_segment", problem=exc.text(ctx.lang)), _ask(ctx, "segment", plan)]
        if audience.reach().now == 0:
            return [ctx.say("trainings.nobody", reach=audience.reach()), _ask(ctx, "segment", plan)]
        plan["segment"] = audience.segment.spec
        return [_ask(ctx, "deadline", plan)]
    if step == "deadline":
        if choice == "nodeadline" or text.lower() in ("-", "sampai mulai"):
            plan["deadline"] = None
        else:
            deadline = trainings.parse_moment(text, zone)
            if deadline is None or deadline <= ctx.now or deadline > datetime.fromisoformat(plan["start"]):
                return [ctx.say("trainings.bad_moment", ex=ctx.examples), _ask(ctx, "deadline", plan)]
            plan["deadline"] = deadline.isoformat()
        return await _preview(ctx, plan)
    if step == "confirm":
        if choice == "save":
            return await _save(ctx, plan)
        if choice == "cancel":
            ctx.goto(None)
            return [ctx.say("trainings.form_cancelled")]
        return await _preview(ctx, plan)
    return await new_training(ctx)


async def _preview(ctx: Context, plan: dict[str, Any]) -> Sequence[Reply]:
    built = _plan_from(ctx, plan)
    audience = await segments.resolve(ctx.repos, built.segment)
    reach = audience.reach()
    zone = office_zone(ctx)
    ctx.goto(NEW, {"step": "confirm", "plan": plan})
    choices = (
        Choice(f"{NEW}:save", ctx.say("trainings.button_save", count=reach.now).text),
        Choice(f"{NEW}:cancel", ctx.say("trainings.button_cancel_form").text),
    )
    when = f"{format_datetime(built.starts_at, zone, ctx.lang)} – {format_datetime(built.ends_at, zone, ctx.lang)}"
    return [
        ctx.say(
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
    ]


async def _save(ctx: Context, plan: dict[str, Any]) -> Sequence[Reply]:
    assert ctx.staff is not None
    built = _plan_from(ctx, plan)
    found = trainings.problems(built, ctx.now)
    if found:
        ctx.goto(None)
        return [ctx.say("trainings.bad_value", problem="; ".join(found))]
    reach = (await segments.resolve(ctx.repos, built.segment)).reach()
    if reach.now == 0:  # everyone in it became unreachable since the preview
        return [ctx.say("trainings.nobody", reach=reach), _ask(ctx, "segment", plan)]
    training, invited = await trainings.create(
        ctx.repos, built, staff_id=ctx.staff.id, now=ctx.now, zone=office_zone(ctx), quiet=ctx.bot.quiet_hours
    )
    ctx.goto(None)
    return [ctx.say("trainings.created", id=training.id, title=training.title, invited=invited)]


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
