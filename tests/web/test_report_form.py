"""The report form on the phone through aiohttp's test client, on SQLite and PostgreSQL: the link from chat, each
screen saved to the chat's draft, problems beside their field, the checks before *Kirim*, the score in chat after."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.channels.console import ConsoleChannel
from bot.chat.messages import Reply
from bot.delivery.worker import Delivery
from bot.domain.health.rules import default_rules
from bot.services import Services
from bot.services.cycle import CyclePlan, report_notice
from bot.services.form_links import FormGrant, sign
from bot.services.keys import server_key
from storage.db import Database
from storage.models import ChannelIdentity, OutboxMessage
from tests.handlers.chat import KSP_VALUES, NOW, Clock, dispatcher, registered, report_state
from tests.web.conftest import AiohttpClient, Client
from tests.web.form import LINK, PERIOD, Sent, draft, form_app, form_path, form_view, section_fields


async def cooperative_of(db: Database, user_id: str = "siti") -> tuple[int, int]:
    """(cooperative id, officer id) of a registered console user."""
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", user_id)
        assert identity is not None and identity.officer_id is not None
        officer = await repos.officers.get(identity.officer_id)
        assert officer is not None
        return officer.cooperative_id, officer.id


async def fill(client: Client, path: str, screens: list[tuple[str, dict[str, str]]]) -> None:
    for section, fields in screens:
        response = await client.post(path, data={"bagian": section, "aksi": "simpan", **fields}, allow_redirects=False)
        assert response.status == 303, await response.text()


async def outbox_replies(db: Database) -> list[Reply]:
    async with db.transaction() as repos:
        rows = (await repos.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        return [Reply.from_json(r.payload) for r in rows]


async def test_formulir_gives_a_link_and_every_screen_saves_to_the_chats_draft(
    db: Database, aiohttp_client: AiohttpClient
) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))
    path = await form_path(user)
    assert "http://127.0.0.1:8080/formulir/" in user.text and "berlaku sampai" in user.text
    cooperative, _ = await cooperative_of(db)

    first = await client.get(path)
    page = await first.text()
    assert first.status == 200 and 'name="cash"' in page and "Kas" in page
    assert (
        first.headers["Referrer-Policy"] == "no-referrer"
        and "script-src 'self'" in first.headers["Content-Security-Policy"]
    )
    view = await form_view(db, cooperative)
    screens = section_fields(view)
    for number, (section, fields) in enumerate(screens):
        response = await client.post(path, data={"bagian": section, "aksi": "simpan", **fields}, allow_redirects=False)
        assert response.status == 303
        following = screens[number + 1][0] if number + 1 < len(screens) else "ringkasan"
        assert response.headers["Location"].endswith(f"?bagian={following}&tersimpan=1")
        saved = await draft(db, cooperative)
        assert all(key in saved for key in fields), section  # saved after every screen
    saved = await draft(db, cooperative)
    assert saved["cash"] == "40000000" and saved["loans_to_members"] == "1350000000"
    summary = await (await client.get(f"{path}?bagian=ringkasan")).text()
    assert "belum diisi" not in summary and 'value="kirim"' in summary
    assert "Dihitung otomatis" in summary and "Rp2.000.000.000" in summary  # total assets, computed


async def test_a_bad_amount_is_shown_beside_its_field_with_what_was_typed(
    db: Database, aiohttp_client: AiohttpClient
) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))
    path = await form_path(user)
    cooperative, _ = await cooperative_of(db)
    section = (await form_view(db, cooperative)).sections[0][0].id
    typed = {"bagian": section, "aksi": "simpan", "cash": "12,3,4 jt", "bank": "1,5 jt"}
    response = await client.post(path, data=typed)
    page = await response.text()
    assert response.status == 422
    field = page[page.index('id="f-cash"') : page.index('id="f-bank"')]
    assert 'value="12,3,4 jt"' in field and 'class="problem"' in field and "Maaf" in field
    saved = await draft(db, cooperative)
    assert "cash" not in saved and saved["bank"] == "1500000"  # the good one is kept, the bad one never stored


async def _fill_all(db: Database, client: Client, path: str, cooperative: int, **changes: str) -> None:
    await fill(client, path, section_fields(await form_view(db, cooperative), {**KSP_VALUES, **changes}))


async def test_books_that_do_not_balance_stop_kirim(db: Database, aiohttp_client: AiohttpClient) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))
    path = await form_path(user)
    cooperative, _ = await cooperative_of(db)
    await _fill_all(db, client, path, cooperative, cash="165 jt")  # 125 jt more than the books hold
    response = await client.post(path, data={"bagian": "ringkasan", "aksi": "kirim"})
    page = await response.text()
    assert response.status == 422
    assert "selisih Rp125.000.000" in page and "laporan belum bisa dikirim" in page
    async with db.transaction() as repos:
        assert not (await Services(repos, default_rules()).reports.open(cooperative, PERIOD)).submitted


async def test_kirim_sends_the_score_in_chat_and_closes_the_link(db: Database, aiohttp_client: AiohttpClient) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    user = await registered(db, d)
    sent = Sent()
    client = await aiohttp_client(form_app(db, d, sent))
    path = await form_path(user)
    cooperative, officer = await cooperative_of(db)
    await _fill_all(db, client, path, cooperative)
    view = await form_view(db, cooperative)
    before = len(await outbox_replies(db))
    data = {"bagian": "ringkasan", "aksi": "kirim"}
    if view.checked.warnings:  # a warning is confirmed with a tick and a reason, or the report is not sent
        response = await client.post(path, data=data)
        assert response.status == 422 and "tulis alasannya" in await response.text()
    ticks = [("konfirmasi", w.id) for w in view.checked.warnings]
    reasons = [(f"alasan:{w.id}", "sesuai buku kas") for w in view.checked.warnings]
    response = await client.post(path, data=[*data.items(), *ticks, *reasons])
    page = await response.text()
    assert response.status == 200 and "Laporan terkirim" in page, page[-1500:]

    replies = (await outbox_replies(db))[before:]
    assert "Terima kasih, laporan" in replies[0].text
    assert any(r.attachment is not None and r.attachment.kind == "photo" for r in replies)  # the picture
    assert [o.reply.text for o in sent.outgoing] == [r.text for r in replies]  # handed to the edge to send now
    async with db.transaction() as repos:
        state = await Services(repos, default_rules()).reports.open(cooperative, PERIOD)
        assert state.submitted and state.latest is not None and state.latest.officer_id == officer
        assert state.latest.figures["cash"] == "40000000"
        identity = (await repos.session.scalars(select(ChannelIdentity))).first()
        assert identity is not None and identity.last_inbound_at is not None
        assert identity.last_inbound_at.replace(tzinfo=None) <= NOW.replace(tzinfo=None)  # the form is no message

    closed = await client.get(path)
    assert closed.status == 200 and "Laporan sudah dikirim" in await closed.text()
    again = await client.post(path, data={"bagian": "ringkasan", "aksi": "kirim"})
    assert "Laporan sudah dikirim" in await again.text()
    assert "sudah dikirim, jadi formulirnya sudah ditutup" in await user.say("formulir")

    clock.advance(days=30)  # next month's form starts from this month's figures
    following = await (await client.get(await form_path(user))).text()
    assert 'name="cash" type="text" value="40.000.000"' in following
    assert "Bulan lalu: Rp40.000.000 (sudah diisikan; ubah bila berbeda)" in following


async def test_a_forged_expired_or_foreign_link_opens_nothing(db: Database, aiohttp_client: AiohttpClient) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    user = await registered(db, d)
    other = await registered(db, d, "budi", nik="3576010002")
    client = await aiohttp_client(form_app(db, d, Sent()))
    path = await form_path(user)
    cooperative, officer = await cooperative_of(db)
    other_cooperative, other_officer = await cooperative_of(db, "budi")
    token = path.rsplit("/", 1)[1]

    officer_id, coop_id, period, expiry, signature = token.split(".")
    forged = [
        f"{other_officer}.{coop_id}.{period}.{expiry}.{signature}",  # another officer's id, same signature
        f"{officer_id}.{coop_id}.{period}.{int(expiry) + 86400}.{signature}",  # a later expiry
        f"{officer_id}.{coop_id}.{period}.{expiry}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        "x" * 500,
    ]
    for bad in forged:
        response = await client.get(f"/formulir/{bad}")
        assert response.status == 404 and "Tautan tidak berlaku" in await response.text()
        post = await client.post(f"/formulir/{bad}", data={"bagian": "x", "aksi": "simpan", "cash": "1 jt"})
        assert post.status == 404
    assert "cash" not in await draft(db, cooperative)

    async with db.transaction() as repos:  # signed by this server, but for an officer of another cooperative
        key = await server_key(repos)
    foreign = sign(key, FormGrant(other_officer, cooperative, PERIOD, NOW + timedelta(hours=1)))
    response = await client.get(f"/formulir/{foreign}")
    assert response.status == 403 and "Tautan tidak berlaku" in await response.text()
    assert other_cooperative != cooperative and officer != other_officer
    assert await other.say("menu")  # the other officer is a real one

    clock.advance(hours=24, seconds=1)
    expired = await client.get(path)
    assert expired.status == 410 and "kedaluwarsa" in await expired.text()
    post = await client.post(path, data={"bagian": "x", "aksi": "simpan", "cash": "1 jt"})
    assert post.status == 410 and "cash" not in await draft(db, cooperative)


async def test_start_in_chat_continue_in_the_form_finish_in_chat(db: Database, aiohttp_client: AiohttpClient) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))
    cooperative, _ = await cooperative_of(db)
    await user.say("lapor")
    await user.say("40 jt")  # cash, in chat
    await user.say("60 jt")  # bank
    path = await form_path(user)
    page = await (await client.get(path)).text()
    assert 'name="cash" type="text" value="40.000.000"' in page  # what was typed in chat is in the form
    assert 'name="bank" type="text" value="60.000.000"' in page
    await _fill_all(db, client, path, cooperative)
    text = await user.say("lapor")  # back in chat: everything is answered, the summary with Kirim
    stage, _ = await report_state(db, user)
    assert stage == "summary", text[-500:]
    assert "Rp40.000.000" in text


async def test_the_invitation_and_reminders_offer_the_form_beside_isi_laporan(db: Database) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    cooperative_id, officer_id = await cooperative_of(db)
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.get(cooperative_id)
        officer = await repos.officers.get(officer_id)
        assert cooperative is not None and officer is not None
        for kind in ("report_open", "report_reminder", "report_late"):
            due = report_notice(kind, f"k:{kind}", cooperative, officer, PERIOD, CyclePlan(), 1)
            assert [(c.id, c.title) for c in due.notice.reply.choices] == [
                ("go:lapor", "Isi laporan"),
                ("go:formulir", "Isi formulir"),
            ]
            assert "go:formulir" not in due.notice.template_params  # the approved WhatsApp templates are unchanged
    await user.send("Isi formulir", choice="go:formulir")  # the button pressed
    assert LINK.search(user.text) is not None


async def test_in_the_terminal_chat_the_results_wait_for_kopsehat_chat_to_print_them(
    db: Database, aiohttp_client: AiohttpClient, tmp_path: Path
) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))  # `kopsehat run`: no terminal here to print to
    path = await form_path(user)
    cooperative, _ = await cooperative_of(db)
    await _fill_all(db, client, path, cooperative)
    view = await form_view(db, cooperative)
    data = [("aksi", "kirim")]
    for warning in view.checked.warnings:
        data += [("konfirmasi", warning.id), (f"alasan:{warning.id}", "sesuai buku")]
    assert "Laporan terkirim" in await (await client.post(path, data=data)).text()
    out = io.StringIO()  # `kopsehat chat`'s delivery prints what is due for the terminal
    terminal = Delivery(db, {})
    terminal.senders["console"] = ConsoleChannel(terminal, out=out, files_dir=tmp_path)
    await terminal.drain_once(datetime.now(UTC) + timedelta(minutes=1))
    printed = out.getvalue()
    assert "bot> Terima kasih, laporan Oktober 2026 sudah kami terima" in printed
    assert "[gambar: " in printed


async def test_a_warning_is_confirmed_on_the_page_with_a_tick_and_a_reason(
    db: Database, aiohttp_client: AiohttpClient
) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))
    path = await form_path(user)
    cooperative, _ = await cooperative_of(db)
    # Partisipasi Bruto of Rp500 is likely a typo (SHU kotor is computed, so the books still add up)
    await _fill_all(db, client, path, cooperative, gross_participation="500", undistributed_surplus="110 jt")
    summary = await (await client.get(f"{path}?bagian=ringkasan")).text()
    assert "Partisipasi Bruto hanya Rp500, kurang dari Rp1.000" in summary and 'name="konfirmasi"' in summary
    ticked_only = await client.post(path, data={"aksi": "kirim", "konfirmasi": "minimum:gross_participation"})
    page = await ticked_only.text()
    assert ticked_only.status == 422 and "tulis alasannya" in page
    confirmed = [("aksi", "kirim")]
    for found in (await form_view(db, cooperative)).checked.warnings:  # a low income also makes costs look high
        confirmed += [("konfirmasi", found.id), (f"alasan:{found.id}", "usaha baru mulai")]
    assert "Laporan terkirim" in await (await client.post(path, data=confirmed)).text()
    async with db.transaction() as repos:
        report = await repos.reports.get(cooperative, str(PERIOD))
        assert report is not None
        revision = await repos.reports.revision(report.id, report.latest_revision)
        assert revision is not None
    [warning] = [w for w in revision.warnings or [] if w["id"] == "minimum:gross_participation"]
    assert warning["confirmed"] is True and warning["reason"] == "usaha baru mulai"
