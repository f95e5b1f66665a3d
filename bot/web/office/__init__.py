"""The office web app under /kantor/: the dinas's pages on the same aiohttp server, on the services layer."""

from __future__ import annotations

from importlib.resources import files

from aiohttp import web
from aiohttp_session import session_middleware

from bot.config import Settings
from bot.domain.health.rules import Rules
from bot.services.keys import configure, derived_key, server_key
from bot.services.notices import QuietHours
from bot.web.office import announcement_pages, audit_page, pages, review, training_pages
from bot.web.office.context import OFFICE, Office
from bot.web.office.security import PREFIX, DeferredStorage, guard
from storage.db import Database

STYLESHEET = files("bot.web").joinpath("static/kantor.css").read_bytes()


async def stylesheet(_request: web.Request) -> web.Response:
    """The one stylesheet (no inline styles: the CSP forbids them)."""
    return web.Response(body=STYLESHEET, content_type="text/css", headers={"Cache-Control": "max-age=3600"})


async def to_overview(_request: web.Request) -> web.Response:
    """/kantor without its slash."""
    raise web.HTTPSeeOther(f"{PREFIX}/")


def add_office(app: web.Application, db: Database, settings: Settings, rules: Rules) -> None:
    """Mount the office web app on `app` (before it starts); its session key is read (or made) on first use."""
    configure(settings.secret_key.get_secret_value() if settings.secret_key else None)

    async def session_key() -> bytes:
        async with db.transaction() as repos:  # the first use makes the server key (unless KOPSEHAT_SECRET_KEY)
            return derived_key(await server_key(repos), "office-session")

    storage = DeferredStorage(session_key, secure=settings.office_url.startswith("https://"))

    app[OFFICE] = Office(
        db,
        rules,
        settings.timezone,
        settings.report_deadline_day,
        settings.language,
        settings.office_url,
        QuietHours(*settings.quiet_window) if settings.quiet_window else None,
    )
    app.middlewares.append(session_middleware(storage))
    app.middlewares.append(guard)
    router = app.router
    router.add_get(f"{PREFIX}/static/kantor.css", stylesheet)
    router.add_get(f"{PREFIX}/masuk", pages.login_form)
    router.add_post(f"{PREFIX}/masuk", pages.login_password)
    router.add_get(f"{PREFIX}/masuk/{{token}}", pages.login_link)
    router.add_route("*", f"{PREFIX}/keluar", pages.logout)
    router.add_get(f"{PREFIX}/", pages.overview)
    router.add_get(PREFIX, to_overview)
    router.add_get(f"{PREFIX}/koperasi", pages.cooperatives)
    router.add_get(f"{PREFIX}/koperasi.xlsx", pages.export)
    router.add_get(f"{PREFIX}/koperasi/{{nik}}", pages.record)
    router.add_post(f"{PREFIX}/koperasi/{{nik}}/catatan", pages.add_note)
    router.add_post(f"{PREFIX}/koperasi/{{nik}}/rencana", pages.add_plan)
    router.add_post(f"{PREFIX}/koperasi/{{nik}}/rencana/{{plan}}/ubah", pages.change_plan)
    router.add_post(f"{PREFIX}/koperasi/{{nik}}/rencana/{{plan}}/{{action}}", pages.close_plan)
    router.add_get(f"{PREFIX}/laporan", review.reports)
    router.add_get(f"{PREFIX}/laporan.xlsx", review.export)
    router.add_get(f"{PREFIX}/laporan/{{id}}", review.report)
    router.add_post(f"{PREFIX}/laporan/{{id}}/verifikasi", review.verify)
    router.add_post(f"{PREFIX}/laporan/{{id}}/kembalikan", review.send_back)
    router.add_get(f"{PREFIX}/pelatihan", training_pages.listing)
    router.add_route("*", f"{PREFIX}/pelatihan/baru", training_pages.new)
    router.add_get(f"{PREFIX}/pelatihan/{{id:[0-9]{{1,9}}}}", training_pages.detail)
    router.add_route("*", f"{PREFIX}/pelatihan/{{id:[0-9]{{1,9}}}}/ubah", training_pages.edit)
    router.add_post(f"{PREFIX}/pelatihan/{{id:[0-9]{{1,9}}}}/undang", training_pages.invite)
    router.add_post(f"{PREFIX}/pelatihan/{{id:[0-9]{{1,9}}}}/kode", training_pages.attendance_code)
    router.add_get(f"{PREFIX}/pelatihan/{{id:[0-9]{{1,9}}}}/peserta.xlsx", training_pages.export)
    router.add_get(f"{PREFIX}/pengumuman", announcement_pages.listing)
    router.add_route("*", f"{PREFIX}/pengumuman/baru", announcement_pages.new)
    router.add_get(f"{PREFIX}/pengumuman/{{id:[0-9]{{1,9}}}}", announcement_pages.detail)
    router.add_get(f"{PREFIX}/audit", audit_page.audit)
