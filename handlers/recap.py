"""`/rekap` for office staff: who reported a period (and on time), per kecamatan, what waits; list and remind."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.chat.context import Context
from bot.chat.messages import Attachment, Choice, Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import Period, read_period, reporting_period_for
from bot.services import recap as recap_service
from bot.services import segments
from bot.services.cycle import CyclePlan, recap, recap_counts, region_name
from bot.services.exports import missing_workbook
from bot.words.attachments import FILE_TYPES

ROUTE = "rekap"
LIST_LIMIT = 40
SENDERS = ("admin", "pembina")  # viewers see, they do not send


def _plan(ctx: Context) -> CyclePlan:
    return CyclePlan(office_zone=ZoneInfo(ctx.bot.office_zone), deadline_day=ctx.bot.deadline_day)


def _scope(ctx: Context) -> int | None:
    assert ctx.staff is not None
    return ctx.staff.kecamatan_id if ctx.staff.role != "admin" else None


def _period(ctx: Context, text: str) -> Period | None:
    """The month asked after `rekap` ("2026-10", "oktober", "okt 2026"), or the one being reported now."""
    current = reporting_period_for(ctx.now, ctx.bot.office_zone)
    asked = " ".join(word for word in text.split()[1:] if word.lower() != "laporan")  # "rekap laporan oktober"
    return read_period(asked, current) if asked else current


def _buttons(ctx: Context, period: Period, missing: int, *, with_list: bool = True) -> tuple[Choice, ...]:
    assert ctx.staff is not None
    if not missing:
        return ()
    choices = [Choice(f"{ROUTE}:daftar:{period}", ctx.say("recap.button_list").text)] if with_list else []
    if ctx.staff.role in SENDERS:
        choices.append(Choice(f"{ROUTE}:ingatkan:{period}", ctx.say("recap.button_remind").text))
    return tuple(choices)


async def show(ctx: Context) -> Sequence[Reply]:
    """The summary of the period asked (default: the one being reported now)."""
    period = _period(ctx, ctx.inbound.text)
    if period is None:
        return [ctx.say("recap.bad_period", ex=ctx.examples)]
    counts = await recap_counts(ctx.repos, period, _plan(ctx), _scope(ctx))
    areas = counts.areas if _scope(ctx) is None else ()
    summary = counts.whole
    waiting = await recap_service.waiting(ctx.repos)
    text = ctx.say(
        "recap.summary",
        period=period.label(ctx.lang),
        area=await region_name(ctx.repos, _scope(ctx)),
        summary=summary,
        areas=[(a.kecamatan, a) for a in areas] if len(areas) > 1 else [],
        waiting=waiting.count,
        reason=waiting.reason,
    ).text
    return [Reply(text, _buttons(ctx, period, summary.missing))]


async def act(ctx: Context) -> Sequence[Reply]:
    """A button of the summary: the list, the reminder preview, sending, or not sending."""
    assert ctx.staff is not None
    if ctx.press is None:  # a typed text while nothing of the recap is in progress
        return await show(ctx)
    action, period = ctx.press.action, Period.parse(ctx.press.word())  # read and range-checked (bot.chat.buttons)
    summary = await recap(ctx.repos, period, _plan(ctx), _scope(ctx))
    label = period.label(ctx.lang)
    if action == "daftar":
        names = [m.name for m in summary.missing]
        text = ctx.say("recap.missing", period=label, names=names[:LIST_LIMIT], more=max(0, len(names) - LIST_LIMIT))
        replies = [Reply(text.text, _buttons(ctx, period, len(names), with_list=False))]
        if len(names) > LIST_LIMIT:  # the rest as a spreadsheet in the chat, not a pointer to a server command
            columns = ctx.say("recap.sheet_columns").text.split("|")
            sheet = Attachment(
                "document",
                f"{ctx.say('recap.sheet_name', period=str(period)).text}.xlsx",
                FILE_TYPES[".xlsx"][1],
                missing_workbook(summary, columns),
            )
            replies.append(Reply(ctx.say("recap.sheet_caption", period=label, count=len(names)).text, attachment=sheet))
        return replies
    if ctx.staff.role not in SENDERS:
        return [ctx.say("common.not_for_you")]
    if action == "batal":
        return [ctx.say("recap.not_sent")]
    audience = await segments.resolve(
        ctx.repos, segments.parse(f"not-reported:{period}", scope_kecamatan_id=_scope(ctx))
    )
    if not audience.recipients:
        return [ctx.say("recap.nothing_to_send", period=label)]
    reach = audience.reach(announcement=False)  # a reminder of the cooperative's own report: BERHENTI does not stop it
    if reach.now == 0:
        return [ctx.say("recap.nobody_reachable", period=label, reach=reach)]
    reached = {r.cooperative_id for r in audience.recipients}
    if action == "ingatkan":
        already = await recap_service.reminded_today(ctx.repos, period, _plan(ctx), audience.recipients, now=ctx.now)
        if already == reach.now:
            return [ctx.say("recap.all_reminded_today", period=label, reach=reach)]
        choices = (
            Choice(f"{ROUTE}:kirim:{period}", ctx.say("recap.button_send").text),
            Choice(f"{ROUTE}:batal:{period}", ctx.say("recap.button_cancel").text),
        )
        return [
            ctx.say("recap.confirm", choices, period=label, reach=reach, already=already, cooperatives=len(reached))
        ]
    sent = await recap_service.remind_not_reported(
        ctx.repos, period, _plan(ctx), reached, kecamatan_id=_scope(ctx), now=ctx.now, actor=ctx.actor
    )
    return [
        ctx.say("recap.queued", period=label, count=sent.queued, unreachable=sent.unreachable, repeated=sent.repeated)
    ]


router = Router(
    Route(ROUTE, frozenset({"rekap", "rekap laporan", "recap"}), show, act, audience="staff", takes_argument=True),
)
