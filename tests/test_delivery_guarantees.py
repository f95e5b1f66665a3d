"""Delivery's promises: each notice once across workers and processes (at most one more per process killed mid-send),
quiet hours kept at send time, WhatsApp's daily cap with the window first, and the other channel when one fails.

Run as `python -m tests.test_delivery_guarantees URL SCHEMA LOG` it is a delivery worker process whose sender
appends each sent dedupe key to LOG (the kill test starts and SIGKILLs those).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.chat.messages import Address, Reply
from bot.delivery.policy import SendPolicy
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import Delivery
from bot.domain.periods import format_datetime
from bot.services.notices import QuietHours
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from tests.conftest import drop_test_database, make_test_database, require_postgres

WIB = ZoneInfo("Asia/Jakarta")
QUIET = QuietHours(datetime.min.time().replace(hour=21), datetime.min.time().replace(hour=7))
ROOT = Path(__file__).resolve().parent.parent
WORKER_LEASE = timedelta(seconds=3)


class RecordingSender:
    """Records each send (dedupe key and address) and answers with a chosen outcome."""

    def __init__(self, outcome: SendOutcome | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.outcome = outcome or SendOutcome("sent", ("p1",))

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        raise AssertionError("send_outbox is used")

    async def send_outbox(self, row: OutboxMessage, address: Address, reply: Reply) -> SendOutcome:
        self.sent.append((row.dedupe_key, address.user_id))
        return self.outcome


class FileSender:
    """A worker process's sender: appends the key to a file (unbuffered), then a short pause like a network call."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, address: Address, reply: Reply, *, business_initiated: bool = False) -> SendOutcome:
        raise AssertionError("send_outbox is used")

    async def send_outbox(self, row: OutboxMessage, address: Address, reply: Reply) -> SendOutcome:
        os.write(self.fd, f"{row.dedupe_key}\n".encode())
        await asyncio.sleep(0.002)
        return SendOutcome("sent", (f"m{row.id}",))


async def people(db: Database, count: int, channels: tuple[str, ...] = ("telegram",)) -> list[int]:
    """`count` officers of one cooperative, each with an account on each channel (the first used last)."""
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP Uji", "nik": "U1", "type": "ksp"})
        ids = []
        for n in range(count):
            officer = await repos.officers.add(coop.id, f"Petugas {n}", "ketua")
            for rank, channel in enumerate(channels):
                identity = await repos.identities.get_or_create(channel, f"{channel[:2]}{n}")
                identity.officer_id = officer.id
                identity.last_inbound_at = utcnow() - timedelta(days=3 + rank)
            ids.append(officer.id)
        return ids


async def notice_rows(db: Database, officers: list[int], *, prefix: str = "ann:1", priority: int = 5) -> None:
    """One business-initiated outbox row per officer, on their first account, due now."""
    async with db.transaction() as repos:
        for officer_id in officers:
            identity = (await repos.identities.of_officer(officer_id))[0]
            await repos.outbox.enqueue(
                dedupe_key=f"{prefix}:officer-{officer_id}",
                channel=identity.channel,
                recipient=identity.external_id,
                identity_id=identity.id,
                officer_id=officer_id,
                kind="announcement",
                business_initiated=True,
                priority=priority,
                payload=Reply(f"Pengumuman {officer_id}").to_json(),
                next_attempt_at=utcnow() - timedelta(minutes=1),
            )


async def statuses(db: Database) -> dict[str, OutboxMessage]:
    async with db.transaction() as repos:
        return {r.dedupe_key: r for r in await repos.outbox.by_keys_prefix("")}


async def drain(delivery: Delivery, now: datetime | None = None, rounds: int = 50) -> None:
    for _ in range(rounds):
        if not await delivery.drain_once(now):
            return


