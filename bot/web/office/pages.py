"""The office web app's pages: sign-in and out, the overview, the cooperative list and its export, the rekam medis."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.domain.periods import closed_periods, local_date, read_date
from bot.services import Services, form_keys
from bot.services.clinic import REASONS, Actor, BadField, ClinicService, PlanStatus
from bot.services.clinic_values import PlanView
from bot.services.office import CATEGORIES, REPORTING, SORTS, list_filter, page_number
from bot.services.reports import NotAllowed
from bot.web.office.charts import score_line, trend_bars
from bot.web.office.context import OFFICE, account_of
from bot.web.office.export import workbook
from bot.web.office.render import page
from bot.web.office.security import PREFIX, csrf_token, end_session, start_session

# Chat apps fetch a link to preview it: such a fetch must not use up a one-time login link.
PREVIEW_AGENTS = ("telegrambot", "whatsapp", "facebookexternalhit", "twitterbot", "slackbot", "discordbot", "skypeuri")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKLIST_SHOWN = 30  # cooperatives listed on the overview (worst first); the counts cover all


def _now() -> datetime:
    return datetime.now(UTC)


def _address(request: web.Request) -> str:
    return request.remote or "-"


async def login_form(request: web.Request) -> web.StreamResponse:
    """The login form (name and password); the link from `masuk` needs none."""
    office = request.app[OFFICE]
    return page("login.html", office.language, csrf=await csrf_token(request), login="", problem=None, account=None)


async def login_password(request: web.Request) -> web.StreamResponse:
    """Sign in with login and password."""
    office = request.app[OFFICE]
    form = await request.post()
    login, password = str(form.get("login", ""))[:100], str(form.get("password", ""))
    async with office.db.transaction() as repos:
        result = await Services(repos, office.rules).staff_access.sign_in(login, password, _address(request), _now())
    if result.outcome == "ok" and result.account is not None:
        await start_session(request, result.account)
        raise web.HTTPSeeOther(f"{PREFIX}/")
    return page(
        "login.html",
        office.language,
        429 if result.outcome == "limited" else 401,
        csrf=await csrf_token(request),
        login=login,
        problem=result.outcome,
        account=None,
    )


async def login_link(request: web.Request) -> web.StreamResponse:
    """Open a one-time login link."""
    office = request.app[OFFICE]
    token = request.match_info["token"]
    agent = request.headers.get("User-Agent", "").lower()
    if any(name in agent for name in PREVIEW_AGENTS):
        return page("message.html", office.language, title_key="link_preview", account=None, csrf="")
    async with office.db.transaction() as repos:
        result = await Services(repos, office.rules).staff_access.open_link(token, _address(request), _now())
    if result.outcome == "ok" and result.account is not None:
        await start_session(request, result.account)
        raise web.HTTPSeeOther(f"{PREFIX}/")
    status = 429 if result.outcome == "limited" else 403
    return page("message.html", office.language, status, title_key=f"link_{result.outcome}", account=None, csrf="")


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session."""
    await end_session(request)
    raise web.HTTPSeeOther(f"{PREFIX}/masuk")


