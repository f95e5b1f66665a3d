"""Two kopsehat checkouts side by side on the officer path: each one's real `kopsehat run` (its own .venv), webhook
mode, the same fake Bot API and the same database, driven by ../shared/peers/load_tg.py (USERS users, each sending
/lapor and then MESSAGES-1 amounts), rounds alternating between them, fresh seeded officers each round. Per round:
messages per second, p50/p99 of the HTTP answer, CPU per message of each server (utime + stime), and the ratios of
the second checkout to the first, with the machine's load average. Used to measure a branch against main:

    .venv/bin/python bench/side_by_side.py /work/main . --rounds 3 --backend postgresql

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL (a fresh database is created and dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc
from bench.common import checkouts_parser


def server(
    root: Path, url: str, fake: str, port: int, extra: dict[str, str]
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    env = dict(os.environ) | extra
    env.update(
        KOPSEHAT_DATABASE_URL=url,
        KOPSEHAT_TELEGRAM_TOKEN=pc.TOKEN,
        KOPSEHAT_TELEGRAM_API_URL=fake,
        KOPSEHAT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        KOPSEHAT_TELEGRAM_WEBHOOK_SECRET=pc.SECRET,
        KOPSEHAT_TELEGRAM_MESSAGES_PER_SECOND="0",
        KOPSEHAT_LOG_LEVEL="WARNING",
    )
    program = str(root / ".venv" / "bin" / "kopsehat")
    return pc.started([program, "run", "--host", "127.0.0.1", "--port", str(port)], port, env)


def print_round(n: int, roots: list[Path], seen: list[dict[str, float]], extra: str = "") -> None:
    """One round's line: each checkout's throughput, p50, p99 and CPU per message (and `extra`, a key of the
    measures: its count), then the second's over the first's."""
    parts = [
        f"{root.resolve().name}: {o['rate']:4.0f} msg/s p50 {o['p50']:6.1f} p99 {o['p99']:6.1f} ms"
        f" CPU {o['cpu_ms']:.2f} ms" + (f" ({o[extra]:.0f} {extra})" if extra else "")
        for root, o in zip(roots, seen, strict=True)
    ]
    first, second = seen[0], seen[-1]
    print(
        f"  round {n + 1} (load {os.getloadavg()[0]:.1f}): " + " | ".join(parts) + f" | second/first: p50"
        f" {second['p50'] / first['p50']:.2f}x p99 {second['p99'] / first['p99']:.2f}x CPU"
        f" {second['cpu_ms'] / first['cpu_ms']:.2f}x throughput {second['rate'] / first['rate']:.2f}x",
        flush=True,
    )


async def compare(
    roots: list[Path], backend: str, rounds: int, users: int, messages: int, second_env: dict[str, str]
) -> None:
    fake_port = pc.free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    chats = [pc.CHAT_BASE + n for n in range((rounds + 1) * users * len(roots))]
    bases = iter(range(pc.CHAT_BASE, pc.CHAT_BASE + len(chats), users))
    async with pc.database(backend) as url:
        await pc.prepare(url, chats)
        with contextlib.ExitStack() as stack:
            stack.enter_context(pc.started([sys.executable, pc.__file__, "--fake", str(fake_port)], fake_port))
            servers = []
            for n, root in enumerate(roots):
                port = pc.free_port()
                process = stack.enter_context(server(root, url, fake, port, second_env if n else {}))
                servers.append((root, process, f"http://127.0.0.1:{port}/telegram/webhook"))
            for _, process, hook in servers:  # warm-up
                pc.measure([process.pid], [hook], fake, users, 5, next(bases))
            print(
                f"{backend}: {users} users x {messages} messages per round; p50/p99 of the HTTP answer; CPU per message"
            )
            for n in range(rounds):
                seen = [pc.measure([p.pid], [hook], fake, users, messages, next(bases)) for _, p, hook in servers]
                print_round(n, [root for root, _, _ in servers], seen)


def main() -> None:
    parser = checkouts_parser(__doc__, rounds=3)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument(
        "--second-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an environment variable for the second checkout's server only (a setting measured against none)",
    )
    args = parser.parse_args()
    second_env = dict(item.split("=", 1) for item in args.second_env)
    asyncio.run(compare([args.first, args.second], args.backend, args.rounds, args.users, args.messages, second_env))


if __name__ == "__main__":
    main()
