"""`/rat`: an officer records the day the cooperative's RAT was held ("RAT 15 Maret 2026" in one message too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.domain import obligations
from bot.domain.numbers import parse_yes_no
from bot.domain.periods import format_date, format_date_numeric, local_date, read_date
from bot.services.cycle import RAT_ROUTE

NAME = RAT_ROUTE
WORDS = frozenset({NAME, "catat rat", "tanggal rat"})
REPORT = "lapor"  # the monthly report's route: the officer is told it is still open when this interrupted it
Problem = obligations.RatDateProblem | Literal["unreadable"]


def _today(ctx: Context) -> date:
    return local_date(ctx.now, ctx.zone)


def _report_open(ctx: Context) -> bool:
    return ctx.handler == REPORT or (ctx.handler == NAME and bool(ctx.progress.get("report_open")))


def _date(ctx: Context, day: date | None) -> str | None:
    return format_date(day, ctx.lang) if day else None


def _ask(ctx: Context, problem: Problem | None = None) -> list[Reply]:
    """The question (again, after `problem`), with the buttons that fit: today, yesterday, not yet; or keep."""
    assert ctx.cooperative is not None
    today = _today(ctx)
    book_year = obligations.rat_book_year(today)
    rat = ctx.cooperative.rat_date
    recorded = rat if obligations.rat_held_for(book_year, rat) else None
    if recorded is not None:
        choices: tuple[Choice, ...] = (Choice(f"{NAME}:keep", ctx.say("rat.button_keep").text),)
    else:
        choices = tuple(
            Choice(f"{NAME}:{key}", ctx.say(f"rat.button_{key}").text) for key in ("today", "yesterday", "not_yet")
        )
    ctx.goto(NAME, {"report_open": True} if _report_open(ctx) else {})
    reply = ctx.say(
        "rat.ask",
        choices,
        book_year=book_year,
        recorded=_date(ctx, recorded),
        example=format_date(today, ctx.lang, weekday=False),
        example_numeric=format_date_numeric(today),
        problem=problem,
        today=_date(ctx, today),
        earliest=_date(ctx, obligations.books_closed(book_year) + timedelta(days=1)),
    )
    return [reply]


def _argument(ctx: Context) -> str:
    """What follows the command in "RAT 15 Maret 2026" or "catat rat kemarin" (nothing for a pressed button)."""
    if ctx.inbound.kind != "text":
        return ""
    words = ctx.inbound.text.split()
    said = [w.lower() for w in words]
    said[:1] = [said[0].lstrip("/").split("@", 1)[0]] if said else []
    for size in (2, 1):  # the longest command words first: "catat rat", then "rat"
        if " ".join(said[:size]) in WORDS:
            return " ".join(words[size:])
    return ""


async def start(ctx: Context) -> Sequence[Reply]:
    """Ask when the RAT was held, or take the date written with the command."""
    argument = _argument(ctx)
    if argument:
        ctx.goto(NAME, {"report_open": True} if _report_open(ctx) else {})
        return await _answer(ctx, argument)
    return _ask(ctx)


async def resume(ctx: Context) -> Sequence[Reply]:
    """A pressed button or a typed date."""
    pressed = (ctx.inbound.choice or "").partition(":")[2] if ctx.inbound.kind == "choice" else None
    today = _today(ctx)
    if pressed == "today":
        return await _checked(ctx, today)
    if pressed == "yesterday":
        return await _checked(ctx, today - timedelta(days=1))
    if pressed == "not_yet":
        return _not_yet(ctx)
    if pressed == "keep":
        return _keep(ctx)
    return await _answer(ctx, ctx.inbound.text)


async def _answer(ctx: Context, text: str) -> Sequence[Reply]:
    day = read_date(text, _today(ctx))
    if day is not None:
        return await _checked(ctx, day)
    said = parse_yes_no(text)
    if said is False:  # "belum", "tidak"
        return _not_yet(ctx)
    return _ask(ctx, None if said else "unreadable")  # "sudah": then when?


async def _checked(ctx: Context, day: date) -> Sequence[Reply]:
    """Store the RAT date (audited), say what follows: ODS within 30 days; the RAT reminders stop. Or ask again."""
    assert ctx.officer is not None and ctx.cooperative is not None
    cooperative, today = ctx.cooperative, _today(ctx)
    recorded = await ctx.services.cooperatives.record_rat(
        cooperative.id, day, today=today, officer_id=ctx.officer.id, channel=ctx.inbound.address.channel
    )
    if isinstance(recorded, str):
        return _ask(ctx, recorded)
    book_year, previous = recorded.book_year, recorded.previous
    report_open = _report_open(ctx)
    ctx.goto(None)
    ods_deadline = obligations.ods_deadline(day)
    reply = ctx.say(
        "rat.recorded",
        book_year=book_year,
        cooperative=cooperative.name,
        rat=_date(ctx, day),
        previous=_date(ctx, previous) if previous != day else None,
        ods_deadline=_date(ctx, ods_deadline),
        ods_days=obligations.ODS_LIMIT_DAYS,
        ods_passed=ods_deadline < today,
        ods_done=obligations.ods_updated_since(day, cooperative.ods_updated_on),
        report_open=report_open,
    )
    if recorded.official:
        return [reply, ctx.say("clinic.made_official", periods=list(recorded.official))]
    return [reply]


def _not_yet(ctx: Context) -> list[Reply]:
    assert ctx.cooperative is not None
    today = _today(ctx)
    book_year = obligations.rat_book_year(today)
    rat = ctx.cooperative.rat_date
    recorded = rat if obligations.rat_held_for(book_year, rat) else None
    target, limit = obligations.rat_target(book_year), obligations.rat_legal_limit(book_year)
    report_open = _report_open(ctx)
    ctx.goto(None)
    reply = ctx.say(
        "rat.not_yet",
        book_year=book_year,
        recorded=_date(ctx, recorded),
        target=_date(ctx, target),
        target_passed=target < today,
        legal_limit=_date(ctx, limit),
        limit_passed=limit < today,
        report_open=report_open,
    )
    return [reply]


def _keep(ctx: Context) -> list[Reply]:
    assert ctx.cooperative is not None
    report_open = _report_open(ctx)
    ctx.goto(None)
    return [ctx.say("rat.kept", rat=_date(ctx, ctx.cooperative.rat_date), report_open=report_open)]


router = Router(
    Route(NAME, WORDS, start, resume, audience="officer", takes_argument=True),
)
