"""Signing in to the office web app: links once and for 15 minutes, cookies, CSRF, limits, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.domain.health.rules import default_rules
from bot.services.form_keys import new_key
from bot.services.staff_access import StaffAccessService
from bot.web.app import make_app
from bot.web.office import add_office
from storage.models import StaffLoginLink
from tests.web.conftest import AiohttpClient, Office, office_settings


async def test_without_a_session_the_office_sends_to_the_login_page(office: Office) -> None:
    response = await office.client.get("/kantor/", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/kantor/masuk"
    page = await office.client.get("/kantor/koperasi")
    assert str(page.url).endswith("/kantor/masuk") and "Masuk ke kantor kopsehat" in await page.text()


async def test_a_login_link_opens_a_session_once(office: Office) -> None:
    path = await office.link("ibu.admin")
    assert path.startswith("/kantor/masuk/")
    first = await office.client.get(path, allow_redirects=False)
    assert first.status == 303 and first.headers["Location"] == "/kantor/"
    cookie = first.headers["Set-Cookie"]
    assert "kopsehat_kantor=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/kantor" in cookie and "Secure" not in cookie  # http here; see the https test
    overview = await office.client.get("/kantor/")
    assert overview.status == 200 and "Ibu Admin" in await overview.text()
    office.client.session.cookie_jar.clear()
    again = await office.client.get(path)
    assert again.status == 403 and "sudah dipakai atau sudah kedaluwarsa" in await again.text()
    assert (await office.client.get("/kantor/", allow_redirects=False)).status == 303


async def test_a_link_expires_after_15_minutes_and_only_its_hash_is_stored(office: Office) -> None:
    path = await office.link("ibu.admin")
    token = path.rsplit("/", 1)[1]
    async with office.db.transaction() as repos:
        stored = list((await repos.session.scalars(select(StaffLoginLink))).all())
        assert stored and all(token not in row.token_hash for row in stored)
        made = stored[-1].created_at
        assert stored[-1].expires_at - made <= timedelta(minutes=15, seconds=1)
        await repos.session.execute(update(StaffLoginLink).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    response = await office.client.get(path, allow_redirects=False)
    assert response.status == 403


async def test_a_link_preview_does_not_use_up_the_link(office: Office) -> None:
    path = await office.link("ibu.admin")
    preview = await office.client.get(path, headers={"User-Agent": "TelegramBot (like TwitterBot)"})
    assert preview.status == 200 and "kopsehat_kantor" not in preview.headers.get("Set-Cookie", "")
    assert (await office.client.get(path, allow_redirects=False)).status == 303


async def test_secure_cookie_when_the_public_url_is_https(db, aiohttp_client: AiohttpClient) -> None:  # type: ignore[no-untyped-def]
    from tests.web.city import build_city

    await build_city(db)
    app = make_app(db)
    add_office(app, db, office_settings(db, "https://kantor.example.id"), default_rules())
    client = await aiohttp_client(app)
    async with db.transaction() as repos:
        link = await StaffAccessService(repos).issue_link("ibu.admin", "https://kantor.example.id", datetime.now(UTC))
    assert link is not None and link.url.startswith("https://kantor.example.id/kantor/masuk/")
    response = await client.get(link.url.removeprefix("https://kantor.example.id"), allow_redirects=False)
    assert response.status == 303 and "Secure" in response.headers["Set-Cookie"]


async def test_security_headers_and_no_trace(office: Office) -> None:
    response = await office.client.get("/kantor/masuk")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    await office.sign_in("ibu.admin")
    missing = await office.client.get("/kantor/koperasi/999999999")
    assert missing.status == 404 and "Traceback" not in await missing.text()


async def test_every_post_needs_its_csrf_token(office: Office) -> None:
    await office.sign_in("ibu.admin")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    without = await office.client.post(f"/kantor/koperasi/{nik}/catatan", data={"catatan": "Kunjungan ke kantor"})
    assert without.status == 403
    forged = await office.client.post(
        f"/kantor/koperasi/{nik}/catatan", data={"catatan": "Kunjungan", "csrf": "x" * 43}
    )
    assert forged.status == 403
    token = await office.csrf(f"/kantor/koperasi/{nik}")
    saved = await office.client.post(
        f"/kantor/koperasi/{nik}/catatan", data={"catatan": "Kunjungan ke kantor", "csrf": token, "kunci": new_key()}
    )
    assert saved.status == 200 and "Kunjungan ke kantor" in await saved.text()
    assert (await office.client.post("/kantor/masuk", data={"login": "ibu.admin", "password": "x"})).status == 403


async def test_password_sign_in_and_the_limit_per_login_and_address(office: Office) -> None:
    async with office.db.transaction() as repos:
        await StaffAccessService(repos).set_password("pak.pembina", "kata-sandi-panjang")
    token = await office.csrf("/kantor/masuk")
    wrong = await office.client.post("/kantor/masuk", data={"login": "pak.pembina", "password": "salah", "csrf": token})
    assert wrong.status == 401 and "belum cocok" in await wrong.text()
    for _ in range(9):
        await office.client.post("/kantor/masuk", data={"login": "pak.pembina", "password": "salah", "csrf": token})
    right = {"login": "pak.pembina", "password": "kata-sandi-panjang", "csrf": token}
    limited = await office.client.post("/kantor/masuk", data=right)
    assert limited.status == 429 and "Terlalu banyak percobaan" in await limited.text()
    link = await office.client.get(await office.link("ibu.admin"), allow_redirects=False)
    assert link.status == 429  # the same address is limited for links too


async def test_password_sign_in_works(office: Office) -> None:
    async with office.db.transaction() as repos:
        await StaffAccessService(repos).set_password("pak.pembina", "kata-sandi-panjang")
    token = await office.csrf("/kantor/masuk")
    data = {"login": "Pak.Pembina", "password": "kata-sandi-panjang", "csrf": token}
    response = await office.client.post("/kantor/masuk", data=data)
    assert response.status == 200 and "Pak Pembina" in await response.text()
    logout = await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()}, allow_redirects=False)
    assert logout.status == 303
    assert (await office.client.get("/kantor/", allow_redirects=False)).status == 303


async def test_a_viewer_reads_but_cannot_post(office: Office) -> None:
    await office.sign_in("bu.pemantau")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    page = await office.client.get(f"/kantor/koperasi/{nik}")
    html = await page.text()
    assert page.status == 200 and 'name="catatan"' not in html
    token = await office.csrf(f"/kantor/koperasi/{nik}")
    forged = await office.client.post(f"/kantor/koperasi/{nik}/catatan", data={"catatan": "coba", "csrf": token})
    assert forged.status == 403
    async with office.db.transaction() as repos:
        from storage.models import CoachingEntry

        assert (await repos.session.scalars(select(CoachingEntry))).first() is None


async def test_a_pembina_sees_only_their_kecamatan(office: Office) -> None:
    await office.sign_in("pak.pembina")
    other = office.city.niks["Koperasi KSP Nomor 13"]  # Prajurit Kulon
    own = office.city.niks["Koperasi KSP Nomor 01"]  # Magersari
    assert (await office.client.get(f"/kantor/koperasi/{other}")).status == 404
    assert (await office.client.get(f"/kantor/koperasi/{own}")).status == 200
    listing = await (
        await office.client.get(f"/kantor/koperasi?kecamatan={office.city.kecamatan['Prajurit Kulon']}")
    ).text()
    assert "0 koperasi" in listing
    everything = await (await office.client.get("/kantor/koperasi")).text()
    assert "12 koperasi" in everything and "Nomor 13" not in everything
    token = await office.csrf(f"/kantor/koperasi/{own}")
    refused = await office.client.post(f"/kantor/koperasi/{other}/catatan", data={"catatan": "coba", "csrf": token})
    assert refused.status == 404
