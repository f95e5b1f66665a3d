"""What a handler gets for one inbound message: who wrote, their records, the repositories, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.buttons import Press
from bot.chat.examples import Examples, examples
from bot.chat.messages import Choice, Inbound, Reply
from bot.domain.health.rules import Rules, default_rules
from bot.services import Services
from bot.services.notices import DEFAULT_QUIET, QuietHours
from bot.words import render
from bot.words.render import Lang
from storage.models import ChannelIdentity, Cooperative, Officer, OfficeStaff
from storage.repositories import Repositories


@dataclass(frozen=True)
class BotInfo:
    """Facts about this deployment that handlers mention (links, names) and services they use."""

    telegram_username: str | None = None
    whatsapp_number: str | None = None
    office_zone: str = "Asia/Jakarta"
    default_language: Lang = "id"
    rules: Rules | None = None
    quiet_hours: QuietHours | None = DEFAULT_QUIET  # KOPSEHAT_QUIET_HOURS; None: no quiet hours
    deadline_day: int = 10
    office_url: str = "http://127.0.0.1:8080"  # where the office web app is reached (login links)


@dataclass
class Context:
    """One message's world; the handler changes `handler`/`progress` and returns replies."""

    inbound: Inbound
    repos: Repositories
    bot: BotInfo
    identity: ChannelIdentity
    officer: Officer | None
    cooperative: Cooperative | None
    staff: OfficeStaff | None
    now: datetime
    handler: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    press: Press | None = None  # the pressed button, read and checked against its declaration (bot.chat.buttons)

    @property
    def lang(self) -> Lang:
        chosen = self.identity.language or (self.officer.language if self.officer else None)
        return render.as_lang(chosen, self.bot.default_language)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.cooperative.timezone if self.cooperative else self.bot.office_zone)

    @property
    def examples(self) -> Examples:
        """Dates for the examples in questions, from today in the office's zone."""
        return examples(self.now, ZoneInfo(self.bot.office_zone))

    @property
    def actor(self) -> str:
        if self.officer:
            return f"officer:{self.officer.id}"
        return f"staff:{self.staff.id}" if self.staff else f"identity:{self.identity.id}"

    @property
    def rules(self) -> Rules:
        return self.bot.rules or default_rules()

    @cached_property
    def services(self) -> Services:
        """The use cases, bound to this message's transaction."""
        return Services(self.repos, self.rules)

    async def reload_people(self) -> None:
        """Read again who this chat account is (a registration just bound it to an officer or a staff member)."""
        self.officer, self.cooperative, self.staff = await self.repos.chats.people(self.identity)

    def say(self, message: str, choices: tuple[Choice, ...] = (), /, **values: Any) -> Reply:
        """A reply rendered from template `message` ("file.macro") in the user's language."""
        return Reply(text=render.text(self.lang, message, **values), choices=choices)

    def goto(self, handler: str | None, progress: dict[str, Any] | None = None) -> None:
        """Set what the next message of this user continues (None: nothing in progress)."""
        self.handler = handler
        self.progress = progress or {}
