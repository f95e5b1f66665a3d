"""What makes the p99 of bench/peer_compare.py's load: the same closed loop (USERS users, each sending /lapor and then
MESSAGES-1 amounts to the real `kopsehat run` of the Python running this script, fresh seeded officers each round),
driven from here so that each answer's latency is kept with the message it answered. Per round: p50 and p99 of every
message (peer_compare's numbers), the first message's (every user's /lapor, all sent at the same moment at the
round's start) and those of the rest. `--known`: each officer has said /bantuan before the round, so that /lapor is
not the chat's first message (as every month after an officer's first), only the report's opening.

    .venv/bin/python bench/tail_split.py --rounds 3
    /work/main/.venv/bin/python bench/tail_split.py --rounds 3   # main's `kopsehat run`, this script

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL (a fresh database is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc


def update(chat: int, n: int, first: str = "/lapor", ids_from: int = 0) -> dict[str, object]:
    """load_tg.py's update: /lapor (a bot command) first, then an amount; its ids from `ids_from` on."""
    text = first if n == 0 else "1.250.000"
    message: dict[str, object] = {
        "message_id": chat * 1000 + ids_from + n,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "U"},
        "from": {"id": chat, "is_bot": False, "first_name": "U", "language_code": "id"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": chat * 1000 + ids_from + n, "message": message}


async def round_trip(
    hook: str, users: int, messages: int, base: int, first: str = "/lapor", ids_from: int = 0
) -> list[tuple[int, float]]:
    """(message's index, seconds to its HTTP answer) of every message of one round."""
    import aiohttp

    seen: list[tuple[int, float]] = []
    headers = {"X-Telegram-Bot-Api-Secret-Token": pc.SECRET}

    async def user(session: aiohttp.ClientSession, chat: int) -> None:
        for n in range(messages):
            started = time.perf_counter()
            async with session.post(hook, json=update(chat, n, first, ids_from), headers=headers) as answer:
                await answer.read()
            seen.append((n, time.perf_counter() - started))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(user(session, base + k) for k in range(users)))
    return seen


def quantiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p50, p99 = (ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 for q in (0.5, 0.99))
    return f"p50 {p50:6.1f} p99 {p99:6.1f} ms"


async def main(backend: str, rounds: int, users: int, messages: int, known: bool) -> None:
    fake_port = pc.free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    chats = [pc.CHAT_BASE + n for n in range((rounds + 1) * users)]
    async with pc.database(backend, prefix="tail") as url:
        await pc.prepare(url, chats)
        with contextlib.ExitStack() as stack:
            stack.enter_context(pc.started([sys.executable, pc.__file__, "--fake", str(fake_port)], fake_port))
            port = pc.free_port()
            stack.enter_context(pc.kopsehat(url, fake, port))
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
            await round_trip(hook, users, 5, pc.CHAT_BASE)  # warm-up
            print(f"{backend}, {sys.prefix}: {users} users x {messages} messages per round")
            for n in range(rounds):
                base = pc.CHAT_BASE + (n + 1) * users
                if known:  # each officer has talked to the bot before: /lapor opens the report of a known chat
                    await round_trip(hook, users, 1, base, first="/bantuan", ids_from=500)
                await asyncio.sleep(2)  # the previous round's replies go out
                seen = await round_trip(hook, users, messages, base, first="/lapor")
                every = quantiles([s for _, s in seen])
                first = quantiles([s for i, s in seen if i == 0])
                rest = quantiles([s for i, s in seen if i > 0])
                load = os.getloadavg()[0]
                print(f"  round {n + 1} (load {load:.1f}): all {every} | first message {first} | the rest {rest}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--known", action="store_true", help="each officer says /bantuan before the round")
    args = parser.parse_args()
    asyncio.run(main(args.backend, args.rounds, args.users, args.messages, args.known))
