"""`rencana`: officers see their cooperative's open action plans and mark them done; staff see a cooperative's plans
(`rencana NIK`), and a pembina or admin adds one in three short questions (what, who, by when), changes an open one's
what, who or due date, or cancels it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import format_date, local_date, read_date
from bot.services.clinic import WHAT_LIMIT, WHO_LIMIT, Actor
from bot.services.reports import NotAllowed

NAME = "rencana"
WORDS = frozenset({NAME, "rencana aksi", "plans"})
SHOWN = 10  # plans with a button each (a WhatsApp list holds ten rows)
CHANGES = {"ubah_apa": "edit_what", "ubah_siapa": "edit_who", "ubah_tenggat": "edit_due"}  # button -> stage


def actor(ctx: Context) -> Actor:
    """The chat user as the clinic's actor."""
    if ctx.staff is not None:
        return Actor(staff_id=ctx.staff.id)
    return Actor(officer_id=ctx.officer.id if ctx.officer else None)


def _today(ctx: Context) -> date:
    return local_date(ctx.now, ctx.zone)


def _argument(ctx: Context) -> str:
    words = ctx.inbound.text.split() if ctx.inbound.kind == "text" else []
    if len(words) > 1 and words[0].lower().lstrip("/") in WORDS:
        return " ".join(words[1:])
    if len(words) > 2 and " ".join(w.lower() for w in words[:2]) in WORDS:
        return " ".join(words[2:])
    return ""


async def start(ctx: Context) -> Sequence[Reply]:
    """Officers: their open plans. Staff: the plans of the cooperative named by its NIK."""
    if ctx.handler == NAME and ctx.progress.get("stage"):  # "rencana ..." typed as the answer to a question
        return await resume(ctx)
    ctx.goto(None)
    if ctx.staff is None:
        return await _officer_plans(ctx)
    nik = _argument(ctx).strip()
    if not nik:
        return [ctx.say("clinic.staff_ask_nik")]
    return await _staff_plans(ctx, nik)


async def _officer_plans(ctx: Context) -> list[Reply]:
    assert ctx.cooperative is not None
    plans = await ctx.services.clinic.plans(ctx.cooperative.id, actor(ctx), open_only=True)
    choices = tuple(
        Choice(f"{NAME}:selesai:{p.id}", ctx.say("clinic.done_button", number=i).text)
        for i, p in enumerate(plans[:SHOWN], 1)
    )
    return [ctx.say("clinic.officer_plans", choices, cooperative=ctx.cooperative.name, plans=plans, today=_today(ctx))]


async def _staff_plans(ctx: Context, nik: str) -> list[Reply]:
    found = await ctx.services.clinic.plans_by_nik(nik, actor(ctx))
    if found is None:  # also another kecamatan's cooperative: it is not shown
        return [ctx.say("clinic.unknown_nik", nik=nik[:40])]
    choices: tuple[Choice, ...] = ()
    if found.may_change:
        numbered = [(i, p) for i, p in enumerate(found.plans, 1) if p.status == "open"][: SHOWN - 1]
        choices = tuple(Choice(f"{NAME}:kelola:{p.id}", ctx.say("clinic.manage_button", number=i).text)
                        for i, p in numbered)  # fmt: skip
        choices += (Choice(f"{NAME}:tambah:{found.cooperative_id}", ctx.say("clinic.button_add").text),)
    reply = ctx.say(
        "clinic.staff_plans",
        choices,
        cooperative=found.name,
        nik=found.nik,
        plans=found.plans,
        today=_today(ctx),
        may_add=found.may_change,
    )
    return [reply]


async def resume(ctx: Context) -> Sequence[Reply]:
    """A pressed *Selesai* or *Tambah rencana*, or the answer to one of the plan's questions."""
    if ctx.press is not None:  # read and range-checked by the dispatcher (bot.chat.buttons)
        action, number = ctx.press.action, ctx.press.number()
        if action == "selesai":
            return await _done(ctx, number)
        if action == "tambah":
            return await _begin(ctx, number)
        return await _manage(ctx, action, number)
    stage = ctx.progress.get("stage")
    text = " ".join(ctx.inbound.text.split())
    if stage == "what":
        if len(text) > WHAT_LIMIT:
            return [ctx.say("clinic.too_long", limit=WHAT_LIMIT)]
        if not text:
            return [ctx.say("clinic.ask_what", cooperative=ctx.progress.get("name", ""))]
        ctx.goto(NAME, {**ctx.progress, "stage": "who", "what": text})
        return [ctx.say("clinic.ask_who")]
    if stage == "who":
        if len(text) > WHO_LIMIT:
            return [ctx.say("clinic.too_long", limit=WHO_LIMIT)]
        if not text:
            return [ctx.say("clinic.ask_who")]
        ctx.goto(NAME, {**ctx.progress, "stage": "due", "who": text})
        return [_ask_due(ctx)]
    if stage == "due":
        return await _due(ctx, text)
    if stage in CHANGES.values():
        return await _change(ctx, str(stage), text)
    return await start(ctx)


def _ask_due(ctx: Context, problem: str | None = None) -> Reply:
    example = format_date(date.fromordinal(_today(ctx).toordinal() + 30), ctx.lang, weekday=False)
    return ctx.say("clinic.ask_due", example=example, problem=problem)


