"""`/status` and `/riwayat`: the cooperative's health, its weakest points, coaching steps and pictures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot import charts
from bot.charts import Band, IndicatorPoint, specs
from bot.charts.words import word
from bot.chat.context import Context
from bot.chat.health_words import summary_text
from bot.chat.messages import Attachment, Reply
from bot.chat.routing import Route, Router
from bot.domain.coaching import coach
from bot.domain.health.keys import INDICATORS
from bot.domain.health.result import HealthResult, IndicativeResult
from bot.domain.numbers import format_decimal
from bot.domain.periods import Period
from bot.services.assessments import Scored, is_savings_and_loan
from bot.services.reports import AssessmentSummary

BANDS: dict[str, Band] = {"good": "good", "watch": "watch", "weak": "weak"}


def _standing(ctx: Context, standing: str | None) -> str:
    """ ", terverifikasi" for a picture's title (the score's standing: sementara, terverifikasi, resmi)."""
    return f", {word(f'{standing}_short', ctx.lang)}" if standing in ("provisional", "verified", "official") else ""


def radar_attachment(ctx: Context, result: HealthResult, period: Period, standing: str | None = None) -> Attachment:
    """The seven aspects as a radar picture, its title naming the score's standing (the text above is the
    fallback)."""
    assert ctx.cooperative is not None
    points = [charts.AspectPoint(a.key, "", a.score, Decimal(a.weight)) for a in result.aspects]
    title = (
        f"{ctx.cooperative.name} – {period.label(ctx.lang)}: {format_decimal(result.total)} "
        f"({result.category_label}{_standing(ctx, standing)})"
    )
    spec = specs.radar(points, title=title, lang=ctx.lang, categories=ctx.rules.categories)
    return specs.picture(spec, f"kesehatan-{period}.png", title)


def indicative_attachment(ctx: Context, result: IndicativeResult, period: Period) -> Attachment:
    """The indicative indicators as bars coloured by band."""
    assert ctx.cooperative is not None
    points = indicator_points(ctx, [(i.key, i.value, i.band) for i in result.indicators])
    title = f"{ctx.cooperative.name} – {period.label(ctx.lang)}"
    return specs.picture(specs.indicative(points, title=title, lang=ctx.lang), f"indikatif-{period}.png", title)


def indicator_points(ctx: Context, values: Sequence[tuple[str, Decimal | None, str | None]]) -> list[IndicatorPoint]:
    """The indicators (key, value, band) as the pictures draw them: label, unit and the good band as the target."""
    rules = {r.key: r for r in ctx.rules.indicative}
    points = []
    for key, value, band in values:
        rule = rules[key]
        label = ctx.rules.label("indicators", key, ctx.lang)
        good = rule.good
        known = BANDS.get(band or "") if value is not None else None
        points.append(IndicatorPoint(key, label, value, rule.unit, known, good.lower, good.upper))
    return points


async def previous_total(ctx: Context, period: Period) -> Decimal | None:
    """The official-framework total of the period before, if it was assessed."""
    assert ctx.cooperative is not None
    return await ctx.services.reports.previous_total(ctx.cooperative.id, period)


async def status(ctx: Context) -> Sequence[Reply]:
    """The latest submitted report's assessment, coaching and picture."""
    assert ctx.officer is not None and ctx.cooperative is not None
    current = await ctx.services.reports.status(ctx.cooperative.id)
    if current is None:
        return [ctx.say("status.no_report", cooperative=ctx.cooperative.name)]
    replies: list[Reply] = []
    for item in current.scored:
        replies.extend(await scored_replies(ctx, item, current.period))
    return replies


