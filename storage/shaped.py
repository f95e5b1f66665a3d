"""A payload's JSON made by the database with a row's values put in: rendered once with marks where the values go,
written as `jsonio.dumps` writes it, and cut around every string that holds a mark; the database joins the pieces,
each marked string made by SQL (its text between the marks, the row's value for each mark: put in once, not looked
at again, as `str.replace` does) and quoted as JSON by the database itself (`to_json(...)::text` on PostgreSQL,
`json_quote` on SQLite: UTF-8, the same escapes as orjson's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, String, cast, func, literal

from storage import jsonio

_SPOT = "\ue001{}\ue001"  # stands for a marked string while the payload's JSON is cut around it


@dataclass(frozen=True)
class Shaped:
    """A payload's JSON cut around its marked strings: `pieces` (one more than `strings`) and each string as its
    literal text and, between, the number of the mark (in the marks it was shaped with) whose value goes there."""

    pieces: tuple[str, ...]
    strings: tuple[tuple[str | int, ...], ...]


def shape(payload: Any, marks: Sequence[str]) -> Shaped:
    """`payload` (its strings may hold any of `marks`) cut as `jsonio.dumps` writes it around the marked strings."""
    cut = re.compile("(" + "|".join(re.escape(m) for m in marks) + ")")
    strings: list[tuple[str | int, ...]] = []

    def spotted(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: spotted(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [spotted(v) for v in value]
        if isinstance(value, str) and cut.search(value):
            parts = cut.split(value)  # text, mark, text, ..., text
            strings.append(tuple(marks.index(p) if n % 2 else p for n, p in enumerate(parts)))
            return _SPOT.format(len(strings) - 1)
        return value

    whole = jsonio.dumps(spotted(payload))
    pieces = []
    for n in range(len(strings)):
        spot = jsonio.dumps(_SPOT.format(n))
        if whole.count(spot) != 1:
            raise ValueError("a marked string must be cut out of its payload's JSON exactly once")
        before, whole = whole.split(spot)
        pieces.append(before)
    return Shaped((*pieces, whole), tuple(strings))


def shaped_json(dialect: str, shaped: Shaped, values: Sequence[SQLColumnExpression[str]]) -> ColumnElement[str]:
    """The payload's JSON text with `values[i]` where mark i was, made by the database."""
    out: ColumnElement[str] = literal(shaped.pieces[0], String)
    for string, piece in zip(shaped.strings, shaped.pieces[1:], strict=True):
        made: SQLColumnExpression[str] | None = None
        for n, part in enumerate(string):
            if n % 2 == 0 and part == "":
                continue
            value = literal(part, String) if isinstance(part, str) else values[part]
            made = value if made is None else made + value
        text = literal("", String) if made is None else made
        quoted = cast(func.to_json(text), String) if dialect == "postgresql" else func.json_quote(text)
        out = out + quoted + literal(piece, String)
    return out
