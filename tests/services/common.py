"""What the service tests share: a cooperative with its officers, the services of one transaction, the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import select, text

from bot.domain import forms
from bot.domain.health.rules import default_rules
from bot.domain.numbers import AmountProblem, parse_amount, to_plain
from bot.services import Services
from storage.db import Database, is_sqlite
from storage.models import AuditEntry
from storage.repositories import Repositories
from tests.handlers.chat import KSP_VALUES


@asynccontextmanager
async def services(db: Database) -> AsyncIterator[Services]:
    """The services of one committed transaction."""
    async with db.transaction() as repos:
        yield Services(repos, default_rules())


async def cooperative_with_officers(
    db: Database, nik: str = "3576010001", names: tuple[str, ...] = ("Bu Siti", "Pak Budi")
) -> tuple[int, list[int]]:
    """A KSP and its officers' ids (the first the bendahara)."""
    async with db.transaction() as repos:
        cooperative, _ = await repos.cooperatives.upsert({"name": "KSP Maju Bersama", "nik": nik, "type": "ksp"})
        officers = [await repos.officers.add(cooperative.id, name, "bendahara") for name in names]
        return cooperative.id, [o.id for o in officers]


def ksp_answers(yearly: str = "ya") -> dict[str, str]:
    """A whole KSP report as the engine hands it over: figures as plain decimals, every yearly item `yearly`."""
    figures = {}
    for key, typed in KSP_VALUES.items():
        amount = parse_amount(typed)
        assert not isinstance(amount, AmountProblem), (key, amount)
        figures[key] = to_plain(amount)
    profile = forms.Profile("ksp", frozenset(), False)
    every = forms.questions_for(forms.load_form(), profile, True, True)
    return {**figures, **{q.key: yearly for q in every if q.yearly}}


async def audit(db: Database, action: str) -> list[AuditEntry]:
    """The audit entries of one kind, oldest first."""
    async with db.transaction() as repos:
        stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list((await repos.session.scalars(stmt)).all())


@asynccontextmanager
async def other_process(db: Database) -> AsyncIterator[Database]:
    """The same database through another engine (another process's connections)."""
    async with db.reading() as repos:
        schema = None if is_sqlite(db.url) else await repos.session.scalar(text("SELECT current_schema()"))
    other = Database(db.url, schema=schema)
    try:
        yield other
    finally:
        await other.dispose()


async def meanwhile(
    db: Database,
    first: Callable[[Repositories], Awaitable[object]],
    second: Callable[[Repositories], Awaitable[object]],
) -> bool:
    """`first` in a transaction that stays open while another process starts `second`; whether the second waited
    for the first to commit."""
    async with other_process(db) as other:

        async def then() -> None:
            async with other.transaction() as repos:
                await second(repos)

        async with db.transaction() as repos:
            await first(repos)
            started = asyncio.create_task(then())
            await asyncio.sleep(0.5)
            waited = not started.done()
        await started
    return waited
