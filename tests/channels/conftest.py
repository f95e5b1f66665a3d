"""Fixtures for the channel edges."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.graph_api import FakeGraphAPI

# --- WhatsApp ------------------------------------------------------------------------------------


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraphAPI]:
    """A fake Graph API on 127.0.0.1: `.url` (version included), `.token`, `.calls`, `.fail_next(...)`."""
    fake = FakeGraphAPI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
