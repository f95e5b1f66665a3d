"""`template`: the report workbook as a document; a filled one sent back is read, checked and put in the draft."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat import workbook_words
from bot.chat.context import Context
from bot.chat.messages import Attachment, Reply
from bot.chat.routing import Route, Router
from bot.domain.periods import reporting_period_for
from bot.services.workbooks import CONTENT_TYPE, MAX_BYTES, Refusal
from bot.words import render
from handlers import report

NAME = "template"
RECEIVED = "workbook_file"  # the route dispatch gives a document (no words start it)


async def send_template(ctx: Context) -> Sequence[Reply]:
    """The cooperative's workbook for the period being reported now, as a document."""
    assert ctx.cooperative is not None
    if not ctx.cooperative.nik:
        return [ctx.say("workbook.no_nik")]
    period = reporting_period_for(ctx.now, ctx.zone)
    words = workbook_words.template_words(ctx.lang, ctx.cooperative.name, period)
    data = await ctx.services.workbooks.template(ctx.cooperative.id, period, words, ctx.lang)
    name = render.text(ctx.lang, "workbook.filename", nik=ctx.cooperative.nik, period=str(period))
    caption = ctx.say("workbook.sent", period=str(period)).text
    return [Reply(text=caption, attachment=Attachment("document", name, CONTENT_TYPE, data))]


async def received(ctx: Context) -> Sequence[Reply]:
    """A document: read as this cooperative's workbook for the period being reported now; nothing is stored unless
    every cell is usable and the books add up, then its answers join the draft and the summary follows."""
    assert ctx.cooperative is not None
    upload = ctx.inbound.upload
    if upload is None or upload.too_large:
        return [Reply(text=workbook_words.refusal(Refusal("too_large"), ctx.lang))] if upload else []
    if upload.data is None:
        return [ctx.say("workbook.unreachable")]
    period = reporting_period_for(ctx.now, ctx.zone)
    state = await ctx.services.reports.open(ctx.cooperative.id, period)
    if state.submitted:
        ctx.goto(None)
        return await report.start(ctx)
    loaded = await ctx.services.workbooks.read(
        upload.data[: MAX_BYTES + 1], cooperative_id=ctx.cooperative.id, period=period
    )
    if isinstance(loaded, Refusal):
        return [Reply(text=workbook_words.refusal(loaded, ctx.lang))]
    if not loaded.clean:
        return [ctx.say("workbook.problems", lines=workbook_words.problem_lines(loaded, ctx.lang))]
    intro = ctx.say("workbook.read", count=len(loaded.answers), period=str(period))
    return [intro, *await report.take_answers(ctx, period, loaded.answers)]


router = Router(
    Route(NAME, frozenset({"template", "templat", "buku kerja", "excel"}), send_template, audience="officer"),
    Route(RECEIVED, frozenset(), received, audience="officer"),
)