async def scored_replies(ctx: Context, item: Scored, period: Period) -> list[Reply]:
    """Text (score, weakest points, steps, change since last period) and the picture for one assessment."""
    if item.result is None:
        return [ctx.say("status.cannot_score", problems=list(item.problems))]
    assert ctx.cooperative is not None
    record = await ctx.services.reports.clinic_record(ctx.cooperative.id)
    today = ctx.now.astimezone(ctx.zone).date()
    coaching = coach(item.result, ctx.rules, ctx.lang, record, today)
    body = summary_text(item.result, coaching, ctx.lang, ctx.rules)
    if isinstance(item.result, HealthResult):
        before = await previous_total(ctx, period)
        change = ctx.say(
            "status.change", before=before, delta=None if before is None else item.result.total - before
        ).text
        unit = not is_savings_and_loan(ctx.cooperative)
        standing = (await ctx.services.clinic.standings(ctx.cooperative.id)).get((item.framework, str(period)))
        heading = ctx.say("status.heading", period=str(period), unit=unit, standing=standing).text
        picture = radar_attachment(ctx, item.result, period, standing)
        text = "\n".join(part for part in (heading, body, change) if part)
    else:
        standing = (await ctx.services.clinic.standings(ctx.cooperative.id)).get((item.framework, str(period)))
        heading = ctx.say("status.heading", period=str(period), unit=False, standing=standing, indicative=True).text
        picture = indicative_attachment(ctx, item.result, period)
        text = f"{heading}\n{body}"
    caption = ctx.say("status.picture_caption", indicative=isinstance(item.result, IndicativeResult)).text
    return [Reply(text=text), Reply(text=caption, attachment=picture)]


async def history(ctx: Context) -> Sequence[Reply]:
    """The last six periods' scores and categories, with a trend picture."""
    assert ctx.cooperative is not None
    stored = await ctx.services.reports.history(ctx.cooperative.id, limit=6)
    official = sorted((a for a in stored if a.framework == "perdep-06-2016"), key=lambda a: a.period)
    if not official:
        indicative = sorted((a for a in stored if a.indicators), key=lambda a: a.period)
        if not indicative:
            return [ctx.say("status.no_history")]
        return indicative_history(ctx, indicative)
    points = [
        charts.TrendPoint(
            Period.parse(a.period).label(ctx.lang), a.total, a.standing == "provisional", a.standing == "official"
        )
        for a in official
    ]
    title = f"{ctx.cooperative.name}: {ctx.say('status.trend_title').text}"
    text = ctx.say(
        "status.history",
        rows=[(a.period, a.total, a.category) for a in official],
        trend=charts.trend_text(points, ctx.lang, categories=ctx.rules.categories),
    )
    spec = specs.trend(points, title=title, lang=ctx.lang, categories=ctx.rules.categories)
    picture = specs.picture(spec, "riwayat.png", title)
    return [text, Reply(text=ctx.say("status.trend_caption").text, attachment=picture)]


def indicative_history(ctx: Context, stored: Sequence[AssessmentSummary]) -> list[Reply]:
    """The indicators of the last periods against their targets: the first and latest value each, and a picture."""
    assert ctx.cooperative is not None
    by_period = [{key: (value, band) for key, value, band in a.indicators} for a in stored]
    applicable = ctx.rules.clinic.indicators_by_type.get(ctx.cooperative.type, INDICATORS)
    series = []
    for rule in ctx.rules.indicative:
        if rule.key not in applicable:
            continue
        values = [row.get(rule.key, (None, None)) for row in by_period]
        points = tuple(indicator_points(ctx, [(rule.key, value, band) for value, band in values]))
        series.append(charts.IndicatorSeries(rule.key, points[0].label, points))
    labels = [Period.parse(a.period).label(ctx.lang) for a in stored]
    text = ctx.say(
        "status.history_indicative",
        first=stored[0].period,
        last=stored[-1].period,
        count=len(stored),
        trend=charts.indicative_trend_text(series, ctx.lang),
    )
    title = f"{ctx.cooperative.name}: {ctx.say('status.indicative_trend_title').text}"
    spec = specs.indicative_trend(series, labels, title=title, lang=ctx.lang)
    picture = specs.picture(spec, "riwayat-indikatif.png", title)
    return [text, Reply(text=ctx.say("status.indicative_trend_caption").text, attachment=picture)]


router = Router(
    Route("status", frozenset({"status", "skor", "kesehatan", "nilai"}), status, audience="officer"),
    Route("riwayat", frozenset({"riwayat", "history", "tren"}), history, audience="officer"),
)
