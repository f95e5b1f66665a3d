"""Onboarding transcripts: strangers, invitation codes, limits, staff."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database
from tests.handlers.chat import Clock, User, add_cooperative, dispatcher, invite


async def test_a_stranger_is_told_how_to_register(db: Database) -> None:
    user = User(dispatcher(db), "tamu")
    reply = await user.say("halo, ini bot apa?")
    assert "belum terdaftar" in reply and "DAFTAR <kode>" in reply
    assert "belum terdaftar" in await user.say("lapor")  # officer commands need registration


async def test_officer_registers_with_a_code_and_is_greeted_by_cooperative_name(db: Database) -> None:
    coop = await add_cooperative(db, name="KSP Maju Bersama")
    code = await invite(db, coop, "bendahara")
    siti = User(dispatcher(db), "siti")
    reply = await siti.say(f"/start {code}")
    assert "bendahara KSP Maju Bersama" in reply and "Bu Siti" in reply
    assert siti.buttons == ["Isi laporan", "Status koperasi", "Bantuan"]
    # the code was single-use: another person cannot reuse it
    budi = User(dispatcher(db), "budi")
    assert "tidak kami kenali" in await budi.say(f"DAFTAR {code.lower()}")


async def test_codes_are_typed_loosely_but_expire(db: Database) -> None:
    coop = await add_cooperative(db)
    code = await invite(db, coop, uses=2, expires=timedelta(days=1))
    clock = Clock()
    d = dispatcher(db, clock)
    spaced = f"{code[:5].lower()} - {code[5:]}"
    assert "terdaftar sebagai bendahara" in await User(d, "a").say(f"DAFTAR {spaced}")
    clock.advance(days=2)
    assert "kedaluwarsa" in await User(d, "b").say(f"DAFTAR {code}")


async def test_five_wrong_codes_per_hour_then_a_pause(db: Database) -> None:
    coop = await add_cooperative(db)
    good = await invite(db, coop)
    clock = Clock()
    user = User(dispatcher(db, clock), "coba")
    for attempt in range(5):
        assert "tidak kami kenali" in await user.say(f"DAFTAR SALAH{attempt}")
    assert "terlalu banyak" in await user.say(f"DAFTAR {good}")
    clock.advance(hours=1, minutes=1)
    assert "terdaftar sebagai bendahara" in await user.say(f"DAFTAR {good}")


async def test_staff_registers_and_officer_commands_are_not_theirs(db: Database) -> None:
    async with db.transaction() as repos:
        staff = await repos.staff.add("Pak Joko", "admin")
    code = await invite(db, None, "admin", staff_id=staff.id)
    joko = User(dispatcher(db), "joko")
    assert "petugas Dinas" in await joko.say(f"DAFTAR {code}")
    assert "khusus" in await joko.say("lapor")


async def test_language_can_be_switched_to_english(db: Database) -> None:
    coop = await add_cooperative(db)
    user = User(dispatcher(db), "ani")
    await user.say(f"DAFTAR {await invite(db, coop)}")
    await user.say("/bahasa")
    assert await user.press("English") == "The language is now English."
    assert "What you can do" in await user.say("help")


async def test_a_second_code_in_the_same_chat_keeps_one_officer(db: Database) -> None:
    """Pressing the invitation link again (Telegram sends /start CODE again), or a new code for the same cooperative,
    leaves the chat the one officer it was: no second, unreachable officer in previews, lists and the record; a code
    for another role changes the role, and a shared code keeps its use for a colleague."""
    coop = await add_cooperative(db, name="KSP Maju Bersama")
    shared = await invite(db, coop, "bendahara", uses=2)
    siti = User(dispatcher(db), "siti")
    assert "bendahara KSP Maju Bersama" in await siti.say(f"/start {shared}")
    assert "bendahara KSP Maju Bersama" in await siti.say(f"/start {shared}")
    assert "ketua KSP Maju Bersama" in await siti.say(f"DAFTAR {await invite(db, coop, 'ketua')}")
    async with db.transaction() as repos:
        officers = await repos.officers.of_cooperative(coop)
    assert [(o.name, o.role) for o in officers] == [("Bu Siti", "ketua")]
    assert "bendahara KSP Maju Bersama" in await User(dispatcher(db), "budi").say(f"DAFTAR {shared}")


async def test_the_invitation_link_pressed_again_after_registering_welcomes_not_refuses(db: Database) -> None:
    """A single-use code is used up by the officer's own registration; pressing the link again (Telegram sends
    /start CODE once more) is not "kode itu tidak kami kenali", nor a wrong code counted toward the hourly limit."""
    coop = await add_cooperative(db, name="KSP Maju Bersama")
    code = await invite(db, coop, "bendahara")
    siti = User(dispatcher(db), "siti")
    assert "bendahara KSP Maju Bersama" in await siti.say(f"/start {code}")
    for _ in range(6):
        assert "bendahara KSP Maju Bersama" in await siti.say(f"/start {code}")
    assert "tidak kami kenali" in await User(dispatcher(db), "budi").say(f"DAFTAR {code}")  # used up for others
    async with db.transaction() as repos:
        assert [o.name for o in await repos.officers.of_cooperative(coop)] == ["Bu Siti"]
