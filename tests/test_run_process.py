"""The real `kopsehat run` as a subprocess: /healthz answers, SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a real process of its own


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_health(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "kopsehat run exited early"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                assert response.status == 200
                body: dict[str, object] = json.loads(response.read())
                return body
        except OSError:
            time.sleep(0.2)
    raise AssertionError("/healthz did not come up")


def test_run_serves_health_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPSEHAT_")}
    env["KOPSEHAT_HTTP_PORT"] = str(port)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = wait_for_health(port, process)
        assert body["status"] == "ok"
        assert body["database"] == {"reachable": True, "backend": "sqlite"}
        assert body["event_loop"] == "uvloop"  # the faster loop, a dependency on this platform
        assert (tmp_path / "kopsehat.db").exists()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
        assert time.monotonic() - started < 5
        assert process.returncode == 0
        assert b"kopsehat chat" in output  # how to configure a channel, or try the terminal
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
