"""WhatsApp webhook benchmark: signed POSTs to /whatsapp/webhook of the real service, end to end, beside a bare route.

Each message is a signed webhook from one of many registered officers ("bantuan"); the service verifies it,
dispatches it (group commit: messages arriving together share a transaction), answers 200, and sends the reply to a
fake Graph API in the background. Reported: acknowledged messages per second, end-to-end messages per second (until
every reply was accepted by the fake Graph API), p50/p99 of the POST latency, and the same load against a bare
aiohttp route that only answers 200. Loopback only, bounded loops. PostgreSQL is taken from
KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped after).

    .venv/bin/python bench/whatsapp_webhook_bench.py --messages 2000 --concurrency 16 --backend both
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from pydantic import SecretStr

from bench.common import bare_route, fresh_database, percentile_ms, run_concurrently
from bot.channels.whatsapp.runtime import WHATSAPP_KEY
from bot.chat.dispatch import Dispatcher, DispatchResult
from bot.chat.messages import Address, Inbound, Reply
from bot.config import Settings
from bot.runtime import build_runtime, load_assessment_rules
from storage.db import Database
from storage.models import utcnow
from tests.fakes.graph_api import FakeGraphAPI, signed

APP_SECRET = "bench-app-secret"
WARMUP = 50
REPLY_TEXT = "Bantuan: ketik lapor untuk mengisi laporan bulanan, status untuk melihat kesehatan koperasi."
Post = Callable[[bytes, dict[str, str]], Awaitable[float]]


def payload(phone_number_id: str, wa_id: str, wamid: str, body: str) -> dict[str, Any]:
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Petugas"}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


class StubDispatcher(Dispatcher):
    """Answers nothing and stores nothing: what is left is the webhook edge's own cost."""

    async def handle_many(self, inbounds: Sequence[Inbound]) -> list[DispatchResult]:
        return [DispatchResult(duplicate=False) for _ in inbounds]


def phone(n: int) -> str:
    return f"62812{n:08d}"


async def seed(db: Database, officers: int, fake: FakeGraphAPI) -> None:
    """`officers` officers already registered on WhatsApp, two per cooperative."""
    async with db.transaction() as repos:
        for n in range(officers):
            if n % 2 == 0:
                values = {"name": f"KSP Bench {n // 2}", "nik": f"35760{n // 2:05d}", "type": "ksp"}
                cooperative, _ = await repos.cooperatives.upsert(values)
            officer = await repos.officers.add(cooperative.id, f"Petugas {n}", "bendahara")
            identity = await repos.identities.get_or_create("whatsapp", phone(n))
            identity.officer_id = officer.id
            fake.user_wrote(phone(n))


async def load(post: Post, bodies: list[tuple[bytes, dict[str, str]]], concurrency: int) -> tuple[float, list[float]]:
    """Post every body with `concurrency` clients; (seconds, latencies) with the warm-up left out."""
    for raw, headers in bodies[:WARMUP]:
        await post(raw, headers)
    rest = bodies[WARMUP:]
    return await run_concurrently(lambda i: post(*rest[i]), len(rest), concurrency)


