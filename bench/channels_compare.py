"""Telegram and WhatsApp side by side on the officer path: ONE real `kopsehat run` with both channels, the fake Bot API
and Graph API of bench/peer_compare.py (its own process), rounds alternating between the two webhooks: Telegram
driven by ../shared/peers/load_tg.py, WhatsApp by this script's own driver (another process, signed posts, the same
closed loop: USERS users, each sending "lapor" and then MESSAGES-1 amounts, one after the previous HTTP answer).
Every user is a seeded officer with both accounts; each round takes officers not seen before.

Per round: messages per second (until every reply reached the fake), p50/p99 of the HTTP answer, the server's CPU
per message (utime + stime; for WhatsApp its read receipts included: one more Graph call a message). As Meta does,
the fake posts the receipts of every WhatsApp message it accepted back to the server's webhook (sent, delivered,
read: three more signed POSTs a reply, bench/meta_receipts.py); a WhatsApp round's CPU is read once all of them were
answered, so it is the cost of a message with its replies' receipts.

    .venv/bin/python bench/channels_compare.py --rounds 3 --backend postgresql

With two checkouts (each with its .venv): each one's `kopsehat run` on the same database and fake, rounds
alternating between them (each a Telegram round, a WhatsApp round, and receipt webhooks that change nothing, alone),
and the second's ratios to the first (e.g. a branch against main):

    .venv/bin/python bench/channels_compare.py --rounds 4 --checkouts /work/main .
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc
from bench import side_by_side
from bench.meta_receipts import APP_SECRET, PHONE_NUMBER_ID


def wa_id(chat: int) -> str:
    return f"62{chat}"


# -- the WhatsApp driver (run as `channels_compare.py --drive URL FAKE USERS MESSAGES BASE`) -------------------------


async def drive_whatsapp(url: str, fake: str, users: int, messages: int, base: int) -> None:
    """load_tg.py's closed loop, with WhatsApp's signed webhooks; prints the same JSON line."""
    import aiohttp

    from tests.fakes.graph_api import signed

    latencies: list[float] = []
    errors: list[int] = []

    def body(chat: int, n: int, text: str) -> tuple[bytes, dict[str, str]]:
        message = {"from": wa_id(chat), "id": f"wamid.D{chat}.{n}", "timestamp": str(int(time.time()))}
        message |= {"type": "text", "text": {"body": text}}
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "U"}, "wa_id": wa_id(chat)}],
            "messages": [message],
        }
        payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages"}]}]}
        payload["entry"][0]["changes"][0]["value"] = value
        return signed(payload, APP_SECRET)

    async def user(session: aiohttp.ClientSession, k: int) -> None:
        for n in range(messages):
            raw, headers = body(base + k, n, "lapor" if n == 0 else "1.250.000")
            started = time.perf_counter()
            async with session.post(url, data=raw, headers=headers) as answer:
                await answer.read()
                if answer.status != 200:
                    errors.append(answer.status)
            latencies.append(time.perf_counter() - started)

    async def replies(session: aiohttp.ClientSession) -> int:
        async with session.get(f"{fake}/_calls") as answer:
            calls = await answer.json()
        wanted = {wa_id(base + k) for k in range(users)}
        return sum(1 for c in calls if c["method"] == "whatsapp" and c["params"].get("to") in wanted)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session, k) for k in range(users)))
        seen = 0
        for _ in range(600):
            seen = await replies(session)
            if seen >= users * messages:
                break
            await asyncio.sleep(0.1)
        all_s = time.perf_counter() - started
    latencies.sort()

    def quantile(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)

    result = {"all_s": round(all_s, 3), "p50_ms": quantile(0.5), "p99_ms": quantile(0.99)}
    print(json.dumps(result | {"replies_seen": seen, "non_200": len(errors)}))


async def drive_receipts(url: str, callbacks: int, count: int) -> None:
    """COUNT receipt webhooks (16 posters at once, one after the previous answer), each a `read` naming an outbox id
    (`outbox:1` .. `outbox:CALLBACKS`: a WhatsApp row already read, or a Telegram one, so no row) and a Meta id no row
    has: receipts that change nothing, as Meta's repeats; prints how
    many were not answered 200."""
    import aiohttp

    from bench.meta_receipts import status_payload
    from tests.fakes.graph_api import signed

    bodies = [
        signed(status_payload(f"wamid.R{n}", "6200", "read", f"outbox:{n % callbacks + 1}"), APP_SECRET)
        for n in range(count)
    ]
    errors = 0

    async def poster(session: aiohttp.ClientSession, k: int) -> None:
        nonlocal errors
        for raw, headers in bodies[k::16]:
            async with session.post(url, data=raw, headers=headers) as answer:
                await answer.read()
                errors += answer.status != 200

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(poster(session, k) for k in range(16)))
    print(json.dumps({"non_200": errors}))


def measure_receipts(pid: int, hook: str, callbacks: int, count: int) -> float:
    """The server's CPU (ms) per receipt webhook that changes nothing."""
    before = pc.cpu_seconds(pid)
    args = [sys.executable, __file__, "--drive-receipts", hook, str(callbacks), str(count)]
    result = pc.finished(subprocess.Popen(args, stdout=subprocess.PIPE))
    if result["non_200"]:
        print(f"  receipts alone: {result['non_200']} not answered 200", file=sys.stderr)
    return (pc.cpu_seconds(pid) - before) / count * 1000