async def overview(request: web.Request) -> web.StreamResponse:
    """Counts per category, the trend, reporting per kecamatan."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading(replica=True) as repos:
        services = Services(repos, office.rules)
        now = _now()
        found = await services.office.overview(account.scope, now, office.office_zone, office.deadline_day)
        area = (await repos.regions.names([account.scope])).get(account.scope) if account.scope else None
        zone = ZoneInfo(office.office_zone)
        worklist = await services.clinic.worklist(
            Actor(staff_id=account.id),
            local_date(now, zone),
            closed_periods(now, zone, office.deadline_day),
            WORKLIST_SHOWN,
        )
    return page(
        "overview.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        overview=found,
        area=area,
        categories=CATEGORIES,
        trend_svg=trend_bars(found.trend, CATEGORIES),
        office_zone=office.office_zone,
        worklist=worklist,
        worklist_shown=WORKLIST_SHOWN,
        reasons=REASONS,
    )


def _query(params: dict[str, str], **changes: str | int) -> str:
    merged = {k: v for k, v in {**params, **{k: str(v) for k, v in changes.items()}}.items() if v}
    return urlencode(merged)


async def cooperatives(request: web.Request) -> web.StreamResponse:
    """The list: search, filters, sort, pages."""
    office, account = request.app[OFFICE], account_of(request)
    params = {k: v for k, v in request.query.items() if isinstance(v, str)}
    where = list_filter(params, account.scope)
    async with office.db.reading(replica=True) as repos:
        services = Services(repos, office.rules)
        found = await services.office.cooperatives(
            where, page_number(params), _now(), office.office_zone, office.deadline_day
        )
        options = await services.office.options(where)
    kept = {
        k: v
        for k, v in params.items()
        if k in ("q", "jenis", "tag", "kabupaten", "kecamatan", "kelurahan", "kategori", "lapor", "urut")
    }
    return page(
        "list.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        listing=found,
        where=where,
        options=options,
        categories=CATEGORIES,
        reporting=REPORTING,
        sorts=SORTS,
        query=lambda **changes: _query(kept, **changes),
        export_query=_query(kept),
    )


async def export(request: web.Request) -> web.StreamResponse:
    """The list as an Excel workbook, with the same filters."""
    office, account = request.app[OFFICE], account_of(request)
    params = {k: v for k, v in request.query.items() if isinstance(v, str)}
    async with office.db.reading(replica=True) as repos:
        found = await Services(repos, office.rules).office.export(
            list_filter(params, account.scope), _now(), office.office_zone, office.deadline_day
        )
    data = workbook(found, account.language)
    name = f"koperasi-{found.period}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return web.Response(body=data, content_type=XLSX, headers=headers)


async def _record_page(
    request: web.Request, nik: str, status: int = 200, problem: str | None = None, typed: dict[str, str] | None = None
) -> web.Response:
    """The rekam medis with its plans; a refused form comes back with its message beside the field, as typed."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        services = Services(repos, office.rules)
        found = await services.records.record(nik, account.scope, office.deadline_day)
        if found is None:
            raise web.HTTPNotFound()
        plans = await services.clinic.plans(found.id, Actor(staff_id=account.id))
    return page(
        "record.html",
        account.language,
        status,
        account=account,
        csrf=await csrf_token(request),
        record=found,
        score_svg=score_line(found.scores),
        plans=plans,
        today=local_date(_now(), ZoneInfo(found.timezone)),
        typed=typed or {},
        problem=problem,
        keys={  # one per form that adds something; the refused one keeps its own
            form: form_keys.carried((typed or {}).get("kunci") if (problem or "").startswith(form) else None)
            for form in ("note", "plan")
        },
    )


async def record(request: web.Request) -> web.StreamResponse:
    """The rekam medis of one cooperative (404 outside the staff member's kecamatan)."""
    return await _record_page(request, request.match_info["nik"])


