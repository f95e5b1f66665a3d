"""The office's review pages: reports waiting for review, one report to verify or send back, the period's export.

A send-back tells the cooperative's officers in chat in the same transaction (an outbox notice with the button that
opens the correction); delivery sends it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.chat import report_words
from bot.chat.messages import Choice, Notice, Reply
from bot.domain import forms
from bot.domain.periods import Period, reporting_period_for, zone_abbrev
from bot.services import Services
from bot.services.clinic import Actor
from bot.services.exports import xlsx_bytes
from bot.services.notices import enqueue_notice
from bot.services.reports import NotAllowed
from bot.services.review import REASON_LIMIT, AlreadyDecided, ReviewPage, SentBack, Stale
from bot.web.office.context import OFFICE, account_of
from bot.web.office.render import page, words
from bot.web.office.security import PREFIX, csrf_token
from bot.words import render
from storage.repositories import Repositories

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATES = {"menunggu": "waiting", "dikembalikan": "sent_back", "terverifikasi": "verified", "semua": None}
PERIODS_OFFERED = 12
EVERY_PERIOD = "semua"  # `periode=semua`: every period (absent: the period reported now)
CORRECT_ROUTE = "lapor"  # the report conversation; its "correct" button opens the correction
PRIORITY_SENT_BACK = 2  # before reminders and announcements


def _now() -> datetime:
    return datetime.now(UTC)


def _period(text: str | None) -> Period | None:
    try:
        return Period.parse(text) if text else None
    except ValueError:
        return None


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPNotFound()
    return int(text)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


async def reports(request: web.Request) -> web.StreamResponse:
    """Submitted reports by review state (waiting first), period (the one reported now first) and area; a page of
    them, then the next after its last report."""
    office, account = request.app[OFFICE], account_of(request)
    params = {k: v for k, v in request.query.items() if isinstance(v, str)}
    chosen = params.get("status", "menunggu")
    chosen = chosen if chosen in STATES else "menunggu"
    latest = reporting_period_for(_now(), ZoneInfo(office.office_zone))
    every = params.get("periode") == EVERY_PERIOD
    period = None if every else _period(params.get("periode")) or latest
    kabupaten_id, kecamatan_id = _number(params.get("kabupaten")), _number(params.get("kecamatan"))
    async with office.db.reading() as repos:
        services = Services(repos, office.rules)
        queue = await services.review.queue(
            account.scope,
            state=STATES[chosen],
            period=str(period) if period else None,
            kecamatan_id=kecamatan_id,
            kabupaten_id=kabupaten_id,
            current=latest,
            after=_number(params.get("setelah")),
        )
        areas = await services.office.areas(account.scope, kabupaten_id, kecamatan_id)
    periods = [latest]
    while len(periods) < PERIODS_OFFERED:
        periods.append(periods[-1].previous())
    kept = {k: v for k, v in params.items() if k in ("status", "kabupaten", "kecamatan") and v}
    return page(
        "review_list.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        queue=queue,
        chosen=chosen,
        states=tuple(STATES),
        period=period,
        periods=periods,
        every=EVERY_PERIOD,
        areas=areas,
        query=lambda **changes: urlencode({**kept, **{k: v for k, v in changes.items() if v is not None}}),
        export_period=period or latest,
        export_query=urlencode({"periode": str(period or latest)}),
    )


def _view(found: ReviewPage, lang: str) -> dict[str, Any]:
    """The report's figures and warnings in words (as the chat writes them)."""
    questions = {q.key: q for q in forms.load_form().questions}
    figures = [
        (
            f.question.short(lang),
            report_words.shown_or_blank(f.question, f.now, lang),
            report_words.shown_or_blank(f.question, f.before, lang) if f.before is not None else "-",
            f.before is not None and f.now != f.before,
        )
        for f in found.figures
    ]
    warnings = [
        (report_words.finding(w.finding, questions, {}, lang, figures=False), w.confirmed, w.reason)
        for w in found.warnings
    ]
    return {"figures": figures, "warnings": warnings}


async def _review_page(
    request: web.Request, report_id: int, status: int = 200, problem: str | None = None, reason: str = ""
) -> web.Response:
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        try:
            found = await Services(repos, office.rules).review.page(report_id, account.scope)
        except LookupError:
            raise web.HTTPNotFound() from None
    return page(
        "review.html",
        account.language,
        status,
        account=account,
        csrf=await csrf_token(request),
        report=found,
        problem=problem,
        done=done if (done := request.query.get("hasil")) in ("verify", "send_back") and problem is None else None,
        reason=reason,
        reason_limit=REASON_LIMIT,
        **_view(found, account.language),
    )


