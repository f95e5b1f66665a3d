"""The form's pages: a screen per section and the summary with *Kirim*; every value read and checked by the report
service (the chat's parser and checks), every word in templates/{id,en}/formulir.j2."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.chat import report_words
from bot.chat.messages import Address
from bot.domain.forms import Question, load_form, stored_decimal
from bot.domain.numbers import format_decimal, to_plain
from bot.domain.report_checks import Finding
from bot.domain.report_flow import Problem, ProblemCode
from bot.services import Services
from bot.services.form_links import FORM_PATH, FormGrant, Opened
from bot.services.reports import FormReport
from bot.web.form.context import FORM, FormDoor
from bot.web.form.telegram import telegram_user
from bot.web.office.render import environment
from bot.words.render import Lang, as_lang
from handlers.form import Sending, send_from_form

log = logging.getLogger("kopsehat.form")
SUMMARY = "ringkasan"
MIN_REASON = 3
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'self' https://web.telegram.org; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # the link's token never leaves in a Referer
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _page(lang: str, status: int = 200, **values: Any) -> web.Response:
    chosen = as_lang(lang)
    words = environment().get_template(f"{chosen}/formulir.j2").make_module()
    html = environment().get_template("formulir.html").render(lang=chosen, w=words, **values)
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers.update(HEADERS)
    return response


def _refused(door: FormDoor, opened: Opened) -> web.Response:
    """A friendly page for a link that does not open the form (forged, expired, not the officer's, report sent)."""
    status = {"sent": 200, "expired": 410, "invalid": 404}.get(opened.outcome, 403)
    period = str(opened.grant.period) if opened.grant else ""
    return _page(opened.language if opened.grant else door.language, status, screen="closed", why=opened.outcome,
                 period=period)  # fmt: skip


async def _open(door: FormDoor, token: str) -> Opened:
    async with door.db.transaction() as repos:
        return await Services(repos, door.rules).form_links.open(token, door.dispatcher.clock())


def _amount_text(question: Question, value: str) -> str:
    """A stored answer as the field shows it, typed back the Indonesian way ("1.250.000", "1.250.000,50")."""
    if question.kind not in ("amount", "integer"):
        return value
    number = stored_decimal(value)
    if number is None:
        return value
    return format_decimal(number, 0 if number == number.to_integral_value() else 2)


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    label: str
    hint: str
    value: str
    previous: str | None
    from_previous: bool
    problem: str | None
    options: tuple[tuple[str, str], ...]


def _fields(view: FormReport, section: str, lang: Lang, typed: dict[str, str], problems: dict[str, str]) -> list[Field]:
    found = []
    for sid, questions in ((s.id, qs) for s, qs in view.sections):
        if sid != section:
            continue
        for q in questions:
            stored = view.values.get(q.key)
            shown = typed[q.key] if q.key in typed else (_amount_text(q, stored) if stored is not None else "")
            previous = view.previous.get(q.key)
            options = tuple((o.id, o.label_id if lang == "id" else o.label_en) for o in q.options)
            found.append(
                Field(
                    q.key,
                    q.kind,
                    q.label(lang),
                    q.hint(lang),
                    shown,
                    report_words.shown(q, previous, lang) if previous is not None else None,
                    q.key in view.from_previous and q.key not in typed,
                    problems.get(q.key),
                    options,
                )
            )
    return found


def _problem_text(question: Question, code: ProblemCode, lang: Lang) -> str:
    return report_words.problem(Problem(code, question, question.example(lang)), lang)


def _places(view: FormReport, keys: tuple[str, ...], lang: Lang) -> list[tuple[str, str, str]]:
    """(label, section, key) of the figures entering a finding that the form has fields for."""
    questions = view.questions
    return [(questions[k].short(lang), questions[k].section.id, k) for k in keys if k in questions]


def _finding(view: FormReport, finding: Finding, lang: Lang) -> str:
    return report_words.finding(finding, view.questions, {}, lang, figures=False)


def _screen(
    door: FormDoor,
    token: str,
    grant: FormGrant,
    lang: Lang,
    view: FormReport,
    section: str,
    *,
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    confirmed: dict[str, str] | None = None,
    reason_problems: frozenset[str] = frozenset(),
    saved: bool = False,
    status: int = 200,
) -> web.Response:
    ids = [s.id for s, _ in view.sections]
    section = section if section in ids or section == SUMMARY else (ids[0] if ids else SUMMARY)
    following = ids[ids.index(section) + 1] if section in ids and ids.index(section) + 1 < len(ids) else SUMMARY
    missing = set(view.missing)
    nav = [(s.id, s.title(lang), sum(q.key in missing for q in qs)) for s, qs in view.sections]
    questions = view.questions
    every = load_form()
    derived = [
        (every.question(k).short(lang), report_words.shown(every.question(k), to_plain(v), lang))
        for k, v in view.checked.derived.items()
    ]
    confirmed = confirmed or {}
    return _page(
        lang,
        status,
        screen="summary" if section == SUMMARY else "section",
        token=token,
        action=f"{FORM_PATH}{token}",
        period=str(grant.period),
        nav=nav,
        section=section,
        following=following,
        title=next((s.title(lang) for s, _ in view.sections if s.id == section), ""),
        note=next((s.note(lang) for s, _ in view.sections if s.id == section), ""),
        fields=_fields(view, section, lang, typed or {}, problems or {}),
        saved=saved,
        missing=[(questions[k].short(lang), questions[k].section.id, k) for k in view.missing],
        blocking=[(_finding(view, f, lang), _places(view, f.keys, lang)) for f in view.checked.blocking],
        warnings=[
            (f.id, _finding(view, f, lang), f.id in confirmed, confirmed.get(f.id, ""), f.id in reason_problems)
            for f in view.checked.warnings
        ],
        derived=derived,
        answered=len(view.answers),
    )


async def show(request: web.Request) -> web.Response:
    """A screen of the form (`?bagian=<section>`, or `ringkasan` for the summary with *Kirim*)."""
    door = request.app[FORM]
    token = request.match_info["token"]
    async with door.db.transaction() as repos:
        services = Services(repos, door.rules)
        opened = await services.form_links.open(token, door.dispatcher.clock())
        if opened.outcome != "ok" or opened.grant is None:
            return _refused(door, opened)
        grant = opened.grant
        view = await services.reports.form(grant.cooperative_id, grant.period)
    section = request.query.get("bagian", "")[:40]
    return _screen(door, token, grant, as_lang(opened.language), view, section, saved="tersimpan" in request.query)


def _texts(form: MultiDictProxy[Any]) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def save(request: web.Request) -> web.StreamResponse:
    """`aksi=simpan`: keep the screen's answers in the draft, then the next screen; `aksi=kirim`: keep them, check the
    whole report, and send it from the officer's chat (where the score arrives) when nothing stops it."""
    door = request.app[FORM]
    token = request.match_info["token"]
    form = await request.post()
    fields = _texts(form)
    opened = await _open(door, token)
    if opened.outcome != "ok" or opened.grant is None:
        return _refused(door, opened)
    grant, lang = opened.grant, as_lang(opened.language)
    init_data = fields.get("tg", "")
    if init_data and not await _telegram_ok(door, grant, init_data):
        return _page(lang, 403, screen="closed", why="not_officer", period=str(grant.period))
    section = fields.get("bagian", "")[:40]
    async with door.db.transaction() as repos:
        services = Services(repos, door.rules)
        before = await services.reports.form(grant.cooperative_id, grant.period)
        typed = {k: v for k, v in fields.items() if k in before.questions}
        codes = await services.reports.save_form(
            grant.cooperative_id, grant.period, typed, officer_id=grant.officer_id, at=door.dispatcher.clock()
        )
        view = await services.reports.form(grant.cooperative_id, grant.period)
    if codes:
        problems = {k: _problem_text(view.questions[k], code, lang) for k, code in codes.items()}
        kept = {k: typed[k] for k in codes}
        return _screen(door, token, grant, lang, view, section, typed=kept, problems=problems, status=422)
    if fields.get("aksi") != "kirim":
        ids = [s.id for s, _ in view.sections]
        following = ids[ids.index(section) + 1] if section in ids and ids.index(section) + 1 < len(ids) else SUMMARY
        raise web.HTTPSeeOther(f"{FORM_PATH}{token}?bagian={following}&tersimpan=1")
    return await _send(door, token, grant, lang, view, form)


async def _telegram_ok(door: FormDoor, grant: FormGrant, init_data: str) -> bool:
    """A Mini App's initData: signed by Telegram for this bot, for a Telegram account of the link's officer."""
    if door.telegram_token is None:
        return False
    user = telegram_user(init_data, door.telegram_token, door.dispatcher.clock())
    if user is None:
        return False
    async with door.db.reading() as repos:
        return await Services(repos, door.rules).form_links.is_officers_account(grant.officer_id, "telegram", user)


async def _send(
    door: FormDoor, token: str, grant: FormGrant, lang: Lang, view: FormReport, form: MultiDictProxy[Any]
) -> web.Response:
    """*Kirim*: every field answered, no blocking problem, each warning ticked with a reason; then the chat's own
    *Kirim* in the officer's chat."""
    ticked = {str(v) for v in form.getall("konfirmasi", [])}
    confirmed: dict[str, str] = {}
    short: set[str] = set()
    for warning in view.checked.warnings:
        reason = str(form.get(f"alasan:{warning.id}", "")).strip()[:300]
        if warning.id in ticked and len(reason) >= MIN_REASON:
            confirmed[warning.id] = reason
        else:
            short.add(warning.id)
    if view.missing or view.checked.blocking or short:
        reasons = {w.id: str(form.get(f"alasan:{w.id}", ""))[:300] for w in view.checked.warnings}
        return _screen(door, token, grant, lang, view, SUMMARY, confirmed=reasons,
                       reason_problems=frozenset(short), status=422)  # fmt: skip
    async with door.db.transaction() as repos:
        address = await Services(repos, door.rules).form_links.chat_address(grant.officer_id)
    if address is None:
        return _page(lang, 409, screen="closed", why="no_chat", period=str(grant.period))
    sending = Sending()
    action = send_from_form(grant.period, grant.officer_id, confirmed, sending)
    chat = Address(address.channel, address.external_id)  # type: ignore[arg-type]
    result = await door.dispatcher.act(chat, f"formulir:{uuid.uuid4().hex}", action)
    if sending.outcome == "sent":
        try:
            await door.send(result.outgoing)
        except Exception:  # the delivery workers send what is left in the outbox
            log.exception("sending the form's results to %s failed", chat.channel)
        return _page(lang, 200, screen="sent", period=str(grant.period), channel=chat.channel)
    if sending.outcome == "already":
        return _page(lang, 200, screen="closed", why="sent", period=str(grant.period))
    async with door.db.transaction() as repos:
        view = await Services(repos, door.rules).reports.form(grant.cooperative_id, grant.period)
    return _screen(door, token, grant, lang, view, SUMMARY, status=422)
