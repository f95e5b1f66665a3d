"""Sessions (encrypted, signed cookies), who is signed in, CSRF tokens, security headers and error pages."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_session import AbstractStorage, Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.services import Services
from bot.services.staff_access import StaffAccount
from bot.web.office.context import ACCOUNT, OFFICE, Office
from bot.web.office.render import page

log = logging.getLogger("kopsehat.office")
PREFIX = "/kantor"
COOKIE = "kopsehat_kantor"
IDLE_SECONDS = 8 * 60 * 60
SEEN_EVERY = 60  # seconds: a session's idle clock is moved on (and its cookie written again) at most this often
OPEN_PATHS = (f"{PREFIX}/masuk", f"{PREFIX}/static/")  # reached without a session
CSRF_FIELD = "csrf"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a login link's token never leaves in a Referer
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DeferredStorage(AbstractStorage):
    """The encrypted cookie storage, whose key is read (or made) in the database by the first office request: the
    server starts, and answers its webhooks, also while the database is away."""

    def __init__(self, key: Callable[[], Awaitable[bytes]], *, secure: bool) -> None:
        self._params = {
            "cookie_name": COOKIE,
            "max_age": IDLE_SECONDS,
            "path": PREFIX,
            "httponly": True,
            "samesite": "Lax",
            "secure": secure,
        }
        super().__init__(**self._params)  # type: ignore[arg-type]
        self._key = key
        self._lock = asyncio.Lock()
        self._inner: EncryptedCookieStorage | None = None

    async def _ready(self) -> EncryptedCookieStorage:
        async with self._lock:
            if self._inner is None:
                self._inner = EncryptedCookieStorage(await self._key(), **self._params)  # type: ignore[arg-type]
        return self._inner

    async def load_session(self, request: web.Request) -> Session:
        return await (await self._ready()).load_session(request)

    async def save_session(self, request: web.Request, response: web.StreamResponse, session: Session) -> None:
        await (await self._ready()).save_session(request, response, session)


async def csrf_token(request: web.Request) -> str:
    """The session's CSRF token (made now when the session has none)."""
    session = await get_session(request)
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


async def start_session(request: web.Request, account: StaffAccount) -> None:
    """A new session (never one an attacker could have planted) for this staff member."""
    session = await new_session(request)
    session["staff"] = account.id
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    session["seen"] = int(time.time())


async def end_session(request: web.Request) -> None:
    """Forget the session (its cookie is cleared)."""
    (await get_session(request)).invalidate()


async def _account(request: web.Request, office: Office) -> StaffAccount | None:
    session = await get_session(request)
    staff_id, seen = session.get("staff"), session.get("seen")
    if not isinstance(staff_id, int) or not isinstance(seen, int):
        return None
    now = int(time.time())
    if now - seen > IDLE_SECONDS:
        session.invalidate()
        return None
    async with office.db.reading() as repos:
        account = await Services(repos, office.rules).staff_access.account(staff_id)
    if account is None:
        session.invalidate()
        return None
    if now - seen >= SEEN_EVERY:
        session["seen"] = now
    return account


async def message(request: web.Request, status: int, key: str) -> web.Response:
    """A page that says what went wrong (`key`: forbidden, not_found, error)."""
    account = request.get(ACCOUNT)
    lang = account.language if account else request.app[OFFICE].language
    csrf = await csrf_token(request) if account else ""
    return page("message.html", lang, status, title_key=key, account=account, csrf=csrf)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The office sub-application's (/kantor, bot.web.office.add_office) middleware, so every request under /kantor
    and no other: security headers, sign-in (GET: to the login page; POST: 403), CSRF on every POST, viewers never
    change anything, no stack trace ever."""
    office = request.app[OFFICE]
    try:
        response = await _guarded(request, handler, office)
    except web.HTTPException as exc:
        if exc.status not in (403, 404, 405, 413):
            raise
        key = {404: "not_found", 413: "too_large"}.get(exc.status, "forbidden")
        response = await message(request, exc.status, key)
    except Exception:
        log.exception("office page %s %s failed", request.method, request.path)
        response = page("message.html", office.language, 500, title_key="error", account=None, csrf="")
    response.headers.update(HEADERS)
    return response


async def _guarded(request: web.Request, handler: Handler, office: Office) -> web.StreamResponse:
    account = await _account(request, office)
    if account is not None:
        request[ACCOUNT] = account
    open_path = request.path.startswith(OPEN_PATHS)
    if request.method == "POST":
        form = await request.post()
        given = form.get(CSRF_FIELD)
        expected = (await get_session(request)).get(CSRF_FIELD)
        if not (isinstance(given, str) and isinstance(expected, str) and hmac.compare_digest(given, expected)):
            return await message(request, 403, "forbidden")
        if not open_path and request.path != f"{PREFIX}/keluar" and (account is None or not account.may_change):
            return await message(request, 403, "forbidden")
    if account is None and not open_path:
        if request.method == "POST":
            return await message(request, 403, "forbidden")
        raise web.HTTPSeeOther(f"{PREFIX}/masuk")
    return await handler(request)
