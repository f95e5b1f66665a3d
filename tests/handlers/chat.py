"""A transcript helper: users talk to the real dispatcher on a real database; replies come back as text."""

from __future__ import annotations

import contextlib
import difflib
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.chat import buttons
from bot.chat.context import BotInfo
from bot.chat.dispatch import Dispatcher, DispatchResult
from bot.chat.messages import Address, Inbound, Reply
from bot.domain import forms
from bot.services.invites import create_invite
from handlers import router
from storage.db import Database
from tests.conftest import drop_test_database, make_test_database

# 2026-11-03 10:00 WIB: the October 2026 report is open (deadline 10 November)
NOW = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)
_ids = itertools.count(1)

KSP_VALUES: dict[str, str] = {
    "cash": "40 jt", "bank": "60 jt", "placements": "300 jt", "securities": "0",
    "loans_to_members": "1.350.000.000", "loans_to_non_members": "150 jt", "loans_substandard": "60 jt",
    "loans_doubtful": "40 jt", "loans_loss": "30 jt", "loans_at_risk": "1 M", "risk_reserve": "45 jt",
    "investments": "0", "accrued_income": "0", "fixed_assets": "100 jt", "total_assets": "2 M",
    "current_liabilities": "800 jt", "voluntary_savings": "900 jt", "time_deposits": "100 jt",
    "borrowings": "100 jt", "accrued_expenses": "0", "other_liabilities": "45 jt", "principal_savings": "50 jt",
    "mandatory_savings": "350 jt", "special_mandatory_savings": "0", "grants": "0", "general_reserve": "300 jt",
    "participation_capital": "0", "equalization_capital": "0", "undistributed_surplus": "110 jt",
    "gross_participation": "330 jt", "non_member_income": "30 jt", "cost_of_services": "60 jt",
    "operating_expenses": "150 jt", "cooperative_expenses": "40 jt", "staff_costs": "60 jt",
    "gross_surplus": "300 jt", "surplus_before_tax": "110 jt", "members_surplus_share": "40 jt",
    "member_economic_benefit": "12 jt",
}  # fmt: skip
# The books add up: asset lines = total assets = liabilities + equity + risk reserve; SHU kotor and SHU sebelum pajak
# agree with their formulas (the report cannot be sent otherwise). The last three are computed, never asked in chat.


class Clock:
    """A controllable clock for the dispatcher."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class User:
    """One chat user; `say` and `press` return the bot's replies."""

    dispatcher: Dispatcher
    user_id: str
    channel: str = "console"
    last: list[Reply] = field(default_factory=list)

    async def send(self, text: str = "", *, choice: str | None = None, message_id: str | None = None) -> DispatchResult:
        inbound = Inbound(
            address=Address(self.channel, self.user_id),  # type: ignore[arg-type]
            message_id=message_id or f"m{next(_ids)}",
            received_at=self.dispatcher.clock(),
            kind="choice" if choice else "text",
            text=text,
            choice=choice,
            display_name=f"Bu {self.user_id.title()}",
        )
        result = await self.dispatcher.handle(inbound)
        if not result.duplicate:
            self.last = result.replies
        offered = [c.id for r in result.replies for c in r.choices]
        assert all(buttons.read(i) for i in offered), f"a button not declared in bot.chat.buttons: {offered}"
        return result

    async def say(self, text: str) -> str:
        """Send text; the replies' texts joined."""
        await self.send(text)
        return self.text

    async def press(self, title_or_id: str) -> str:
        """Press a button of the last reply by its title (or its id)."""
        for reply in reversed(self.last):
            for choice in reply.choices:
                if title_or_id in (choice.title, choice.id, choice.id.split(":", 1)[-1]):
                    await self.send(choice.title, choice=choice.id)
                    return self.text
        raise AssertionError(f"no button {title_or_id!r} in {[c.title for r in self.last for c in r.choices]}")

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def buttons(self) -> list[str]:
        return [c.title for r in self.last for c in r.choices]


Exchange = tuple[str, str] | tuple[str, str, Sequence[str]]


async def transcript(user: User, *exchanges: Exchange) -> None:
    """Play a conversation: each (user says, bot replies[, buttons]) must match exactly.

    The bot's replies to one message are compared as their texts joined by newlines, and, where given, the buttons
    offered under them, in order. A mismatch names the exchange and shows the conversation up to it and the difference.
    """
    played: list[str] = []
    for number, (says, expected, *shown) in enumerate(exchanges, start=1):
        got = await user.say(says)
        played.append(f"user> {says[:80]}\nbot> {got}")
        wanted_buttons = list(shown[0]) if shown else user.buttons
        if got != expected or user.buttons != wanted_buttons:
            diff = "\n".join(
                difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected", "got", lineterm="")
            )
            raise AssertionError(
                f"exchange {number} ({says[:40]!r}) differs:\n{diff or '(same text)'}\n"
                f"buttons: expected {wanted_buttons}, got {user.buttons}\n--- conversation:\n" + "\n".join(played)
            )