async def _done(ctx: Context, plan_id: int) -> list[Reply]:
    try:
        plan, changed = await ctx.services.clinic.close_plan(plan_id, "done", actor(ctx), ctx.now)
    except NotAllowed:
        return [ctx.say("clinic.not_allowed")]
    except LookupError:
        return [ctx.say("clinic.plan_unknown")]
    if not changed:
        return [ctx.say("clinic.plan_closed_before", what=plan.what, status=plan.status)]
    replies = [ctx.say("clinic.plan_done", what=plan.what)]
    if ctx.staff is None and ctx.cooperative is not None:
        replies.extend(await _officer_plans(ctx))
    return replies


async def _begin(ctx: Context, cooperative_id: int) -> list[Reply]:
    name = await ctx.services.clinic.name_of(cooperative_id)
    if name is None:
        return [ctx.say("clinic.plan_unknown")]
    if not await ctx.services.clinic.may_change(actor(ctx), cooperative_id):
        return [ctx.say("clinic.not_allowed")]
    ctx.goto(NAME, {"stage": "what", "cooperative": cooperative_id, "name": name})
    return [ctx.say("clinic.ask_what", cooperative=name)]


async def _due(ctx: Context, text: str) -> list[Reply]:
    day = read_date(text, _today(ctx))
    if day is None:
        return [_ask_due(ctx, "unreadable")]
    if day < _today(ctx):
        return [_ask_due(ctx, "past")]
    progress = ctx.progress
    try:
        plan = await ctx.services.clinic.add_plan(
            int(progress["cooperative"]), str(progress["what"]), str(progress["who"]), day, actor(ctx), ctx.now
        )
    except NotAllowed:
        ctx.goto(None)
        return [ctx.say("clinic.not_allowed")]
    ctx.goto(None)
    due = format_date(plan.due_on, ctx.lang)
    return [ctx.say("clinic.plan_added", cooperative=progress.get("name", ""), what=plan.what, who=plan.who, due=due)]


async def _manage(ctx: Context, action: str, plan_id: int) -> list[Reply]:
    """An open plan's menu (change what, who, due date; cancel), a change asked for, or the cancel confirmed."""
    ctx.goto(None)
    clinic = ctx.services.clinic
    try:
        plan = await clinic.plan(plan_id, actor(ctx))
    except LookupError:
        return [ctx.say("clinic.plan_unknown")]
    except NotAllowed:
        return [ctx.say("clinic.not_allowed")]
    if not await clinic.may_change(actor(ctx), plan.cooperative_id):
        return [ctx.say("clinic.not_allowed")]
    if plan.status != "open":
        return [ctx.say("clinic.plan_closed_before", what=plan.what, status=plan.status)]
    if action == "kelola":
        buttons = [*CHANGES, "batal"]
        choices = tuple(Choice(f"{NAME}:{b}:{plan.id}", ctx.say("clinic.manage_choice", key=b).text) for b in buttons)
        due = format_date(plan.due_on, ctx.lang)
        return [ctx.say("clinic.plan_manage", choices, what=plan.what, who=plan.who, due=due)]
    if action == "batal":
        confirm = (Choice(f"{NAME}:batal_ya:{plan.id}", ctx.say("clinic.manage_choice", key="batal_ya").text),)
        return [ctx.say("clinic.confirm_cancel", confirm, what=plan.what)]
    if action == "batal_ya":
        try:
            closed, changed = await clinic.close_plan(plan.id, "cancelled", actor(ctx), ctx.now)
        except NotAllowed:
            return [ctx.say("clinic.not_allowed")]
        if not changed:
            return [ctx.say("clinic.plan_closed_before", what=closed.what, status=closed.status)]
        return [ctx.say("clinic.plan_cancelled", what=closed.what)]
    stage = CHANGES[action]
    ctx.goto(NAME, {"stage": stage, "plan": plan.id})
    if stage == "edit_due":
        return [_ask_due(ctx)]
    return [ctx.say("clinic.ask_change", field=stage, current=plan.what if stage == "edit_what" else plan.who)]


async def _change(ctx: Context, stage: str, text: str) -> list[Reply]:
    """The new what, who or due date of the plan being changed."""
    limit = WHAT_LIMIT if stage == "edit_what" else WHO_LIMIT
    due: date | None = None
    if stage == "edit_due":
        due = read_date(text, _today(ctx))
        if due is None or due < _today(ctx):
            return [_ask_due(ctx, "unreadable" if due is None else "past")]
    elif not text or len(text) > limit:
        return [ctx.say("clinic.too_long", limit=limit)] if text else [ctx.say("clinic.ask_change", field=stage)]
    plan_id = int(ctx.progress["plan"])
    ctx.goto(None)
    try:
        current = await ctx.services.clinic.plan(plan_id, actor(ctx))
        if current.status != "open":  # closed since the question was asked
            return [ctx.say("clinic.plan_closed_before", what=current.what, status=current.status)]
        plan = await ctx.services.clinic.update_plan(
            plan_id,
            actor(ctx),
            ctx.now,
            what=text if stage == "edit_what" else None,
            who=text if stage == "edit_who" else None,
            due_on=due,
        )
    except NotAllowed:
        return [ctx.say("clinic.not_allowed")]
    except LookupError:
        return [ctx.say("clinic.plan_unknown")]
    return [ctx.say("clinic.plan_changed", what=plan.what, who=plan.who, due=format_date(plan.due_on, ctx.lang))]


router = Router(Route(NAME, WORDS, start, resume, takes_argument=True))
