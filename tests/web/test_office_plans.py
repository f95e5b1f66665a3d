"""Action plans and notes on the rekam medis: pembina and admins add and close them, viewers only read."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from bot.services.form_keys import new_key
from storage.models import ActionPlan, AuditEntry, CoachingEntry
from tests.handlers.chat import User, dispatcher
from tests.web.conftest import Office

PLAN = {"apa": "Tagih pinjaman macet 5 anggota terbesar", "siapa": "Bendahara", "tenggat": "15 Desember 2030"}


async def plans(office: Office) -> list[ActionPlan]:
    async with office.db.transaction() as repos:
        return list((await repos.session.scalars(select(ActionPlan).order_by(ActionPlan.id))).all())


async def post(office: Office, path: str, **fields: str) -> tuple[int, str]:
    """POST as from a page just opened: the CSRF token and a new one-time key (`fields` may bring its own)."""
    token = await office.csrf(f"/kantor/koperasi/{office.city.niks['Koperasi KSP Nomor 01']}")
    response = await office.client.post(path, data={"csrf": token, "kunci": new_key(), **fields})
    return response.status, await response.text()


async def test_a_pembina_adds_a_plan_and_a_bad_date_is_refused_beside_its_field(office: Office) -> None:
    await office.sign_in("pak.pembina")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    status, html = await post(office, f"/kantor/koperasi/{nik}/rencana", **{**PLAN, "tenggat": "31 Februari 2030"})
    assert status == 400 and "tulis tenggat sebagai tanggal" in html
    assert 'value="Tagih pinjaman macet 5 anggota terbesar"' in html and 'value="31 Februari 2030"' in html
    assert await plans(office) == []
    status, html = await post(office, f"/kantor/koperasi/{nik}/rencana", **{**PLAN, "siapa": "  "})
    assert status == 400 and "tulis siapa yang mengerjakan" in html and await plans(office) == []

    status, html = await post(office, f"/kantor/koperasi/{nik}/rencana", **PLAN)
    assert status == 200 and "Tagih pinjaman macet 5 anggota terbesar" in html and "Berjalan" in html
    [plan] = await plans(office)
    assert (plan.who, plan.due_on, plan.status) == ("Bendahara", date(2030, 12, 15), "open")
    assert "Tandai selesai" in html and "Belum ada rencana aksi." not in html

    # the officer sees it with `rencana` in chat (the city's Bu Bendahara 1 is on Telegram)
    officer = User(dispatcher(office.db), "9000", "telegram")
    assert "Tagih pinjaman macet 5 anggota terbesar: Bendahara" in await officer.say("rencana")


async def test_marking_done_cancelling_and_overdue(office: Office) -> None:
    await office.sign_in("ibu.admin")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    await post(office, f"/kantor/koperasi/{nik}/rencana", **PLAN)
    await post(office, f"/kantor/koperasi/{nik}/rencana", **{**PLAN, "apa": "Rapat pengurus", "tenggat": "1-1-2020"})
    first, second = await plans(office)
    html = await (await office.client.get(f"/kantor/koperasi/{nik}")).text()
    assert html.count("(lewat tenggat)") == 1 and re.search(r"Rapat pengurus.*?\(lewat tenggat\)", html, re.S)

    status, html = await post(office, f"/kantor/koperasi/{nik}/rencana/{first.id}/selesai")
    assert status == 200 and "Selesai" in html
    status, html = await post(office, f"/kantor/koperasi/{nik}/rencana/{second.id}/batal")
    assert status == 200 and "Dibatalkan" in html and "(lewat tenggat)" not in html and "Tandai selesai" not in html
    assert [p.status for p in await plans(office)] == ["done", "cancelled"]
    async with office.db.transaction() as repos:
        actions = set((await repos.session.scalars(select(AuditEntry.action))).all())
    assert {"clinic.plan_added", "clinic.plan_done", "clinic.plan_cancelled"} <= actions


async def test_a_forged_plan_id_or_another_cooperatives_plan_is_not_found(office: Office) -> None:
    await office.sign_in("ibu.admin")
    own, other = office.city.niks["Koperasi KSP Nomor 01"], office.city.niks["Koperasi USP Nomor 02"]
    await post(office, f"/kantor/koperasi/{other}/rencana", **PLAN)
    [plan] = await plans(office)
    assert (await post(office, f"/kantor/koperasi/{own}/rencana/{plan.id}/selesai"))[0] == 404
    assert (await post(office, f"/kantor/koperasi/{own}/rencana/999999/selesai"))[0] == 404
    assert (await post(office, f"/kantor/koperasi/{own}/rencana/x1/batal"))[0] == 404
    assert (await post(office, f"/kantor/koperasi/{other}/rencana/{plan.id}/hapus"))[0] == 404
    assert [p.status for p in await plans(office)] == ["open"]


async def test_a_viewer_sees_plans_without_forms_and_a_forged_post_is_refused(office: Office) -> None:
    await office.sign_in("ibu.admin")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    await post(office, f"/kantor/koperasi/{nik}/rencana", **PLAN)
    [plan] = await plans(office)
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("bu.pemantau")
    html = await (await office.client.get(f"/kantor/koperasi/{nik}")).text()
    assert "Tagih pinjaman macet 5 anggota terbesar" in html and 'name="apa"' not in html
    assert "Tandai selesai" not in html
    assert (await post(office, f"/kantor/koperasi/{nik}/rencana", **PLAN))[0] == 403
    assert (await post(office, f"/kantor/koperasi/{nik}/rencana/{plan.id}/selesai"))[0] == 403
    assert [p.status for p in await plans(office)] == ["open"]


async def test_a_pembina_cannot_touch_another_kecamatan(office: Office) -> None:
    await office.sign_in("ibu.admin")
    other = office.city.niks["Koperasi KSP Nomor 13"]  # Prajurit Kulon
    await post(office, f"/kantor/koperasi/{other}/rencana", **PLAN)
    [plan] = await plans(office)
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("pak.pembina")
    assert (await post(office, f"/kantor/koperasi/{other}/rencana", **PLAN))[0] == 404
    assert (await post(office, f"/kantor/koperasi/{other}/rencana/{plan.id}/batal"))[0] == 404
    assert [p.status for p in await plans(office)] == ["open"]


async def test_notes_go_through_the_clinic_and_reports_link_to_their_review(office: Office) -> None:
    await office.sign_in("pak.pembina")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    status, html = await post(office, f"/kantor/koperasi/{nik}/catatan", catatan="x" * 2001)
    assert status == 400 and "isi 1 sampai 2.000 huruf" in html
    status, html = await post(office, f"/kantor/koperasi/{nik}/catatan", catatan="Kunjungan ke kantor")
    assert status == 200 and "Kunjungan ke kantor" in html
    async with office.db.transaction() as repos:
        [entry] = (await repos.session.scalars(select(CoachingEntry))).all()
        actions = list((await repos.session.scalars(select(AuditEntry.action))).all())
    assert entry.kind == "note" and "clinic.note_added" in actions
    assert "akan tampil di sini" not in html
    links = re.findall(r'href="(/kantor/laporan/\d+)"', html)
    assert links
    assert (await office.client.get(links[0])).status == 200


async def test_a_pembina_changes_an_open_plan_and_a_bad_field_is_refused_beside_it(office: Office) -> None:
    await office.sign_in("pak.pembina")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    await post(office, f"/kantor/koperasi/{nik}/rencana", **PLAN)
    [plan] = await plans(office)
    edit = f"/kantor/koperasi/{nik}/rencana/{plan.id}/ubah"
    html = await (await office.client.get(f"/kantor/koperasi/{nik}")).text()
    assert "Ubah rencana ini" in html and f'action="{edit}"' in html and 'value="15 Desember 2030"' in html

    change = {"apa": "", "siapa": "Ketua", "tenggat": "20-12-2030"}
    status, html = await post(office, edit, **change)
    assert status == 400 and "Perubahan belum tersimpan: tulis apa yang dikerjakan" in html
    assert f'id="ubah-apa-{plan.id}" name="apa" maxlength="500" value=""' in html and 'value="Ketua"' in html
    assert re.search(r'<details class="edit-plan" open>', html)
    assert 'id="rencana-siapa" name="siapa" maxlength="120" value=""' in html, "the new-plan form stays empty"
    status, html = await post(office, edit, **{**change, "apa": "Tagih 3 anggota", "tenggat": "31 Februari 2030"})
    assert status == 400 and "tulis tenggat sebagai tanggal" in html and 'value="31 Februari 2030"' in html
    status, html = await post(office, edit, **{**change, "apa": "Tagih 3 anggota", "tenggat": "1-1-2020"})
    assert status == 400 and "tenggat baru tidak boleh sebelum hari ini" in html
    [unchanged] = await plans(office)
    assert (unchanged.what, unchanged.who, unchanged.due_on) == (PLAN["apa"], "Bendahara", date(2030, 12, 15))

    status, html = await post(office, edit, **{**change, "apa": "Tagih 3 anggota terbesar"})
    assert status == 200 and "Tagih 3 anggota terbesar" in html and "Perubahan belum tersimpan" not in html
    [changed] = await plans(office)
    assert (changed.what, changed.who, changed.due_on, changed.status) == (
        "Tagih 3 anggota terbesar",
        "Ketua",
        date(2030, 12, 20),
        "open",
    )
    async with office.db.transaction() as repos:
        actions = list((await repos.session.scalars(select(AuditEntry.action))).all())
    assert "clinic.plan_changed" in actions
    # the chat's `rencana` shows the same plan, changed (the city's Bu Bendahara 1 is on Telegram)
    officer = User(dispatcher(office.db), "9000", "telegram")
    assert "Tagih 3 anggota terbesar: Ketua" in await officer.say("rencana")


async def test_an_overdue_plan_keeps_its_due_date_while_its_task_changes(office: Office) -> None:
    await office.sign_in("ibu.admin")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    await post(office, f"/kantor/koperasi/{nik}/rencana", **{**PLAN, "tenggat": "1-1-2020"})
    [plan] = await plans(office)
    html = await (await office.client.get(f"/kantor/koperasi/{nik}")).text()
    typed = re.search(rf'id="ubah-tenggat-{plan.id}" name="tenggat" placeholder="[^"]*" value="([^"]*)"', html)
    assert typed is not None and typed.group(1) == "1 Januari 2020"
    edit = f"/kantor/koperasi/{nik}/rencana/{plan.id}/ubah"
    status, _ = await post(office, edit, apa="Rapat pengurus", siapa="Ketua", tenggat=typed.group(1))
    assert status == 200
    [changed] = await plans(office)
    assert (changed.what, changed.due_on) == ("Rapat pengurus", date(2020, 1, 1))


async def test_changing_a_closed_forged_or_out_of_reach_plan_is_refused(office: Office) -> None:
    await office.sign_in("ibu.admin")
    own, other = office.city.niks["Koperasi KSP Nomor 01"], office.city.niks["Koperasi USP Nomor 02"]
    far = office.city.niks["Koperasi KSP Nomor 13"]  # Prajurit Kulon
    for nik in (own, other, far):
        await post(office, f"/kantor/koperasi/{nik}/rencana", **PLAN)
    mine, others, far_plan = await plans(office)
    change = {"apa": "Diubah", "siapa": "Ketua", "tenggat": "20-12-2030"}
    assert (await post(office, f"/kantor/koperasi/{own}/rencana/{others.id}/ubah", **change))[0] == 404
    assert (await post(office, f"/kantor/koperasi/{own}/rencana/999999/ubah", **change))[0] == 404
    assert (await post(office, f"/kantor/koperasi/{own}/rencana/x1/ubah", **change))[0] == 404

    await post(office, f"/kantor/koperasi/{own}/rencana/{mine.id}/selesai")
    status, html = await post(office, f"/kantor/koperasi/{own}/rencana/{mine.id}/ubah", **change)
    assert status == 409 and "Rencana ini sudah selesai atau dibatalkan" in html
    assert f"/rencana/{mine.id}/ubah" not in html

    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("pak.pembina")
    assert (await post(office, f"/kantor/koperasi/{far}/rencana/{far_plan.id}/ubah", **change))[0] == 404
    await office.client.post("/kantor/keluar", data={"csrf": await office.csrf()})
    await office.sign_in("bu.pemantau")
    html = await (await office.client.get(f"/kantor/koperasi/{other}")).text()
    assert "Ubah rencana ini" not in html
    assert (await post(office, f"/kantor/koperasi/{other}/rencana/{others.id}/ubah", **change))[0] == 403
    assert [p.what for p in await plans(office)] == [PLAN["apa"]] * 3
