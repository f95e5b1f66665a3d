"""Office web app: trainings and announcements (create, preview with who is reached, send; the fake Telegram API gets
the messages), editing, invitations sent again, the participants' workbook, the audit log, and who may do what."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp import FormData
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.channels.telegram.outbound import TelegramSender
from bot.config import Settings
from bot.delivery.worker import Delivery
from bot.domain.health.rules import default_rules
from bot.services import trainings
from bot.services.form_keys import new_key
from bot.web.app import make_app
from bot.web.office import add_office
from storage.db import Database
from storage.models import Announcement, OutboxMessage, Training
from tests.channels.test_telegram_out import make_test_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram
from tests.web.city import build_city
from tests.web.conftest import AiohttpClient, Office

WIB = ZoneInfo("Asia/Jakarta")
MAGERSARI_CHATS = [str(9000 + i) for i in range(0, 12, 2)]  # the officers of Magersari with a Telegram account


@pytest.fixture
async def office(db: Database, aiohttp_client: AiohttpClient) -> Office:
    """The office web app with the small city, quiet hours off (the messages go at once, whatever the hour)."""
    city = await build_city(db)
    app = make_app(db)
    settings = Settings(database_url=db.url, quiet_hours="", _env_file=None)  # type: ignore[call-arg]
    add_office(app, db, settings, default_rules())
    return Office(await aiohttp_client(app), db, city)


def local(days: int, clock: str) -> str:
    """A datetime-local field's value, `days` from now in WIB."""
    day = datetime.now(WIB).date() + timedelta(days=days)
    return f"{day:%Y-%m-%d}T{clock}"


def training_fields(**changes: str) -> dict[str, str]:
    fields = {
        "title": "Bimtek Laporan Keuangan",
        "kind": "bimtek",
        "start": local(7, "09:00"),
        "end": local(7, "12:00"),
        "place": "Aula Dinas Koperasi",
        "capacity": "30",
        "deadline": "",
        "segment": "kecamatan:Magersari",
    }
    return fields | changes


async def deliver(db: Database, fake: FakeTelegram) -> None:
    """Send what is due on Telegram, as the running service's delivery would."""
    async with make_test_bot(fake) as bot:
        delivery = Delivery(db, {}, concurrency=2)
        delivery.senders["telegram"] = TelegramSender(bot, chunk_interval=0, media=delivery.platform_ids)
        await delivery.drain_once()


async def count(db: Database, model: type[Training] | type[Announcement]) -> int:
    async with db.reading() as repos:
        return int(await repos.session.scalar(select(func.count(model.id))) or 0)


