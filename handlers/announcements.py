"""`/umumkan` (compose, preview with the number of recipients, confirm), `umumkan status`, BERHENTI and MULAI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import format_datetime, reporting_period_for
from bot.services import announcements, segments, trainings
from bot.services.reports import NotAllowed

NAME = "umumkan"


def may_announce(ctx: Context) -> bool:
    return ctx.staff is not None and ctx.staff.role in ("admin", "pembina")


async def _scope_name(ctx: Context) -> str | None:
    if ctx.staff is None or ctx.staff.role != "pembina" or ctx.staff.kecamatan_id is None:
        return None
    return (await ctx.repos.regions.names([ctx.staff.kecamatan_id])).get(ctx.staff.kecamatan_id)


async def start(ctx: Context) -> Sequence[Reply]:
    """Begin a new announcement."""
    if not may_announce(ctx):
        return [ctx.say("announcements.not_allowed")]
    ctx.goto(NAME, {"step": "text"})
    return [ctx.say("announcements.ask_text")]


async def _ask_segment(ctx: Context, state: dict[str, Any]) -> Reply:
    ctx.goto(NAME, {**state, "step": "segment"})
    period = str(reporting_period_for(ctx.now, ctx.zone))
    options = segments.suggestions(period)
    choices = tuple(Choice(f"{NAME}:seg:{i}", ctx.say(title).text) for i, (_, title) in enumerate(options))
    return ctx.say("announcements.ask_segment", choices, scope=await _scope_name(ctx), ex=ctx.examples)


def _ask_when(ctx: Context, state: dict[str, Any]) -> Reply:
    ctx.goto(NAME, {**state, "step": "when"})
    now = (Choice(f"{NAME}:now", ctx.say("announcements.button_now").text),)
    return ctx.say("announcements.ask_when", now, ex=ctx.examples)


async def resume(ctx: Context) -> Sequence[Reply]:
    """The author's answer at each step, or a pressed button (send, cancel, refresh status)."""
    choice = (ctx.inbound.choice or "").split(":", 1)[1] if ctx.inbound.kind == "choice" and ctx.inbound.choice else ""
    if not may_announce(ctx):
        return [ctx.say("announcements.not_allowed")]
    if ctx.press is not None and ctx.press.action == "status":
        return await status(ctx, ctx.press.number())
    if ctx.handler != NAME:
        return await start(ctx)
    state = dict(ctx.progress)
    step = state.get("step", "text")
    text = ctx.inbound.text.strip()
    if step == "text":
        if len(text) < announcements.MIN_TEXT:
            return [ctx.say("announcements.text_too_short")]
        return [await _ask_segment(ctx, {"text": text[: announcements.MAX_TEXT]})]
    if step == "segment":
        options = segments.suggestions(str(reporting_period_for(ctx.now, ctx.zone)))
        spec = text
        if choice.startswith("seg:") and choice[4:].isdigit() and int(choice[4:]) < len(options):
            spec = options[int(choice[4:])][0]
        try:
            preview = await announcements.preview(ctx.repos, segments.for_staff(spec, ctx.staff))
        except segments.SegmentError as exc:
            return [ctx.say("announcements.bad_segment", problem=exc.text(ctx.lang)), await _ask_segment(ctx, state)]
        if preview.recipients == 0:
            return [ctx.say("announcements.nobody", reach=preview.reach), await _ask_segment(ctx, state)]
        return [_ask_when(ctx, {**state, "segment": preview.audience.segment.spec})]
    if step == "when":
        if choice == "now" or text.lower() in ("sekarang", "now"):
            at = None
        else:
            moment = trainings.parse_moment(text, ZoneInfo(ctx.bot.office_zone))
            if moment is None or moment <= ctx.now:
                return [ctx.say("announcements.bad_when", ex=ctx.examples), _ask_when(ctx, state)]
            at = moment.isoformat()
        return await _preview(ctx, {**state, "at": at})
    if step == "confirm":
        if choice == "send":
            return await _publish(ctx, state)
        if choice == "cancel":
            ctx.goto(None)
            return [ctx.say("announcements.cancelled")]
        return await _preview(ctx, state)
    return await start(ctx)


