"""Random messages from several users: nothing raises, every reply says something, saved answers stay saved."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.dispatch import DispatchResult
from storage.db import Database
from tests.conftest import PG_URL, drop_test_database, make_test_database, require_postgres
from tests.handlers.chat import User, add_cooperative, dispatcher, invite

WORDS = [
    "lapor", "/lapor", "laporan", "status", "/status", "riwayat", "menu", "/menu", "bantuan", "/batal", "batal",
    "bahasa", "sama", "kirim", "ya", "tidak", "1", "2", "3", "7", "0", "12,3 jt", "250rb", "1.250.000", "2 M",
    "-5.000.000", "dua juta", "satu juta", "🙂", "ubah neraca", "ubah manajemen", "lewati", "tetap", "/start",
    "DAFTAR XXXX", "salah ketik", "x" * 5000, "", "   ", "/rekap", "HADIR 1234", "rat", "RAT 15 Maret 2026",
    "15/3/2026", "kemarin", "belum",
]  # fmt: skip
message = st.one_of(st.sampled_from(WORDS), st.text(max_size=40))
conversation = st.lists(st.tuples(st.integers(0, 2), message), min_size=1, max_size=40)


@asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[Database]:
    """A database of its own for one example (hypothesis runs many in one test)."""
    with tempfile.TemporaryDirectory() as tmp:
        db, schema = await make_test_database(backend, Path(tmp))
        try:
            yield db
        finally:
            await drop_test_database(db, schema)


async def _run(backend: str, steps: list[tuple[int, str]]) -> None:
    async with fresh_database(backend) as db:
        coop = await add_cooperative(db)
        d = dispatcher(db)
        users = [User(d, f"u{i}") for i in range(3)]
        for user in users[:2]:
            await user.say(f"DAFTAR {await invite(db, coop)}")
        seen: dict[str, str] = {}
        revisions: list[dict[str, str]] = []
        for who, text in steps:
            result = await users[who].send(text)
            assert result.replies, f"no reply to {text!r}"
            assert all(r.text.strip() for r in result.replies), f"an empty reply to {text!r}"
            async with db.transaction() as repos:
                report = await repos.reports.get(coop, "2026-10")
                draft = dict(report.draft) if report else {}
                stored = [dict(r.figures) for r in await repos.reports.revisions(report.id)] if report else []
            # a submitted revision never changes; a draft answer, once given, is never lost
            assert stored[: len(revisions)] == revisions
            revisions = stored
            if report is not None and report.status == "draft":
                assert set(seen) <= set(draft), f"lost answers after {text!r}"
                seen = draft
            else:
                seen = {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=conversation)
def test_random_messages_on_sqlite(steps: list[tuple[int, str]]) -> None:
    asyncio.run(_run("sqlite", steps))


@pytest.mark.skipif(not PG_URL and not __import__("os").environ.get("CI"), reason="KOPSEHAT_TEST_DATABASE_URL not set")
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=conversation)
def test_random_messages_on_postgresql(steps: list[tuple[int, str]]) -> None:
    require_postgres()
    asyncio.run(_run("postgresql", steps))


async def _batched_as_alone(backend: str, steps: list[tuple[int, str]]) -> None:
    """The same messages, awaited one by one for three users and all submitted at once for three others
    (handled in batches): every reply and every saved answer is the same."""
    async with fresh_database(backend) as db:
        d = dispatcher(db)
        coops = {"a": await add_cooperative(db, "3576010001"), "b": await add_cooperative(db, "3576010002")}
        users = {side: [User(d, f"{side}{i}") for i in range(3)] for side in coops}
        for side, coop in coops.items():
            for user in users[side][:2]:
                await user.say(f"DAFTAR {await invite(db, coop)}")
        alone = [await users["a"][who].send(text) for who, text in steps]
        batched = await asyncio.gather(*(users["b"][who].send(text) for who, text in steps))

        def seen(results: list[DispatchResult], side: str) -> list[tuple[int, list[str]]]:
            return [
                (who, [r.text.replace(f"Bu {side.upper()}", "Bu ?") for r in result.replies])
                for (who, _), result in zip(steps, results, strict=True)
            ]

        assert seen(batched, "b") == seen(alone, "a")
        async with db.transaction() as repos:
            reports = [await repos.reports.get(coop, "2026-10") for coop in coops.values()]
            assert [(r.status, r.draft) if r else None for r in reports[1:]] == [
                (r.status, r.draft) if r else None for r in reports[:1]
            ]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=conversation)
def test_batched_messages_are_handled_as_if_alone_on_sqlite(steps: list[tuple[int, str]]) -> None:
    asyncio.run(_batched_as_alone("sqlite", steps))


@pytest.mark.skipif(not PG_URL and not __import__("os").environ.get("CI"), reason="KOPSEHAT_TEST_DATABASE_URL not set")
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=conversation)
def test_batched_messages_are_handled_as_if_alone_on_postgresql(steps: list[tuple[int, str]]) -> None:
    require_postgres()
    asyncio.run(_batched_as_alone("postgresql", steps))
