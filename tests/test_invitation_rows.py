"""Training invitations made by the database: each row is the one the per-officer Python path wrote (the text with
the officer's name, the chat chosen, quiet hours, unreachable with the reason), byte for byte, whatever the name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, insert, select

from bot.services import trainings
from bot.services.notices import DEFAULT_QUIET, notice_row
from bot.services.segments import parse
from bot.words import render
from bot.words.messages import Notice, Reply
from storage import jsonio
from storage.db import Database
from storage.models import Cooperative, Officer, OutboxMessage
from storage.repositories import Repositories
from storage.repositories.outbox import with_defaults
from tests.databases import statements_run
from tests.test_segments import seed_city

WIB = ZoneInfo("Asia/Jakarta")
NIGHT = datetime(2026, 11, 3, 22, 30, tzinfo=WIB)  # inside quiet hours: each row waits for 07.00 in its own zone
START = NIGHT + timedelta(days=10)

AWKWARD = (  # names an officer may carry (every one PostgreSQL can store)
    'Siti "Ani" O\'Brien',
    "Budi \\ *Santoso* _x_ `y` \\n \\u0041",
    "<b>Dewi</b> & Rina {{ x }} {% if %} %s %(name)s",
    "Ni Luh 😀 Putu é ß 中文",
    "Ujang\tTab\x01\x1f\x7f",
    "Mark \ue000name\ue000 inside",  # the marker the text is rendered with, in a name
    "Robert'); DROP TABLE officers;--",
    "Line\nbreak",
    "\u2028Sep\u2029arated\r",
    "  spaced  ",
)


def plan() -> trainings.TrainingPlan:
    return trainings.TrainingPlan(
        title='Klinik "Laporan" \\ Keuangan *RAT*',
        kind="klinik",
        starts_at=START,
        ends_at=START + timedelta(hours=3),
        segment=parse("all"),
        venue="Aula <Dinas> & Koperasi",
        capacity=30,
        deadline=START - timedelta(days=1),
    )


def python_text(training: Any, session: Any, lang: render.Lang, name: str) -> str:
    """The invitation as the per-officer Python path made it: rendered once with the mark, the name put in its place."""
    return trainings._invitation(training, session, WIB, lang).replace(trainings.NAME_MARK, name)


async def chat_accounts(
    repos: Repositories, officer_id: int, n: int, telegram: str, whatsapp: str, night: datetime
) -> None:
    """The `n`th officer's chat accounts, every kind in turn: both reachable (the newer, WhatsApp, is chosen), only the
    older reachable (Telegram chosen), neither reachable, none at all."""
    if n % 4 == 3:
        return  # no chat account
    older = await repos.identities.get_or_create("telegram", telegram)
    newer = await repos.identities.get_or_create("whatsapp", whatsapp)
    older.officer_id = newer.officer_id = officer_id
    older.last_inbound_at = night - timedelta(days=2)
    newer.last_inbound_at = night - timedelta(days=1)
    newer.reachable = n % 4 == 0  # 1: the older one is chosen; 2: neither can get it
    older.reachable = n % 4 != 2


async def seed_awkward(db: Database) -> dict[int, str]:
    """The city plus an officer per awkward name, with every kind of chat: reachable (the one used last is chosen),
    unreachable only, none; some in English, some in a cooperative on Makassar time."""
    city = await seed_city(db)
    async with db.transaction() as repos:
        coop_c = await repos.session.get(Cooperative, city.coops["C"])
        assert coop_c is not None
        coop_c.timezone = "Asia/Makassar"
        made: dict[int, str] = {}
        for n, name in enumerate(AWKWARD):
            officer = await repos.officers.add(city.coops["AC"[n % 2]], name, "ketua", "en" if n % 3 == 0 else "id")
            made[officer.id] = name
            await chat_accounts(repos, officer.id, n, f"{9000 + n}", f"62812{n:04d}", NIGHT)
        await repos.session.flush()
    return made


async def raw_payload(repos: Repositories, key: str) -> str:
    """The payload as the database keeps it (PostgreSQL's json keeps the text it was given)."""
    stmt = select(cast(OutboxMessage.__table__.c.payload, Text)).where(OutboxMessage.dedupe_key == key)
    return str(await repos.session.scalar(stmt))


async def test_each_invitation_row_is_the_one_the_python_path_wrote_for_awkward_names(db: Database) -> None:
    names = await seed_awkward(db)
    async with db.transaction() as repos:
        training, invited, reach = await trainings.create(
            repos, plan(), staff_id=None, now=NIGHT, zone=WIB, quiet=DEFAULT_QUIET
        )
        session = await trainings.first_session(repos, training.id)
        people = await repos.officers.with_cooperatives(list(names))
        accounts = await repos.identities.of_officers(list(names))
        for officer_id, name in names.items():
            officer, cooperative = people[officer_id]
            lang = render.as_lang(officer.language)
            key = f"training:{training.id}:officer-{officer_id}:invite"
            notice = Notice(
                "training_invite",
                key,
                Reply(python_text(training, session, lang, name), trainings.invite_choices(training.id, lang)),
                priority=6,
            )
            zone = ZoneInfo(cooperative.timezone)
            expected = with_defaults(
                notice_row(notice, accounts[officer_id], NIGHT, zone, DEFAULT_QUIET, officer_id=officer_id), NIGHT
            )
            row = await repos.outbox.by_key(key)
            assert row is not None, name
            stored = {column: getattr(row, column) for column in expected}
            stored["next_attempt_at"] = stored["next_attempt_at"].astimezone(WIB)
            expected["next_attempt_at"] = expected["next_attempt_at"].astimezone(WIB)
            assert stored == expected, name
            assert await raw_payload(repos, key) == jsonio.dumps(expected["payload"]), name  # the same bytes
            assert f"{'Hello' if lang == 'en' else 'Halo'} {name}. " in row.payload["text"]
    assert invited == 5 - 1 + len(AWKWARD)  # the city's active officers but the one who said BERHENTI, and these
    assert reach.now + reach.missing == invited + 1 and dict(reach.missed)["paused"] == 1


async def test_inviting_a_province_takes_a_few_statements_not_one_per_few_hundred_officers(db: Database) -> None:
    """1,500 officers: the rows are made by the database (a statement per 40,000), not read and sent from Python."""
    city = await seed_city(db)
    async with db.transaction() as repos:
        rows = [
            {"cooperative_id": city.coops["B"], "name": f"Petugas {n}", "role": "anggota", "status": "active"}
            for n in range(1500)
        ]
        await repos.session.execute(insert(Officer), rows)
    with statements_run(db) as run:
        async with db.transaction() as repos:
            _, invited, reach = await trainings.create(repos, plan(), staff_id=None, now=NIGHT, zone=WIB)
    statements = [s for s, _ in run]
    assert invited == 1504 and reach.now == 4 and dict(reach.missed)["no_account"] == 1500
    assert len(statements) <= 16, statements  # main: 2 + 1,500/200 inserts + reads of every part