async def _preview(ctx: Context, state: dict[str, Any]) -> Sequence[Reply]:
    """Nothing is sent before the author presses Send on this."""
    preview = await announcements.preview(ctx.repos, segments.for_staff(state["segment"], ctx.staff))
    ctx.goto(NAME, {**state, "step": "confirm"})
    choices = (
        Choice(f"{NAME}:send", ctx.say("announcements.button_send", count=preview.recipients).text),
        Choice(f"{NAME}:cancel", ctx.say("announcements.button_cancel").text),
    )
    at = datetime.fromisoformat(state["at"]) if state.get("at") else None
    return [
        ctx.say(
            "announcements.preview",
            choices,
            text=state["text"],
            segment=preview.audience.segment.words,
            reach=preview.reach,
            cooperatives=preview.audience.cooperatives,
            when=format_datetime(at, ZoneInfo(ctx.bot.office_zone), ctx.lang) if at else None,
        )
    ]


async def _publish(ctx: Context, state: dict[str, Any]) -> Sequence[Reply]:
    assert ctx.staff is not None
    at = datetime.fromisoformat(state["at"]) if state.get("at") else None
    announcement = await announcements.publish(
        ctx.repos,
        text=state["text"],
        segment=segments.for_staff(state["segment"], ctx.staff),
        staff_id=ctx.staff.id,
        now=ctx.now,
        send_at=at,
        quiet=ctx.bot.quiet_hours,
    )
    ctx.goto(None)
    when = format_datetime(at, ZoneInfo(ctx.bot.office_zone), ctx.lang) if at and at > ctx.now else None
    refresh = (Choice(f"{NAME}:status:{announcement.id}", ctx.say("announcements.button_status").text),)
    return [
        ctx.say("announcements.published", refresh, id=announcement.id, recipients=announcement.recipients, when=when)
    ]


async def status(ctx: Context, announcement_id: int | None = None) -> Sequence[Reply]:
    """Progress of the author's latest (or a given) announcement, with a button to refresh it."""
    if ctx.staff is None:
        return [ctx.say("common.not_for_you")]
    try:
        found = await announcements.followed(ctx.repos, announcement_id, ctx.staff)
    except NotAllowed:
        return [ctx.say("announcements.not_allowed")]
    if found is None:
        return [ctx.say("announcements.not_found" if announcement_id else "announcements.no_announcement")]
    progress = await announcements.progress(ctx.repos, found.id)
    reasons = announcements.failure_kinds(await announcements.recipients(ctx.repos, found.id))
    scheduled = found.send_at is not None and found.send_at > ctx.now
    refresh = (Choice(f"{NAME}:status:{found.id}", ctx.say("announcements.button_status").text),)
    return [
        ctx.say(
            "announcements.status",
            refresh if progress.pending else (),
            id=found.id,
            total=progress.total,
            sent=progress.sent,
            delivered=progress.delivered,
            read=progress.read,
            failed=progress.failed,
            pending=progress.pending,
            reasons=reasons,
            when=format_datetime(found.send_at, ZoneInfo(ctx.bot.office_zone), ctx.lang)
            if scheduled and found.send_at
            else None,
        )
    ]


async def status_start(ctx: Context) -> Sequence[Reply]:
    return await status(ctx)


async def stop(ctx: Context) -> Sequence[Reply]:
    """BERHENTI: no more announcements (reminders about the cooperative's obligations still come)."""
    assert ctx.officer is not None
    withdrawn = await announcements.set_paused(ctx.repos, ctx.officer.id, True, ctx.now)
    return [ctx.say("announcements.paused", withdrawn=withdrawn)]


async def resume_announcements(ctx: Context) -> Sequence[Reply]:
    """MULAI: announcements again."""
    assert ctx.officer is not None
    await announcements.set_paused(ctx.repos, ctx.officer.id, False, ctx.now)
    return [ctx.say("announcements.resumed")]


router = Router(
    Route(NAME, frozenset({"umumkan", "pengumuman", "siarkan"}), start, resume, audience="staff"),
    Route(
        "umumkan_status",
        frozenset({"umumkan status", "umumkan_status", "status pengumuman"}),  # umumkan_status: the menu's command
        status_start,
        audience="staff",
    ),
    Route("berhenti", frozenset({"berhenti", "berhenti pengumuman", "stop pengumuman"}), stop, audience="officer"),
    Route("mulai", frozenset({"mulai", "mulai pengumuman"}), resume_announcements, audience="officer"),
)
