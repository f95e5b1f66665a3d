"""Menu, help, cancel and language: the ways around the bot."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.context import Context
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router


def menu_choices(ctx: Context) -> tuple[Choice, ...]:
    """The main things this user can do, as buttons."""
    if ctx.staff is not None:
        return (
            Choice("go:rekap", ctx.say("help.button_rekap").text),
            Choice("go:bantuan", ctx.say("help.button_help").text),
        )
    return (
        Choice("go:lapor", ctx.say("help.button_report").text),
        Choice("go:status", ctx.say("help.button_status").text),
        Choice("go:bantuan", ctx.say("help.button_help").text),
    )


async def menu(ctx: Context) -> Sequence[Reply]:
    """The menu (also the answer to anything the bot does not recognise)."""
    if ctx.officer is None and ctx.staff is None:
        return [ctx.say("onboarding.stranger")]
    paused = ctx.handler == "lapor"
    name = ctx.cooperative.name if ctx.cooperative else ""
    return [ctx.say("help.menu", menu_choices(ctx), cooperative=name, staff=ctx.staff is not None, paused=paused)]


async def help_(ctx: Context) -> Sequence[Reply]:
    """What the bot can do and how to talk to it."""
    if ctx.officer is None and ctx.staff is None:
        return [ctx.say("onboarding.stranger")]
    sender = ctx.staff is not None and ctx.staff.role in ("admin", "pembina")
    return [ctx.say("help.help", menu_choices(ctx), staff=ctx.staff is not None, sender=sender, ex=ctx.examples)]


async def cancel(ctx: Context) -> Sequence[Reply]:
    """Stop whatever is in progress; saved answers stay saved."""
    was = ctx.handler
    ctx.goto(None)
    return [ctx.say("help.cancelled", menu_choices(ctx), had_report=was == "lapor", nothing=was is None)]


async def language(ctx: Context) -> Sequence[Reply]:
    """Offer the two languages."""
    choices = (Choice("bahasa:id", "Bahasa Indonesia"), Choice("bahasa:en", "English"))
    return [ctx.say("help.choose_language", choices)]


async def language_chosen(ctx: Context) -> Sequence[Reply]:
    """Store the chosen language."""
    chosen = (ctx.inbound.choice or "").split(":", 1)[-1]
    if chosen not in ("id", "en"):
        return await language(ctx)
    await ctx.services.officers.choose_language(ctx.identity.id, chosen)
    reply = ctx.say("help.language_set")
    return [Reply(text=reply.text, choices=menu_choices(ctx), confirms=ctx.say(f"help.language_name_{chosen}").text)]


router = Router(
    Route("menu", frozenset({"menu", "start", "mulai lagi", "halo", "hai"}), menu),
    Route("bantuan", frozenset({"bantuan", "help", "tolong", "?"}), help_, audience="anyone"),
    Route("batal", frozenset({"batal", "cancel", "stop lapor"}), cancel),
    Route("bahasa", frozenset({"bahasa", "language"}), language, language_chosen, audience="anyone"),
)
