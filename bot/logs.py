"""Logging set-up: one line per event, secrets never written."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
# The libraries below kopsehat log what passes through them at DEBUG and INFO: every text sent with its recipient
# (telegram.Bot), every SQL statement with its parameters (sqlalchemy), every request line with its query string
# (aiohttp.access). They stay at these levels whatever KOPSEHAT_LOG_LEVEL says, so DEBUG is kopsehat's own.
LIBRARY_FLOORS = {
    "aiohttp": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "alembic": logging.INFO,
    "apscheduler": logging.INFO,
    "apscheduler.executors.default": logging.WARNING,
    "asyncio": logging.WARNING,
    "asyncpg": logging.WARNING,
    "charset_normalizer": logging.WARNING,
    "h2": logging.WARNING,
    "hpack": logging.WARNING,
    "httpcore": logging.WARNING,
    "httpx": logging.WARNING,
    "matplotlib": logging.WARNING,
    "multipart": logging.WARNING,
    "openpyxl": logging.WARNING,
    "PIL": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "telegram": logging.WARNING,
    "urllib3": logging.WARNING,
}


class RedactingFilter(logging.Filter):
    """Replaces known secret values and Telegram tokens in every record with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return TOKEN_IN_URL.sub("bot***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Configure the root logger once, with secret redaction on every handler and the libraries kept quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    chosen: int = logging.getLevelName(level)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, chosen))
