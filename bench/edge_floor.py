"""The HTTP edge's floor: the server CPU of one webhook POST in aiohttp as `kopsehat run` serves it (an
`AppRunner`, a `TCPSite`, uvloop), with less and less of kopsehat's work, to see what the webhooks add to the floor.

Variants (each its own server process, rounds alternating between them, the same driver as
bench/channels_compare.py's "receipts alone": 16 posters, a signed `read` receipt of Meta's shape each POST):

    bare         an application with one POST route that reads the body and answers `ok`
    middlewares  the same, with the office's two middlewares on the application (aiohttp_session's
                 `session_middleware` and `guard`), as the webhooks had them before they moved to the office's
                 sub-application
    subapp       the same, with the office's middlewares on a sub-application under /kantor (as now): the webhook
                 passes aiohttp's own per-request middleware only
    verify       bare, plus the WhatsApp webhook's pure work: the signature, the JSON, `parse_webhook`
                 (no database)

    flock /work/wt/bench.lock .venv/bin/python bench/edge_floor.py --rounds 4 --requests 6000

With `--checkouts A B`: instead, each checkout's real `kopsehat run` (both channels, PostgreSQL, the fake APIs of
bench/peer_compare.py; rounds alternating) against requests that change nothing: the same receipt webhooks (a `read`
of a row already read, or of none: Meta's repeats) and Telegram updates already recorded (Telegram's repeats), the
server's CPU per POST, and the second's over the first's; and each round the same receipt webhooks to the `bare`
variant's server (the floor):

    flock /work/wt/bench.lock .venv/bin/python bench/edge_floor.py --checkouts /work/main . --rounds 6
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc
from bench.meta_receipts import APP_SECRET, PHONE_NUMBER_ID

VARIANTS = ("bare", "middlewares", "subapp", "verify")
PATH = "/whatsapp/webhook"


def application(variant: str) -> object:
    from aiohttp import web
    from aiohttp_session import session_middleware

    from bot.channels.base import read_json
    from bot.channels.whatsapp.inbound import meta_signature_ok, parse_webhook
    from bot.web.office.security import PREFIX, DeferredStorage, Handler, guard

    async def key() -> bytes:
        return b"k" * 32

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    async def verified(request: web.Request) -> web.Response:
        raw = await request.read()
        if not meta_signature_ok(raw, request.headers.get("X-Hub-Signature-256"), APP_SECRET):
            return web.Response(status=403, text="bad signature")
        parse_webhook(read_json(raw), PHONE_NUMBER_ID)
        return web.Response(text="ok")

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="office")

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post(PATH, verified if variant == "verify" else hook)

    @web.middleware
    async def guard_outside(request: web.Request, handler: Handler) -> web.StreamResponse:
        """`guard` on the application, as before: requests outside /kantor passed it after a test of the path."""
        path = request.path
        if not (path == PREFIX or path.startswith(f"{PREFIX}/") or path.startswith(f"{PREFIX}.")):
            return await handler(request)
        return await guard(request, handler)

    middlewares = [session_middleware(DeferredStorage(key, secure=False)), guard]
    if variant == "middlewares":
        app.middlewares.extend([middlewares[0], guard_outside])
        app.router.add_get(f"{PREFIX}/", page)
    elif variant == "subapp":
        office = web.Application(middlewares=middlewares)
        office.router.add_get("/", page)
        app.add_subapp(PREFIX, office)
    return app


async def serve(variant: str, port: int) -> None:
    from aiohttp import web

    app = application(variant)
    assert isinstance(app, web.Application)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


async def in_process(variants: list[str], rounds: int, count: int) -> None:
    """aiohttp's dispatch of a POST alone (`Application._handle`: routing, the middlewares, the handler), no socket:
    the CPU (µs) per request, best of 5 x `count`, each variant in turn."""
    import gc
    import time

    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    apps = {}
    for variant in variants:
        app = application(variant)
        assert isinstance(app, web.Application)
        app.freeze()
        apps[variant] = app
    for n in range(rounds):
        seen = {}
        for variant, app in apps.items():
            best = float("inf")
            for _ in range(5):
                requests = [make_mocked_request("POST", PATH, app=app) for _ in range(count)]
                gc.collect()
                started = time.process_time()
                for request in requests:
                    await app._handle(request)
                best = min(best, (time.process_time() - started) / count * 1e6)
            seen[variant] = best
        print(f"in process, round {n + 1}: " + ", ".join(f"{v} {cpu:.1f} µs" for v, cpu in seen.items()), flush=True)


async def drive_repeats(url: str, count: int) -> None:
    """COUNT Telegram updates already recorded (16 posters, 16 updates posted over and over), as Telegram's repeats;
    prints how many were not answered 200."""
    import aiohttp

    headers = {"X-Telegram-Bot-Api-Secret-Token": pc.SECRET, "Content-Type": "application/json"}
    bodies = [json.dumps(update(k)).encode() for k in range(16)]
    errors = 0

    async def poster(session: aiohttp.ClientSession, k: int) -> None:
        nonlocal errors
        for _ in range(count // 16):
            async with session.post(url, data=bodies[k], headers=headers) as answer:
                await answer.read()
                errors += answer.status != 200

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(poster(session, k) for k in range(16)))
    print(json.dumps({"non_200": errors}))


def update(k: int) -> dict[str, object]:
    """An officer's amount, the update Telegram repeats: the same update id every time."""
    chat = pc.CHAT_BASE + k
    message = {"message_id": 1, "date": 1_700_000_000, "chat": {"id": chat, "type": "private", "first_name": "U"}}
    message |= {"from": {"id": chat, "is_bot": False, "first_name": "U", "language_code": "id"}, "text": "1.250.000"}
    return {"update_id": chat * 1000, "message": message}


