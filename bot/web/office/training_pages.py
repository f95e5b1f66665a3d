"""Trainings and clinics in the office web app: the list, a new one (checked, previewed with who it reaches, then
saved and invited), editing, one training with its invitations' delivery and its roster, invitations sent again,
a fresh attendance code, and the participants as an Excel workbook. Everything goes through the services the chat
and the command line use (`trainings`, `training_admin`)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.domain.names import TRAINING_KINDS
from bot.domain.periods import reporting_period_for
from bot.services import form_keys, trainings
from bot.services.reports import NotAllowed
from bot.services.training_admin import FormCheck, TrainingForm, check_form, send_invitations, update, visible
from bot.services.training_admin import detail as training_detail
from bot.services.training_admin import listing as training_listing
from bot.web.office.context import OFFICE, Office, account_of
from bot.web.office.render import page
from bot.web.office.roster_export import roster_workbook
from bot.web.office.security import PREFIX, csrf_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _now() -> datetime:
    return datetime.now(UTC)


def _id(request: web.Request) -> int:
    return int(request.match_info["id"])


def _may_change(request: web.Request) -> None:
    if not account_of(request).may_change:
        raise web.HTTPForbidden()


async def _fields(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in (await request.post()).items() if isinstance(v, str)}


async def listing(request: web.Request) -> web.StreamResponse:
    """The trainings this staff member may see, newest first."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        rows = await training_listing(repos, account.scope)
    return page(
        "trainings.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        rows=rows,
        zone=office.office_zone,
    )


async def _form(
    request: web.Request,
    office: Office,
    check: FormCheck,
    *,
    training_id: int | None,
    preview: bool,
    status: int,
    key: str | None = None,
    again: bool = False,
) -> web.Response:
    account = account_of(request)
    return page(
        "training_form.html",
        account.language,
        status,
        account=account,
        csrf=await csrf_token(request),
        check=check,
        form=check.form,
        training_id=training_id,
        preview=preview,
        kinds=TRAINING_KINDS,
        period=str(reporting_period_for(_now(), ZoneInfo(office.office_zone))),
        zone=office.office_zone,
        form_key=form_keys.carried(key),
        again=again,
    )


async def new(request: web.Request) -> web.StreamResponse:
    """GET: the empty form. POST `aksi=pratinjau`: checked, and previewed with who it reaches; `aksi=simpan`: saved
    and the invitations queued (nothing saved while any field has a problem or nobody can receive it), once: the
    same form posted again leads to the training it saved."""
    _may_change(request)
    office, account = request.app[OFFICE], account_of(request)
    if request.method != "POST":
        return await _form(
            request, office, FormCheck(TrainingForm(), None), training_id=None, preview=False, status=200
        )
    fields = await _fields(request)
    key, saving = fields.get(form_keys.FIELD), fields.get("aksi") == "simpan"
    zone, now, saved = ZoneInfo(office.office_zone), _now(), None
    try:
        async with office.db.transaction() as repos:
            check = await check_form(repos, TrainingForm.from_fields(fields), scope=account.scope, zone=zone, now=now)
            plan, reach = check.plan, check.reach

            async def make() -> int | None:
                if plan is None or reach is None or reach.now == 0:
                    return None
                made, _, _ = await trainings.create(
                    repos, plan, staff_id=account.id, now=now, zone=zone, quiet=office.quiet
                )
                return made.id

            if saving:
                saved = await form_keys.once(repos, key, staff_id=account.id, kind="training", at=now, make=make)
    except form_keys.KeyTaken:
        raise web.HTTPForbidden() from None
    if saved is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/pelatihan/{saved}")
    ok = check.plan is not None
    again = ok and saving and not form_keys.well_formed(key)  # a form without its key: shown again, with one
    status = 200 if ok and not again else 400
    return await _form(request, office, check, training_id=None, preview=ok, status=status, key=key, again=again)


async def edit(request: web.Request) -> web.StreamResponse:
    """GET: the training's form. POST: checked and previewed (`aksi=pratinjau`) or saved (`aksi=simpan`)."""
    _may_change(request)
    office, account = request.app[OFFICE], account_of(request)
    training_id, zone, now = _id(request), ZoneInfo(office.office_zone), _now()
    if request.method != "POST":
        async with office.db.reading() as repos:
            training = visible(await repos.trainings.get(training_id), account.scope)
            if training is None:
                raise web.HTTPNotFound()
            form = TrainingForm.of(training, await trainings.first_session(repos, training_id), zone)
            check = await check_form(repos, form, scope=account.scope, zone=zone, now=now, editing=training)
        return await _form(request, office, check, training_id=training_id, preview=False, status=200)
    fields = await _fields(request)
    saved = False
    async with office.db.transaction() as repos:
        training = visible(await repos.trainings.get(training_id), account.scope)
        if training is None:
            raise web.HTTPNotFound()
        form = TrainingForm.from_fields(fields)
        check = await check_form(repos, form, scope=account.scope, zone=zone, now=now, editing=training)
        if fields.get("aksi") == "simpan" and check.plan is not None:
            changed = await update(
                repos,
                training_id,
                check.plan,
                scope=account.scope,
                staff_id=account.id,
                now=now,
                zone=zone,
                quiet=office.quiet,
            )
            saved = changed is not None
    if saved:
        raise web.HTTPSeeOther(f"{PREFIX}/pelatihan/{training_id}")
    ok = check.plan is not None
    return await _form(request, office, check, training_id=training_id, preview=ok, status=200 if ok else 400)


async def _detail_page(request: web.Request, code: str | None = None) -> web.Response:
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        found = await training_detail(repos, _id(request), account.scope)
    if found is None:
        raise web.HTTPNotFound()
    return page(
        "training.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        d=found,
        code=code,
        zone=office.office_zone,
    )


async def detail(request: web.Request) -> web.StreamResponse:
    """One training: what, when, where, for whom; its invitations' delivery per recipient; the roster."""
    return await _detail_page(request)


async def invite(request: web.Request) -> web.StreamResponse:
    """Invite whom the segment reaches now and who was not invited yet (the guard refuses viewers)."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.transaction() as repos:
        made = await send_invitations(
            repos,
            _id(request),
            scope=account.scope,
            staff_id=account.id,
            now=_now(),
            zone=ZoneInfo(office.office_zone),
            quiet=office.quiet,
        )
    if made is None:
        raise web.HTTPNotFound()
    raise web.HTTPSeeOther(f"{PREFIX}/pelatihan/{_id(request)}#undangan")


async def attendance_code(request: web.Request) -> web.StreamResponse:
    """A fresh attendance code (the old one stops working), shown once on the training's page."""
    office, account = request.app[OFFICE], account_of(request)
    training_id = _id(request)
    async with office.db.transaction() as repos:
        if visible(await repos.trainings.get(training_id), account.scope) is None:
            raise web.HTTPNotFound()
        try:
            code = await trainings.new_attendance_code(repos, training_id, account)
        except NotAllowed:  # a viewer (the guard refuses them first)
            raise web.HTTPForbidden() from None
    return await _detail_page(request, code)


async def export(request: web.Request) -> web.StreamResponse:
    """The participants (registered, waiting, declined, walk-ins) with their attendance, as an Excel workbook."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        found = await training_detail(repos, _id(request), account.scope)
    if found is None:
        raise web.HTTPNotFound()
    data = roster_workbook(found, account.language, office.office_zone)
    headers = {"Content-Disposition": f'attachment; filename="peserta-pelatihan-{found.training.id}.xlsx"'}
    return web.Response(body=data, content_type=XLSX, headers=headers)
