"""`kopsehat run`: the bot service."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from bot.cli.common import settings_or_exit
from bot.logs import setup_logging
from bot.runtime import serve


def run(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if args.host:
        settings.http_host = args.host
    if args.port is not None:
        settings.http_port = args.port
    setup_logging(settings.log_level, settings.secret_values())
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(serve(settings))


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (measured: 1.17-1.26x the messages a second of asyncio's loop, p50
    0.70-0.85x, docs/benchmarks.md), else None: asyncio's own."""
    try:
        import uvloop
    except ImportError:  # Windows, or a platform without its wheel
        return None
    return uvloop.new_event_loop
