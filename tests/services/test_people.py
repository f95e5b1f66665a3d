"""Cooperative records, invitation codes and languages without a chat: on both databases."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.cooperatives import RatRecorded
from bot.services.invites import code_hash, create_invite, normalise
from bot.services.keys import server_key
from bot.services.reports import NotAllowed
from storage.db import Database
from tests.handlers.chat import NOW
from tests.handlers.test_properties import fresh_database
from tests.services.common import audit, cooperative_with_officers, services

MARCH_20 = date(2026, 3, 20)  # RAT season of book year 2025


async def test_the_rat_date_is_recorded_replaced_and_audited(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with services(db) as s:
        first = await s.cooperatives.record_rat(
            coop, date(2026, 3, 15), today=MARCH_20, officer_id=siti, channel="whatsapp"
        )
    assert isinstance(first, RatRecorded)
    assert (first.day, first.book_year, first.previous) == (date(2026, 3, 15), 2025, None)
    async with services(db) as s:
        again = await s.cooperatives.record_rat(
            coop, date(2026, 3, 16), today=MARCH_20, officer_id=siti, channel="telegram"
        )
    assert isinstance(again, RatRecorded) and again.previous == date(2026, 3, 15)
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.get(coop)
        assert cooperative is not None and cooperative.rat_date == date(2026, 3, 16)
    entries = await audit(db, "cooperative.rat_recorded")
    assert [(e.actor, e.subject) for e in entries] == [(f"officer:{siti}", f"cooperative:{coop}")] * 2
    assert entries[1].data == {
        "rat_date": "2026-03-16",
        "previous": "2026-03-15",
        "book_year": 2025,
        "officer": "Bu Siti",
        "channel": "telegram",
    }


@pytest.mark.parametrize(
    ("day", "problem"), [(date(2026, 3, 21), "future"), (date(2025, 12, 31), "before_books_closed")]
)
async def test_a_rat_date_that_cannot_be_is_refused_and_nothing_changes(db: Database, day: date, problem: str) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with services(db) as s:
        assert await s.cooperatives.record_rat(coop, day, today=MARCH_20, officer_id=siti, channel="console") == problem
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.get(coop)
        assert cooperative is not None and cooperative.rat_date is None
    assert await audit(db, "cooperative.rat_recorded") == []


async def test_only_the_cooperatives_own_officer_records_its_rat(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    _, (stranger,) = await cooperative_with_officers(db, nik="3576010002", names=("Bu Lain",))
    async with services(db) as s:
        with pytest.raises(NotAllowed):
            await s.cooperatives.record_rat(coop, date(2026, 3, 15), today=MARCH_20, officer_id=stranger, channel="x")
    assert await audit(db, "cooperative.rat_recorded") == []


async def _identity(db: Database, user: str) -> int:
    async with db.transaction() as repos:
        identity = await repos.identities.get_or_create("console", user)
        return identity.id


async def _invite(db: Database, cooperative_id: int | None, role: str, staff_id: int | None = None) -> str:
    async with db.transaction() as repos:
        code, _row = await create_invite(
            repos,
            role=role,
            now=NOW,
            expires_in=timedelta(days=1),
            uses=1,
            cooperative_id=cooperative_id,
            staff_id=staff_id,
        )
    return code


async def test_a_code_makes_a_new_officer_of_its_cooperative_once(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db, names=())
    code = await _invite(db, coop, "ketua")
    ani, dewi = await _identity(db, "ani"), await _identity(db, "dewi")
    async with services(db) as s:
        redeemed = await s.invites.redeem(
            ani, f" {code[:4].lower()}-{code[4:]} ", now=NOW, name="Bu Ani", language="en"
        )
    assert (redeemed.outcome, redeemed.cooperative_id, redeemed.cooperative_name, redeemed.role) == (
        "officer",
        coop,
        "KSP Maju Bersama",
        "ketua",
    )
    async with db.transaction() as repos:
        [officer] = await repos.officers.of_cooperative(coop)
        identity = await repos.identities.get(ani)
        assert identity is not None and (identity.officer_id, identity.staff_id) == (officer.id, None)
        assert (officer.id, officer.name, officer.role, officer.language) == (
            redeemed.officer_id,
            "Bu Ani",
            "ketua",
            "en",
        )
    [entry] = await audit(db, "officer.registered")
    assert (entry.actor, entry.subject, entry.data) == (
        f"officer:{officer.id}",
        f"cooperative:{coop}",
        {"role": "ketua"},
    )
    async with services(db) as s:  # single use: the next person is refused
        assert (await s.invites.redeem(dewi, code, now=NOW, name="", language="id")).outcome == "wrong_code"


async def test_a_staff_code_binds_the_staff_member_and_an_unnamed_officer_gets_the_role_as_name(db: Database) -> None:
    async with db.transaction() as repos:
        joko = (await repos.staff.add("Pak Joko", "pembina")).id
    coop, _ = await cooperative_with_officers(db, names=())
    joko_chat, anon = await _identity(db, "joko"), await _identity(db, "anon")
    staff_code, officer_code = await _invite(db, None, "pembina", staff_id=joko), await _invite(db, coop, "pengawas")
    async with services(db) as s:
        redeemed = await s.invites.redeem(joko_chat, staff_code, now=NOW, name="Joko", language="id")
        assert (redeemed.outcome, redeemed.staff_id, redeemed.officer_id) == ("staff", joko, None)
        assert (await s.invites.redeem(anon, officer_code, now=NOW, name="", language="id")).outcome == "officer"
    async with db.transaction() as repos:
        identity = await repos.identities.get(joko_chat)
        assert identity is not None and (identity.staff_id, identity.officer_id) == (joko, None)
        assert [o.name for o in await repos.officers.of_cooperative(coop)] == ["Pengawas"]
    [entry] = await audit(db, "staff.registered")
    assert (entry.actor, entry.subject) == (f"staff:{joko}", f"staff:{joko}")


async def test_five_wrong_codes_an_hour_then_even_a_good_one_waits(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db, names=())
    good = await _invite(db, coop, "bendahara")
    tamu = await _identity(db, "tamu")
    for attempt in range(5):
        async with services(db) as s:
            wrong = await s.invites.redeem(tamu, f"SALAH{attempt}", now=NOW, name="", language="id")
            assert wrong.outcome == "wrong_code"
    async with services(db) as s:
        assert (await s.invites.redeem(tamu, good, now=NOW, name="", language="id")).outcome == "too_many_tries"
    assert [e.actor for e in await audit(db, "invite.failed")] == [f"identity:{tamu}"] * 5
    async with services(db) as s:
        later = NOW + timedelta(hours=1, minutes=1)
        assert (await s.invites.redeem(tamu, good, now=later, name="", language="id")).outcome == "officer"


async def test_a_chosen_language_holds_for_the_chat_account_and_its_officer(db: Database) -> None:
    _, (siti, _) = await cooperative_with_officers(db)
    chat, stranger = await _identity(db, "siti"), await _identity(db, "tamu")
    async with db.transaction() as repos:
        identity = await repos.identities.get(chat)
        assert identity is not None
        identity.officer_id = siti
    async with services(db) as s:
        await s.officers.choose_language(chat, "en")
        await s.officers.choose_language(stranger, "en")
        with pytest.raises(ValueError, match="no language"):
            await s.officers.choose_language(stranger, "fr")
    async with db.transaction() as repos:
        officer, identity, other = (
            await repos.officers.get(siti),
            await repos.identities.get(chat),
            await repos.identities.get(stranger),
        )
        assert officer is not None and identity is not None and other is not None
        assert (officer.language, identity.language, other.language) == ("en", "en", "en")


CODE = "KPS7HT2QRM"  # a known code, so that examples can type it
CODE_TYPED = st.sampled_from([CODE, CODE.lower(), f" {CODE[:3]} - {CODE[3:]} ", f"{CODE[:-1]}", f"{CODE}X"])


async def _typed_codes(backend: str, typed: list[str]) -> None:
    """Each text typed by a chat account of its own."""
    async with fresh_database(backend) as db:
        coop, _ = await cooperative_with_officers(db, names=())
        async with db.transaction() as repos:
            _, row = await create_invite(
                repos, role="bendahara", now=NOW, expires_in=timedelta(days=1), uses=1, cooperative_id=coop
            )
            row.code_hash = code_hash(await server_key(repos), CODE)
        used = False
        for number, text in enumerate(typed):
            tamu = await _identity(db, f"tamu{number}")
            async with services(db) as s:
                redeemed = await s.invites.redeem(tamu, text, now=NOW, name=text[:120], language="id")
            registers = normalise(text) == CODE and not used  # single use
            assert redeemed.outcome == ("officer" if registers else "wrong_code"), text
            used = used or registers
        async with db.transaction() as repos:
            assert len(await repos.officers.of_cooperative(coop)) == used
        assert len(await audit(db, "invite.failed")) == len(typed) - used


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed=st.lists(st.one_of(st.text(max_size=30), CODE_TYPED), max_size=6))
def test_whatever_is_typed_only_the_code_registers_once_and_every_miss_is_counted(typed: list[str]) -> None:
    asyncio.run(_typed_codes("sqlite", typed))