def graph_calls(fake: str) -> tuple[int, int]:
    """The fake's count of WhatsApp messages sent and of read marks (the blue ticks' calls)."""
    with urllib.request.urlopen(f"{fake}/_calls", timeout=30) as answer:
        calls = json.load(answer)
    return sum(c["method"] == "whatsapp" for c in calls), sum(c["method"] == "whatsapp_read" for c in calls)


def receipts(fake: str) -> dict[str, int]:
    """The fake's count of the receipts it posted (bench/meta_receipts.py)."""
    with urllib.request.urlopen(f"{fake}/_receipts", timeout=10) as answer:
        counted: dict[str, int] = json.load(answer)
    return counted


def measure_whatsapp(pid: int, hook: str, fake: str, users: int, messages: int, base: int) -> dict[str, float]:
    """One WhatsApp round, as peer_compare.measure does a Telegram one; its CPU once every receipt was answered."""
    before, posted, (_, reads) = pc.cpu_seconds(pid), receipts(fake), graph_calls(fake)
    args = [sys.executable, __file__, "--drive", hook, fake, str(users), str(messages), str(base)]
    result = pc.finished(subprocess.Popen(args, stdout=subprocess.PIPE))
    for _ in range(600):
        after = receipts(fake)
        if after["in_flight"] == 0:
            break
        time.sleep(0.05)
    cpu = pc.cpu_seconds(pid) - before
    total = users * messages
    if (result["replies_seen"] or 0) < total or result["non_200"] or after["non_200"] > posted["non_200"]:
        print(f"  incomplete round: {result}, receipts {after}", file=sys.stderr)
    return {
        "rate": total / result["all_s"],
        "p50": result["p50_ms"],
        "p99": result["p99_ms"],
        "cpu_ms": cpu / total * 1000,
        "receipts": after["posted"] - posted["posted"],
        "read marks": (graph_calls(fake)[1] - reads) / total,
    }


# -- the comparison -----------------------------------------------------------------------------------------------


async def prepare(url: str, chats: list[int]) -> None:
    """peer_compare's officers, each also with a WhatsApp account."""
    from storage.db import Database

    await pc.prepare(url, chats)
    db = Database(url)
    try:
        async with db.transaction() as repos:
            for chat in chats:
                telegram = await repos.identities.get_or_create("telegram", str(chat))
                whatsapp = await repos.identities.get_or_create("whatsapp", wa_id(chat))
                whatsapp.officer_id = telegram.officer_id
    finally:
        await db.dispose()


RECEIPTS = True  # --no-receipts: the fake posts none (as before this measure had them)


def whatsapp_env(fake: str, port: int) -> dict[str, str]:
    """WhatsApp's settings for the server on `port`: the fake's Graph API, which posts the receipts back to it."""
    return {
        "KOPSEHAT_WHATSAPP_TOKEN": "fake-graph-token",
        "KOPSEHAT_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "KOPSEHAT_WHATSAPP_APP_SECRET": APP_SECRET,
        "KOPSEHAT_WHATSAPP_VERIFY_TOKEN": "channels-compare",
        "KOPSEHAT_WHATSAPP_API_URL": f"{fake}/hook{port}/v25.0" if RECEIPTS else f"{fake}/v25.0",
        "KOPSEHAT_WHATSAPP_MESSAGES_PER_SECOND": "1000",  # the setting's ceiling
    }


def server(url: str, fake: str, port: int) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    """peer_compare's `kopsehat run`, with WhatsApp configured too (the fake's Graph API)."""
    return pc.kopsehat(url, fake, port, whatsapp_env(fake, port))