def poster(http: aiohttp.ClientSession, url: str) -> Post:
    async def post(raw: bytes, headers: dict[str, str]) -> float:
        started = time.perf_counter()
        async with http.post(url, data=raw, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
        return time.perf_counter() - started

    return post


async def run(pg_url: str | None, messages: int, concurrency: int, officers: int) -> dict[str, float]:
    async with AsyncExitStack() as stack:
        fake = FakeGraphAPI(messages_per_second=1_000_000)
        await fake.start()
        stack.push_async_callback(fake.close)
        db = await stack.enter_async_context(fresh_database(pg_url))
        await seed(db, officers, fake)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=db.url,
            http_port=0,
            whatsapp_token=SecretStr(fake.token),
            whatsapp_phone_number_id=fake.phone_number_id,
            whatsapp_app_secret=SecretStr(APP_SECRET),
            whatsapp_api_url=fake.url,
            whatsapp_messages_per_second=1000,  # the setting's ceiling; Meta's default of 80/s would cap sending
        )
        runtime = build_runtime(settings, db, load_assessment_rules(settings))
        await runtime.start()
        stack.push_async_callback(runtime.stop)
        channel = runtime.app[WHATSAPP_KEY]
        http = await stack.enter_async_context(aiohttp.ClientSession())
        ids = itertools.count()
        total = messages + WARMUP

        def bodies() -> list[tuple[bytes, dict[str, str]]]:
            out = []
            for n in range(total):
                wamid = f"wamid.BENCH.{next(ids)}"
                out.append(signed(payload(fake.phone_number_id, phone(n % officers), wamid, "bantuan"), APP_SECRET))
            return out

        bot_url = f"http://127.0.0.1:{runtime.port}/whatsapp/webhook"
        started = time.perf_counter()
        acked_seconds, bot_latencies = await load(poster(http, bot_url), bodies(), concurrency)
        await channel.webhook.settle()
        for _ in range(200):  # a reply the delivery worker claimed first is finished by the worker
            async with db.transaction() as repos:
                counts = await repos.outbox.count_by_status()
            if counts.get("sent", 0) >= total and set(counts) == {"sent"}:
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"not every reply was sent: {counts}")
        end_to_end = time.perf_counter() - started
        # The edge alone: the same webhook (signature, parsing, 200) with dispatch stubbed out.
        channel.webhook.dispatcher = StubDispatcher(db, runtime.dispatcher.bot, runtime.dispatcher.router)
        edge_seconds, edge_latencies = await load(poster(http, bot_url), bodies(), concurrency)
        bare_url = await bare_route(stack, "/whatsapp/webhook")
        bare_seconds, bare_latencies = await load(poster(http, bare_url), bodies(), concurrency)
        # The replies alone: what the service sends per message (the reply, then the read receipt) with the same
        # sender to the same fake API, no webhook, no database.

        async def reply(n: int) -> float:
            started = time.perf_counter()
            outcome = await channel.outbox.send(Address("whatsapp", phone(n % officers)), Reply(REPLY_TEXT))
            assert outcome.status == "sent", outcome
            await channel.outbox.mark_read(f"wamid.BENCH.{n}")
            return time.perf_counter() - started

        reply_seconds, _ = await run_concurrently(reply, messages, concurrency)
    # The end-to-end clock includes the warm-up; count it in, so that the rate stays honest.
    return {
        "acked_rate": messages / acked_seconds,
        "end_to_end_rate": total / end_to_end,
        "p50": percentile_ms(bot_latencies, 0.50),
        "p99": percentile_ms(bot_latencies, 0.99),
        "edge_rate": messages / edge_seconds,
        "edge_p99": percentile_ms(edge_latencies, 0.99),
        "reply_rate": messages / reply_seconds,
        "bare_rate": messages / bare_seconds,
        "bare_p50": percentile_ms(bare_latencies, 0.50),
        "bare_p99": percentile_ms(bare_latencies, 0.99),
        "mean": statistics.fmean(bot_latencies) * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--officers", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"started {utcnow():%Y-%m-%d %H:%M:%S} UTC; {args.messages} messages, {args.concurrency} clients")
    results: dict[str, dict[str, float]] = {}
    if args.backend in ("sqlite", "both"):
        results["sqlite"] = await run(None, args.messages, args.concurrency, args.officers)
    pg_url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL", "")
    if args.backend in ("postgresql", "both") and pg_url:
        results["postgresql"] = await run(pg_url, args.messages, args.concurrency, args.officers)
    elif args.backend in ("postgresql", "both"):
        print("postgresql skipped: KOPSEHAT_TEST_DATABASE_URL is not set")
    print(
        "backend     acked/s  e2e/s  p50 ms  p99 ms | edge/s edge p99 | replies/s | bare/s  p50 ms  p99 ms"
        " | e2e/bare acked/bare"
    )
    for backend, r in results.items():
        print(
            f"{backend:<10} {r['acked_rate']:7.0f} {r['end_to_end_rate']:6.0f} {r['p50']:7.1f} {r['p99']:7.1f} |"
            f" {r['edge_rate']:6.0f} {r['edge_p99']:8.1f} | {r['reply_rate']:9.0f} | {r['bare_rate']:6.0f}"
            f" {r['bare_p50']:7.1f}"
            f" {r['bare_p99']:7.1f} | {r['end_to_end_rate'] / r['bare_rate']:8.3f}"
            f" {r['acked_rate'] / r['bare_rate']:10.3f}"
        )
    print("acked: 200 after dispatch committed; e2e: until every reply was accepted by the fake Graph API;")
    print("edge: the same webhook with dispatch stubbed out; replies: the reply and read receipt alone, same sender;")
    print("bare: an aiohttp route that only answers 200.")


if __name__ == "__main__":
    asyncio.run(main())