async def report(request: web.Request) -> web.StreamResponse:
    """One submitted report to review (404 outside the staff member's kecamatan)."""
    return await _review_page(request, _id(request.match_info["id"]))


def sent_back_notices(sent: SentBack) -> list[tuple[int, Notice]]:
    """The chat message for each officer: the reason, and the button that opens this period's correction."""
    found = []
    for officer_id, language in sent.officers:
        lang = render.as_lang(language)
        payload = f"{CORRECT_ROUTE}:correct:{sent.period}"
        text = render.text(
            lang, "review.sent_back", cooperative=sent.cooperative, period=str(sent.period), reason=sent.reason
        )
        button = (Choice(payload, render.text(lang, "report.button_correct")),)
        key = f"review:sent-back:review-{sent.review_id}:officer-{officer_id}"
        params = (sent.cooperative, sent.period.label(lang), sent.reason[:200], payload)
        found.append((officer_id, Notice("report_sent_back", key, Reply(text, button), PRIORITY_SENT_BACK, params)))
    return found


async def _tell(repos: Repositories, sent: SentBack, at: datetime) -> None:
    for officer_id, notice in sent_back_notices(sent):
        await enqueue_notice(repos, notice, at, officer_id=officer_id, zone=ZoneInfo(sent.timezone))


async def _decide(request: web.Request, action: str) -> web.StreamResponse:
    office, account = request.app[OFFICE], account_of(request)
    report_id = _id(request.match_info["id"])
    form = await request.post()
    revision = _number(str(form.get("revisi", "")))
    reason = str(form.get("alasan", ""))[: REASON_LIMIT * 2]
    actor, now = Actor(staff_id=account.id), _now()
    try:
        async with office.db.transaction() as repos:
            review = Services(repos, office.rules).review
            if action == "verify":
                await review.verify(report_id, actor, account.scope, now, revision)
            else:
                sent = await review.send_back(report_id, actor, account.scope, reason, now, revision)
                await _tell(repos, sent, now)
    except LookupError:
        raise web.HTTPNotFound() from None
    except NotAllowed:
        raise web.HTTPForbidden() from None
    except Stale:
        return await _review_page(request, report_id, 409, "stale")
    except AlreadyDecided:
        return await _review_page(request, report_id, 409, "decided")
    except ValueError:
        return await _review_page(request, report_id, 400, "reason", reason[:REASON_LIMIT])
    raise web.HTTPSeeOther(f"{PREFIX}/laporan/{report_id}?{urlencode({'hasil': action})}")


async def verify(request: web.Request) -> web.StreamResponse:
    """Verify the report's latest revision (the guard refuses viewers)."""
    return await _decide(request, "verify")


async def send_back(request: web.Request) -> web.StreamResponse:
    """Send the report back with a reason; its officers are told in chat."""
    return await _decide(request, "send_back")


async def export(request: web.Request) -> web.StreamResponse:
    """The period's submitted reports as an Excel workbook (`periode=YYYY-MM`; default the period reported now)."""
    office, account = request.app[OFFICE], account_of(request)
    period = _period(request.query.get("periode")) or reporting_period_for(_now(), ZoneInfo(office.office_zone))
    async with office.db.reading(replica=True) as repos:
        rows = await Services(repos, office.rules).review.export(account.scope, period)
    w = words(account.language)
    lang = render.as_lang(account.language)
    table = [
        [
            row.nik or "",
            row.name,
            row.kecamatan or "",
            period.label(lang),
            row.revision,
            row.submitted_at.astimezone(ZoneInfo(row.timezone)).replace(tzinfo=None) if row.submitted_at else None,
            zone_abbrev(row.timezone),
            row.total,
            str(w.category_name(row.category or "none")),
            str(w.review_state(row.state)),
        ]
        for row in rows
    ]
    data = xlsx_bytes(str(w.sheet_reports(period.label(lang))), [str(h) for h in w.review_export_headers], table)
    headers = {"Content-Disposition": f'attachment; filename="laporan-{period}.xlsx"'}
    return web.Response(body=data, content_type=XLSX, headers=headers)
