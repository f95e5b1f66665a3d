"""What the form tests share: an officer registered in chat, the form mounted on an app, its screens filled in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import SecretStr

from bot.chat.dispatch import Dispatcher, Outgoing
from bot.config import Settings
from bot.domain.health.rules import default_rules
from bot.domain.periods import Period, reporting_period_for
from bot.services import Services
from bot.services.reports import FormReport
from bot.web.app import make_app
from bot.web.form import add_form
from storage.db import Database
from tests.handlers.chat import KSP_VALUES, NOW, User, answer_for

LINK = re.compile(r"https?://[^\s/]+(/formulir/[A-Za-z0-9._-]+)")
PERIOD = reporting_period_for(NOW, "Asia/Jakarta")


@dataclass
class Sent:
    """What the form handed to the channel edge to send right away."""

    outgoing: list[Outgoing] = field(default_factory=list)

    async def __call__(self, outgoing: Sequence[Outgoing]) -> None:
        self.outgoing.extend(outgoing)


def form_app(db: Database, dispatcher: Dispatcher, sent: Sent, telegram_token: str | None = None) -> web.Application:
    secret = SecretStr(telegram_token) if telegram_token else None
    settings = Settings(database_url=db.url, telegram_token=secret, _env_file=None)  # type: ignore[call-arg]
    app = make_app(db)
    add_form(app, db, settings, default_rules(), dispatcher, sent)
    return app


async def form_path(user: User) -> str:
    """`formulir` in chat; the link's path."""
    found = LINK.search(await user.say("formulir"))
    assert found is not None, user.text
    return found.group(1)


async def form_view(db: Database, cooperative_id: int, period: Period = PERIOD) -> FormReport:
    async with db.transaction() as repos:
        return await Services(repos, default_rules()).reports.form(cooperative_id, period)


async def draft(db: Database, cooperative_id: int, period: Period = PERIOD) -> dict[str, str]:
    async with db.transaction() as repos:
        return (await Services(repos, default_rules()).reports.open(cooperative_id, period)).draft


def section_fields(view: FormReport, values: dict[str, str] = KSP_VALUES) -> list[tuple[str, dict[str, str]]]:
    """Each screen's section id and a plausible answer to each of its fields (choices by option id)."""
    screens = []
    for section, questions in view.sections:
        answers = {}
        for q in questions:
            typed = answer_for(q, values)
            answers[q.key] = q.options[int(typed) - 1].id if q.kind == "choice" and typed.isdigit() else typed
        screens.append((section.id, answers))
    return screens
