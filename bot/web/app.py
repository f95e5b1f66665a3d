"""The aiohttp application: health check now; webhooks are added by the channels that are configured."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import hdrs, web, web_response

from bot import __version__
from storage.db import Database

HealthProbe = Callable[[], Awaitable[dict[str, Any]]]
DB_KEY = web.AppKey("db", Database)
PROBES_KEY = web.AppKey("probes", dict)
HEALTH_TOKEN_KEY = web.AppKey("health_token", str)
HEALTH_TOKEN_HEADER = "X-Health-Token"
SERVER_NAME = "kopsehat"  # instead of aiohttp's "Python/3.x aiohttp/3.x": no versions to look up exploits for
# A request that came through a proxy on this host is from whoever the proxy serves, not from this host.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host")


async def healthz(request: web.Request) -> web.Response:
    """Status for anyone (one `SELECT 1`); the details (database backend, the read replica if set, channels and
    their state, version) for a caller on this host or with the health token."""
    db = request.app[DB_KEY]
    database_ok = await db.ping()
    status = 200 if database_ok else 503
    if not may_see_details(request):
        return web.json_response({"status": "ok" if database_ok else "unavailable"}, status=status)
    probes: dict[str, HealthProbe] = request.app[PROBES_KEY]
    channels = {name: await probe() for name, probe in probes.items()}
    database: dict[str, object] = {"reachable": database_ok, "backend": db.dialect}
    replica_ok = await db.replica.ping() if db.replica is not None else True
    if db.replica is not None:  # the office's heavy pages read the primary while it is away
        database["replica"] = {"reachable": replica_ok}
    healthy = database_ok and replica_ok and all(state.get("ok", True) for state in channels.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "channels": channels,
        "version": __version__,
        "event_loop": type(asyncio.get_running_loop()).__module__.partition(".")[0],  # "uvloop" or "asyncio"
    }
    return web.json_response(body, status=status)


def may_see_details(request: web.Request) -> bool:
    """True for the right KOPSEHAT_HEALTH_TOKEN (header or `?token=`), or a direct call from this host."""
    expected = request.app.get(HEALTH_TOKEN_KEY)
    if expected:
        given = request.headers.get(HEALTH_TOKEN_HEADER) or request.query.get("token") or ""
        bearer = request.headers.get(hdrs.AUTHORIZATION, "")
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            return True
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        return request.remote is not None and ipaddress.ip_address(request.remote).is_loopback
    except ValueError:  # a Unix socket: the proxy in front decides who reaches it
        return False


def make_app(
    db: Database, probes: dict[str, HealthProbe] | None = None, *, health_token: str | None = None
) -> web.Application:
    """The HTTP application; channels add their routes and health probes before it starts."""
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[DB_KEY] = db
    app[PROBES_KEY] = dict(probes or {})
    if health_token:
        app[HEALTH_TOKEN_KEY] = health_token
    # aiohttp puts its default Server header on every response, also on the 400s of its HTTP parser that no
    # application hook sees: its module-wide default is the one place that covers them all.
    setattr(web_response, "SERVER_SOFTWARE", SERVER_NAME)  # noqa: B010
    app.router.add_get("/healthz", healthz)
    return app
