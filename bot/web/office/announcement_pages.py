"""Announcements in the office web app: the list with progress, a new one (checked, previewed with who receives it
and who cannot and why, then sent now or at a time), and one announcement with each recipient's delivery. Sending is
`announcements.publish`, as from the chat and the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.domain.periods import reporting_period_for
from bot.services import announcement_admin, form_keys
from bot.services.announcement_admin import DraftCheck, DraftForm
from bot.web.office.context import OFFICE, account_of
from bot.web.office.render import page
from bot.web.office.security import PREFIX, csrf_token


def _now() -> datetime:
    return datetime.now(UTC)


async def listing(request: web.Request) -> web.StreamResponse:
    """The announcements this staff member may see, newest first, with how far each has gone."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        rows = await announcement_admin.listing(repos, account.scope)
    return page(
        "announcements.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        rows=rows,
        now=_now(),
        zone=office.office_zone,
    )


async def _form(
    request: web.Request,
    check: DraftCheck,
    *,
    preview: bool,
    status: int,
    key: str | None = None,
    again: bool = False,
) -> web.Response:
    office, account = request.app[OFFICE], account_of(request)
    return page(
        "announcement_form.html",
        account.language,
        status,
        account=account,
        csrf=await csrf_token(request),
        check=check,
        form=check.form,
        preview=preview,
        period=str(reporting_period_for(_now(), ZoneInfo(office.office_zone))),
        zone=office.office_zone,
        form_key=form_keys.carried(key),
        again=again,
    )


async def new(request: web.Request) -> web.StreamResponse:
    """GET: the empty form. POST `aksi=pratinjau`: checked and previewed; `aksi=kirim`: sent (or scheduled), once:
    the same form posted again leads to the announcement it sent."""
    office, account = request.app[OFFICE], account_of(request)
    if not account.may_change:
        raise web.HTTPForbidden()
    if request.method != "POST":
        return await _form(request, DraftCheck(DraftForm()), preview=False, status=200)
    posted = await request.post()
    fields = {k: v for k, v in posted.items() if isinstance(v, str)}
    file = posted.get("file")
    upload = (file.filename, file.file.read()) if isinstance(file, web.FileField) and file.filename else None
    key, sending = fields.get(form_keys.FIELD), fields.get("aksi") == "kirim"
    now, sent = _now(), None
    try:
        async with office.db.transaction() as repos:
            check = await announcement_admin.check_draft(
                repos,
                DraftForm.from_fields(fields),
                scope=account.scope,
                zone=ZoneInfo(office.office_zone),
                now=now,
                upload=upload,
            )

            async def make() -> int | None:
                made = await announcement_admin.send(repos, check, staff_id=account.id, now=now, quiet=office.quiet)
                return made.id if made is not None else None

            if sending:
                sent = await form_keys.once(repos, key, staff_id=account.id, kind="announcement", at=now, make=make)
    except form_keys.KeyTaken:
        raise web.HTTPForbidden() from None
    if sent is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/pengumuman/{sent}")
    again = check.sendable and sending and not form_keys.well_formed(key)  # a form without its key: shown again
    status = 400 if check.problems or again else 200
    return await _form(request, check, preview=not check.problems, status=status, key=key, again=again)


async def detail(request: web.Request) -> web.StreamResponse:
    """One announcement: its text, segment, time, progress and each recipient's delivery."""
    office, account = request.app[OFFICE], account_of(request)
    async with office.db.reading() as repos:
        found = await announcement_admin.detail(repos, int(request.match_info["id"]), account.scope)
    if found is None:
        raise web.HTTPNotFound()
    return page(
        "announcement.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        d=found,
        now=_now(),
        zone=office.office_zone,
    )
