"""Registration with an invitation code: `/start CODE` (Telegram deep link) or `DAFTAR CODE`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.context import Context
from bot.chat.messages import Reply
from bot.chat.routing import Route, Router
from handlers.help import menu, menu_choices

NAME = "daftar"


async def register_with_code(ctx: Context) -> Sequence[Reply]:
    """Bind this chat to the cooperative (or the office) the code was made for."""
    words = ctx.inbound.text.strip().split()
    code = "".join(words[1:])
    if not code:
        if ctx.officer or ctx.staff:
            return await menu(ctx)
        return [ctx.say("onboarding.stranger")]
    name = ctx.inbound.display_name or ctx.identity.display_name or ""
    redeemed = await ctx.services.invites.redeem(ctx.identity.id, code, now=ctx.now, name=name, language=ctx.lang)
    if redeemed.outcome in ("too_many_tries", "codes_paused"):
        return [ctx.say(f"onboarding.{redeemed.outcome}")]
    if redeemed.outcome == "wrong_code":
        return [ctx.say("onboarding.wrong_code")]
    await ctx.reload_people()
    ctx.goto(None)
    if redeemed.outcome == "staff":
        return [ctx.say("onboarding.welcome_staff", menu_choices(ctx), name=name)]
    welcome = ctx.say(
        "onboarding.welcome", menu_choices(ctx), name=name, cooperative=redeemed.cooperative_name, role=redeemed.role
    )
    return [welcome]


router = Router(
    Route(NAME, frozenset({"daftar", "start", "register"}), register_with_code, audience="anyone", takes_argument=True),
)
