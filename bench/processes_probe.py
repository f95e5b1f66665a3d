"""Where two `kopsehat run` processes on one PostgreSQL lose against twice one (issue #17's 1.7x aim): the same
servers, fake Bot API and load driver as bench/peer_compare.py's `--processes 2`, but rounds of one process and of
two alternate (ROUNDS of each, in one run, on one database), and each round reports its cores split by owner: the
servers, the drivers, the fake API, PostgreSQL (every `postgres` process, exited backends included through the
postmaster's children's time) and the whole machine; the CPU of each of them per message; PostgreSQL's commits per
message (pg_stat_database); and what PostgreSQL's sessions of the run were doing, sampled every few milliseconds from
pg_stat_activity (running, idle in a transaction, waiting on a lock and which one) and pg_locks (locks not granted;
the sampler's own queries cost CPU and count as commits: `--no-sample` for throughput and commits).

peer_compare's cores are over the whole round, the drivers' start-up (about 0.33 s of CPU each, before their first
message, the servers idle) and the wait for the last replies included; the "steady state" line here gives the cores
over the middle 80% of the time the servers were busy, which is what bounds two processes against one.
`--fakes A B` runs each round against the fake API of each peer_compare.py given, in turn (two servers each).

    flock /work/wt/bench.lock .venv/bin/python bench/processes_probe.py --rounds 3

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL (a fresh database is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc
from bench.cores import postgres_cpu

SAMPLE_SECONDS = 0.005


class Sampler:
    """pg_stat_activity and pg_locks of one database, every SAMPLE_SECONDS, on its own thread and connection."""

    def __init__(self, url: str, database: str) -> None:
        self.url, self.database = url, database
        self.states: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self.blocked = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        import asyncpg

        connection = await asyncpg.connect(self.url)
        try:
            while not self._stop.is_set():
                rows = await connection.fetch(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    self.database,
                )
                waiting = await connection.fetchval(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                    " WHERE NOT l.granted AND d.datname = $1",
                    self.database,
                )
                self.samples += 1
                self.blocked += waiting
                for state, kind, event in rows:
                    if state == "idle":
                        continue
                    self.states[f"{state}: {kind or 'CPU'}/{event or '-'}"] += 1
                await asyncio.sleep(SAMPLE_SECONDS)
        finally:
            await connection.close()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def commits(url: str, database: str) -> int:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", database))
    finally:
        await connection.close()


async def one_round(
    url: str,
    database: str,
    pids: list[int],
    hooks: list[str],
    fake: str,
    fake_pid: int,
    users: int,
    messages: int,
    base: int,
    sample: bool,
) -> dict[str, Any]:
    before_pg, before_commits = postgres_cpu(), await commits(url, database)
    wall = time.perf_counter()
    with Sampler(url, database) if sample else contextlib.nullcontext() as sampler:
        result: dict[str, Any] = pc.measure(pids, hooks, fake, users, messages, base, fake_pid)
    wall = time.perf_counter() - wall
    result["pg_cores"] = (postgres_cpu() - before_pg) / wall
    result["wall"] = wall
    result["commits"] = await commits(url, database) - before_commits
    if sampler is not None:
        result["samples"] = sampler.samples
        result["states"] = sampler.states
        result["blocked"] = sampler.blocked
    return result


def report(label: str, r: dict[str, Any], total: int) -> None:
    per = {
        k: r[k] * r["wall"] / total * 1000
        for k in ("cores", "drivers_cores", "fake_cores", "pg_cores", "machine_cores")
    }
    print(
        f"  {label}: {r['rate']:6.0f} msg/s p99 {r['p99']:5.1f} ms | cores: servers {r['cores']:.2f}, drivers"
        f" {r['drivers_cores']:.2f}, fake {r['fake_cores']:.2f}, PostgreSQL {r['pg_cores']:.2f}, machine"
        f" {r['machine_cores']:.2f} | ms a message: servers {per['cores']:.3f}, drivers {per['drivers_cores']:.3f},"
        f" fake {per['fake_cores']:.3f}, PostgreSQL {per['pg_cores']:.3f}, machine {per['machine_cores']:.3f}"
        f" | commits a message {r['commits'] / total:.3f}; the servers' CPU a message by measure {r['cpu_ms']:.3f} ms"
    )
    print(
        f"      steady state (the middle 80% of {r['steady_busy_s']:.2f} s of load): servers"
        f" {r['steady_servers']:.2f}, drivers {r['steady_drivers']:.2f}, fake {r['steady_fake']:.2f}, PostgreSQL"
        f" {r['steady_postgresql']:.2f}, machine {r['steady_machine']:.2f}"
    )
    if "states" in r and r["samples"]:
        busy = ", ".join(f"{k} {v / r['samples']:.2f}" for k, v in r["states"].most_common(6))
        locks = sum(v for k, v in r["states"].items() if ": Lock/" in k)
        print(
            f"      sessions not idle, on average ({r['samples']} samples): {busy}; locks not granted {r['blocked']},"
            f" sessions seen in a Lock wait {locks}"
        )


async def probe(rounds: int, users: int, messages: int, sample: bool, fakes: list[str]) -> None:
    """ROUNDS rounds of one process and of two, alternating; with several FAKES (peer_compare.py files whose
    `--fake` is the fake API), each round is done against each fake in turn, two servers of their own each."""
    chats = [pc.CHAT_BASE + n for n in range((3 * rounds * len(fakes) + 2 * len(fakes)) * users * 2)]
    bases = iter(range(pc.CHAT_BASE, pc.CHAT_BASE + len(chats), users * 2))
    async with pc.database("postgresql", "probe") as url:
        await pc.prepare(url, chats)
        plain = url.replace("postgresql+asyncpg://", "postgresql://")
        database = url.rsplit("/", 1)[1]
        with contextlib.ExitStack() as stack:
            sets = []
            for program in fakes:
                port = pc.free_port()
                fake = f"http://127.0.0.1:{port}"
                api = stack.enter_context(pc.started([sys.executable, program, "--fake", str(port)], port))
                ports = [pc.free_port(), pc.free_port()]
                servers = [stack.enter_context(pc.kopsehat(url, fake, p)) for p in ports]
                hooks = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
                pc.measure([s.pid for s in servers], hooks, fake, users, 5, next(bases))  # warm-up
                sets.append((program, fake, api, servers, hooks))
            print(f"{users} users x {messages} messages a driver; load average {os.getloadavg()[0]:.1f}")
            ratios: dict[str, list[float]] = {program: [] for program in fakes}
            for n in range(rounds):
                for program, fake, api, servers, hooks in sets if n % 2 == 0 else sets[::-1]:
                    rates = {}
                    for count in (1, 2) if n % 2 == 0 else (2, 1):
                        pids = [s.pid for s in servers[:count]]
                        args = (plain, database, pids, hooks[:count], fake, api.pid, users, messages)
                        r = await one_round(*args, next(bases), sample)
                        rates[count] = r["rate"]
                        label = f"round {n + 1}, fake {program}, {count} process{'es' if count > 1 else ''}"
                        report(label, r, users * messages * count)
                    ratios[program].append(rates[2] / rates[1])
                    print(f"  round {n + 1}, fake {program}: ratio {ratios[program][-1]:.2f}x")
            for program, values in ratios.items():
                print(f"fake {program}: ratios {', '.join(f'{v:.2f}x' for v in values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--no-sample", action="store_true", help="no pg_stat_activity sampling (its own CPU)")
    parser.add_argument(
        "--fakes", nargs="+", default=[pc.__file__], help="peer_compare.py files whose fake API to use, in turn"
    )
    args = parser.parse_args()
    asyncio.run(probe(args.rounds, args.users, args.messages, not args.no_sample, args.fakes))


if __name__ == "__main__":
    main()
