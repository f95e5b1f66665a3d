"""Issue 13.10: invitation and attendance codes are stored as keyed hashes, and guessing them is limited per chat,
overall, with the wrong guesses pruned."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import invites, keys, trainings
from bot.services.keys import server_key
from bot.words import render
from storage.db import Database
from storage.models import Invite, InviteAttempt, ServerKey, Training, TrainingSession
from tests.handlers.chat import NOW, Clock, User, add_cooperative, dispatcher, invite, registered

WRONG = render.text("id", "onboarding.wrong_code")
PAUSED = render.text("id", "onboarding.codes_paused")
WELCOME = "Selamat datang"


@pytest.fixture(autouse=True)
def no_configured_key() -> Iterator[None]:
    keys.configure(None)
    yield
    keys.configure(None)


async def stored_hashes(db: Database) -> list[str]:
    async with db.transaction() as repos:
        return list((await repos.session.scalars(select(Invite.code_hash))).all())


async def attempts(db: Database) -> int:
    async with db.transaction() as repos:
        return int(await repos.session.scalar(select(func.count(InviteAttempt.id))) or 0)


async def test_the_stored_hash_is_keyed_so_a_copy_of_the_hashes_does_not_check_a_code(db: Database) -> None:
    code = await invite(db, await add_cooperative(db))
    [stored] = await stored_hashes(db)
    assert stored != hashlib.sha256(f"kopsehat-invite:{code}".encode()).hexdigest()  # the old, unkeyed form
    assert stored != hashlib.sha256(code.encode()).hexdigest()
    async with db.transaction() as repos:
        key = await server_key(repos)
    assert len(key) == 32
    assert stored == hmac.new(key, f"kopsehat-invite:{code}".encode(), hashlib.sha256).hexdigest()
    assert WELCOME in await User(dispatcher(db), "siti").say(f"DAFTAR {code.lower()}")


async def test_the_key_is_made_once_and_kept_for_every_process(db: Database, tmp_path: Path) -> None:
    async def key_of(database: Database) -> bytes:
        async with database.transaction() as repos:
            return await server_key(repos)

    first = await asyncio.gather(*(key_of(db) for _ in range(4)))
    other = Database(db.url, schema=getattr(db, "schema", None))  # a second process on the same database
    try:
        again = await key_of(other) if db.dialect == "sqlite" else first[0]
    finally:
        await other.dispose()
    assert len(set(first)) == 1 and again == first[0]
    async with db.transaction() as repos:
        assert await repos.session.scalar(select(func.count(ServerKey.id))) == 1


async def test_kopsehat_secret_key_is_used_instead_of_a_stored_one(db: Database) -> None:
    keys.configure("k" * 40)
    code = await invite(db, await add_cooperative(db))
    [stored] = await stored_hashes(db)
    assert stored == hmac.new(b"k" * 40, f"kopsehat-invite:{code}".encode(), hashlib.sha256).hexdigest()
    async with db.transaction() as repos:
        assert await repos.session.scalar(select(func.count(ServerKey.id))) == 0  # nothing secret in the database
    assert WELCOME in await User(dispatcher(db), "siti").say(f"DAFTAR {code}")
    keys.configure("another key, after a leak: 32+ chars")
    other = await invite(db, await add_cooperative(db, "3576010002", name="KSP Lain"))
    keys.configure("k" * 40)
    assert WRONG in await User(dispatcher(db), "budi").say(f"DAFTAR {other}")  # made under the other key


async def test_a_code_stored_the_old_way_still_works_and_is_stored_keyed_from_then_on(db: Database) -> None:
    coop = await add_cooperative(db)
    code = invites.new_code()
    async with db.transaction() as repos:
        await repos.invites.add(
            Invite(
                code_hash=invites.legacy_code_hash(code),
                cooperative_id=coop,
                role="bendahara",
                uses_left=2,
                expires_at=NOW + timedelta(days=3),
                created_at=NOW,
            )
        )
    assert WELCOME in await User(dispatcher(db), "siti").say(f"DAFTAR {code}")
    async with db.transaction() as repos:
        key = await server_key(repos)
    assert await stored_hashes(db) == [invites.code_hash(key, code)]
    assert WELCOME in await User(dispatcher(db), "budi").say(f"DAFTAR {code}")  # its second use


async def test_thirty_chats_guessing_are_stopped_overall_and_the_table_stays_small(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    code = await invite(db, await add_cooperative(db))
    answers = []
    for chat in range(30):
        guesser = User(d, f"guesser-{chat}")
        for _guess in range(invites.MAX_FAILURES_PER_HOUR):
            answers.append(await guesser.say(f"DAFTAR {invites.new_code()}"))
    assert answers.count(WRONG) == invites.WRONG_OVERALL  # 150 guesses, only these were looked at
    assert answers.count(PAUSED) == 150 - invites.WRONG_OVERALL
    assert await attempts(db) == invites.WRONG_OVERALL
    # while someone guesses from many chats, the codes wait (also a right one), and say for how long
    assert PAUSED in await User(d, "siti").say(f"DAFTAR {code}")
    clock.advance(minutes=16)
    assert WELCOME in await User(d, "siti").say(f"DAFTAR {code}")


async def test_old_wrong_guesses_are_deleted(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    for chat in range(12):
        await User(d, f"guesser-{chat}").say("DAFTAR SALAH12345")
    assert await attempts(db) == 12
    clock.advance(hours=1, minutes=1)
    await User(d, "late").say("DAFTAR SALAH12345")
    assert await attempts(db) == 1  # the 12 older than the longest window went


async def test_hadir_guesses_have_their_own_overall_limit(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    siti = await registered(db, d)
    await User(d, "guesser").say("halo")
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", "guesser")
        assert identity is not None
        for _ in range(invites.WRONG_OVERALL):
            await repos.invites.record_failure(identity.id, NOW - timedelta(minutes=1), "hadir")
    assert render.text("id", "trainings.codes_paused") in await siti.say("HADIR ABC123")
    code = await invite(db, await add_cooperative(db, "3576010002", name="KSP Lain"))
    assert WELCOME in await User(d, "budi").say(f"DAFTAR {code}")  # registering is not held by HADIR guesses


async def running_training(db: Database, title: str) -> int:
    async with db.transaction() as repos:
        training = Training(title=title, kind="pelatihan", venue="Aula Dinas", segment={"spec": "all"}, created_at=NOW)
        repos.session.add(training)
        await repos.session.flush()
        repos.session.add(TrainingSession(training_id=training.id, starts_at=NOW, ends_at=NOW + timedelta(hours=3)))
        return training.id


async def test_attendance_codes_are_keyed_and_old_ones_still_check_in(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d)
    budi = await registered(db, d, "budi", "3576010002", name="KSP Lain")
    keyed = await running_training(db, "Pelatihan Pembukuan")
    async with db.transaction() as repos:
        code = await trainings.new_attendance_code(repos, keyed, None)
        assert code is not None
        stored = (await repos.session.get(Training, keyed)).attendance_code_hash  # type: ignore[union-attr]
        key = await server_key(repos)
    assert stored == trainings.attendance_hash(key, keyed, code)
    assert stored != trainings.legacy_attendance_hash(keyed, code)
    assert "Pelatihan Pembukuan" in await siti.say(f"HADIR {code}")
    old = await running_training(db, "Klinik Lama")
    async with db.transaction() as repos:
        training = await repos.session.get(Training, old)
        assert training is not None
        training.attendance_code_hash = trainings.legacy_attendance_hash(old, "XYZ789")  # made before the key
    assert "Klinik Lama" in await budi.say("HADIR xyz789")