async def _cooperative_id(request: web.Request, nik: str) -> int:
    """The id of the cooperative with this NIK in the staff member's scope (404 otherwise)."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        found = await Services(repos, office.rules).records.record(nik, account.scope, office.deadline_day)
    if found is None:
        raise web.HTTPNotFound()
    return found.id


def _key(form: Mapping[str, object]) -> str:
    """The one-time key a form brought ("" when none)."""
    key = form.get(form_keys.FIELD)
    return key[:64] if isinstance(key, str) else ""


async def add_note(request: web.Request) -> web.StreamResponse:
    """A pembina's or admin's note on the rekam medis (the guard refuses viewers), saved once per form."""
    office, account = request.app[OFFICE], account_of(request)
    nik = request.match_info["nik"]
    form = await request.post()
    text, key = str(form.get("catatan", "")), _key(form)
    typed = {"catatan": text[:5000], "kunci": key}
    cooperative_id = await _cooperative_id(request, nik)
    if not form_keys.well_formed(key):
        return await _record_page(request, nik, 400, "note_again", typed)
    actor, now = Actor(staff_id=account.id), _now()
    try:
        async with office.db.transaction() as repos:
            clinic = Services(repos, office.rules).clinic

            async def make() -> int:
                return (await clinic.add_note(cooperative_id, text, actor, now)).id

            await form_keys.once(repos, key, staff_id=account.id, kind="note", at=now, make=make)
    except (NotAllowed, form_keys.KeyTaken):
        raise web.HTTPForbidden() from None
    except ValueError:
        return await _record_page(request, nik, 400, "note", typed)
    raise web.HTTPSeeOther(f"{PREFIX}/koperasi/{quote(nik)}#catatan")


async def add_plan(request: web.Request) -> web.StreamResponse:
    """A new action plan: what, who, due date (the guard refuses viewers), saved once per form."""
    office, account = request.app[OFFICE], account_of(request)
    nik = request.match_info["nik"]
    form = await request.post()
    typed = {key: str(form.get(key, ""))[:1000] for key in ("apa", "siapa", "tenggat")} | {"kunci": _key(form)}
    cooperative_id = await _cooperative_id(request, nik)
    due = read_date(typed["tenggat"], local_date(_now(), ZoneInfo(office.office_zone)))
    if due is None or not form_keys.well_formed(typed["kunci"]):
        return await _record_page(request, nik, 400, "plan_due" if due is None else "plan_again", typed)
    actor, now = Actor(staff_id=account.id), _now()
    try:
        async with office.db.transaction() as repos:
            clinic = Services(repos, office.rules).clinic

            async def make() -> int:
                return (await clinic.add_plan(cooperative_id, typed["apa"], typed["siapa"], due, actor, now)).id

            await form_keys.once(repos, typed["kunci"], staff_id=account.id, kind="plan", at=now, make=make)
    except (NotAllowed, form_keys.KeyTaken):
        raise web.HTTPForbidden() from None
    except BadField as bad:
        return await _record_page(request, nik, 400, f"plan_{bad.field}", typed)
    raise web.HTTPSeeOther(f"{PREFIX}/koperasi/{quote(nik)}#rencana")


async def _own_plan(clinic: ClinicService, plan_id: str, cooperative_id: int, actor: Actor) -> PlanView:
    """The plan `plan_id` of this cooperative (a forged id, none, or another cooperative's: 404)."""
    if not plan_id.isdigit() or len(plan_id) > 12:
        raise web.HTTPNotFound()
    try:
        found = await clinic.plan(int(plan_id), actor)
    except LookupError:
        raise web.HTTPNotFound() from None
    if found.cooperative_id != cooperative_id:
        raise web.HTTPNotFound()
    return found


async def close_plan(request: web.Request) -> web.StreamResponse:
    """Mark a plan of this cooperative done or cancelled (another cooperative's plan, or none: 404)."""
    office, account = request.app[OFFICE], account_of(request)
    nik, action, plan_id = request.match_info["nik"], request.match_info["action"], request.match_info["plan"]
    status: PlanStatus = "done" if action == "selesai" else "cancelled"
    if action not in ("selesai", "batal"):
        raise web.HTTPNotFound()
    cooperative_id = await _cooperative_id(request, nik)
    actor = Actor(staff_id=account.id)
    try:
        async with office.db.transaction() as repos:
            clinic = Services(repos, office.rules).clinic
            found = await _own_plan(clinic, plan_id, cooperative_id, actor)
            await clinic.close_plan(found.id, status, actor, _now())
    except NotAllowed:
        raise web.HTTPForbidden() from None
    raise web.HTTPSeeOther(f"{PREFIX}/koperasi/{quote(nik)}#rencana")


async def change_plan(request: web.Request) -> web.StreamResponse:
    """Change an open plan's what, who and due date, as `rencana` does in chat (a new due date is not in the past;
    another cooperative's plan, or none: 404; a plan closed meanwhile: 409, the page says so)."""
    office, account = request.app[OFFICE], account_of(request)
    nik, plan_id = request.match_info["nik"], request.match_info["plan"]
    form = await request.post()
    typed = {key: str(form.get(key, ""))[:1000] for key in ("apa", "siapa", "tenggat")}
    typed["rencana"] = plan_id
    cooperative_id = await _cooperative_id(request, nik)
    actor, today = Actor(staff_id=account.id), local_date(_now(), ZoneInfo(office.office_zone))
    problem = None
    try:
        async with office.db.transaction() as repos:
            clinic = Services(repos, office.rules).clinic
            found = await _own_plan(clinic, plan_id, cooperative_id, actor)
            due = read_date(typed["tenggat"], today)
            if due is None or (due != found.due_on and due < today):
                problem = "edit_due" if due is None else "edit_due_past"
            else:
                await clinic.update_plan(found.id, actor, _now(), what=typed["apa"], who=typed["siapa"], due_on=due)
    except NotAllowed:
        raise web.HTTPForbidden() from None
    except BadField as bad:
        return await _record_page(request, nik, 400, f"edit_{bad.field}", typed)
    except ValueError:  # closed since the page was opened
        return await _record_page(request, nik, 409, "edit_closed", typed)
    if problem is not None:
        return await _record_page(request, nik, 400, problem, typed)
    raise web.HTTPSeeOther(f"{PREFIX}/koperasi/{quote(nik)}#rencana-{found.id}")
