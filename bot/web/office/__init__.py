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
    """Mount the office web app on `app` (before it starts) as a sub-application under /kantor: its middlewares (the
    session, `guard`) wrap its own requests only, not the webhooks'; its session key is read (or made) on first use."""
    configure(settings.secret_key.get_secret_value() if settings.secret_key else None)

    async def session_key() -> bytes:
        async with db.transaction() as repos:  # the first use makes the server key (unless KOPSEHAT_SECRET_KEY)
            return derived_key(await server_key(repos), "office-session")

    storage = DeferredStorage(session_key, secure=settings.office_url.startswith("https://"))

    office = web.Application(middlewares=[session_middleware(storage), guard])
    office[OFFICE] = Office(
        db,
        rules,
        settings.timezone,
        settings.report_deadline_day,
        settings.language,
        settings.office_url,
        QuietHours(*settings.quiet_window) if settings.quiet_window else None,
    )
    router = office.router
    router.add_get("/static/kantor.css", stylesheet)
    router.add_get("/masuk", pages.login_form)
    router.add_post("/masuk", pages.login_password)
    router.add_get("/masuk/{token}", pages.login_link)
    router.add_route("*", "/keluar", pages.logout)
    router.add_get("/", pages.overview)
    router.add_get("", to_overview)
    router.add_get("/koperasi", pages.cooperatives)
    router.add_get("/koperasi.xlsx", pages.export)
    router.add_get("/koperasi/{nik}", pages.record)
    router.add_post("/koperasi/{nik}/catatan", pages.add_note)
    router.add_post("/koperasi/{nik}/rencana", pages.add_plan)
    router.add_post("/koperasi/{nik}/rencana/{plan}/ubah", pages.change_plan)
    router.add_post("/koperasi/{nik}/rencana/{plan}/{action}", pages.close_plan)
    router.add_get("/laporan", review.reports)
    router.add_get("/laporan.xlsx", review.export)
    router.add_get("/laporan/{id}", review.report)
    router.add_post("/laporan/{id}/verifikasi", review.verify)
    router.add_post("/laporan/{id}/kembalikan", review.send_back)
    router.add_get("/pelatihan", training_pages.listing)
    router.add_route("*", "/pelatihan/baru", training_pages.new)
    router.add_get("/pelatihan/{id:[0-9]{1,9}}", training_pages.detail)
    router.add_route("*", "/pelatihan/{id:[0-9]{1,9}}/ubah", training_pages.edit)
    router.add_post("/pelatihan/{id:[0-9]{1,9}}/undang", training_pages.invite)
    router.add_post("/pelatihan/{id:[0-9]{1,9}}/kode", training_pages.attendance_code)
    router.add_get("/pelatihan/{id:[0-9]{1,9}}/peserta.xlsx", training_pages.export)
    router.add_get("/pengumuman", announcement_pages.listing)
    router.add_route("*", "/pengumuman/baru", announcement_pages.new)
    router.add_get("/pengumuman/{id:[0-9]{1,9}}", announcement_pages.detail)
    router.add_get("/audit", audit_page.audit)
    app.add_subapp(PREFIX, office)
