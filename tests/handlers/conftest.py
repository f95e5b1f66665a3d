"""Fixtures shared by the handler tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from bot.chat.context import Context
from bot.chat.messages import Reply
from handlers import Route, router


async def _broken(ctx: Context) -> Sequence[Reply]:
    ctx.identity.language = "en"  # a change the rollback must undo
    raise RuntimeError("a bug in a handler")


@pytest.fixture
def broken_route() -> Iterator[None]:
    """A command, `rusak`, whose handler changes something and then fails."""
    router.add(Route("rusak", frozenset({"rusak"}), _broken))
    yield
    router.remove("rusak")
