"""The audit log in the office web app (admins only; for anyone else the page does not exist)."""

from __future__ import annotations

from aiohttp import web

from bot.services import audit_log
from bot.services.office import page_number
from bot.web.office.context import OFFICE, account_of
from bot.web.office.render import page
from bot.web.office.security import csrf_token


async def audit(request: web.Request) -> web.StreamResponse:
    """One page of the log, newest first, times in the office's zone."""
    office, account = request.app[OFFICE], account_of(request)
    if account.role != "admin":
        raise web.HTTPNotFound()
    params = {k: v for k, v in request.query.items() if isinstance(v, str)}
    async with office.db.reading() as repos:
        found = await audit_log.page(repos, page_number(params))
    return page(
        "audit.html",
        account.language,
        account=account,
        csrf=await csrf_token(request),
        log=found,
        zone=office.office_zone,
    )
