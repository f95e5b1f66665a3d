"""What the form's pages share: the database, the rules, the chat's dispatcher and a sender for its replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.chat.dispatch import Dispatcher, Outgoing
from bot.domain.health.rules import Rules
from storage.db import Database

Send = Callable[[Sequence[Outgoing]], Awaitable[object]]


@dataclass(frozen=True)
class FormDoor:
    """The form's world."""

    db: Database
    rules: Rules
    dispatcher: Dispatcher
    send: Send
    telegram_token: str | None  # checks a Mini App's initData when one comes
    language: str  # for pages that know no officer


FORM = web.AppKey("form", FormDoor)
