"""Fixtures for the attack tests: the fake platform APIs, the bot running against each (`telegram`, `whatsapp`), and
logging put back as it was after a test changed it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.channels.test_telegram_webhook import Service, telegram_service
from tests.channels.test_whatsapp_webhook import WaBot, running_bot
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.graph_api import fake_graph as fake_graph
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Every logger's level and the root's handlers as they were before the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.setLevel(levels.get(name, logging.NOTSET))


@pytest.fixture
async def telegram(db: Database, fake_telegram: FakeTelegram) -> AsyncIterator[Service]:
    async with telegram_service(db, fake_telegram) as service:
        yield service


@pytest.fixture
async def whatsapp(db: Database, fake_graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[WaBot]:
    async with running_bot(db, fake_graph, tmp_path) as bot:
        yield bot
