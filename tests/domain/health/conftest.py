"""Shared fixtures of the health tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.health.rules import Rules, default_rules, default_rules_path


@pytest.fixture
def rules() -> Rules:
    """The packaged rules."""
    return default_rules()


@pytest.fixture
def rules_data() -> dict[str, Any]:
    """The packaged rules file as plain JSON data, ready to be modified and written to tmp_path."""
    data: dict[str, Any] = json.loads(default_rules_path().read_text("utf-8"))
    return data
