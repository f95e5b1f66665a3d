"""Handlers: one module per thing a user can do, channel-neutral; this registry routes words to them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.chat.context import Context
from bot.chat.messages import Reply

HandlerFn = Callable[[Context], Awaitable[Sequence[Reply]]]
Audience = Literal["anyone", "officer", "staff", "member"]


@dataclass(frozen=True)
class Route:
    """A thing a user can do: the words that start it, who may, and how it starts and continues."""

    name: str
    words: frozenset[str]
    start: HandlerFn
    resume: HandlerFn | None = None
    audience: Audience = "member"
    takes_argument: bool = False
    aliases: frozenset[str] = field(default_factory=frozenset)

    def allowed(self, ctx: Context) -> bool:
        return self.open_to(officer=ctx.officer is not None, staff=ctx.staff is not None)

    def open_to(self, *, officer: bool = False, staff: bool = False) -> bool:
        """Whether someone who is a cooperative officer and/or office staff may use this."""
        if self.audience == "anyone":
            return True
        if self.audience == "officer":
            return officer
        if self.audience == "staff":
            return staff
        return officer or staff

    def refuse(self, ctx: Context) -> list[Reply]:
        if ctx.officer is None and ctx.staff is None:
            return [ctx.say("onboarding.stranger")]
        if self.audience == "officer":
            return [ctx.say("common.officers_only")]
        return [ctx.say("common.not_for_you")]


ROUTES: dict[str, Route] = {}


def register(route: Route) -> Route:
    """Add a route to the registry (each handler module registers its own)."""
    ROUTES[route.name] = route
    return route


def route_for_text(text: str) -> Route | None:
    """The route a typed command or keyword asks for: "/lapor", "lapor", "DAFTAR KODE", "/start KODE"."""
    words = text.strip().split()
    if not words:
        return None
    first = words[0].lower()
    if first.startswith("/"):
        first = first[1:].split("@", 1)[0]
    whole = " ".join(w.lower() for w in words).lstrip("/")
    for route in ROUTES.values():
        if whole in route.words or (len(words) == 1 and first in route.words):
            return route
        if route.takes_argument and (first in route.words or any(whole.startswith(f"{w} ") for w in route.words)):
            return route  # "DAFTAR KODE", "RAT 15 Maret 2026", "catat rat 15 Maret 2026"
    return None


def _load() -> None:
    import importlib

    for module in (
        "help",
        "onboarding",
        "report",
        "status",
        "trainings",
        "announcements",
        "recap",
        "rat",
        "office_login",
    ):
        importlib.import_module(f"handlers.{module}")  # each registers its routes


_load()
