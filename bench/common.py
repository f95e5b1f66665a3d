"""What the benchmarks share: a throwaway database, the bare route they compare with, a load loop, percentiles."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import text

from storage.db import Database
from storage.models import Base


@asynccontextmanager
async def fresh_database(pg_url: str | None) -> AsyncIterator[Database]:
    """kopsehat's tables in a new database: SQLite without `pg_url`, else a new PostgreSQL schema (dropped after)."""
    if pg_url is None:
        with tempfile.TemporaryDirectory() as folder:
            async with _with_tables(Database(f"sqlite+aiosqlite:///{folder}/bench.db")) as db:
                yield db
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(pg_url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        async with _with_tables(Database(pg_url, schema=schema)) as db:
            yield db
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def _with_tables(db: Database) -> AsyncIterator[Database]:
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield db
    finally:
        await db.dispose()


def percentile_ms(seconds: list[float], quantile: float) -> float:
    """The `quantile` of latencies given in seconds, in milliseconds."""
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000


async def run_concurrently(
    one: Callable[[int], Awaitable[float]], count: int, concurrency: int
) -> tuple[float, list[float]]:
    """Run `one(i)` for i < count with `concurrency` workers; (seconds, the latencies `one` returned)."""
    next_index = iter(range(count))
    latencies: list[float] = []

    async def worker() -> None:
        for i in next_index:
            latencies.append(await one(i))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


async def bare_route(stack: AsyncExitStack, path: str) -> str:
    """The baseline: an aiohttp route on 127.0.0.1 that reads the body and answers 200, nothing else; its URL."""

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    app = web.Application(client_max_size=4 * 1024 * 1024)  # as the webhook routes take
    app.router.add_post(path, ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return f"http://{host}:{port}{path}"


def checkouts_parser(description: str | None, rounds: int) -> argparse.ArgumentParser:
    """The command line of a benchmark of two checkouts side by side (each with its own .venv), rounds alternating."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, help="a checkout with its .venv (e.g. main)")
    parser.add_argument("second", type=Path, help="another checkout with its .venv (e.g. this branch)")
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    return parser


def measured_in(root: Path, script: str, *args: str) -> Any:
    """Run `script --measure ...` with checkout `root`'s own .venv and code (for two checkouts side by side) and
    return the JSON its last line printed."""
    program = [str(root / ".venv" / "bin" / "python"), script, "--measure", *args]
    env = dict(os.environ, PYTHONPATH=str(root.resolve()))
    out = subprocess.run(program, env=env, check=True, capture_output=True, cwd=root)
    return json.loads(out.stdout.decode().strip().splitlines()[-1])
