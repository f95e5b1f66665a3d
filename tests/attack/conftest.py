"""Fixtures for the attack tests: the fake platform APIs, and logging put back as it was after a test changed it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.fakes.graph_api import fake_graph as fake_graph
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
