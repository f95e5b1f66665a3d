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


def test_what_the_standard_library_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        jsonio.dumps({"at": datetime(2026, 1, 1, tzinfo=UTC)})
    with pytest.raises(ValueError):
        jsonio.loads(b"{not json")
