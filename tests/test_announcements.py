"""Announcements: one row per reachable officer, scheduled sends, progress per recipient, BERHENTI; the CLI."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest

from bot.chat.messages import Address, Reply
from bot.cli import main
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import Delivery
from bot.services import announcements
from bot.services.segments import parse
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage
from tests.test_segments import NOW, seed_city


async def test_publish_reaches_everyone_but_those_who_stopped_and_reports_progress(db: Database) -> None:
    city = await seed_city(db)
    o = city.officers
    async with db.transaction() as repos:
        preview = await announcements.preview(repos, parse("all"))
        assert (preview.recipients, preview.paused, preview.audience.cooperatives) == (4, 1, 3)
        assert await repos.outbox.count_by_status() == {}  # a preview sends nothing
        made = await announcements.publish(
            repos, text="RAT paling lambat 31 Desember.", segment=parse("all"), staff_id=None, now=NOW, quiet=None
        )
    assert made.recipients == 4 and made.status == "sending"
    async with db.transaction() as repos:
        rows = await repos.outbox.of_announcement(made.id)
        assert {r.officer_id for r in rows} == {o["a1"], o["a2"], o["b1"], o["c1"]}
        assert all(r.kind == "announcement" and r.business_initiated and r.status == "pending" for r in rows)
        assert "RAT paling lambat 31 Desember." in rows[0].payload["text"]
        # delivery's outcomes, as they would arrive
        rows[0].status, rows[0].sent_at = "read", NOW
        rows[1].status, rows[1].sent_at = "sent", NOW
        rows[2].status, rows[2].last_error = "unreachable", "Forbidden: bot was blocked by the user"
    async with db.transaction() as repos:
        progress = await announcements.progress(repos, made.id)
        lines = await announcements.recipients(repos, made.id)
    assert (progress.total, progress.sent, progress.read, progress.failed, progress.pending) == (4, 2, 1, 1, 1)
    assert announcements.failure_reasons(lines) == [("Forbidden: bot was blocked by the user", 1)]
    assert {line.officer for line in lines} == {"Bu a1", "Bu a2", "Bu b1", "Bu c1"}


async def test_a_scheduled_announcement_waits_for_its_time_and_berhenti_withdraws_it(db: Database) -> None:
    city = await seed_city(db)
    later = NOW + timedelta(days=2)
    async with db.transaction() as repos:
        made = await announcements.publish(
            repos, text="Pelatihan pajak koperasi.", segment=parse("type:ksp"), staff_id=None, now=NOW, send_at=later
        )
        assert made.status == "scheduled" and made.recipients == 3
        rows = await repos.outbox.of_announcement(made.id)
        assert all(r.next_attempt_at == later for r in rows)  # 10.00 WIB: outside quiet hours
        assert not await repos.outbox.claim(NOW, limit=10, channels=["console"])
    async with db.transaction() as repos:
        withdrawn = await announcements.set_paused(repos, city.officers["a1"], True, NOW)
        again = await announcements.preview(repos, parse("type:ksp"))
    assert withdrawn == 1 and again.recipients == 2
    async with db.transaction() as repos:
        await announcements.set_paused(repos, city.officers["a1"], False, NOW)
        assert (await announcements.preview(repos, parse("type:ksp"))).recipients == 3


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("KOPSEHAT_"):
            monkeypatch.delenv(key)

    async def seed() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'kopsehat.db'}")
        try:
            await upgrade(db)
            await seed_city(db)
        finally:
            await db.dispose()

    asyncio.run(seed())
    return tmp_path


async def _officer_without_account(workdir: Path, nik: str) -> None:
    db = Database(f"sqlite+aiosqlite:///{workdir / 'kopsehat.db'}")
    try:
        async with db.transaction() as repos:
            cooperative = await repos.cooperatives.by_nik(nik)
            assert cooperative is not None
            await repos.officers.add(cooperative.id, "Pak Tanpa Akun", "pengawas")
    finally:
        await db.dispose()


def test_cli_previews_then_sends_with_yes_and_shows_progress(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "poster.png").write_bytes(b"\x89PNG" + b"0" * 10)
    # without --yes the author is asked; anything but "y" sends nothing
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    assert main(["announce", "--segment", "kecamatan:Magersari", "--text", "Rapat koordinasi."]) == 1
    out = capsys.readouterr().out
    assert "Rapat koordinasi." in out and "3 officers of 2 cooperatives; now" in out
    assert "1 cannot receive it now: 1 stopped announcements (BERHENTI)" in out
    assert "nothing sent" in out
    assert main(["announcements", "list"]) == 0 and "no announcements yet" in capsys.readouterr().out
    code = main(
        ["announce", "--segment", "kecamatan:Magersari", "--text", "Rapat koordinasi.", "--file", "poster.png", "--yes"]
    )
    assert code == 0 and "queued for 3 officer(s)" in capsys.readouterr().out
    assert main(["announcements", "show", "1", "--recipients"]) == 0
    shown = capsys.readouterr().out
    assert "3 recipients: 0 sent (0 delivered, 0 read), 0 failed, 3 pending" in shown and "Bu b1" in shown
    assert main(["announcements", "show", "1", "--follow", "--follow-limit", "0"]) == 0
    assert "announcement #1: 0/3 sent (0 delivered, 0 read), 0 failed, 3 pending" in capsys.readouterr().out
    assert main(["announce", "--segment", "kecamatan:Atlantis", "--text", "x" * 10, "--yes"]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err


def test_cli_trainings_create_code_remind_and_csv(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_officer_without_account(workdir, "1001"))
    args = ["trainings", "create", "--title", "Klinik Pajak", "--kind", "klinik", "--start", "2030-01-15 09:00"]
    args += ["--end", "12:00", "--venue", "Aula", "--capacity", "10", "--segment", "type:ksp", "--yes"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "3 officers of 2 cooperatives will be invited" in out and "1 without a chat account" in out
    assert "training #1 created; 3 invitation(s) queued" in out  # not 4: the fourth was never sendable
    assert main(["trainings", "list"]) == 0 and "Klinik Pajak" in capsys.readouterr().out
    assert main(["trainings", "attendance-code", "1"]) == 0 and "HADIR " in capsys.readouterr().out
    assert main(["trainings", "remind"]) == 0 and "0 reminder(s) queued" in capsys.readouterr().out
    assert main(["trainings", "attendance", "1", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("officer_id,officer,role,cooperative,nik,status,position,attended_at")
    assert main(["trainings", "attendance-code", "99"]) == 2
    bad = ["trainings", "create", "--title", "X", "--kind", "klinik", "--start", "besok", "--end", "12:00"]
    assert main([*bad, "--venue", "Aula"]) == 2


class SlowSender:
    """A sender that takes a moment per message, remembers the order per chat, and refuses one chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        if address.user_id == "blocked":
            return SendOutcome("unreachable", error="Forbidden: bot was blocked by the user")
        self.sent.append((address.user_id, reply.text))
        return SendOutcome("sent", ("m",))