async def add_cooperative(db: Database, nik: str = "3576010001", type_: str = "ksp", **extra: Any) -> int:
    async with db.transaction() as repos:
        cooperative, _ = await repos.cooperatives.upsert(
            {"name": extra.pop("name", "KSP Maju Bersama"), "nik": nik, "type": type_, **extra}
        )
        return cooperative.id


async def invite(
    db: Database,
    cooperative_id: int | None,
    role: str = "bendahara",
    *,
    uses: int = 1,
    staff_id: int | None = None,
    expires: timedelta = timedelta(days=30),
) -> str:
    async with db.transaction() as repos:
        code, _row = await create_invite(
            repos, role=role, now=NOW, expires_in=expires, uses=uses, cooperative_id=cooperative_id, staff_id=staff_id
        )
    return code


def dispatcher(db: Database, clock: Clock | None = None) -> Dispatcher:
    return Dispatcher(db, BotInfo(), router, clock=clock or Clock())


@contextlib.asynccontextmanager
async def two_processes(backend: str, tmp_path: Path) -> AsyncIterator[tuple[Database, Dispatcher, Dispatcher]]:
    """Two `kopsehat run` processes on one fresh database, each its own engine and dispatcher (and the database)."""
    first, schema = await make_test_database(backend, tmp_path)
    second = Database(first.url, schema=schema)
    try:
        bot = dispatcher(first).bot
        yield first, Dispatcher(first, bot, router), Dispatcher(second, bot, router)
    finally:
        await second.dispose()
        await drop_test_database(first, schema)


async def registered(
    db: Database, d: Dispatcher, user_id: str = "siti", nik: str = "3576010001", type_: str = "ksp", **extra: Any
) -> User:
    """A user registered as bendahara of a (new or existing) cooperative."""
    async with db.transaction() as repos:
        existing = await repos.cooperatives.by_nik(nik)
    coop_id = existing.id if existing else await add_cooperative(db, nik, type_, **extra)
    user = User(d, user_id)
    await user.say(f"DAFTAR {await invite(db, coop_id)}")
    return user


async def mid_report(db: Database, d: Dispatcher, people: Sequence[str], nik_prefix: str) -> None:
    """Each of `people` registered for a cooperative of their own (NIK `nik_prefix` + 10, 11, ...) and their monthly
    report opened (`lapor`): their next message answers its first question."""
    for n, person in enumerate(people):
        user = await registered(db, d, person, nik=f"{nik_prefix}{n + 10}")
        await user.say("lapor")


async def officer_without_account(db: Database, nik: str = "3576010001") -> None:
    """An officer of the cooperative `nik` (already there) who never registered: in its segments, reached by no chat."""
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik(nik)
        assert coop is not None
        await repos.officers.add(coop.id, "Pak Tanpa Akun", "pengawas")


def answer_for(question: forms.Question, values: dict[str, str]) -> str:
    """A plausible answer to any question of the form."""
    if question.key in values:
        return values[question.key]
    if question.kind == "yesno":
        return "ya"
    if question.kind == "integer":
        return "120"
    if question.kind == "choice":
        return "1"
    return "10 jt"


async def report_state(db: Database, user: User) -> tuple[str, str | None]:
    """(stage, current question key) of the user's report conversation, as stored."""
    async with db.transaction() as repos:
        found = await repos.chats.load(user.channel, user.user_id)
        assert found is not None
        conversation = found[1]
        state = (conversation.progress or {}).get("engine") or {}
    return state.get("stage", "none"), state.get("current") or state.get("pending")


async def complete_report(db: Database, user: User, values: dict[str, str] = KSP_VALUES, limit: int = 300) -> str:
    """Answer every question with `values` (or a plausible default), keeping big changes and the yearly answers
    carried forward ("Masih sama"), up to the summary."""
    text = await user.say("lapor")
    form = forms.load_form()
    for _ in range(limit):
        stage, key = await report_state(db, user)
        if stage == "summary":
            return text
        if stage == "confirm_change":
            text = await user.press("yes")
            continue
        if stage == "confirm_group":
            text = await user.press("still")
            continue
        assert key is not None, text
        text = await user.say(answer_for(form.question(key), values))
    raise AssertionError("the report did not reach its summary")
