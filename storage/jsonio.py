"""JSON for the database's JSON columns and the webhooks' bodies: orjson (several times faster than the standard
library's), and the standard library for what orjson refuses and JSON allows (an integer over 64 bits, a lone
surrogate escaped in a string, a non-string key). Both read the same values from what the other wrote."""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    """`json.loads`, by orjson where it can; ValueError or RecursionError when it is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# what the standard library does not write as JSON (a datetime, a dataclass) orjson leaves to it (which refuses it),
# and a subclass of str, int, dict or list is written by it as it writes one (an enum's value, say)
_AS_THE_STANDARD_LIBRARY = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def dumps(value: Any) -> str:
    """`json.dumps` (as SQLAlchemy's JSON type writes a column), by orjson where it can: the same JSON value, with
    UTF-8 rather than \\u escapes and no spaces between items."""
    try:
        return orjson.dumps(value, option=_AS_THE_STANDARD_LIBRARY).decode()
    except TypeError:  # orjson.JSONEncodeError is one; then the standard library's answer or error stands
        return json.dumps(value)
