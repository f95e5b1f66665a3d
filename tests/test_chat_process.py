"""The real `kopsehat chat` process: killed with SIGKILL between two answers, it resumes with nothing lost."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a real process of its own

CSV = "nama,nik,jenis,kecamatan\nKSP Maju Bersama,3576010001,ksp,Magersari\n"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KOPSEHAT_")}


def _start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user", "siti", *args],
        cwd=cwd,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )


_LINES: dict[int, queue.Queue[str]] = {}


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """Lines of the process's output, read by a thread (pipes and select do not mix with buffering)."""
    if process.pid not in _LINES:
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout

        def pump() -> None:
            for line in stream:
                lines.put(line)
            lines.put("")

        threading.Thread(target=pump, daemon=True).start()
        _LINES[process.pid] = lines
    return _LINES[process.pid]


def _read_until(process: subprocess.Popen[str], needle: str, timeout: float = 30) -> str:
    lines = _lines(process)
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"did not see {needle!r} in:\n{seen}"
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        assert line, f"the chat ended before {needle!r}:\n{seen}"
        seen += line
    return seen


def _close(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            with contextlib.suppress(BrokenPipeError):
                stream.close()


def _say(process: subprocess.Popen[str], text: str) -> None:
    assert process.stdin is not None
    process.stdin.write(text + "\n")
    process.stdin.flush()


def test_sigkill_between_two_answers_loses_nothing(tmp_path: Path) -> None:
    (tmp_path / "k.csv").write_text(CSV)
    subprocess.run(
        [sys.executable, "-m", "bot", "cooperatives", "import", "k.csv", "--new-kecamatan", "Magersari"],
        cwd=tmp_path,
        env=_env(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    first = _start(tmp_path, "--cooperative", "3576010001")
    try:
        _read_until(first, "terdaftar sebagai bendahara")
        _say(first, "lapor")
        _read_until(first, "Kas")
        _say(first, "12,3 jt")
        _read_until(first, "Kas: Rp12.300.000")
        first.kill()  # SIGKILL: no shutdown, no flush beyond what was committed
        first.wait(timeout=10)
    finally:
        _close(first)
    second = _start(tmp_path)
    try:
        _say(second, "lapor")
        resumed = _read_until(second, "Bank")
        assert "Melanjutkan" in resumed
        _say(second, "2 jt")
        _read_until(second, "Bank: Rp2.000.000")
        _say(second, "batal")
        assert second.stdin is not None
        second.stdin.close()
        assert second.wait(timeout=20) == 0
    finally:
        _close(second)
