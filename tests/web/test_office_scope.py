"""The office's session and `guard` wrap the office (/kantor) and nothing else on the server: the webhooks beside it
do not pass through them, while every office address still does (sign-in, CSRF, security headers, its own pages)."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.domain.health.rules import default_rules
from bot.web.app import make_app
from bot.web.office import add_office
from bot.web.office.security import HEADERS
from storage.db import Database
from tests.web.conftest import AiohttpClient, Office, office_settings


async def test_a_webhook_beside_the_office_passes_through_none_of_its_middlewares(
    db: Database, aiohttp_client: AiohttpClient
) -> None:
    async def hook(request: web.Request) -> web.Response:  # where a webhook is: a route of the server's own app
        try:
            await get_session(request)  # aiohttp_session: only under its middleware
        except RuntimeError:
            return web.Response(text="no session middleware")
        return web.Response(text="under the session middleware")

    app = make_app(db)
    add_office(app, db, office_settings(db), default_rules())
    app.router.add_post("/whatsapp/webhook", hook)
    client = await aiohttp_client(app)
    answer = await client.post("/whatsapp/webhook", data=b"{}", headers={"Cookie": "kopsehat_kantor=x"})
    assert answer.status == 200 and await answer.text() == "no session middleware"
    assert not set(HEADERS) & set(answer.headers)  # nor `guard`, whose headers every office answer has
    page = await client.get("/kantor/masuk")
    assert page.status == 200 and all(page.headers[name] == value for name, value in HEADERS.items())
    assert "Masuk ke kantor kopsehat" in await page.text()


async def test_every_office_address_is_still_guarded(office: Office) -> None:
    bare = await office.client.get("/kantor", allow_redirects=False)  # without its slash, signed out: to sign in
    assert bare.status == 303 and bare.headers["Location"] == "/kantor/masuk"
    pages = await office.client.get("/kantor/koperasi")  # signed out: to the login page, with the headers
    assert str(pages.url).endswith("/kantor/masuk") and pages.headers["X-Frame-Options"] == "DENY"
    for method, path in (("POST", "/kantor/audit"), ("POST", "/kantor/koperasi/1/catatan"), ("POST", "/kantor/")):
        refused = await office.client.request(method, path, data={"catatan": "x"})  # no CSRF token, no session
        assert refused.status == 403, path
        assert all(refused.headers[name] == value for name, value in HEADERS.items())
    unknown = await office.client.get("/kantor/tidak-ada")  # signed out: to sign in, as any office page
    assert str(unknown.url).endswith("/kantor/masuk")
    await office.sign_in("ibu.admin")
    assert (await office.client.post("/kantor/koperasi/1/catatan", data={"csrf": "x" * 43})).status == 403
    missing = await office.client.get("/kantor/tidak-ada")  # the office's own page, not aiohttp's
    assert missing.status == 404 and "text/html" in missing.headers["Content-Type"]
    assert all(missing.headers[name] == value for name, value in HEADERS.items())
    overview = await office.client.get("/kantor", allow_redirects=False)
    assert overview.status == 303 and overview.headers["Location"] == "/kantor/"
