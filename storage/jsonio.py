"""JSON for the database's JSON columns and the webhooks' bodies: orjson (several times faster than the standard
library's), and the standard library for what orjson refuses and JSON allows (a lone surrogate escaped in a string,
a non-string key) or reads otherwise (an integer beyond 64 bits, which orjson reads as a float). Both read the same
values from what the other wrote."""

from __future__ import annotations

import json
from typing import Any

import orjson

# an integer beyond 64 bits has at least 19 digits in a row; orjson would read it as a float, so text with such a run
# (an id or phone number of 19 digits in a string too: read the same by either) is read by the standard library.
# Looking for the run adds about 1 µs to reading a 250-byte update (orjson's own reading: 1 µs; a regular expression
# would add 3 µs)
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_A_LONG_NUMBER = b"0" * 19


def loads(text: str | bytes) -> Any:
    """`json.loads`, by orjson where it reads the same; ValueError or RecursionError when it is not JSON."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if _A_LONG_NUMBER in raw.translate(_DIGITS_AS_ZEROS):
        return json.loads(text)
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
