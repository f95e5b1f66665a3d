"""Fixtures for the attack tests: the fake platform APIs."""

from __future__ import annotations

from tests.fakes.graph_api import fake_graph as fake_graph
from tests.fakes.telegram_api import fake_telegram as fake_telegram