def driven(pid: int, args: list[str], count: int) -> float:
    """The server's CPU (µs) per POST of a driver (this script with `args`)."""
    before = pc.cpu_seconds(pid)
    result = pc.finished(subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE))
    if result["non_200"]:
        print(f"  {result['non_200']} not answered 200", file=sys.stderr)
    return (pc.cpu_seconds(pid) - before) / count * 1e6


async def compare_checkouts(roots: list[Path], rounds: int, count: int) -> None:
    import contextlib

    from bench import channels_compare as cc
    from bench import side_by_side

    fake_port = pc.free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    async with pc.database("postgresql", prefix="edge") as url:
        await cc.prepare(url, [pc.CHAT_BASE + k for k in range(16)])
        with contextlib.ExitStack() as stack:
            stack.enter_context(pc.started([sys.executable, pc.__file__, "--fake", str(fake_port)], fake_port))
            servers = []
            for root in roots:
                port = pc.free_port()
                process = stack.enter_context(side_by_side.server(root, url, fake, port, cc.whatsapp_env(fake, port)))
                servers.append((root.resolve().name, process.pid, f"http://127.0.0.1:{port}"))
            port = pc.free_port()
            bare = stack.enter_context(pc.started([sys.executable, __file__, "--serve", "bare", str(port)], port))
            floor_url = f"http://127.0.0.1:{port}{PATH}"
            driven(bare.pid, ["--drive-receipts", floor_url, "500"], 500)
            for _, pid, base in servers:  # warm-up; the updates recorded (answered once)
                driven(pid, ["--drive-repeats", f"{base}/telegram/webhook", "160"], 160)
                driven(pid, ["--drive-receipts", f"{base}/whatsapp/webhook", "500"], 500)
            for n in range(rounds):
                floor = driven(bare.pid, ["--drive-receipts", floor_url, str(count)], count)
                seen = []
                for _, pid, base in servers:
                    tg = driven(pid, ["--drive-repeats", f"{base}/telegram/webhook", str(count)], count)
                    wa = driven(pid, ["--drive-receipts", f"{base}/whatsapp/webhook", str(count)], count)
                    seen.append((tg, wa))
                parts = " | ".join(
                    f"{name}: a Telegram repeat {tg:.0f} µs, a receipt webhook {wa:.0f} µs"
                    for (name, _, _), (tg, wa) in zip(servers, seen, strict=True)
                )
                (t1, w1), (t2, w2) = seen[0], seen[-1]
                print(
                    f"round {n + 1} (load {os.getloadavg()[0]:.1f}): the bare POST {floor:.0f} µs | {parts} |"
                    f" second/first: Telegram {t2 / t1:.2f}x, receipt {w2 / w1:.2f}x",
                    flush=True,
                )


async def drive_receipts(url: str, count: int) -> None:
    from bench import channels_compare as cc

    await cc.drive_receipts(url, 640, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--checkouts", nargs=2, type=Path, help="two checkouts' real servers instead")
    parser.add_argument("--in-process", action="store_true", help="aiohttp's dispatch alone, no socket")
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--drive-repeats", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--drive-receipts", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive_repeats:
        asyncio.run(drive_repeats(args.drive_repeats[0], int(args.drive_repeats[1])))
        return
    if args.drive_receipts:
        asyncio.run(drive_receipts(args.drive_receipts[0], int(args.drive_receipts[1])))
        return
    if args.in_process:
        import uvloop

        uvloop.run(in_process(args.variants, args.rounds, args.requests))
        return
    if args.checkouts:
        asyncio.run(compare_checkouts(args.checkouts, args.rounds, args.requests))
        return
    if args.serve:
        import uvloop

        uvloop.run(serve(args.serve[0], int(args.serve[1])))
        return
    import contextlib

    with contextlib.ExitStack() as stack:
        servers = []
        for variant in args.variants:
            port = pc.free_port()
            process = stack.enter_context(pc.started([sys.executable, __file__, "--serve", variant, str(port)], port))
            servers.append((variant, process.pid, f"http://127.0.0.1:{port}{PATH}"))
        for _, pid, url in servers:  # warm-up
            driven(pid, ["--drive-receipts", url, "500"], 500)
        for n in range(args.rounds):
            seen = [
                (variant, driven(pid, ["--drive-receipts", url, str(args.requests)], args.requests))
                for variant, pid, url in servers
            ]
            first = seen[0][1]
            parts = ", ".join(f"{variant} {cpu:.0f} µs ({cpu / first:.2f}x)" for variant, cpu in seen)
            print(f"round {n + 1} (load {os.getloadavg()[0]:.1f}): {parts}", flush=True)


if __name__ == "__main__":
    main()
