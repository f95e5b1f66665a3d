"""`masuk` for office staff: a one-time link into the office web app (the same as `kopsehat staff login-link`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.context import Context
from bot.chat.messages import Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import format_time


async def login_link(ctx: Context) -> Sequence[Reply]:
    """The link, valid 15 minutes, single use."""
    assert ctx.staff is not None
    link = await ctx.services.staff_access.link_for(ctx.staff.id, ctx.bot.office_url, ctx.now)
    if link is None:
        return [ctx.say("common.not_for_you")]
    until = format_time(link.expires_at, ctx.bot.office_zone, ctx.lang)
    return [ctx.say("office.login_link", url=link.url, until=until)]


router = Router(Route("masuk", frozenset({"masuk", "masuk kantor", "login"}), login_link, audience="staff"))
