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
        self.routes: dict[str, Route] = {}  # changed by `add` and `remove` only (they drop `_words`)
        self._words: _Words | None = None
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
        self._words = None
        return route

    def remove(self, name: str) -> None:
        del self.routes[name]
        self._words = None

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
        index = self._words or self._index()
        # the first route (in the order added) whose words hold the whole text, or its one word, or, taking an
        # argument, its first word or the start of it: "DAFTAR KODE", "RAT 15 Maret 2026", "catat rat 15 Maret 2026"
        found = index.first.get(whole)
        if len(words) == 1:  # a route taking an argument is asked for by its word alone, as any other
            places = [p for p in (found, index.first.get(first)) if p is not None]
            return index.ordered[min(places)] if places else None
        for place, route, starts in index.arguments:
            if found is not None and place > found:
                break
            if first in route.words or whole.startswith(starts):
                found = place
                break
        return index.ordered[found] if found is not None else None

    def _index(self) -> _Words:
        """Each word's first route, looked up once (every message asks, mostly with an answer that is no command)."""
        ordered = tuple(self.routes.values())
        first: dict[str, int] = {}
        for place, route in enumerate(ordered):
            for word in route.words:
                first.setdefault(word, place)
        arguments = tuple(
            (place, route, tuple(f"{w} " for w in route.words))
            for place, route in enumerate(ordered)
            if route.takes_argument
        )
        self._words = _Words(ordered, first, arguments)
        return self._words


@dataclass(frozen=True)
class _Words:
    """The routes in order, each word's first route (its place), and the routes taking an argument (with their
    words followed by a space: how a text with an argument starts)."""

    ordered: tuple[Route, ...]
    first: dict[str, int]
    arguments: tuple[tuple[int, Route, tuple[str, ...]], ...]
