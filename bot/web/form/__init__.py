"""The report form on the phone, /formulir/{token}: one screen per section, on the report service (the same draft,
parser and checks as the chat); its *Kirim* is done in the officer's chat, where the score arrives."""

from __future__ import annotations

from importlib.resources import files

from aiohttp import web

from bot.chat.dispatch import Dispatcher
from bot.config import Settings
from bot.domain.health.rules import Rules
from bot.services.form_links import FORM_PATH
from bot.services.keys import configure
from bot.web.form import pages
from bot.web.form.context import FORM, FormDoor, Send
from storage.db import Database

STATIC = {name: files("bot.web").joinpath(f"static/{name}").read_bytes() for name in ("formulir.css", "formulir.js")}


async def static(request: web.Request) -> web.Response:
    """The form's stylesheet and its small optional script (no inline styles or scripts: the CSP forbids them)."""
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    response = web.Response(body=STATIC[name], content_type=kind, headers={"Cache-Control": "max-age=3600"})
    response.headers.update(pages.HEADERS)
    return response


def add_form(
    app: web.Application, db: Database, settings: Settings, rules: Rules, dispatcher: Dispatcher, send: Send
) -> None:
    """Mount the form on `app` (before it starts); `send` sends the replies its *Kirim* leaves in the outbox."""
    configure(settings.secret_key.get_secret_value() if settings.secret_key else None)
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
    app[FORM] = FormDoor(db, rules, dispatcher, send, token, settings.language)
    app.router.add_get(f"{FORM_PATH}static/{{name}}", static)
    app.router.add_get(f"{FORM_PATH}{{token}}", pages.show)
    app.router.add_post(f"{FORM_PATH}{{token}}", pages.save)