async def post(office: Office, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
    """POST with the session's CSRF token and, as a form just opened, a new one-time key (`fields` may bring its own);
    (status, final path, body) after following a redirect."""
    response = await office.client.post(path, data={"csrf": await office.csrf(), "kunci": new_key(), **fields})
    return response.status, response.url.path, await response.text()


def texts_to(fake: FakeTelegram, chats: list[str]) -> list[str]:
    return ["\n".join(fake.sent_texts(chat)) for chat in chats]


async def test_a_training_is_checked_previewed_saved_and_its_invitations_reach_telegram(
    office: Office, fake_telegram: FakeTelegram
) -> None:
    await office.sign_in("ibu.admin")
    page = await office.client.get("/kantor/pelatihan/baru")
    assert page.status == 200 and 'name="segment"' in await page.text()

    bad = training_fields(title="Bi", start=local(-1, "09:00"), capacity="banyak", segment="kecamatan:Atlantis")
    status, _, body = await post(office, "/kantor/pelatihan/baru", bad | {"aksi": "simpan"})
    assert status == 400
    assert "Isi judul, paling sedikit 3 huruf." in body
    assert "Waktu mulai sudah lewat" in body
    assert "Kuota berupa angka 1 sampai 100.000" in body
    assert "Atlantis" in re.search(r'id="masalah-segment"[^>]*>([^<]*)<', body).group(1)  # type: ignore[union-attr]
    assert 'value="banyak"' in body and 'value="Bi"' in body, "what was typed is kept"
    assert 'id="simpan"' not in body
    assert await count(office.db, Training) == 0, "nothing half-saved"

    status, _, body = await post(office, "/kantor/pelatihan/baru", training_fields() | {"aksi": "pratinjau"})
    assert status == 200
    assert "6 pengurus dari 12 koperasi akan menerimanya sekarang." in body
    assert re.search(r'id="alasan-no_account">6 belum punya akun chat', body)
    assert "Simpan dan kirim undangan ke 6 pengurus" in body
    assert await count(office.db, Training) == 0, "a preview saves nothing"

    status, path, body = await post(office, "/kantor/pelatihan/baru", training_fields() | {"aksi": "simpan"})
    assert status == 200 and re.fullmatch(r"/kantor/pelatihan/[0-9]+", path)
    assert "12 pesan: 0 terkirim" in body and "6 menunggu" in body
    assert re.search(r'id="waktu">[A-Z][a-z]+, [0-9]+ [A-Za-z]+ 20[0-9]{2} 09\.00 WIB – 12\.00 WIB<', body)

    await deliver(office.db, fake_telegram)
    for text in texts_to(fake_telegram, MAGERSARI_CHATS):
        assert "Bimtek Laporan Keuangan" in text and "Aula Dinas Koperasi" in text
    assert fake_telegram.sent_texts("9012") == [], "Prajurit Kulon is not in the segment"
    body = await (await office.client.get(path)).text()
    assert "12 pesan: 6 terkirim" in body and "6 gagal" in body
    assert body.count(">Terkirim<") == 6 and body.count("Belum punya akun chat") == 6
    listing = await (await office.client.get("/kantor/pelatihan")).text()
    assert "Bimtek Laporan Keuangan" in listing and path in listing


async def test_editing_tells_the_registered_and_a_wider_segment_invites_only_the_new_ones(
    office: Office, fake_telegram: FakeTelegram
) -> None:
    await office.sign_in("ibu.admin")
    _, path, _ = await post(office, "/kantor/pelatihan/baru", training_fields() | {"aksi": "simpan"})
    training_id = int(path.rsplit("/", 1)[1])
    async with office.db.transaction() as repos:
        officer = (await repos.officers.active())[0]  # Koperasi KSP Nomor 01, on Telegram as 9000
        await trainings.register(repos, training_id, officer.id, datetime.now(UTC))
    await deliver(office.db, fake_telegram)

    edit = await (await office.client.get(f"{path}/ubah")).text()
    assert 'value="Aula Dinas Koperasi"' in edit and f'value="{local(7, "09:00")}"' in edit
    moved = training_fields(start=local(8, "13:00"), end=local(8, "15:00"), segment="semua")
    status, _, body = await post(office, f"{path}/ubah", moved | {"aksi": "pratinjau"})
    assert status == 200 and "12 pengurus dari 24 koperasi" in body
    status, final, body = await post(office, f"{path}/ubah", moved | {"aksi": "simpan"})
    assert final == path
    assert "kini menjangkau 12 pengurus; 6 di antaranya belum diundang" in body, body[body.find("undangan") :][:900]
    await deliver(office.db, fake_telegram)
    assert "ada perubahan pada" in fake_telegram.sent_texts("9000")[-1], "the registered officer is told"

    status, final, body = await post(office, f"{path}/undang", {})
    assert final == path and "0 di antaranya belum diundang" in body
    await deliver(office.db, fake_telegram)
    assert any("Bimtek Laporan Keuangan" in t for t in fake_telegram.sent_texts("9012")), "Prajurit Kulon now"
    assert sum("Daftar" in str(c.params) for c in fake_telegram.calls_to("sendMessage")) == 12, "none twice"


async def test_the_participants_workbook_has_indonesian_headers_nik_and_local_times(office: Office) -> None:
    await office.sign_in("ibu.admin")
    _, path, _ = await post(office, "/kantor/pelatihan/baru", training_fields(segment="semua") | {"aksi": "simpan"})
    training_id = int(path.rsplit("/", 1)[1])
    attended = datetime(2026, 11, 19, 2, 30, tzinfo=UTC)
    async with office.db.transaction() as repos:
        officers = await repos.officers.active()
        by_coop = {o.cooperative_id: o for o in officers}
        first, last = officers[0], by_coop[max(by_coop)]  # the last cooperative keeps WITA
        await trainings.register(repos, training_id, first.id, datetime.now(UTC))
        await repos.trainings.record_attendance(training_id, None, last.id, attended)  # came without registering
    response = await office.client.get(f"{path}/peserta.xlsx")
    assert response.status == 200 and response.content_type.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(await response.read()))
    sheet = book["Peserta"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("NIK", "Nama koperasi", "Nama pengurus", "Jabatan", "Status")
    assert rows[1][0] == office.city.niks["Koperasi KSP Nomor 01"] and rows[1][4] == "Terdaftar"
    assert rows[2][0] == office.city.niks["Koperasi PRODUSEN Nomor 24"] and rows[2][4] == "Hadir tanpa daftar"
    assert rows[2][6] == datetime(2026, 11, 19, 10, 30) and rows[2][7] == "WITA", "the cooperative's local time"
    assert sheet.freeze_panes == "A2"
    invitations = list(book["Undangan"].iter_rows(values_only=True))
    assert invitations[0][3] == "Status kirim" and len(invitations) == 25


async def test_an_announcement_is_previewed_sent_and_each_recipients_delivery_shown(
    office: Office, fake_telegram: FakeTelegram
) -> None:
    await office.sign_in("ibu.admin")
    segment = f"belum-lapor:{office.city.open_period}"
    status, _, body = await post(office, "/kantor/pengumuman/baru", {"text": "Hai", "segment": "jenis:", "at": "x"})
    assert status == 400
    assert "paling sedikit 5 huruf" in body and 'id="masalah-segment"' in body and 'id="masalah-at"' in body
    assert ">Hai</textarea>" in body and await count(office.db, Announcement) == 0

    fields = {"text": "Batas laporan tanggal 10. Mohon segera melapor.", "segment": segment, "at": ""}
    status, _, body = await post(office, "/kantor/pengumuman/baru", fields | {"aksi": "pratinjau"})
    missing = [i for i in range(24) if i % 3 == 2]  # the cooperatives without a report for the open period
    reachable = [str(9000 + i) for i in missing if i % 2 == 0]
    assert status == 200 and f"{len(reachable)} pengurus dari {len(missing)} koperasi" in body
    assert f"Kirim ke {len(reachable)} pengurus sekarang" in body and await count(office.db, Announcement) == 0

    status, path, body = await post(office, "/kantor/pengumuman/baru", fields | {"aksi": "kirim"})
    assert status == 200 and re.fullmatch(r"/kantor/pengumuman/[0-9]+", path)
    await deliver(office.db, fake_telegram)
    for text in texts_to(fake_telegram, reachable):
        assert "Mohon segera melapor." in text
    assert fake_telegram.sent_texts("9000") == [], "a cooperative that reported is not told"
    body = await (await office.client.get(path)).text()
    assert f"{len(missing)} pesan: {len(reachable)} terkirim" in body
    assert body.count(">Terkirim<") == len(reachable)
    assert body.count("Belum punya akun chat") == len(missing) - len(reachable)

    later = fields | {"at": local(2, "08:00"), "text": "Rapat koordinasi lusa."}
    status, path, body = await post(office, "/kantor/pengumuman/baru", later | {"aksi": "kirim"})
    assert status == 200 and "Terjadwal" in body
    await deliver(office.db, fake_telegram)
    assert not any("Rapat koordinasi" in t for t in texts_to(fake_telegram, reachable)), "held until its time"
    listing = await (await office.client.get("/kantor/pengumuman")).text()
    assert "Rapat koordinasi lusa." in listing and "Mohon segera melapor." in listing


async def test_a_viewer_reads_but_has_no_buttons_and_a_forged_post_changes_nothing(office: Office) -> None:
    await office.sign_in("ibu.admin")
    _, path, _ = await post(office, "/kantor/pelatihan/baru", training_fields() | {"aksi": "simpan"})
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("bu.pemantau")
    for page in ("/kantor/pelatihan", path, "/kantor/pengumuman"):
        body = await (await office.client.get(page)).text()
        assert 'id="baru"' not in body and 'id="undang"' not in body and 'id="ubah"' not in body
        assert 'id="buat-kode"' not in body
    assert (await office.client.get("/kantor/pelatihan/baru")).status == 403
    assert (await office.client.get(f"{path}/peserta.xlsx")).status == 200, "a viewer reads the participants"
    before = await count(office.db, Training)
    for target, fields in (
        ("/kantor/pelatihan/baru", training_fields() | {"aksi": "simpan"}),
        (f"{path}/undang", {}),
        (f"{path}/kode", {}),
        ("/kantor/pengumuman/baru", {"text": "Pengumuman palsu", "segment": "semua", "aksi": "kirim"}),
    ):
        status, _, _ = await post(office, target, fields)
        assert status == 403, target
    assert await count(office.db, Training) == before and await count(office.db, Announcement) == 0
    assert (await office.client.get("/kantor/audit")).status == 404


async def test_a_pembina_works_only_in_their_kecamatan_and_forged_ids_are_not_found(office: Office) -> None:
    await office.sign_in("ibu.admin")
    everyone = training_fields(segment="semua")
    _, city_wide, _ = await post(office, "/kantor/pelatihan/baru", everyone | {"aksi": "simpan"})
    await post(office, "/kantor/pengumuman/baru", {"text": "Untuk seluruh kota.", "segment": "semua", "aksi": "kirim"})
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})

    await office.sign_in("pak.pembina")
    status, _, body = await post(office, "/kantor/pelatihan/baru", everyone | {"aksi": "pratinjau"})
    assert "6 pengurus dari 12 koperasi" in body, "semua means all of Magersari for its pembina"
    _, own, body = await post(office, "/kantor/pelatihan/baru", everyone | {"aksi": "simpan"})
    assert (await office.client.get(own)).status == 200
    listing = await (await office.client.get("/kantor/pelatihan")).text()
    assert own in listing and f'href="{city_wide}"' not in listing
    for forged in (city_wide, f"{city_wide}/ubah", f"{city_wide}/peserta.xlsx", "/kantor/pelatihan/999999"):
        assert (await office.client.get(forged)).status == 404, forged
    for forged in (f"{city_wide}/undang", f"{city_wide}/kode", f"{city_wide}/ubah"):
        status, _, _ = await post(office, forged, training_fields() | {"aksi": "simpan"})
        assert status == 404, forged
    async with office.db.reading() as repos:
        announcement = (await repos.announcements.recent(1))[0]
        changed = await repos.trainings.get(int(city_wide.rsplit("/", 1)[1]))
    assert changed is not None and changed.title == "Bimtek Laporan Keuangan"
    assert (await office.client.get(f"/kantor/pengumuman/{announcement.id}")).status == 404
    assert "Untuk seluruh kota." not in await (await office.client.get("/kantor/pengumuman")).text()
    assert (await office.client.get("/kantor/audit")).status == 404


