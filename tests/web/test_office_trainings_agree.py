"""A staff member sees the same trainings in the chat's `pelatihan` as on the office web app's list, through one rule
(`access.training_in_area`): a pembina, those kept to their kecamatan; an admin, every one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.handlers.chat import NOW, Clock, User, dispatcher, invite
from tests.web.conftest import Office
from tests.web.test_office_ops import office, post, training_fields

__all__ = ["office"]  # the fixture: the small city, quiet hours off


async def in_chat(office: Office, login: str, role: str) -> str:
    """What `pelatihan` answers this staff member in chat (registered with a staff invitation, the clock at now)."""
    now = datetime.now(UTC)
    code = await invite(office.db, None, role, staff_id=office.city.logins[login], expires=now - NOW + timedelta(1))
    user = User(dispatcher(office.db, Clock(now)), f"staff-{login}")
    await user.say(f"DAFTAR {code}")
    return await user.say("pelatihan")


async def test_a_pembina_sees_the_same_trainings_in_chat_and_on_the_web(office: Office) -> None:
    await office.sign_in("ibu.admin")
    city = training_fields(title="Bimtek Seluruh Kota", segment="semua") | {"aksi": "simpan"}
    assert (await post(office, "/kantor/pelatihan/baru", city))[0] == 200
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("pak.pembina")
    own = training_fields(title="Klinik Magersari", segment="semua") | {"aksi": "simpan"}
    assert (await post(office, "/kantor/pelatihan/baru", own))[0] == 200

    web = await (await office.client.get("/kantor/pelatihan")).text()
    chat = await in_chat(office, "pak.pembina", "pembina")
    for shown in (web, chat):
        assert "Klinik Magersari" in shown and "Bimtek Seluruh Kota" not in shown
    admin = await in_chat(office, "ibu.admin", "admin")
    assert "Klinik Magersari" in admin and "Bimtek Seluruh Kota" in admin
