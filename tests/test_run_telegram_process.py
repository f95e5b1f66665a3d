"""The real `kopsehat run` with a Telegram token, polling a fake Bot API: a stranger writes and gets an answer."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.test_run_process import free_port

pytestmark = pytest.mark.slow  # a real process of its own


def _health(port: int) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
        body: dict[str, object] = json.loads(response.read())
        return body


async def test_run_polls_telegram_answers_and_reports_health(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOPSEHAT_")}
        env |= {
            "KOPSEHAT_HTTP_PORT": str(port),
            "KOPSEHAT_TELEGRAM_TOKEN": fake.token,
            "KOPSEHAT_TELEGRAM_API_URL": fake.url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            fake.queue_update({
                "update_id": 1001,
                "message": {"message_id": 5, "date": 1779950000, "text": "halo",
                            "from": {"id": 5123456789, "is_bot": False, "first_name": "Siti"},
                            "chat": {"id": 5123456789, "type": "private", "first_name": "Siti"}},
            })  # fmt: skip
            deadline = time.monotonic() + 30
            while not fake.sent_texts(5123456789):
                assert process.returncode is None, "kopsehat run exited"
                assert time.monotonic() < deadline, "no reply on Telegram"
                await asyncio.sleep(0.2)
            assert "belum terdaftar" in fake.sent_texts(5123456789)[0]
            health = await asyncio.to_thread(_health, port)
            channels = health["channels"]
            assert isinstance(channels, dict) and "telegram" in channels
            assert fake.token not in json.dumps(health)
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), 10)
            assert process.returncode == 0
            assert fake.token.encode() not in output  # the token is never logged
        finally:
            if process.returncode is None:
                process.kill()
                await process.communicate()
