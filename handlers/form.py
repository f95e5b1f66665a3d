"""`formulir`: the report as a form on the phone (/formulir/{token}); its *Kirim* answers in chat as the chat's does.

On Telegram the link opens as a Mini App (a `web_app` button) when the server is reached over https; on WhatsApp and
in the terminal chat, and on Telegram without https, it is a link in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.chat.context import Context
from bot.chat.dispatch import Action
from bot.chat.messages import Choice, Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import Period, format_datetime, reporting_period_for
from bot.services.reports import BlockingProblems
from handlers import report

NAME = "formulir"


async def start(ctx: Context) -> Sequence[Reply]:
    """A link to this period's report as a form, valid 24 hours (none once the report is sent)."""
    assert ctx.officer is not None and ctx.cooperative is not None
    period = reporting_period_for(ctx.now, ctx.zone)
    state = await ctx.services.reports.open(ctx.cooperative.id, period)
    if state.submitted:
        return [ctx.say("form.already_sent", period=str(period))]
    link = await ctx.services.form_links.issue(ctx.officer.id, ctx.bot.office_url, ctx.now)
    if link is None:
        return [ctx.say("common.not_for_you")]
    until = format_datetime(link.expires_at, ctx.zone, ctx.lang)
    if ctx.inbound.address.channel == "telegram" and link.url.startswith("https://"):
        button = Choice(f"{NAME}:open", ctx.say("form.button_open").text, url=link.url, web_app=True)
        return [ctx.say("form.app", (button,), period=str(period), until=until)]
    return [ctx.say("form.link", period=str(period), url=link.url, until=until)]


@dataclass
class Sending:
    """What the form's *Kirim* did: sent, already (sent before), incomplete or blocked (not sent), refused."""

    outcome: str = "failed"


def send_from_form(period: Period, officer_id: int, confirmed: Mapping[str, str], result: Sending) -> Action:
    """The form's *Kirim* in the officer's chat: the report as the form holds it (draft and yearly answers carried)
    is submitted, and the officer gets the thanks, score, coaching and picture exactly as after *Kirim* in chat."""

    async def act(ctx: Context) -> Sequence[Reply]:
        if ctx.officer is None or ctx.officer.id != officer_id or ctx.cooperative is None:
            result.outcome = "refused"
            return []
        if (await ctx.services.reports.open(ctx.cooperative.id, period)).submitted:
            result.outcome = "already"
            return []
        view = await ctx.services.reports.form(ctx.cooperative.id, period)
        if view.missing:
            result.outcome = "incomplete"
            return []
        try:
            replies = await report.submitted_replies(ctx, period, view.answers, view.carried, confirmed)
        except BlockingProblems:
            result.outcome = "blocked"
            return []
        if ctx.handler == report.NAME:  # the report the chat was asking is sent
            ctx.goto(None)
        result.outcome = "sent"
        return replies

    return act


router = Router(
    Route(NAME, frozenset({"formulir", "form", "isi formulir"}), start, start, audience="officer"),
)