async def compare_checkouts(roots: list[Path], backend: str, rounds: int, users: int, messages: int) -> None:
    """Two checkouts' servers side by side (rounds alternating): each round, on each server, a Telegram round, a
    WhatsApp round with its receipts, and (`RECEIPTS_ALONE` of them) receipt webhooks that change nothing."""
    fake_port = pc.free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    chats = [pc.CHAT_BASE + n for n in range((2 * rounds + 2) * users * len(roots))]
    bases = iter(range(pc.CHAT_BASE, pc.CHAT_BASE + len(chats), users))
    async with pc.database(backend, prefix="channels") as url:
        await prepare(url, chats)
        with contextlib.ExitStack() as stack:
            stack.enter_context(pc.started([sys.executable, pc.__file__, "--fake", str(fake_port)], fake_port))
            servers = []
            for root in roots:
                port = pc.free_port()
                process = stack.enter_context(side_by_side.server(root, url, fake, port, whatsapp_env(fake, port)))
                servers.append((root, process, f"http://127.0.0.1:{port}"))
            for _, process, base_url in servers:  # warm-up
                pc.measure([process.pid], [f"{base_url}/telegram/webhook"], fake, users, 5, next(bases))
                measure_whatsapp(process.pid, f"{base_url}/whatsapp/webhook", fake, users, 5, next(bases))
            print(f"{backend}: receipts {RECEIPTS}, {users} users x {messages} messages per round and channel")
            names = [root.resolve().name for root, _, _ in servers]
            for n in range(rounds):
                seen = []
                for _, p, base_url in servers:
                    t = pc.measure([p.pid], [f"{base_url}/telegram/webhook"], fake, users, messages, next(bases))
                    w = measure_whatsapp(p.pid, f"{base_url}/whatsapp/webhook", fake, users, messages, next(bases))
                    alone = measure_receipts(p.pid, f"{base_url}/whatsapp/webhook", users * messages, RECEIPTS_ALONE)
                    seen.append((t, w, alone))
                parts = [
                    f"{name}: Telegram {t['cpu_ms']:.2f} ms (p99 {t['p99']:.0f}), WhatsApp {w['cpu_ms']:.2f} ms"
                    f" (p99 {w['p99']:.0f}, {w['read marks']:.2f} read marks/msg),"
                    f" WA/TG {w['cpu_ms'] / t['cpu_ms']:.2f}x,"
                    f" a receipt alone {alone * 1000:.0f} us"
                    for name, (t, w, alone) in zip(names, seen, strict=True)
                ]
                (t1, w1, a1), (t2, w2, a2) = seen[0], seen[-1]
                print(
                    f"  round {n + 1} (load {os.getloadavg()[0]:.1f}): " + " | ".join(parts) + " | second/first:"
                    f" Telegram {t2['cpu_ms'] / t1['cpu_ms']:.2f}x WhatsApp {w2['cpu_ms'] / w1['cpu_ms']:.2f}x"
                    f" receipt alone {a2 / a1:.2f}x",
                    flush=True,
                )
        print(f"  the outbox after the rounds (the receipts applied): {await outbox_states(url)}")


RECEIPTS_ALONE = 2000  # receipt webhooks that change nothing, per round and server


async def outbox_states(url: str) -> dict[str, int]:
    from storage.db import Database

    db = Database(url)
    try:
        async with db.transaction() as repos:
            return await repos.outbox.count_by_status()
    finally:
        await db.dispose()


async def compare(backend: str, rounds: int, users: int, messages: int) -> None:
    fake_port = pc.free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    chats = [pc.CHAT_BASE + n for n in range((2 * rounds + 2) * users)]
    bases = iter(range(pc.CHAT_BASE, pc.CHAT_BASE + len(chats), users))
    async with pc.database(backend, prefix="channels") as url:
        await prepare(url, chats)
        with contextlib.ExitStack() as stack:
            stack.enter_context(pc.started([sys.executable, pc.__file__, "--fake", str(fake_port)], fake_port))
            port = pc.free_port()
            process = stack.enter_context(server(url, fake, port))
            telegram = f"http://127.0.0.1:{port}/telegram/webhook"
            whatsapp = f"http://127.0.0.1:{port}/whatsapp/webhook"
            pc.measure([process.pid], [telegram], fake, users, 5, next(bases))  # warm-up
            measure_whatsapp(process.pid, whatsapp, fake, users, 5, next(bases))
            print(f"{backend}: {users} users x {messages} messages per round; one `kopsehat run` with both channels")
            for n in range(rounds):
                t = pc.measure([process.pid], [telegram], fake, users, messages, next(bases))
                w = measure_whatsapp(process.pid, whatsapp, fake, users, messages, next(bases))
                print(
                    f"  round {n + 1} (load {os.getloadavg()[0]:.1f}): Telegram {t['rate']:4.0f} msg/s p50"
                    f" {t['p50']:6.1f} p99 {t['p99']:6.1f} ms CPU {t['cpu_ms']:.2f} ms | WhatsApp {w['rate']:4.0f}"
                    f" msg/s p50 {w['p50']:6.1f} p99 {w['p99']:6.1f} ms CPU {w['cpu_ms']:.2f} ms"
                    f" ({w['receipts']:.0f} receipts) | WhatsApp/Telegram: CPU {w['cpu_ms'] / t['cpu_ms']:.2f}x"
                    f" p99 {w['p99'] / t['p99']:.2f}x",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--checkouts", nargs=2, type=Path, help="two checkouts side by side")
    parser.add_argument("--no-receipts", action="store_true", help="the fake posts no receipts back")
    parser.add_argument("--drive", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--drive-receipts", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global RECEIPTS  # a setting of the whole run, read by whatsapp_env
    RECEIPTS = not args.no_receipts
    if args.drive:
        url, fake, users, messages, base = args.drive
        asyncio.run(drive_whatsapp(url, fake, int(users), int(messages), int(base)))
        return
    if args.drive_receipts:
        url, callbacks, count = args.drive_receipts
        asyncio.run(drive_receipts(url, int(callbacks), int(count)))
        return
    if args.checkouts:
        asyncio.run(compare_checkouts(args.checkouts, args.backend, args.rounds, args.users, args.messages))
        return
    asyncio.run(compare(args.backend, args.rounds, args.users, args.messages))


if __name__ == "__main__":
    main()
