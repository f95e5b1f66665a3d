"""Issue 13.11: /healthz tells the public only whether the service is up; the details need this host or a token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot import __version__
from bot.web.app import HEALTH_TOKEN_HEADER, make_app
from storage.db import Database

TOKEN = "hEalth-t0ken-4f1c9e"
OUTSIDE = "192.0.2.77"  # a caller the proxy in front of the service forwarded (TEST-NET-1)


class Running:
    """The HTTP app on a free port of every interface, and a counter of channel probes run."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.probes = 0

    async def get(
        self, path: str = "/healthz", headers: dict[str, str] | None = None, host: str = "127.0.0.1"
    ) -> tuple[int, dict[str, Any] | str, dict[str, str]]:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://{host}:{self.port}{path}", headers=headers or {}) as response,
        ):
            text = await response.text()
            body: dict[str, Any] | str = json.loads(text) if response.content_type == "application/json" else text
            return response.status, body, dict(response.headers)


@pytest.fixture
async def running(db: Database) -> AsyncIterator[Running]:
    probe_state: dict[str, Any] = {"ok": True, "bot": "@kopsehat_dinas_bot", "phone_number_id": "106540352242922"}
    holder: list[Running] = []

    async def probe() -> dict[str, Any]:
        holder[0].probes += 1
        return probe_state

    app = make_app(db, {"whatsapp": probe}, health_token=TOKEN)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    holder.append(Running(port))
    try:
        yield holder[0]
    finally:
        await runner.cleanup()


def leaks(body: dict[str, Any] | str) -> list[str]:
    text = json.dumps(body)
    return [
        word for word in (__version__, "sqlite", "postgresql", "kopsehat_dinas_bot", "106540352242922") if word in text
    ]


async def test_a_forwarded_caller_gets_the_status_only_and_no_probe_runs(running: Running) -> None:
    status, body, _ = await running.get(headers={"X-Forwarded-For": OUTSIDE})
    assert (status, body) == (200, {"status": "ok"})
    status, body, _ = await running.get(headers={"Forwarded": f"for={OUTSIDE}"})
    assert (status, body) == (200, {"status": "ok"})
    assert running.probes == 0


async def test_a_caller_on_another_address_gets_the_status_only(running: Running) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outward interface
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    if address.startswith("127."):
        pytest.skip("this machine has no address but loopback")
    status, body, _ = await running.get(host=address)
    assert (status, body) == (200, {"status": "ok"})
    assert running.probes == 0


async def test_wrong_tokens_get_the_status_only(running: Running) -> None:
    for headers in (
        {"X-Forwarded-For": OUTSIDE, HEALTH_TOKEN_HEADER: TOKEN + "x"},
        {"X-Forwarded-For": OUTSIDE, "Authorization": "Bearer " + TOKEN[:-1]},
        {"X-Forwarded-For": OUTSIDE, HEALTH_TOKEN_HEADER: ""},
    ):
        status, body, _ = await running.get(headers=headers)
        assert (status, body) == (200, {"status": "ok"}), headers
    status, body, _ = await running.get("/healthz?token=nope", headers={"X-Forwarded-For": OUTSIDE})
    assert body == {"status": "ok"}
    assert running.probes == 0


async def test_the_token_or_this_host_gets_the_details(running: Running) -> None:
    outside = {"X-Forwarded-For": OUTSIDE}
    answers = [
        await running.get(headers={**outside, HEALTH_TOKEN_HEADER: TOKEN}),
        await running.get(headers={**outside, "Authorization": f"Bearer {TOKEN}"}),
        await running.get(f"/healthz?token={TOKEN}", headers=outside),
        await running.get(),  # from 127.0.0.1, no proxy
    ]
    for status, body, _ in answers:
        assert status == 200
        assert isinstance(body, dict)
        assert body["version"] == __version__
        assert body["channels"]["whatsapp"]["bot"] == "@kopsehat_dinas_bot"
        assert body["database"]["reachable"] is True
    assert running.probes == 4


async def test_no_response_names_the_server_software_or_its_version(running: Running) -> None:
    for path in ("/healthz", "/no-such-page", "/healthz?token=x"):
        for headers in ({}, {"X-Forwarded-For": OUTSIDE}):
            _, _, response_headers = await running.get(path, headers)
            server = response_headers.get("Server", "")
            assert "aiohttp" not in server.lower() and "python" not in server.lower(), server
            assert not any(ch.isdigit() for ch in server), server
    reader, writer = await asyncio.open_connection("127.0.0.1", running.port)
    writer.write(b"GARBAGE / HTTP/1.1\r\n\r\n")
    await writer.drain()
    raw = (await reader.read(4096)).decode("latin-1")
    writer.close()
    assert raw.startswith("HTTP/1.") and " 400 " in raw.splitlines()[0] and "aiohttp" not in raw.lower(), raw


async def test_the_public_answer_holds_nothing_but_the_status(db: Database) -> None:
    app = make_app(db, health_token=TOKEN)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        status, body, _ = await Running(port).get(headers={"X-Real-IP": OUTSIDE})
    finally:
        await runner.cleanup()
    assert status == 200 and body == {"status": "ok"} and leaks(body) == []