async def test_quiet_hours_hold_notices_at_send_time_but_never_replies(db: Database) -> None:
    officers = await people(db, 1)
    await notice_rows(db, officers)
    async with db.transaction() as repos:
        identity = (await repos.identities.of_officer(officers[0]))[0]
        await repos.outbox.enqueue(
            dedupe_key="reply:1", channel="telegram", recipient=identity.external_id, identity_id=identity.id,
            kind="reply", priority=0, payload=Reply("Jawaban").to_json(),
        )  # fmt: skip
    sender = RecordingSender()
    delivery = Delivery(db, {"telegram": sender}, policy=SendPolicy(WIB, QUIET))
    today = utcnow().astimezone(WIB)
    night = today.replace(hour=22, minute=30) + timedelta(days=1)  # e.g. a retry that came due at night
    morning = (night + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    await delivery.drain_once(night)
    assert [key for key, _ in sender.sent] == ["reply:1"]
    held = (await statuses(db))[f"ann:1:officer-{officers[0]}"]
    assert (held.status, held.attempts, held.next_attempt_at) == ("pending", 0, morning)
    assert held.last_error == f"quiet hours: waits until {format_datetime(morning, WIB)}"
    await delivery.drain_once(morning + timedelta(minutes=1))
    assert len(sender.sent) == 2


async def test_whatsapp_daily_cap_window_first_then_priority_the_rest_tomorrow(db: Database) -> None:
    officers = await people(db, 5, ("whatsapp",))
    async with db.transaction() as repos:  # officer 0 wrote an hour ago: inside the 24-hour window
        (await repos.identities.of_officer(officers[0]))[0].last_inbound_at = utcnow() - timedelta(hours=1)
    await notice_rows(db, officers[:3], prefix="ann:7", priority=5)
    await notice_rows(db, officers[3:], prefix="reminder:report-due", priority=1)
    sender = RecordingSender()
    delivery = Delivery(db, {"whatsapp": sender}, policy=SendPolicy(WIB, None, whatsapp_daily_cap=2))
    await drain(delivery)
    sent = {key for key, _ in sender.sent}
    assert sent == {
        f"ann:7:officer-{officers[0]}",  # free inside the window
        f"reminder:report-due:officer-{officers[3]}",  # the deadline reminders first
        f"reminder:report-due:officer-{officers[4]}",
    }
    rows = await statuses(db)
    waiting = [r for r in rows.values() if r.status == "waiting"]
    assert len(waiting) == 2 and all(r.attempts == 0 for r in waiting)
    assert all("WhatsApp daily limit reached (2 people per 24 hours" in (r.last_error or "") for r in waiting)
    tomorrow = utcnow() + timedelta(hours=24, minutes=2)
    assert all(utcnow() + timedelta(hours=23) < r.next_attempt_at < tomorrow for r in waiting)
    await drain(delivery, tomorrow)
    assert len(sender.sent) == 5 and all(r.status == "sent" for r in (await statuses(db)).values())


async def test_a_notice_moves_to_the_other_channel_when_one_is_unreachable(db: Database) -> None:
    officers = await people(db, 2, ("telegram", "whatsapp"))
    await notice_rows(db, officers)
    blocked = RecordingSender(SendOutcome("unreachable", error="403 Forbidden: bot was blocked by the user"))
    whatsapp = RecordingSender()
    async with db.transaction() as repos:  # officer 1's Telegram was found unreachable after the notice was queued
        identity = (await repos.identities.of_officer(officers[1]))[0]
        await repos.identities.mark_unreachable(identity.id, "chat not found", utcnow())
    delivery = Delivery(db, {"telegram": blocked, "whatsapp": whatsapp}, policy=SendPolicy(WIB, None, None))
    await drain(delivery)
    assert [key for key, _ in blocked.sent] == [f"ann:1:officer-{officers[0]}"]
    assert sorted(key for key, _ in whatsapp.sent) == sorted(f"ann:1:officer-{o}" for o in officers)
    rows = await statuses(db)
    assert all(r.channel == "whatsapp" and r.status == "sent" for r in rows.values())


async def test_several_workers_on_postgresql_send_each_notice_once(tmp_path: Path) -> None:
    require_postgres()
    db, schema = await make_test_database("postgresql", tmp_path)
    workers = [Database(db.url, schema=schema) for _ in range(4)]
    try:
        officers = await people(db, 400)
        await notice_rows(db, officers)
        senders = [RecordingSender() for _ in workers]
        deliveries = [Delivery(w, {"telegram": s}, batch=20) for w, s in zip(workers, senders, strict=True)]
        await asyncio.gather(*(drain(d, rounds=200) for d in deliveries))
        counts = Counter(key for s in senders for key, _ in s.sent)
        assert len(counts) == 400 and set(counts.values()) == {1}
        assert sum(1 for s in senders if s.sent) > 1  # the work was shared
    finally:
        for worker in workers:
            await worker.dispose()
        await drop_test_database(db, schema)


# --- real processes -------------------------------------------------------------------------------------------


def start_worker(url: str, schema: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPSEHAT_")}
    with (log.parent / "workers.err").open("ab") as errors:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "tests.test_delivery_guarantees", url, schema, str(log)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


async def wait_all_sent(db: Database, total: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with db.transaction() as repos:
            if (await repos.outbox.count_by_status()).get("sent", 0) == total:
                return
        await asyncio.sleep(0.2)
    raise AssertionError("not every notice was sent in time")


@pytest.mark.slow
async def test_processes_killed_mid_broadcast_lose_nothing_and_repeat_at_most_one_each(tmp_path: Path) -> None:
    require_postgres()
    db, schema = await make_test_database("postgresql", tmp_path)
    assert schema is not None
    log = tmp_path / "sent.log"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        officers = await people(db, 1000)
        await notice_rows(db, officers)
        processes = [start_worker(db.url, schema, log) for _ in range(3)]
        deadline = time.monotonic() + 60
        while len(lines(log)) < 300:  # mid-broadcast
            assert time.monotonic() < deadline, "the workers did not start sending"
            await asyncio.sleep(0.01)
        for process in processes:  # the whole service dies at once
            process.send_signal(signal.SIGKILL)
        for process in processes:
            process.wait(timeout=10)
        at_kill = len(lines(log))
        assert at_kill < 1000
        processes = [start_worker(db.url, schema, log) for _ in range(2)]  # restart
        await wait_all_sent(db, 1000, seconds=90)
        counts = Counter(lines(log))
        duplicates = sum(counts.values()) - len(counts)
        print(f"\nkill test: {at_kill} sent before SIGKILL of 3 processes, {duplicates} sent twice")
        assert len(counts) == 1000  # everyone got it
        assert max(counts.values()) <= 2 and duplicates <= 3  # at most one in flight per killed process
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        await drop_test_database(db, schema)


async def _worker(url: str, schema: str, log: Path) -> None:
    db = Database(url, schema=schema)
    delivery = Delivery(db, {"telegram": FileSender(log)}, batch=25, lease=WORKER_LEASE)
    try:
        await delivery.run(idle=0.1)
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(_worker(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
