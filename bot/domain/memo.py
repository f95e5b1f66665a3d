"""What was worked out for the last tuple given, found again by identity.

A report's every message asks the same things of the same question tuple (its derivable keys, the questions put to
the officer). A tuple is kept here, so its id is no other's while it is the last, and immutable, so what was worked
out for it stays true; what it was worked out with (the rules, the derivable keys) must be the same object too. Any
other sequence (a list can change in place) is worked out each time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class LastTuple(Generic[V]):
    """The value worked out for the last tuple (and the object it was worked out with) that was kept."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[object, object, V] | None = None

    def get(self, items: Sequence[Any], other: object) -> V | None:
        """The value kept for this very tuple and `other`; None for anything else."""
        last = self._last
        if last is not None and type(items) is tuple and last[0] is items and last[1] is other:
            return last[2]
        return None

    def keep(self, items: Sequence[Any], other: object, value: V) -> None:
        """Keep `value` for `items` and `other` (a tuple only: other sequences are not kept)."""
        if type(items) is tuple:
            self._last = (items, other, value)
