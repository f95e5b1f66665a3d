"""The repository methods that replaced SQL outside storage, the same test code on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone
from typing import Any

from storage.db import Database
from storage.models import Announcement, Assessment, Training, TrainingRegistration, utcnow
from storage.repositories import Repositories

WIB = timezone(timedelta(hours=7))


async def _officers(repos: Repositories) -> tuple[tuple[int, int], int, int]:
    """Two cooperatives (WIB, WITA); two active officers and one inactive. ((coop A, coop B), officer A, officer B)."""
    a, _ = await repos.cooperatives.upsert({"name": "KSP A", "nik": "1", "type": "ksp", "timezone": "Asia/Jakarta"})
    b, _ = await repos.cooperatives.upsert({"name": "KSP B", "nik": "2", "type": "ksp", "timezone": "Asia/Makassar"})
    first = await repos.officers.add(a.id, "Sri", "bendahara")
    second = await repos.officers.add(b.id, "Budi", "ketua")
    gone = await repos.officers.add(a.id, "Lama", "ketua")
    gone.status = "inactive"
    return (a.id, b.id), first.id, second.id


def _message(key: str, **values: Any) -> dict[str, Any]:
    return {"dedupe_key": key, "channel": "telegram", "recipient": "42", "kind": "reply", "payload": {}} | values


async def test_officer_reads_for_many_cooperatives(db: Database) -> None:
    async with db.transaction() as repos:
        coops, first, second = await _officers(repos)
    async with db.transaction() as repos:
        of_both = await repos.officers.of_cooperatives(coops)
        zones = await repos.officers.timezones([first, second, 999])
        paired = await repos.officers.with_cooperatives([second])
        active = await repos.officers.active()
        assert await repos.officers.of_cooperatives([]) == []
    assert [o.name for o in of_both] == ["Sri", "Budi"]  # active only, by cooperative
    assert zones == {first: "Asia/Jakarta", second: "Asia/Makassar"}
    assert paired[second][1].name == "KSP B"
    assert [(o.name, o.language, o.paused) for o in active] == [("Sri", "id", False), ("Budi", "id", False)]


async def test_a_moved_chat_takes_its_identity_and_unsent_messages(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.identities.get_or_create("telegram", "-100")
        await repos.outbox.enqueue(**_message("a", recipient="-100"))
        sent = await repos.outbox.enqueue(**_message("b", recipient="-100"))
        await repos.outbox.enqueue(**_message("c", recipient="-100", status="waiting"))
        assert sent is not None
        (await repos.outbox.by_ids([sent]))[sent].status = "sent"
    async with db.transaction() as repos:
        assert await repos.identities.move("telegram", "-100", "-200")
        assert await repos.outbox.move_recipient("telegram", "-100", "-200") == 2
    async with db.transaction() as repos:
        assert not await repos.identities.move("telegram", "-100", "-200")  # moved before
        assert await repos.identities.find("telegram", "-200") is not None
        rows = {r.dedupe_key: r.recipient for r in await repos.outbox.by_keys_prefix("")}
    assert rows == {"a": "-200", "b": "-100", "c": "-200"}


async def test_a_moved_chat_keeps_the_identity_the_new_chat_made(db: Database) -> None:
    async with db.transaction() as repos:
        old = await repos.identities.get_or_create("telegram", "-100")
        new = await repos.identities.get_or_create("telegram", "-200")
    async with db.transaction() as repos:
        assert not await repos.identities.move("telegram", "-100", "-200")
        assert (await repos.identities.by_ids([old.id, new.id, 999])).keys() == {old.id, new.id}


async def test_staff_chats(db: Database) -> None:
    async with db.transaction() as repos:
        staff = await repos.staff.add("Rina", "admin")
        for chat, staff_id in (("7", staff.id), ("8", None), ("9", staff.id)):
            (await repos.identities.get_or_create("telegram", chat)).staff_id = staff_id
    async with db.transaction() as repos:
        assert await repos.identities.staff_external_ids("telegram") == ["7", "9"]
        assert await repos.identities.staff_external_ids("whatsapp") == []
        assert await repos.identities.is_staff_chat("telegram", "9")
        assert not await repos.identities.is_staff_chat("telegram", "8")
        assert not await repos.identities.is_staff_chat("telegram", "unknown")


async def test_held_messages_are_released_with_their_tries_reset(db: Database) -> None:
    now = utcnow()
    later = now + timedelta(hours=1)
    async with db.transaction() as repos:
        for key, channel, error in (("a", "telegram", "held"), ("b", "telegram", "other"), ("c", "whatsapp", "held")):
            await repos.outbox.enqueue(
                **_message(key, channel=channel, last_error=error, attempts=3, next_attempt_at=later)
            )
    async with db.transaction() as repos:
        assert await repos.outbox.release_held("telegram", "held", now) == 1
    async with db.transaction() as repos:
        rows = {r.dedupe_key: r for r in await repos.outbox.by_keys_prefix("")}
    assert (rows["a"].attempts, rows["a"].last_error, rows["a"].next_attempt_at) == (0, None, now)
    assert (rows["b"].attempts, rows["c"].attempts) == (3, 3)


async def test_insert_many_counts_only_new_keys(db: Database) -> None:
    async with db.transaction() as repos:
        assert await repos.outbox.insert_many([_message(f"k{i}") | {"status": "pending"} for i in range(3)]) == 3
    async with db.transaction() as repos:
        again = [_message(f"k{i}") | {"status": "pending"} for i in range(2, 5)]
        assert await repos.outbox.insert_many(again) == 2
        assert len(await repos.outbox.by_keys_prefix("k")) == 5


async def test_berhenti_withdraws_only_pending_announcements_of_that_officer(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        _, first, second = await _officers(repos)
        announcement = await repos.announcements.add(Announcement(text="Rapat", created_at=now))
        for key, officer, status, announced in (
            ("a", first, "pending", True),
            ("b", first, "sent", True),
            ("c", first, "pending", False),
            ("d", second, "pending", True),
        ):
            values = {"officer_id": officer, "status": status}
            await repos.outbox.enqueue(
                **_message(key, announcement_id=announcement.id if announced else None, **values)
            )
    async with db.transaction() as repos:
        assert await repos.outbox.withdraw_announcements(first, now) == 1
        rows = await repos.outbox.of_announcement(announcement.id)
    assert [(r.dedupe_key, r.status) for r in rows] == [("a", "failed"), ("b", "sent"), ("d", "pending")]


async def test_outbox_summaries_for_the_office(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        assert await repos.outbox.waiting() == (0, None)
        assert await repos.outbox.next_waiting_at() is None
        ids = [
            await repos.outbox.enqueue(**_message("a", status="waiting", last_error="limit A", next_attempt_at=now)),
            await repos.outbox.enqueue(
                **_message("b", status="waiting", last_error="limit B", next_attempt_at=now + timedelta(hours=2))
            ),
            await repos.outbox.enqueue(**_message("c", channel="whatsapp", status="unreachable", last_error="x")),
            await repos.outbox.enqueue(**_message("d", channel="whatsapp", status="unreachable", last_error="x")),
            await repos.outbox.enqueue(**_message("e", status="sent")),
        ]
    known = [i for i in ids if i is not None]
    async with db.transaction() as repos:
        assert await repos.outbox.waiting() == (2, "limit B")
        assert await repos.outbox.next_waiting_at() == now
        assert await repos.outbox.count_with_status("unreachable", channel="whatsapp") == 2
        assert await repos.outbox.count_with_status("unreachable", channel="telegram") == 0
        assert await repos.outbox.count_with_status("unreachable", ids=known[:3]) == 1
        assert await repos.outbox.problems(2) == [("unreachable", "reply", "x", 2), ("waiting", "reply", "limit A", 1)]
        await repos.outbox.wake_waiting(now)
        assert await repos.outbox.waiting() == (1, "limit B")
        assert (await repos.outbox.get(known[0])) is not None and (await repos.outbox.get(10**9)) is None


async def test_receipts_and_failures_of_one_whatsapp_account(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        identity = await repos.identities.get_or_create("whatsapp", "628")
        values = {"channel": "whatsapp", "identity_id": identity.id, "recipient": "628"}
        rows = [
            ("read", "", now - timedelta(days=3)),
            ("failed", "131026 undeliverable", now - timedelta(days=4)),
            ("failed", "131026 undeliverable", now - timedelta(days=2)),
            ("unreachable", "131026 undeliverable", now - timedelta(days=1)),
            ("failed", "131047 window", now - timedelta(hours=1)),
        ]
        for n, (status, error, at) in enumerate(rows):
            await repos.outbox.enqueue(**_message(f"w{n}", status=status, last_error=error, **values))
            [row] = await repos.outbox.by_keys_prefix(f"w{n}")
            row.updated_at = at
    async with db.transaction() as repos:
        [latest] = await repos.outbox.by_keys_prefix("w3")
        delivered = await repos.outbox.last_delivered_at(identity.id, "whatsapp")
        since = await repos.outbox.failed_with(identity.id, "whatsapp", "131026", besides=latest.id, after=delivered)
        every = await repos.outbox.failed_with(identity.id, "whatsapp", "131026", besides=0, after=None)
        assert await repos.outbox.last_delivered_at(identity.id, "telegram") is None
    assert delivered == now - timedelta(days=3)
    assert since == [now - timedelta(days=2)]
    assert sorted(every) == [now - timedelta(days=4), now - timedelta(days=2), now - timedelta(days=1)]


async def test_business_initiated_sends_in_the_window(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        wa = {"channel": "whatsapp", "business_initiated": True}
        await repos.outbox.enqueue(**_message("old", recipient="1", sent_at=now - timedelta(days=2), **wa))
        await repos.outbox.enqueue(**_message("new", recipient="2", sent_at=now - timedelta(hours=1), **wa))
        await repos.outbox.enqueue(**_message("going", recipient="3", status="sending", **wa))
        await repos.outbox.enqueue(**_message("reply", recipient="4", channel="whatsapp", sent_at=now))
    async with db.transaction() as repos:
        found = await repos.outbox.business_initiated_since("whatsapp", now - timedelta(days=1))
    assert sorted((r, s) for r, _, s in found) == [("2", now - timedelta(hours=1)), ("3", None)]


async def test_serialised_transactions_do_not_overlap(db: Database) -> None:
    inside: list[str] = []

    async def hold(name: str) -> None:
        async with db.transaction() as repos:
            await repos.outbox.serialise(7_207_001)
            inside.append(f"{name} in")
            await asyncio.sleep(0.05)
            inside.append(f"{name} out")

    await asyncio.gather(hold("a"), hold("b"))
    assert inside in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


async def test_a_tick_runs_once_and_the_latest_is_found_by_its_exact_prefix(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        assert await repos.ticks.claim("daily:2026-11-09", now)
        assert not await repos.ticks.claim("daily:2026-11-09", now)
        assert await repos.ticks.claim("daily:2026-11-10", now)
        assert await repos.ticks.claim("daily_x:2026-12-01", now)
    async with db.transaction() as repos:
        assert await repos.ticks.latest_key("daily:") == "daily:2026-11-10"
        assert await repos.ticks.latest_key("dail_:") is None  # "_" is a character, not a wildcard
        assert await repos.ticks.latest_key("weekly:") is None


async def test_trainings_sessions_registrations_and_attendance(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        _, first, second = await _officers(repos)
        soon = await repos.trainings.add(
            Training(title="Bimtek", kind="bimtek", capacity=1, created_at=now),
            now + timedelta(days=2),
            now + timedelta(days=2, hours=2),
        )
        running = await repos.trainings.add(
            Training(title="Klinik", kind="klinik", created_at=now),
            now - timedelta(minutes=30),
            now + timedelta(hours=1),
        )
        for officer, status, position in ((second, "waitlisted", 2), (first, "registered", 1)):
            registration = TrainingRegistration(training_id=soon.training_id, officer_id=officer, created_at=now)
            registration.status, registration.position = status, position
            await repos.trainings.save_registration(registration)
        await repos.trainings.record_attendance(running.training_id, running.id, first, now)
    async with db.transaction() as repos:
        between = await repos.trainings.between(now, now + timedelta(days=7))
        live = await repos.trainings.running(now, now)
        sessions = await repos.trainings.sessions([soon.training_id, running.training_id])
        order = [(r.officer_id, r.status) for r in await repos.trainings.registrations(soon.training_id)]
        counts = await repos.trainings.registered_counts([soon.training_id, running.training_id])
        mine = await repos.trainings.registrations_of(second)
        attended = await repos.trainings.attendance(running.training_id)
        locked = await repos.trainings.get(soon.training_id, lock=True)
        recent = await repos.trainings.recent()
    assert [t.title for t in between] == ["Bimtek"] and [t.title for t in live] == ["Klinik"]
    assert [s.id for s in sessions[soon.training_id]] == [soon.id]
    assert order == [(first, "registered"), (second, "waitlisted")]
    assert counts == {soon.training_id: {"registered": 1, "waitlisted": 1}, running.training_id: {}}
    assert mine[soon.training_id].position == 2
    assert [(a.officer_id, a.session_id) for a in attended] == [(first, running.id)]
    assert locked is not None and locked.capacity == 1
    assert [t.title for t in recent] == ["Klinik", "Bimtek"]


async def test_announcements_latest_by_author(db: Database) -> None:
    async with db.transaction() as repos:
        rina = await repos.staff.add("Rina", "admin")
        budi = await repos.staff.add("Budi", "pembina")
        made = [
            await repos.announcements.add(Announcement(staff_id=s, text=t, created_at=utcnow()))
            for s, t in ((rina.id, "satu"), (budi.id, "dua"), (rina.id, "tiga"))
        ]
    async with db.transaction() as repos:
        latest = await repos.announcements.latest()
        of_budi = await repos.announcements.latest(budi.id)
        recent = await repos.announcements.recent(2)
        assert await repos.announcements.get(made[0].id) is not None
        assert await repos.announcements.get(10**6) is None
    assert latest is not None and latest.text == "tiga"
    assert of_budi is not None and of_budi.text == "dua"
    assert [a.text for a in recent] == ["tiga", "dua"]


async def test_yearly_answers_keep_the_wording_they_answered(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP A", "nik": "1", "type": "ksp"})
        await repos.management.save(coop.id, {"m.a": True, "m.b": False}, now, None, wording={"m.a": "h1", "m.b": "h2"})
    async with db.transaction() as repos:
        await repos.management.save(coop.id, {"m.a": False, "m.b": True}, now, None, wording={"m.a": "h9"})
        await repos.management.save(coop.id, {"m.c": True}, now, None)
    async with db.transaction() as repos:
        answers = await repos.management.answers(coop.id)
    assert {k: (a.answer, a.wording_hash) for k, a in answers.items()} == {
        "m.a": (False, "h9"),
        "m.b": (True, "h2"),  # answered again without a wording: the one it had stays
        "m.c": (True, None),
    }


async def test_segment_facts(db: Database) -> None:
    async with db.transaction() as repos:
        kota = await repos.regions.get_or_create("kota", "Malang")
        kecamatan = await repos.regions.get_or_create("kecamatan", "Klojen", kota.id)
        coop, _ = await repos.cooperatives.upsert(
            {"name": "KSP A", "nik": "1", "type": "ksp", "tags": ["umkm"], "kecamatan_id": kecamatan.id}
        )
        for period, category in (("2026-09", "sehat"), ("2026-10", "cukup_sehat"), ("2026-08", "tidak_sehat")):
            await repos.assessments.add(
                Assessment(
                    cooperative_id=coop.id, period=period, framework="f", category=category, result={}, rules_hash="x"
                )
            )
    async with db.transaction() as repos:
        [facts] = await repos.cooperatives.facts()
        assert await repos.regions.ids_named(["kecamatan", "kelurahan"], " KLOJEN ") == [kecamatan.id]
        assert await repos.regions.ids_named(["kota"], "Klojen") == []
        found = await repos.regions.get(kecamatan.id)
        categories = await repos.assessments.latest_categories()
    assert (facts.tags, facts.kecamatan_id, facts.timezone) == (("umkm",), kecamatan.id, "Asia/Jakarta")
    assert found is not None and found.name == "Klojen"
    assert categories == {coop.id: "cukup_sehat"}  # the latest period, whatever order they were stored in
