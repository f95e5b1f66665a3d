"""A path-aware reader for the rules file: collects one problem per bad entry instead of failing early."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


class Checker:
    """Reads values out of parsed JSON and records problems as 'entry: problem'."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, problem: str) -> None:
        """Record one problem at one entry."""
        self.problems.append(f"{path}: {problem}")

    def obj(self, value: Any, path: str, required: tuple[str, ...] = (), allowed: tuple[str, ...] = ()) -> bool:
        """Check value is an object with the required keys and no keys outside required + allowed."""
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return False
        ok = True
        for key in required:
            if key not in value:
                self.fail(path, f"missing key {key!r}")
                ok = False
        for key in value:
            if key not in required and key not in allowed:
                self.fail(f"{path}.{key}", "unknown key")
                ok = False
        return ok

    def any_obj(self, value: Any, path: str) -> bool:
        """Check value is a non-empty object with free-form keys."""
        if not isinstance(value, dict) or not value:
            self.fail(path, "must be a non-empty object")
            return False
        return True

    def keys_exactly(self, value: dict[str, Any], path: str, expected: tuple[str, ...]) -> bool:
        """Check an object has exactly the expected keys, in any order."""
        return self.obj(value, path, required=expected)

    def decimal(self, value: Any, path: str, minimum: Decimal | None = None) -> Decimal | None:
        """A number or plain decimal string, as Decimal."""
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            self.fail(path, "must be a number or a decimal string")
            return None
        if isinstance(value, str) and not PLAIN_DECIMAL.fullmatch(value):
            self.fail(path, f"{value!r} is not a plain decimal")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - guarded by the checks above
            self.fail(path, "not a number")
            return None
        if not number.is_finite():
            self.fail(path, "must be finite")
            return None
        if minimum is not None and number < minimum:
            self.fail(path, f"must be at least {minimum}")
            return None
        return number

    def integer(self, value: Any, path: str, low: int, high: int) -> int | None:
        """An integer within [low, high]."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "must be an integer")
            return None
        if not low <= value <= high:
            self.fail(path, f"must be from {low} to {high}, got {value}")
            return None
        return value

    def text(self, value: Any, path: str) -> str | None:
        """A non-empty string."""
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be a non-empty string")
            return None
        return value

    def texts(self, value: Any, path: str, length: int | None = None) -> tuple[str, ...] | None:
        """A list of non-empty strings, optionally of a fixed length."""
        if not isinstance(value, list) or not value:
            self.fail(path, "must be a non-empty list of strings")
            return None
        if length is not None and len(value) != length:
            self.fail(path, f"must have {length} entries, has {len(value)}")
            return None
        found = [self.text(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return None if None in found else tuple(t for t in found if t is not None)

    def bilingual(self, value: Any, path: str) -> dict[str, str] | None:
        """{'id': text, 'en': text}."""
        if not self.keys_exactly(value, path, ("id", "en")):
            return None
        found = {lang: self.text(value[lang], f"{path}.{lang}") for lang in ("id", "en")}
        return None if None in found.values() else {k: v for k, v in found.items() if v is not None}

    def bilingual_list(self, value: Any, path: str) -> dict[str, tuple[str, ...]] | None:
        """{'id': [text, ...], 'en': [text, ...]}."""
        if not self.keys_exactly(value, path, ("id", "en")):
            return None
        found = {lang: self.texts(value[lang], f"{path}.{lang}") for lang in ("id", "en")}
        return None if None in found.values() else {k: v for k, v in found.items() if v is not None}
