"""kopsehat against the reference bot, side by side: the real `kopsehat run` and ../shared/peers' python-telegram-bot
ConversationHandler (PicklePersistence: it stores nothing durable during a run), each its own process behind its
webhook, both answering to the same fake Bot API (its own process, on 127.0.0.1), driven by the same closed-loop load
driver (../shared/peers/load_tg.py: USERS users, each sending /lapor and then MESSAGES-1 amounts, one after the
previous HTTP answer). Rounds alternate (reference, kopsehat, reference, ...), each with chats not seen before.

Per round: messages per second (until every reply reached the fake API), p99 of the HTTP answer, and the CPU per
message of the server process (utime + stime from /proc/PID/stat); then the per-round ratios. kopsehat's officers are
seeded (a cooperative each, linked Telegram identities), so its messages go through the monthly report; every answer
is committed before the 200. Sends are unpaced (KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND=0: the fake has no flood
control). `--processes 2` also runs two `kopsehat run` processes on one PostgreSQL (a driver each, USERS users each)
against one process, and reports the cores used: the servers', the drivers', the fake API's, and the whole machine's
(PostgreSQL and anything else running on it included), of its cores, over each round, and over the round's steady
state (bench/cores.py: the drivers' start-up and the wait for the last replies left out, PostgreSQL's own share
given), whose whole-machine figure for one process bounds what two can reach on the machine.

    .venv/bin/python bench/peer_compare.py --rounds 3 --backend postgresql --processes 2

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL (a fresh database is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cores import CLOCK_TICKS, Timeline, cpu_seconds, machine_busy

__all__ = ["CLOCK_TICKS", "cpu_seconds", "machine_busy"]  # used from here by the other benchmarks

ROOT = Path(__file__).resolve().parent.parent
# ../shared/peers beside the project (or beside a folder of checkouts holding it); KOPSEHAT_PEERS says where otherwise
_BESIDE = [up / "shared" / "peers" for up in ROOT.parents]
PEERS = Path(os.environ.get("KOPSEHAT_PEERS", next((p for p in _BESIDE if p.is_dir()), _BESIDE[0])))
TOKEN = "123456:PEER"
SECRET = "peer-compare_0"
CHAT_BASE = 880_000


# -- the fake Bot API (run as `peer_compare.py --fake PORT`) ------------------------------------------------------


def fake_api(port: int) -> None:
    """A minimal Bot API (any token) and WhatsApp Graph API `messages`; GET /_calls lists what was sent. Under
    /hook<PORT>/ the Graph API also posts Meta's receipts of each message to the server on PORT (bench/meta_receipts.py;
    GET /_receipts counts them)."""
    from aiohttp import web

    from bench.meta_receipts import ReceiptPoster

    calls: list[dict[str, Any]] = []
    receipts = ReceiptPoster()
    ids = iter(range(1, 1 << 40))

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        result: Any = True
        if name == "getMe":
            result = {"id": 123456, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
        elif name == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        elif name in ("getMyCommands",):
            result = []
        elif name == "sendMessage":
            calls.append({"method": name, "params": {"chat_id": params.get("chat_id")}})
            chat = int(params["chat_id"])
            result = {
                "message_id": next(ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "text": str(params.get("text", "")),
            }
        return web.json_response({"ok": True, "result": result})

    async def graph(request: web.Request) -> web.Response:
        """WhatsApp's Graph API `messages`: a message (recorded as `whatsapp`) or a read receipt (`whatsapp_read`)."""
        params = await request.json()
        if params.get("status") == "read":
            calls.append({"method": "whatsapp_read", "params": {}})
            return web.json_response({"success": True})
        calls.append({"method": "whatsapp", "params": {"to": params.get("to")}})
        contact = {"input": params.get("to"), "wa_id": params.get("to")}
        wamid = f"wamid.F{next(ids)}"
        if "port" in request.match_info:
            receipts.accepted(
                int(request.match_info["port"]), wamid, str(params.get("to")), params.get("biz_opaque_callback_data")
            )
        return web.json_response({"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]})

    async def listed(_: web.Request) -> web.Response:
        return web.json_response(calls)

    async def receipts_counted(_: web.Request) -> web.Response:
        return web.json_response(receipts.counts())

    app = web.Application()
    app.router.add_post("/{version}/{phone_number_id}/messages", graph)
    app.router.add_post("/hook{port:[0-9]+}/{version}/{phone_number_id}/messages", graph)
    app.router.add_post("/bot{token}/{method}", method)
    app.router.add_get("/_calls", listed)
    app.router.add_get("/_receipts", receipts_counted)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- processes ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process {process.args} ended with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {seconds} s")


@contextlib.contextmanager
def started(args: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        try:
            _, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        problems = [line for line in err.decode(errors="replace").splitlines() if "ERROR" in line]
        if problems:
            print(f"  {Path(args[1]).name} logged errors: {problems[:3]}", file=sys.stderr)


def drive(hook: str, fake: str, users: int, messages: int, base: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(PEERS / "load_tg.py"), hook, SECRET, fake, str(users), str(messages), "/lapor"]
    return subprocess.Popen([*args, str(base)], stdout=subprocess.PIPE)


def finished(driver: subprocess.Popen[bytes]) -> dict[str, Any]:
    out, _ = driver.communicate(timeout=600)
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def children_cpu() -> float:
    """CPU seconds of this process's finished, waited-for children (the drivers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    servers: list[int], hooks: list[str], fake: str, users: int, messages: int, base: int, fake_pid: int = 0
) -> dict[str, float]:
    """One round: a driver per webhook at once; throughput, the worst p99, CPU per message, cores used (the
    servers'; the drivers', the fake API's and the whole machine's beside them)."""
    before = [cpu_seconds(pid) for pid in servers]
    others_before = (children_cpu(), cpu_seconds(fake_pid) if fake_pid else 0.0, machine_busy())
    wall = time.perf_counter()
    with Timeline(servers, fake_pid) if fake_pid else contextlib.nullcontext() as timeline:
        drivers = [drive(hook, fake, users, messages, base + n * users) for n, hook in enumerate(hooks)]
        results = [finished(d) for d in drivers]
    wall = time.perf_counter() - wall
    cpu = sum(cpu_seconds(pid) for pid in servers) - sum(before)
    others_after = (children_cpu(), cpu_seconds(fake_pid) if fake_pid else 0.0, machine_busy())
    drivers_cpu, fake_cpu, machine_cpu = (a - b for a, b in zip(others_after, others_before, strict=True))
    total = users * messages * len(hooks)
    seen = sum(r["replies_seen"] or 0 for r in results)
    if seen < total or any(r["non_200"] for r in results):
        print(f"  incomplete round: {results}", file=sys.stderr)
    return {
        "rate": total / max(r["all_s"] for r in results),
        "p99": max(r["p99_ms"] for r in results),
        "p50": max(r["p50_ms"] for r in results),
        "cpu_ms": cpu / total * 1000,
        "cores": cpu / wall,
        "drivers_cores": drivers_cpu / wall,
        "fake_cores": fake_cpu / wall,
        "machine_cores": machine_cpu / wall,
    } | ({f"steady_{k}": v for k, v in timeline.steady().items()} if timeline else {})


def cores(result: dict[str, float], servers: str) -> str:
    """Where the round's cores went: the servers, the drivers, the fake API, and the whole machine (PostgreSQL and
    anything else running included) of its cores."""
    steady = (
        f"; while the load ran (bench/cores.py's steady state): {servers} {result['steady_servers']:.2f}, drivers"
        f" {result['steady_drivers']:.2f}, fake API {result['steady_fake']:.2f}, PostgreSQL"
        f" {result['steady_postgresql']:.2f}, whole machine {result['steady_machine']:.2f}"
        if "steady_machine" in result
        else ""
    )
    return (
        f"cores: {servers} {result['cores']:.2f}, drivers {result['drivers_cores']:.2f},"
        f" fake API {result['fake_cores']:.2f}, whole machine {result['machine_cores']:.2f} of {os.cpu_count()}"
        + steady
    )


# -- kopsehat's database ------------------------------------------------------------------------------------------


async def prepare(url: str, chats: list[int]) -> None:
    """The schema at head and an officer (own cooperative, linked Telegram identity) per chat."""
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(url)
    try:
        await upgrade(db)
        async with db.transaction() as repos:
            for chat in chats:
                values = {"name": f"KSP Peer {chat}", "nik": f"P{chat}", "type": "ksp"}
                coop, _ = await repos.cooperatives.upsert(values)
                officer = await repos.officers.add(coop.id, f"Petugas {chat}", "bendahara")
                identity = await repos.identities.get_or_create("telegram", str(chat))
                identity.officer_id = officer.id
    finally:
        await db.dispose()


@contextlib.asynccontextmanager
async def database(backend: str, prefix: str = "peer") -> Any:
    """A database URL for the run: a SQLite file, or a new PostgreSQL database named `prefix`_... (dropped after)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/peer.db"
        return
    import asyncpg

    base = os.environ.get("KOPSEHAT_TEST_DATABASE_URL", "")
    if not base:
        raise SystemExit("postgresql: set KOPSEHAT_TEST_DATABASE_URL")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    plain = base.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(plain)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def kopsehat(
    url: str, fake: str, port: int, extra: dict[str, str] | None = None
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    env = dict(os.environ) | (extra or {})
    env.update(
        KOPSEHAT_DATABASE_URL=url,
        KOPSEHAT_TELEGRAM_TOKEN=TOKEN,
        KOPSEHAT_TELEGRAM_API_URL=fake,
        KOPSEHAT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        KOPSEHAT_TELEGRAM_WEBHOOK_SECRET=SECRET,
        KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND="0",
        KOPSEHAT_LOG_LEVEL="WARNING",
    )
    program = [str(Path(sys.executable).parent / "kopsehat")]
    if os.environ.get("PEER_PROFILE"):  # a cProfile of the service, written when it stops
        program = [sys.executable, "-m", "cProfile", "-o", f"{os.environ['PEER_PROFILE']}.{port}", "-m", "bot"]
    return started([*program, "run", "--host", "127.0.0.1", "--port", str(port)], port, env)


# -- the comparison -----------------------------------------------------------------------------------------------


async def compare(backend: str, rounds: int, users: int, messages: int, processes: int) -> None:
    fake_port = free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    per_round = users * max(processes, 1) * 2
    chats = [CHAT_BASE + n for n in range((2 * rounds + 6) * per_round)]
    bases = iter(range(CHAT_BASE, CHAT_BASE + len(chats), per_round))
    async with database(backend) as url:
        await prepare(url, chats)
        with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
            stack.enter_context(started([sys.executable, __file__, "--fake", str(fake_port)], fake_port))
            peer_port, ours_port = free_port(), free_port()
            peer_args = [sys.executable, str(PEERS / "ptb_conversation_bot.py"), str(peer_port), fake]
            peer = stack.enter_context(started([*peer_args, f"{folder}/peer.pickle", "40"], peer_port))
            ours = stack.enter_context(kopsehat(url, fake, ours_port))
            peer_hook = f"http://127.0.0.1:{peer_port}/telegram/webhook"
            ours_hook = f"http://127.0.0.1:{ours_port}/telegram/webhook"
            measure([peer.pid], [peer_hook], fake, users, 5, next(bases))  # warm-up
            measure([ours.pid], [ours_hook], fake, users, 5, next(bases))
            print(f"{backend}: {users} users x {messages} messages per round; p99 of the HTTP answer; CPU per message")
            ratios: list[tuple[float, float, float]] = []
            for n in range(rounds):
                p = measure([peer.pid], [peer_hook], fake, users, messages, next(bases))
                o = measure([ours.pid], [ours_hook], fake, users, messages, next(bases))
                ratios.append((o["rate"] / p["rate"], o["p99"] / p["p99"], o["cpu_ms"] / p["cpu_ms"]))
                print(
                    f"  round {n + 1}: reference {p['rate']:6.0f} msg/s p99 {p['p99']:6.1f} ms CPU {p['cpu_ms']:.2f} ms"
                    f" | kopsehat {o['rate']:6.0f} msg/s p99 {o['p99']:6.1f} ms CPU {o['cpu_ms']:.2f} ms"
                    f" | ratios: throughput {ratios[-1][0]:.2f}x p99 {ratios[-1][1]:.2f}x CPU {ratios[-1][2]:.2f}x"
                )
            stack.close()  # the reference and kopsehat stop; the fake API with them
            if processes > 1:
                fake_api = stack.enter_context(started([sys.executable, __file__, "--fake", str(fake_port)], fake_port))
                ports = [free_port() for _ in range(processes)]
                servers = [stack.enter_context(kopsehat(url, fake, p)) for p in ports]
                hooks = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
                measure([s.pid for s in servers], hooks, fake, users, 5, next(bases))  # warm-up
                one = measure([servers[0].pid], hooks[:1], fake, users, messages, next(bases), fake_api.pid)
                many = measure([s.pid for s in servers], hooks, fake, users, messages, next(bases), fake_api.pid)
                print(
                    f"  1 process: {one['rate']:6.0f} msg/s p99 {one['p99']:6.1f} ms ({cores(one, 'the server')})"
                    f"\n  {processes} processes ({users} users each): {many['rate']:6.0f} msg/s"
                    f" p99 {many['p99']:6.1f} ms ({cores(many, 'the servers')})"
                    f"\n  ratio {many['rate'] / one['rate']:.2f}x; the machine allows at most"
                    f" {os.cpu_count() or 1} / {one['steady_machine']:.2f} = "
                    f"{(os.cpu_count() or 1) / one['steady_machine']:.2f}x (one process's steady state)"
                )
                stack.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="postgresql")
    parser.add_argument("--processes", type=int, default=1, help="also compare N kopsehat processes with one")
    parser.add_argument("--fake", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        fake_api(args.fake)
        return
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        processes = args.processes if backend != "sqlite" else 1
        asyncio.run(compare(backend, args.rounds, args.users, args.messages, processes))


if __name__ == "__main__":
    main()
