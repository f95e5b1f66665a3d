"""The office's forms that make something make it once: a new training or announcement posted twice with the same
one-time key (a double click, the back button, a retry on a slow network) is one row, one set of messages, and the
second answer leads to the first one's page; two forms opened apart make two."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from bot.services.form_keys import new_key
from storage.models import ActionPlan, Announcement, CoachingEntry, OutboxMessage, Training
from tests.web.conftest import Office
from tests.web.test_office_ops import count, office, post, training_fields

__all__ = ["office"]  # the fixture: the small city, quiet hours off


async def outbox(office: Office) -> int:
    async with office.db.reading() as repos:
        return int(await repos.session.scalar(select(func.count(OutboxMessage.id))) or 0)


async def opened(office: Office, path: str) -> str:
    """The one-time key rendered into the form at `path`."""
    found = re.search(r'name="kunci" value="([A-Za-z0-9_-]+)"', await (await office.client.get(path)).text())
    assert found is not None, path
    return found.group(1)


async def test_a_training_posted_twice_is_saved_and_invited_once(office: Office) -> None:
    await office.sign_in("ibu.admin")
    key = await opened(office, "/kantor/pelatihan/baru")
    fields = training_fields() | {"kunci": key}
    status, _, body = await post(office, "/kantor/pelatihan/baru", fields | {"aksi": "pratinjau"})
    assert status == 200 and f'name="kunci" value="{key}"' in body, "the preview keeps the form's key"

    status, first, _ = await post(office, "/kantor/pelatihan/baru", fields | {"aksi": "simpan"})
    assert status == 200 and re.fullmatch(r"/kantor/pelatihan/[0-9]+", first)
    messages = await outbox(office)
    assert messages > 0
    status, second, body = await post(office, "/kantor/pelatihan/baru", fields | {"aksi": "simpan"})
    assert (status, second) == (200, first) and "Bimtek Laporan Keuangan" in body
    assert await count(office.db, Training) == 1 and await outbox(office) == messages

    other = await opened(office, "/kantor/pelatihan/baru")
    assert other != key
    _, third, _ = await post(office, "/kantor/pelatihan/baru", fields | {"kunci": other, "aksi": "simpan"})
    assert third != first and await count(office.db, Training) == 2


async def test_an_announcement_posted_twice_is_sent_once(office: Office) -> None:
    await office.sign_in("ibu.admin")
    key = await opened(office, "/kantor/pengumuman/baru")
    fields = {"text": "Rapat anggota tahunan paling lambat Juni.", "segment": "semua", "at": "", "kunci": key}
    status, first, _ = await post(office, "/kantor/pengumuman/baru", fields | {"aksi": "kirim"})
    assert status == 200 and re.fullmatch(r"/kantor/pengumuman/[0-9]+", first)
    messages = await outbox(office)
    status, second, body = await post(office, "/kantor/pengumuman/baru", fields | {"aksi": "kirim"})
    assert (status, second) == (200, first) and "Rapat anggota tahunan" in body
    assert await count(office.db, Announcement) == 1 and await outbox(office) == messages

    _, third, _ = await post(office, "/kantor/pengumuman/baru", fields | {"kunci": new_key(), "aksi": "kirim"})
    assert third != first and await count(office.db, Announcement) == 2


async def test_a_form_without_its_key_is_shown_again_with_one_and_anothers_key_is_refused(office: Office) -> None:
    await office.sign_in("ibu.admin")
    fields = training_fields() | {"aksi": "simpan"}
    response = await office.client.post("/kantor/pelatihan/baru", data={"csrf": await office.csrf(), **fields})
    body = await response.text()
    assert response.status == 400 and "tekan tombolnya sekali lagi" in body and 'id="simpan"' in body
    assert re.search(r'name="kunci" value="[A-Za-z0-9_-]{16,}"', body) and await count(office.db, Training) == 0

    key = new_key()
    await post(office, "/kantor/pelatihan/baru", fields | {"kunci": key})
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("pak.pembina")
    status, _, _ = await post(office, "/kantor/pelatihan/baru", fields | {"kunci": key})
    assert status == 403 and await count(office.db, Training) == 1
    # an announcement's form cannot reuse a training's key either
    text = {"text": "Salah kunci", "segment": "semua", "at": "", "kunci": key, "aksi": "kirim"}
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("ibu.admin")
    status, _, _ = await post(office, "/kantor/pengumuman/baru", text)
    assert status == 403 and await count(office.db, Announcement) == 0


async def test_a_double_click_saves_one_training(office: Office) -> None:
    """Two POSTs of one form at the same moment: the second waits for the first's key (PostgreSQL's unique key; on
    SQLite, the one writer), then leads to its training."""
    await office.sign_in("ibu.admin")
    fields = training_fields() | {"kunci": new_key(), "aksi": "simpan", "csrf": await office.csrf()}
    first, second = await asyncio.gather(*(office.client.post("/kantor/pelatihan/baru", data=fields) for _ in "ab"))
    assert first.status == second.status == 200 and first.url.path == second.url.path
    assert await count(office.db, Training) == 1


async def test_a_plan_or_a_note_posted_twice_is_added_once(office: Office) -> None:
    await office.sign_in("pak.pembina")
    record = f"/kantor/koperasi/{office.city.niks['Koperasi KSP Nomor 01']}"
    html = await (await office.client.get(record)).text()
    note_key, plan_key = re.findall(r'name="kunci" value="([A-Za-z0-9_-]+)"', html)
    assert note_key != plan_key, "each form has its own key"
    plan = {"apa": "Tagih pinjaman macet", "siapa": "Bendahara", "tenggat": "15 Desember 2030", "kunci": plan_key}
    for _ in range(2):
        status, path, body = await post(office, f"{record}/rencana", plan)
        assert (status, path) == (200, record) and body.count("Tagih pinjaman macet") == 2  # the table and its form
    for _ in range(2):
        status, path, _ = await post(office, f"{record}/catatan", {"catatan": "Kunjungan ke kantor", "kunci": note_key})
        assert (status, path) == (200, record)
    async with office.db.reading() as repos:
        plans = await repos.session.scalar(select(func.count(ActionPlan.id)))
        notes = await repos.session.scalar(select(func.count(CoachingEntry.id)))
    assert (plans, notes) == (1, 1)

    response = await office.client.post(
        f"{record}/rencana", data={"csrf": await office.csrf(), **plan, "kunci": "", "apa": "Rapat pengurus"}
    )
    body = await response.text()
    assert response.status == 400 and "tekan tombolnya sekali lagi" in body and 'value="Rapat pengurus"' in body
    async with office.db.reading() as repos:
        assert await repos.session.scalar(select(func.count(ActionPlan.id))) == 1
