"""`Router.for_text` finds a text's route through an index of the routes' words: the same route as going through
the routes in order, for every word of every route and the ways people type them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.messages import Reply
from bot.chat.routing import Route, Router
from handlers import router


def in_order(routes: Router, text: str) -> Route | None:
    """The first route, in the order added, that a text asks for (what `for_text` did before its index)."""
    words = text.strip().split()
    if not words:
        return None
    first = words[0].lower()
    if first.startswith("/"):
        first = first[1:].split("@", 1)[0]
    whole = " ".join(w.lower() for w in words).lstrip("/")
    for route in routes:
        if whole in route.words or (len(words) == 1 and first in route.words):
            return route
        if route.takes_argument and (first in route.words or any(whole.startswith(f"{w} ") for w in route.words)):
            return route
    return None


def typed(words: Sequence[str]) -> list[str]:
    """Each word as people type it: alone, as a command, addressed to the bot, shouting, with an argument."""
    texts = ["", "   ", "12", "1,5 jt", "ya", "Tidak", "2 3", "/", "//", "@", "x@y z"]
    for word in words:
        first, *rest = word.split()
        texts += [word, word.upper(), f"  {word}  ", f"/{word}", f"//{word}", f"/{first}@kopsehat_bot {' '.join(rest)}"]
        texts += [f"{word} KODE123", f"/{word} 15 Maret 2026", f"{word}x", f"x {word}", f"{first}", f"{word}  a  b"]
    return texts


async def nothing(_: object) -> Sequence[Reply]:
    return []


def test_every_route_word_finds_the_route_found_in_order() -> None:
    words = sorted({w for route in router for w in route.words})
    for text in typed(words):
        assert router.for_text(text) is in_order(router, text), text


def test_the_first_route_added_wins_and_a_change_of_routes_is_seen() -> None:
    routes = Router(
        Route("a", frozenset({"kode", "cek"}), nothing),
        Route("b", frozenset({"kode x", "rat"}), nothing, takes_argument=True),
        Route("c", frozenset({"cek", "kode x y", "catat rat"}), nothing, takes_argument=True),
    )
    texts = typed(["kode", "cek", "kode x", "rat", "kode x y", "catat rat", "catat"])
    for text in texts:
        assert routes.for_text(text) is in_order(routes, text), text
    routes.remove("a")
    routes.add(Route("d", frozenset({"rat 1", "kode"}), nothing))
    for text in texts:
        assert routes.for_text(text) is in_order(routes, text), text
    assert routes.for_text("cek") is routes.routes["c"] and routes.for_text("/kode@bot") is routes.routes["d"]