async def test_the_audit_log_is_for_admins_newest_first_in_local_time_and_paged(office: Office) -> None:
    async with office.db.transaction() as repos:
        for n in range(60):
            await repos.audit.add("system", "test.entry", f"thing:{n}")
    await office.sign_in("ibu.admin")
    await post(office, "/kantor/pelatihan/baru", training_fields() | {"aksi": "simpan"})
    body = await (await office.client.get("/kantor/audit")).text()
    assert "training.created" in body and "Ibu Admin" in body and "WIB" in body
    assert "Halaman 1 dari 2" in body
    second = await (await office.client.get("/kantor/audit?hal=2")).text()
    assert "Halaman 2 dari 2" in second and "training.created" not in second
    assert (await office.client.get("/kantor/audit?hal=abc")).status == 200


async def test_a_fresh_attendance_code_is_shown_once_and_works_in_the_chat_service(office: Office) -> None:
    await office.sign_in("ibu.admin")
    start = datetime.now(WIB) + timedelta(hours=1)
    fields = training_fields(
        start=start.strftime("%Y-%m-%dT%H:%M"), end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    _, path, _ = await post(office, "/kantor/pelatihan/baru", fields | {"aksi": "simpan"})
    status, _, body = await post(office, f"{path}/kode", {})
    found = re.search(r"HADIR ([A-Z0-9]{6})", body)
    assert status == 200 and found is not None
    async with office.db.transaction() as repos:
        officer = (await repos.officers.active())[0]
        training, new = await trainings.check_in(
            repos, found.group(1), officer.id, officer.cooperative_id, datetime.now(UTC)
        )
    assert training is not None and new
    assert "1 hadir" in await (await office.client.get(path)).text()


async def test_outbox_rows_of_a_training_are_only_its_own(office: Office) -> None:
    """Two trainings: each page counts its own invitations only."""
    await office.sign_in("ibu.admin")
    paths = [
        (await post(office, "/kantor/pelatihan/baru", training_fields(title=f"Kelas {n}") | {"aksi": "simpan"}))[1]
        for n in range(2)
    ]
    async with office.db.reading() as repos:
        total = await repos.session.scalar(select(func.count(OutboxMessage.id)))
    assert total == 24
    for path in paths:
        assert "12 pesan" in await (await office.client.get(path)).text()


async def test_an_admin_editing_a_pembinas_training_keeps_it_in_their_kecamatan(office: Office) -> None:
    await office.sign_in("pak.pembina")
    _, path, _ = await post(office, "/kantor/pelatihan/baru", training_fields(segment="semua") | {"aksi": "simpan"})
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("ibu.admin")
    renamed = training_fields(title="Klinik Magersari", segment="semua")
    _, final, body = await post(office, f"{path}/ubah", renamed | {"aksi": "simpan"})
    assert final == path and "Klinik Magersari" in body
    assert "kini menjangkau 6 pengurus; 0 di antaranya belum diundang" in body, "still Magersari's 6, not the city's"
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("pak.pembina")
    assert (await office.client.get(path)).status == 200


PDF = b"%PDF-1.7\n" + b"0" * 50_000


async def test_an_announcement_carries_a_file_checked_like_the_command_lines_and_a_forged_one_is_dropped(
    office: Office, fake_telegram: FakeTelegram
) -> None:
    await office.sign_in("ibu.admin")
    fields = {"text": "Edaran RAT 2026 terlampir.", "segment": "jenis:ksp", "at": "", "csrf": await office.csrf()}

    def form(name: str, data: bytes, **more: str) -> FormData:
        sent = FormData(fields | more)
        sent.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
        return sent

    response = await office.client.post("/kantor/pengumuman/baru", data=form("edaran.pdf", b"<html>", aksi="kirim"))
    body = await response.text()
    assert response.status == 400 and "bukan berkas PDF yang sah" in body and 'id="masalah-file"' in body
    assert await count(office.db, Announcement) == 0

    response = await office.client.post("/kantor/pengumuman/baru", data=form("edaran.pdf", PDF, aksi="pratinjau"))
    body = await response.text()
    ref = re.search(r'name="file_ref" value="([^"]+)"', body)
    assert response.status == 200 and ref is not None and "edaran.pdf" in body
    assert await count(office.db, Announcement) == 0

    forged = ref.group(1).split(":")[0] + ":" + "0" * 64
    status, _, body = await post(office, "/kantor/pengumuman/baru", fields | {"file_ref": forged, "aksi": "pratinjau"})
    assert status == 200 and 'name="file_ref"' not in body, "a stored file is only used with its own SHA-256"

    status, path, body = await post(
        office, "/kantor/pengumuman/baru", fields | {"file_ref": ref.group(1), "aksi": "kirim"}
    )
    assert re.fullmatch(r"/kantor/pengumuman/[0-9]+", path) and "edaran.pdf" in body
    await deliver(office.db, fake_telegram)
    documents = [c for c in fake_telegram.calls_to("sendDocument") if c.status == 200]
    assert len(documents) == 6, "each KSP officer on Telegram gets the circular"

    big = FormData(fields | {"aksi": "pratinjau"})
    big.add_field("file", io.BytesIO(b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024)), filename="besar.pdf")
    response = await office.client.post("/kantor/pengumuman/baru", data=big)
    assert response.status == 413 and "Berkas terlalu besar" in await response.text()
