"""`perhatian` for pembina and admins: the cooperatives that need attention in their kecamatan (admin: all)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.chat.context import Context
from bot.chat.messages import Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import Period, closed_periods, local_date
from bot.services.clinic import REASONS
from handlers.plans import actor

NAME = "perhatian"
SHOWN = 20
READERS = ("admin", "pembina")


def missed_periods(ctx: Context) -> tuple[Period, Period]:
    """The last two report periods whose deadline has passed."""
    return closed_periods(ctx.now, ZoneInfo(ctx.bot.office_zone), ctx.bot.deadline_day)


async def show(ctx: Context) -> Sequence[Reply]:
    """The worklist, worst first."""
    assert ctx.staff is not None
    if ctx.staff.role not in READERS:
        return [ctx.say("clinic.worklist_not_for_you")]
    today = local_date(ctx.now, ZoneInfo(ctx.bot.office_zone))
    found = await ctx.services.clinic.worklist(actor(ctx), today, missed_periods(ctx))
    area = found.area
    if not found.items:
        return [ctx.say("clinic.worklist_empty", area=area)]
    counts = [(key, found.counts[key]) for key in REASONS]
    more = max(0, len(found.items) - SHOWN)
    return [ctx.say("clinic.worklist", area=area, items=found.items[:SHOWN], counts=counts, more=more)]


router = Router(Route(NAME, frozenset({NAME, "worklist", "perlu perhatian"}), show, audience="staff"))
