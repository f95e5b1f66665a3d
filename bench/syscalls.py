"""The system calls of the real `kopsehat run` per message under peer_compare's load, split by peer.

One checkout's `kopsehat run` (its own .venv), webhook mode, against peer_compare's fake Bot API, driven by
../shared/peers/load_tg.py (USERS users x MESSAGES messages); after a warm-up round, `strace -f -yy` is attached to the
server for one round. Each call is counted by name and, for calls on a TCP socket, by the peer at the other end: the
database (its port), the Bot API (the fake's port), the driver (the server's own listening port). strace slows the
server (so batches grow: read the counts as an upper bound of a busy server's), but the counts are counts.

    .venv/bin/python bench/syscalls.py . --backend postgresql
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc
from bench.side_by_side import server

CALL = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\((?:(\d+)<(.*?)>[,)])?")
TCP = re.compile(r"TCP\w*:\[[^\]]*?:(\d+)->[^\]]*?:(\d+)\]")


def peer(link: str, ports: dict[int, str]) -> str:
    """Who is at the other end of a socket strace names `TCP:[local:port->remote:port]`."""
    found = TCP.search(link)
    if found is None:
        return "unix" if "UNIX" in link else "other"
    local, remote = int(found.group(1)), int(found.group(2))
    return ports.get(remote) or ports.get(local) or "other"


def times(pid: int) -> tuple[float, float]:
    """A process's user and system CPU seconds, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / pc.CLOCK_TICKS, int(fields[12]) / pc.CLOCK_TICKS


def counted(log: Path, ports: dict[int, str]) -> collections.Counter[tuple[str, str]]:
    calls: collections.Counter[tuple[str, str]] = collections.Counter()
    for line in log.read_text(errors="replace").splitlines():
        if "resumed>" in line or line.startswith("+++") or line.startswith("---"):
            continue
        found = CALL.match(line.strip())
        if found is None:
            continue
        name, fd, link = found.groups()
        calls[(name, peer(link, ports) if fd else "")] += 1
    return calls


async def run(root: Path, backend: str, users: int, messages: int, rounds: int, keep: Path | None) -> None:
    chats = [pc.CHAT_BASE + n for n in range((rounds + 5) * users)]
    async with pc.database(backend, "syscalls") as url:
        await pc.prepare(url, chats)
        traced(root, url, iter(range(pc.CHAT_BASE, pc.CHAT_BASE + len(chats), users)), users, messages, rounds, keep)


def traced(
    root: Path, url: str, bases: Iterator[int], users: int, messages: int, rounds: int, keep: Path | None
) -> None:
    fake_port, port = pc.free_port(), pc.free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        stack.enter_context(pc.started([sys.executable, pc.__file__, "--fake", str(fake_port)], fake_port))
        process = stack.enter_context(server(root, url, fake, port, {}))
        hook = f"http://127.0.0.1:{port}/telegram/webhook"
        pc.measure([process.pid], [hook], fake, users, 5, next(bases))  # warm-up
        for _ in range(2):  # without strace: the server's user and system CPU per message
            user, system = times(process.pid)
            seen = pc.measure([process.pid], [hook], fake, users, messages, next(bases))
            user, system = (a - b for a, b in zip(times(process.pid), (user, system), strict=True))
            total = users * messages
            print(
                f"untraced ({seen['rate']:.0f} msg/s, load {os.getloadavg()[0]:.1f}): CPU per message"
                f" {(user + system) / total * 1000:.2f} ms, user {user / total * 1000:.2f} ms,"
                f" system {system / total * 1000:.2f} ms"
            )
        if keep is not None and os.environ.get("SYSCALLS_PERF"):  # a CPU profile (perf's cpu-clock) of a round
            recorder = subprocess.Popen(
                [
                    "perf",
                    "record",
                    "-e",
                    "cpu-clock",
                    "-F",
                    "997",
                    "-g",
                    "-o",
                    str(keep / "perf.data"),
                    "-p",
                    str(process.pid),
                ],
                stderr=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1.0)
            pc.measure([process.pid], [hook], fake, users, messages, next(bases))
            recorder.send_signal(2)
            recorder.wait()
        ports = {fake_port: "Bot API", port: "driver", 5432: "database"}
        for n in range(rounds):
            log = Path(folder) / f"strace.{n}"
            tracer = subprocess.Popen(
                ["strace", "-f", "-qq", "-yy", "-s", "0", "-o", str(log), "-p", str(process.pid)],
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)
            before = counted(log, ports)
            seen = pc.measure([process.pid], [hook], fake, users, messages, next(bases))
            time.sleep(0.3)  # the last sends' outcome writes
            tracer.terminate()
            tracer.wait()
            calls = counted(log, ports)
            if keep is not None:
                shutil.copy(log, keep / log.name)
            calls.subtract(before)
            total = users * messages
            print(
                f"round {n + 1} ({seen['rate']:.0f} msg/s under strace, load {os.getloadavg()[0]:.1f}):"
                f" {sum(calls.values()) / total:.2f} calls per message"
            )
            by_name: collections.Counter[str] = collections.Counter()
            for (name, _), count in calls.items():
                by_name[name] += count
            for name, count in by_name.most_common():
                if count <= 0:
                    continue
                split = ", ".join(
                    f"{who or '-'} {c / total:.2f}"
                    for (call, who), c in sorted(calls.items(), key=lambda item: -item[1])
                    if call == name and c > 0
                )
                print(f"  {name:16} {count / total:6.2f}  ({split})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="the checkout whose .venv/bin/kopsehat runs")
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="a folder to keep strace's logs in")
    args = parser.parse_args()
    asyncio.run(run(args.root, args.backend, args.users, args.messages, args.rounds, args.keep))


if __name__ == "__main__":
    main()
