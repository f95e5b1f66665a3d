"""Routes: the things a user can do, the words that start them and who may; a Router finds the one a message asks for.

Each handler module exposes its own `router`; `handlers.router` joins them into the one the dispatcher is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.chat.context import Context
from bot.chat.messages import Reply
from bot.services import Services

HandlerFn = Callable[[Context], Awaitable[Sequence[Reply]]]


@dataclass(frozen=True)
class Waiting:
    """A batch's messages for one route, before they are handled: the (cooperative id, saved progress) of each
    officer continuing it, and the cooperatives of the officers whose message starts it, at `at`."""

    continuing: Sequence[tuple[int, dict[str, Any]]]
    starting: Sequence[int] = ()
    at: datetime | None = None


# Before a batch of messages: the route reads for all of them at once what each message would read alone (one
# statement instead of one each).
PrepareFn = Callable[[Services, Waiting], Awaitable[None]]
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
    prepare: PrepareFn | None = None

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


class Router:
    """Routes by name, in the order they were added (the first whose words match a text wins)."""

    def __init__(self, *routes: Route) -> None:
        self.routes: dict[str, Route] = {}
        for route in routes:
            self.add(route)

    @classmethod
    def joined(cls, *routers: Router) -> Router:
        """One router holding the routes of `routers`, in this order."""
        return cls(*(route for router in routers for route in router))

    def add(self, route: Route) -> Route:
        if route.name in self.routes:
            raise ValueError(f"two routes are named {route.name!r}")
        self.routes[route.name] = route
        return route

    def remove(self, name: str) -> None:
        del self.routes[name]

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes.values())

    def __contains__(self, name: object) -> bool:
        return name in self.routes

    def get(self, name: str | None) -> Route | None:
        return self.routes.get(name) if name is not None else None

    def for_text(self, text: str) -> Route | None:
        """The route a typed command or keyword asks for: "/lapor", "lapor", "DAFTAR KODE", "/start KODE"."""
        words = text.strip().split()
        if not words:
            return None
        first = words[0].lower()
        if first.startswith("/"):
            first = first[1:].split("@", 1)[0]
        whole = " ".join(w.lower() for w in words).lstrip("/")
        for route in self.routes.values():
            if whole in route.words or (len(words) == 1 and first in route.words):
                return route
            if route.takes_argument and (first in route.words or any(whole.startswith(f"{w} ") for w in route.words)):
                return route  # "DAFTAR KODE", "RAT 15 Maret 2026", "catat rat 15 Maret 2026"
        return None
