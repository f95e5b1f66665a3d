"""Registration with an invitation code: `/start CODE` (Telegram deep link) or `DAFTAR CODE`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.chat.context import Context
from bot.chat.messages import Reply
from bot.services.invites import code_hash
from handlers import Route, register
from handlers.help import menu_choices

NAME = "daftar"
MAX_FAILURES_PER_HOUR = 5


async def register_with_code(ctx: Context) -> Sequence[Reply]:
    """Bind this chat to the cooperative (or the office) the code was made for."""
    words = ctx.inbound.text.strip().split()
    code = "".join(words[1:])
    if not code:
        if ctx.officer or ctx.staff:
            from handlers.help import menu

            return await menu(ctx)
        return [ctx.say("onboarding.stranger")]
    since = ctx.now - timedelta(hours=1)
    if await ctx.repos.invites.failed_attempts_since(ctx.identity.id, since) >= MAX_FAILURES_PER_HOUR:
        return [ctx.say("onboarding.too_many_tries")]
    invite = await ctx.repos.invites.usable(code_hash(code), ctx.now)
    if invite is None:
        await ctx.repos.invites.record_failure(ctx.identity.id, ctx.now)
        await ctx.repos.audit.add(ctx.actor, "invite.failed", None)
        return [ctx.say("onboarding.wrong_code")]
    invite.uses_left -= 1
    name = ctx.inbound.display_name or ctx.identity.display_name or ""
    if invite.staff_id is not None:
        ctx.identity.staff_id = invite.staff_id
        ctx.identity.officer_id = None
        ctx.staff = await ctx.repos.staff.get(invite.staff_id)
        ctx.officer = ctx.cooperative = None
        await ctx.repos.audit.add(ctx.actor, "staff.registered", f"staff:{invite.staff_id}")
        ctx.goto(None)
        return [ctx.say("onboarding.welcome_staff", menu_choices(ctx), name=name)]
    assert invite.cooperative_id is not None
    cooperative = await ctx.repos.cooperatives.get(invite.cooperative_id)
    assert cooperative is not None
    officer = await ctx.repos.officers.add(cooperative.id, name or invite.role.title(), invite.role, ctx.lang)
    ctx.identity.officer_id, ctx.identity.staff_id = officer.id, None
    ctx.officer, ctx.cooperative, ctx.staff = officer, cooperative, None
    await ctx.repos.audit.add(ctx.actor, "officer.registered", f"cooperative:{cooperative.id}", role=invite.role)
    ctx.goto(None)
    return [ctx.say("onboarding.welcome", menu_choices(ctx), name=name, cooperative=cooperative.name, role=invite.role)]


register(
    Route(NAME, frozenset({"daftar", "start", "register"}), register_with_code, audience="anyone", takes_argument=True)
)
