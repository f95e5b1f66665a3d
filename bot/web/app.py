"""The aiohttp application: health check now; webhooks are added by the channels that are configured."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot import __version__
from storage.db import Database

HealthProbe = Callable[[], Awaitable[dict[str, Any]]]
DB_KEY = web.AppKey("db", Database)
PROBES_KEY = web.AppKey("probes", dict)


async def healthz(request: web.Request) -> web.Response:
    """Status, database reachability, configured channels and their state, version."""
    db = request.app[DB_KEY]
    probes: dict[str, HealthProbe] = request.app[PROBES_KEY]
    database_ok = await db.ping()
    channels = {name: await probe() for name, probe in probes.items()}
    healthy = database_ok and all(state.get("ok", True) for state in channels.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "database": {"reachable": database_ok, "backend": db.dialect},
        "channels": channels,
        "version": __version__,
    }
    return web.json_response(body, status=200 if database_ok else 503)


def make_app(db: Database, probes: dict[str, HealthProbe] | None = None) -> web.Application:
    """The HTTP application; channels add their routes and health probes before it starts."""
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[DB_KEY] = db
    app[PROBES_KEY] = dict(probes or {})
    app.router.add_get("/healthz", healthz)
    return app
