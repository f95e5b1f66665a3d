"""Fixtures for the channel edges."""

from __future__ import annotations

from tests.fakes.graph_api import fake_graph as fake_graph
