"""Issue 13.1-4: every button id is untrusted input. Each declared button is pressed by each kind of person, and only
those it is for get what it does; records of another cooperative or kecamatan stay closed to them, through the chat
and through the services every other door calls; a forged id is "tombol ini sudah tidak berlaku", never the apology.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.chat import buttons
from bot.chat.dispatch import Dispatcher
from bot.services import announcements, segments, trainings
from bot.services.clinic import Actor
from bot.services.reports import NotAllowed
from bot.words import render
from storage.db import Database
from storage.models import OfficeStaff
from tests.handlers.chat import NOW, Clock, User, dispatcher, invite, registered
from tests.handlers.test_announcements_chat import staff_user
from tests.handlers.test_clinic_chat import kecamatan
from tests.services.common import services

WIB = ZoneInfo("Asia/Jakarta")
ROLES = ("stranger", "own officer", "other officer", "viewer", "pembina elsewhere", "admin")
OFFICERS = {"own officer", "other officer"}
STAFF = {"viewer", "pembina elsewhere", "admin"}
SENDERS = {"pembina elsewhere", "admin"}
EVERYONE = set(ROLES)
TITLE = "Klinik Lowokwaru"
STALE = render.text("id", "common.stale_button")
APOLOGY = render.text("id", "common.fault")
EN_STALE_AND_APOLOGY = (render.text("en", "common.stale_button"), render.text("en", "common.fault"))
# What a person who may not press a button is told, in either language (the walk presses `bahasa:en` too); the stale
# answer is checked apart: no declared id gets it.
REFUSALS = {
    render.text(lang, name, **values)
    for lang in ("id", "en")
    for name, values in (
        ("onboarding.stranger", {}),
        ("common.officers_only", {}),
        ("common.not_for_you", {}),
        ("common.senders_only", {}),
        ("trainings.not_invited", {"title": TITLE}),
        ("trainings.outside_area", {}),
        ("trainings.not_allowed", {}),
        ("announcements.not_allowed", {}),
        ("announcements.not_found", {}),
        ("clinic.not_allowed", {}),
    )
}


@dataclass
class City:
    """Two kecamatan, a cooperative in each with its officer, staff of three roles, a stranger; a training and an
    announcement of the first kecamatan (made by its pembina), and an action plan of its cooperative."""

    people: dict[str, User]
    training_id: int
    announcement_id: int
    plan_id: int
    cooperative_id: int
    north: int
    south: int


async def city(db: Database, d: Dispatcher, capacity: int | None = None) -> City:
    north, south = await kecamatan(db, "Lowokwaru"), await kecamatan(db, "Sukun")
    own = await registered(db, d, "siti", "3576010001", kecamatan_id=north)
    other = await registered(db, d, "joko", "3576010002", kecamatan_id=south, name="KSP Sukun Jaya")
    people = {
        "stranger": User(d, "tamu"),
        "own officer": own,
        "other officer": other,
        "viewer": await staff_user(db, d, "viewer", north),
        "pembina elsewhere": await staff_user(db, d, "pembina", south),
        "admin": await staff_user(db, d, "admin"),
    }
    async with db.transaction() as repos:
        author = await repos.staff.add("Pembina Lowokwaru", "pembina", north)
        cooperative = await repos.cooperatives.by_nik("3576010001")
        assert cooperative is not None
        mine = segments.parse("all", scope_kecamatan_id=north)
        plan = trainings.TrainingPlan(
            TITLE, "klinik", NOW + timedelta(days=10), NOW + timedelta(days=10, hours=3), mine, "Aula", None, capacity
        )
        training, invited, _ = await trainings.create(repos, plan, staff_id=author.id, now=NOW, zone=WIB)
        assert invited == 1  # the officer of Lowokwaru only
        announcement = await announcements.publish(
            repos, text="Rapat anggota tahunan di Lowokwaru.", segment=mine, staff_id=author.id, now=NOW
        )
    async with services(db) as s:
        due = date(2026, 12, 1)
        action = await s.clinic.add_plan(cooperative.id, "Rapat pengurus", "Ketua", due, Actor(author.id), NOW)
    return City(people, training.id, announcement.id, action.id, cooperative.id, north, south)


def walk(world: City) -> dict[str, tuple[str, set[str]]]:
    """For every declared button: an id that presses it, and who may."""
    t, n, p, c = world.training_id, world.announcement_id, world.plan_id, world.cooperative_id
    members = OFFICERS | STAFF
    table: dict[str, tuple[str, set[str]]] = {
        "go:lapor": ("go:lapor", OFFICERS),
        "go:status": ("go:status", OFFICERS),
        "go:rat": ("go:rat", OFFICERS),
        "go:rencana": ("go:rencana", members),
        "go:rekap": ("go:rekap", STAFF),
        "go:bantuan": ("go:bantuan", members),  # a stranger is told how to register
        "go:menu": ("go:menu", members),
        "go:formulir": ("go:formulir", OFFICERS),
        "formulir:open": ("formulir:open", OFFICERS),
        "bahasa:id": ("bahasa:id", EVERYONE),
        "bahasa:en": ("bahasa:en", EVERYONE),
        "pelatihan:daftar": (f"pelatihan:daftar:{t}", {"own officer"}),
        "pelatihan:tidak": (f"pelatihan:tidak:{t}", {"own officer"}),
        "pelatihan:batal": (f"pelatihan:batal:{t}", OFFICERS),  # the other has nothing to cancel, and is told so
        "pelatihan:peserta": (f"pelatihan:peserta:{t}", {"viewer", "admin"}),
        "pelatihan:kode": (f"pelatihan:kode:{t}", {"admin"}),
        "pelatihan_baru:kind": ("pelatihan_baru:kind:klinik", SENDERS),
        "pelatihan_baru:seg": ("pelatihan_baru:seg:0", SENDERS),
        "umumkan:seg": ("umumkan:seg:1", SENDERS),
        "umumkan:status": (f"umumkan:status:{n}", {"admin"}),
        "rekap:daftar": ("rekap:daftar:2026-10", STAFF),
        "rencana:selesai": (f"rencana:selesai:{p}", {"own officer", "admin"}),
        "rencana:tambah": (f"rencana:tambah:{c}", {"admin"}),
        **{
            f"rencana:{w}": (f"rencana:{w}:{p}", {"admin"})
            for w in ("kelola", "ubah_apa", "ubah_siapa", "ubah_tenggat")
        },
        **{f"rencana:{w}": (f"rencana:{w}:{p}", {"admin"}) for w in ("batal", "batal_ya")},
        **{f"pelatihan_baru:{w}": (f"pelatihan_baru:{w}", SENDERS) for w in ("nodeadline", "save", "cancel")},
        **{f"umumkan:{w}": (f"umumkan:{w}", SENDERS) for w in ("now", "send", "cancel")},
        **{f"rekap:{w}": (f"rekap:{w}:2026-10", SENDERS) for w in ("ingatkan", "kirim", "batal")},
        **{f"rat:{w}": (f"rat:{w}", OFFICERS) for w in ("keep", "today", "yesterday", "not_yet")},
        **{f"lapor:{w}": (f"lapor:{w}", OFFICERS) for w in ("yes", "no", "keep", "same", "back", "still")},
        **{f"lapor:{w}": (f"lapor:{w}", OFFICERS) for w in ("changed", "submit", "cancel", "skip", "pause")},
        **{f"lapor:{w}": (f"lapor:{w}", OFFICERS) for w in ("help", "correct")},
        **{f"lapor:{w}": (f"lapor:{w}:cash", OFFICERS) for w in ("opt", "edit", "item")},
        "lapor:correct:2026-10": ("lapor:correct:2026-10", OFFICERS),
    }
    return table


async def test_every_declared_button_pressed_by_every_role(db: Database) -> None:
    d = dispatcher(db)
    world = await city(db, d)
    table = walk(world)
    pressed = {press.button for press in (buttons.read(button_id) for button_id, _ in table.values()) if press}
    assert pressed == set(buttons.DECLARED), "a declared button is not walked (or an id in the walk is not declared)"
    allowed: dict[str, set[str]] = {}
    for name, (button_id, _) in table.items():
        allowed[name] = set()
        for role in ROLES:
            user = world.people[role]
            await user.send(choice=button_id)
            said = [r.text for r in user.last]
            assert not {STALE, APOLOGY, *EN_STALE_AND_APOLOGY} & set(said), (name, role, said)
            if said[0] not in REFUSALS:
                allowed[name].add(role)
    assert allowed == {name: who for name, (_, who) in table.items()}


async def test_an_officer_outside_the_segment_cannot_take_a_seat(db: Database) -> None:
    """13.1: a forged Daftar from another kecamatan's officer registers nobody, so the invited one is not waitlisted;
    the same button id typed as text does nothing either."""
    d = dispatcher(db)
    world = await city(db, d, capacity=1)
    own, other = world.people["own officer"], world.people["other officer"]
    for button_id in (f"pelatihan:daftar:{world.training_id}", f"pelatihan:tidak:{world.training_id}"):
        await other.send("Daftar", choice=button_id)
        assert other.text == render.text("id", "trainings.not_invited", title=TITLE)
    await other.say(f"pelatihan:daftar:{world.training_id}")
    assert "terdaftar" not in other.text
    await own.send("Daftar", choice=f"pelatihan:daftar:{world.training_id}")
    assert "Bapak/Ibu terdaftar" in own.text and "daftar tunggu" not in own.text
    async with db.transaction() as repos:
        joko = await repos.officers.of_cooperative((await repos.cooperatives.by_nik("3576010002")).id)  # type: ignore[union-attr]
        outcome = await trainings.register(repos, world.training_id, joko[0].id, NOW)  # any other door: the same
        rows = await repos.trainings.registrations(world.training_id)
    assert outcome.status == "not_invited"
    assert [(r.officer_id, r.status) for r in rows] == [(rows[0].officer_id, "registered")]


async def staff_of(db: Database, role: str, kecamatan_id: int | None) -> OfficeStaff:
    async with db.transaction() as repos:
        return await repos.staff.add(f"Petugas {role} {kecamatan_id}", role, kecamatan_id)


async def test_the_code_and_roster_stay_with_the_trainings_kecamatan(db: Database) -> None:
    """13.2: a pembina of another kecamatan cannot reset the venue's code (it keeps working) nor read the roster;
    a viewer of another kecamatan cannot read it either; the services refuse them for every door."""
    clock = Clock()
    d = dispatcher(db, clock)
    world = await city(db, d)
    own, admin, elsewhere = world.people["own officer"], world.people["admin"], world.people["pembina elsewhere"]
    await own.send(choice=f"pelatihan:daftar:{world.training_id}")
    await admin.send(choice=f"pelatihan:kode:{world.training_id}")
    code = re.findall(r"HADIR (\w+)", admin.text)[0]
    async with db.transaction() as repos:
        viewer_south = await repos.staff.add("Viewer Sukun", "viewer", world.south)
    viewer = User(d, "viewer-sukun")
    await viewer.say(f"DAFTAR {await invite(db, None, 'viewer', staff_id=viewer_south.id)}")
    outside = render.text("id", "trainings.outside_area")
    for user, button in ((elsewhere, "kode"), (elsewhere, "peserta"), (viewer, "peserta")):
        await user.send(choice=f"pelatihan:{button}:{world.training_id}")
        assert user.text == outside
    listing = await elsewhere.say("pelatihan")
    assert TITLE not in listing and elsewhere.buttons == []  # not in their list either, as on the office web app
    await world.people["viewer"].say("pelatihan")
    assert world.people["viewer"].buttons == ["Peserta 1"]  # the viewer of its kecamatan reads, makes no code
    clock.advance(days=10, minutes=30)
    assert "kehadiran Bapak/Ibu" in await own.say(f"HADIR {code}")  # the code shown at the venue still works

    pembina, viewer_row = await staff_of(db, "pembina", world.south), await staff_of(db, "viewer", world.south)
    north_viewer = await staff_of(db, "viewer", world.north)
    async with db.transaction() as repos:
        with pytest.raises(NotAllowed):
            await trainings.new_attendance_code(repos, world.training_id, pembina)
        with pytest.raises(NotAllowed):
            await trainings.new_attendance_code(repos, world.training_id, north_viewer)
        for by in (pembina, viewer_row):
            with pytest.raises(NotAllowed):
                await trainings.roster(repos, world.training_id, by)
        assert [line.officer for line in await trainings.roster(repos, world.training_id, north_viewer)] == ["Bu Siti"]


async def test_an_announcements_status_is_for_its_kecamatans_senders(db: Database) -> None:
    """13.3: the role is checked before the id is read, and a pembina sees only their kecamatan's announcements."""
    d = dispatcher(db)
    world = await city(db, d)
    button = f"umumkan:status:{world.announcement_id}"
    for role, told in (
        ("viewer", "common.senders_only"),
        ("pembina elsewhere", "announcements.not_found"),
        ("own officer", "common.not_for_you"),
        ("stranger", "onboarding.stranger"),
    ):
        user = world.people[role]
        await user.send(choice=button)
        assert user.text == render.text("id", told), role
    admin = world.people["admin"]
    await admin.send(choice=button)
    assert f"#{world.announcement_id}" in admin.text
    pembina, viewer = await staff_of(db, "pembina", world.south), await staff_of(db, "viewer", world.north)
    async with db.transaction() as repos:
        assert await announcements.followed(repos, world.announcement_id, pembina) is None
        with pytest.raises(NotAllowed):
            await announcements.followed(repos, world.announcement_id, viewer)
        north = await repos.staff.add("Pembina Lowokwaru 2", "pembina", world.north)
        assert await announcements.followed(repos, world.announcement_id, north) is not None


