"""`/umumkan` (compose, preview with the number of recipients, confirm), `umumkan status`, BERHENTI and MULAI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.chat.staff_forms import FormReplies, StaffForm, answer, office_zone, said
from bot.domain import report_flow
from bot.domain.periods import format_datetime
from bot.services import segments
from bot.services.reports import NotAllowed

NAME = "umumkan"
FORM = StaffForm(
    NAME,
    "announcement",
    "announcements",
    presses={"now": "none", "send": "submit", "cancel": "cancel"},
    offers={"none": "now"},
    renamed={"at": "when"},
)


def may_announce(ctx: Context) -> bool:
    return ctx.staff is not None and ctx.staff.role in ("admin", "pembina")


async def _scope_name(ctx: Context) -> str | None:
    if ctx.staff is None or ctx.staff.role != "pembina" or ctx.staff.kecamatan_id is None:
        return None
    return await ctx.services.broadcasts.region_name(ctx.staff.kecamatan_id)


async def start(ctx: Context) -> Sequence[Reply]:
    """Begin a new announcement (the form of forms_data/announcement.json on the step engine)."""
    if not may_announce(ctx):
        return [ctx.say("announcements.not_allowed")]
    return await _said(ctx, FORM.start(ctx))


async def resume(ctx: Context) -> Sequence[Reply]:
    """The author's answer at each step, or a pressed button (send, cancel, refresh status)."""
    if not may_announce(ctx):
        return [ctx.say("announcements.not_allowed")]
    if ctx.press is not None and ctx.press.action == "status":
        return await status(ctx, ctx.press.number())
    if ctx.handler != NAME:
        return await start(ctx)
    return await answer(FORM, SAYS, ctx, _reach, "announcements.nobody")


async def _reach(ctx: Context, segment: segments.Segment) -> tuple[int, object, str]:
    preview = await ctx.services.broadcasts.preview(segment)
    return preview.recipients, preview.reach, preview.audience.segment.spec


async def _said(ctx: Context, step: report_flow.Step) -> list[Reply]:
    return await said(FORM, SAYS, ctx, step)


async def _ask(ctx: Context, ask: report_flow.Ask) -> Reply:
    if ask.question.kind != "segment":
        return FORM.ask(ctx, ask)
    return FORM.ask(ctx, ask, FORM.suggested_segments(ctx), scope=await _scope_name(ctx))


def _send_at(answers: Mapping[str, str]) -> datetime | None:
    return datetime.fromisoformat(answers["when"]) if answers.get("when") else None


async def _preview(ctx: Context, answers: Mapping[str, str]) -> Reply:
    """Nothing is sent before the author presses Send on this."""
    preview = await ctx.services.broadcasts.preview(segments.for_staff(answers["segment"], ctx.staff))
    choices = (
        Choice(f"{NAME}:send", ctx.say("announcements.button_send", count=preview.recipients).text),
        Choice(f"{NAME}:cancel", ctx.say("announcements.button_cancel").text),
    )
    at = _send_at(answers)
    return ctx.say(
        "announcements.preview",
        choices,
        text=answers["text"],
        segment=preview.audience.segment.words,
        reach=preview.reach,
        cooperatives=preview.audience.cooperatives,
        when=format_datetime(at, office_zone(ctx), ctx.lang) if at else None,
    )


async def _publish(ctx: Context, answers: Mapping[str, str]) -> Reply:
    assert ctx.staff is not None
    at = _send_at(answers)
    segment = segments.for_staff(answers["segment"], ctx.staff)
    published = await ctx.services.broadcasts.publish(
        text=answers["text"],
        segment=segment,
        staff_id=ctx.staff.id,
        now=ctx.now,
        send_at=at,
        quiet=ctx.bot.quiet_hours,
    )
    when = format_datetime(at, office_zone(ctx), ctx.lang) if at and at > ctx.now else None
    number = published.announcement.id
    refresh = (Choice(f"{NAME}:status:{number}", ctx.say("announcements.button_status").text),)
    return ctx.say("announcements.published", refresh, id=number, reach=published.reach, when=when)


async def _save(ctx: Context, answers: Mapping[str, str], progress: report_flow.Progress) -> list[Reply]:
    return [await _publish(ctx, answers)]


SAYS = FormReplies(_ask, _preview, _save, "announcements.cancelled")


async def status(ctx: Context, announcement_id: int | None = None) -> Sequence[Reply]:
    """Progress of the author's latest (or a given) announcement, with a button to refresh it."""
    if ctx.staff is None:
        return [ctx.say("common.not_for_you")]
    try:
        found = await ctx.services.broadcasts.followed(announcement_id, ctx.staff)
    except NotAllowed:
        return [ctx.say("announcements.not_allowed")]
    if found is None:
        return [ctx.say("announcements.not_found" if announcement_id else "announcements.no_announcement")]
    progress = await ctx.services.broadcasts.progress(found.id)
    reasons = await ctx.services.broadcasts.failure_kinds(found.id)
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
            when=format_datetime(found.send_at, office_zone(ctx), ctx.lang) if scheduled and found.send_at else None,
        )
    ]


async def status_start(ctx: Context) -> Sequence[Reply]:
    return await status(ctx)


async def stop(ctx: Context) -> Sequence[Reply]:
    """BERHENTI: no more announcements (reminders about the cooperative's obligations still come)."""
    assert ctx.officer is not None
    withdrawn = await ctx.services.broadcasts.set_paused(ctx.officer.id, True, ctx.now)
    return [ctx.say("announcements.paused", withdrawn=withdrawn)]


async def resume_announcements(ctx: Context) -> Sequence[Reply]:
    """MULAI: announcements again."""
    assert ctx.officer is not None
    await ctx.services.broadcasts.set_paused(ctx.officer.id, False, ctx.now)
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
