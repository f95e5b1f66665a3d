"""The JSON columns and webhook bodies read and written by orjson, and by the standard library where orjson refuses:
every value reads back as the standard library reads it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import jsonio

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_what_is_written_reads_back_the_same_by_either_library(value: Any) -> None:
    written = jsonio.dumps(value)
    assert json.loads(written) == value
    assert jsonio.loads(written) == value
    assert jsonio.loads(json.dumps(value)) == value


@pytest.mark.parametrize(
    "value",
    [{"big": 2**70}, {"name": "\ud800"}, {1: "one"}, ["\udfff", -(2**65)]],
)
def test_what_orjson_refuses_is_left_to_the_standard_library(value: Any) -> None:
    written = jsonio.dumps(value)
    assert written == json.dumps(value)
    assert jsonio.loads(written) == json.loads(written)


@pytest.mark.parametrize("number", [-(2**63) - 1, 2**64 + 1, 10**30 + 7, -(10**19) - 3])
@pytest.mark.parametrize("shape", ["{}", '{{"a": [1, {}]}}', '["1234", {}, "x"]'])
def test_an_integer_beyond_64_bits_reads_back_exact_not_as_a_float(number: int, shape: str) -> None:
    """orjson reads such an integer as a float (2**64 + 1 as 1.8446744073709552e19); from text or bytes it reads
    back as the integer written."""
    text = shape.format(number)
    for given_text in (text, text.encode()):
        assert jsonio.loads(given_text) == json.loads(text)
        assert str(number) in jsonio.dumps(jsonio.loads(given_text))


@pytest.mark.parametrize("text", ['{"phone": "1234567890123456789", "n": 1.5}', '{"n": 9223372036854775807}'])
def test_a_long_run_of_digits_that_orjson_reads_right_reads_the_same(text: str) -> None:
    assert jsonio.loads(text) == json.loads(text)
    assert jsonio.loads(text.encode()) == json.loads(text)


def test_what_the_standard_library_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        jsonio.dumps({"at": datetime(2026, 1, 1, tzinfo=UTC)})
    with pytest.raises(ValueError):
        jsonio.loads(b"{not json")