FORGED = (
    "rekap:kirim:2026-13",
    "rekap:daftar:2026-00",
    "rekap:ingatkan:26-10",
    "pelatihan:daftar:99999999999999999999",
    "pelatihan:kode:2147483648",
    "pelatihan:peserta:-1",
    "pelatihan:daftar:1:2",
    "pelatihan:daftar",
    "umumkan:status:0",
    "umumkan:status:99999999999",
    "rencana:selesai:1e3",
    "pelatihan_baru:seg:7",
    "pelatihan_baru:kind:rapat",
    "lapor:opt:a b",
    "go:nowhere",
    "bahasa:fr",
    "rahasia:hapus:1",
)


async def test_forged_button_data_is_a_stale_button_not_the_apology(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """13.4: a forged period or id is answered "tombol ini sudah tidak berlaku", logged without a traceback."""
    caplog.set_level(logging.INFO)
    d = dispatcher(db)
    world = await city(db, d)
    for role in ("admin", "own officer", "stranger"):
        for forged in FORGED:
            user = world.people[role]
            await user.send("Kirim", choice=forged)
            assert user.text == STALE, (role, forged)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    stale = [r for r in caplog.records if "answered as stale" in r.getMessage()]
    assert len(stale) == 3 * len(FORGED) and all(r.levelno == logging.INFO for r in stale)
    async with db.transaction() as repos:
        assert await repos.outbox.by_keys_prefix("reminder:report-manual") == []