async def test_concurrent_delivery_keeps_each_chats_order_and_records_every_outcome(db: Database) -> None:
    async with db.transaction() as repos:
        for n in range(12):
            chat = "blocked" if n == 11 else f"c{n % 4}"
            await repos.outbox.enqueue(
                dedupe_key=f"k{n}",
                channel="console",
                recipient=chat,
                kind="announcement",
                payload=Reply(f"{n}").to_json(),
            )
    sender = SlowSender()
    delivery = Delivery(db, {"console": sender}, batch=50, concurrency=4)
    assert await delivery.drain_once() == 12
    assert sender.most_in_flight == 4
    for chat in ("c0", "c1", "c2", "c3"):
        texts = [int(text) for user, text in sender.sent if user == chat]
        assert texts == sorted(texts) and texts
    async with db.transaction() as repos:
        assert await repos.outbox.count_by_status() == {"sent": 11, "unreachable": 1}
        blocked = await repos.outbox.by_key("k11")
        assert blocked is not None and blocked.last_error == "Forbidden: bot was blocked by the user"


async def test_bulk_rows_choose_the_chat_used_last_and_record_who_cannot_be_reached(db: Database) -> None:
    city = await seed_city(db)
    async with db.transaction() as repos:
        whatsapp = await repos.identities.get_or_create("whatsapp", "62811")
        whatsapp.officer_id, whatsapp.last_inbound_at = city.officers["b1"], NOW
        c1 = await repos.identities.find("console", "c1")
        assert c1 is not None
        await repos.identities.mark_unreachable(c1.id, "blocked", NOW)
        made = await announcements.publish(
            repos, text="Satu pengumuman.", segment=parse("all"), staff_id=None, now=NOW, quiet=None
        )
        again = await repos.outbox.insert_many(
            [{"dedupe_key": r.dedupe_key} | _columns(r) for r in await repos.outbox.of_announcement(made.id)]
        )
        rows = {r.officer_id: r for r in await repos.outbox.of_announcement(made.id)}
    assert again == 0  # the dedupe keys hold
    assert (rows[city.officers["b1"]].channel, rows[city.officers["b1"]].recipient) == ("whatsapp", "62811")
    gone = rows[city.officers["c1"]]
    assert (gone.status, gone.last_error) == ("unreachable", "unreachable on every channel")
    assert rows[city.officers["a1"]].status == "pending" and rows[city.officers["a1"]].next_attempt_at == NOW


def _columns(row: OutboxMessage) -> dict[str, object]:
    names = ("channel", "recipient", "kind", "payload", "status", "attempts", "priority", "business_initiated")
    return {name: getattr(row, name) for name in names} | {"next_attempt_at": NOW, "created_at": NOW, "updated_at": NOW}
