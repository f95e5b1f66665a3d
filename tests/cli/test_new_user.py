"""Issue 13.18, what a new user meets: output cut short by `| head` ends quietly, `.env.example` documents every
setting, and `docker compose up` in a fresh clone (no .env) does not stop."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import BROKEN_PIPE, main
from bot.config import Settings
from tests.test_announcements import workdir as workdir

ROOT = Path(__file__).parents[2]


def closed_pipe(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `kopsehat ARGS` with its output going to a reader that has already gone (as `| head` does when it has
    its lines); its exit status and what it wrote to stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPSEHAT_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    with process.stderr:
        err = process.stderr.read().decode()
    return process.wait(timeout=60), err


@pytest.mark.slow
def test_output_into_a_closed_pipe_ends_without_a_traceback(workdir: Path) -> None:
    args = ["announce", "--segment", "all", "--text", "Rapat koordinasi.", "--yes"]
    assert main(args) == 0
    for command in (
        ["announcements", "show", "1", "--recipients"],
        ["announcements", "list"],
        ["report-status", "--format", "csv"],
        ["--help"],
    ):
        status, err = closed_pipe(command, workdir)
        assert "Traceback" not in err and "BrokenPipeError" not in err, (command, err)
        assert "Exception ignored" not in err, (command, err)
        assert status in ((0, BROKEN_PIPE) if command == ["--help"] else (BROKEN_PIPE,)), (command, status, err)


def test_env_example_documents_every_setting_commented_out() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^# (KOPSEHAT_[A-Z_0-9]+)=", text, flags=re.MULTILINE))
    settings = {f"KOPSEHAT_{name.upper()}" for name in Settings.model_fields}
    assert settings == documented
    assert not [line for line in text.splitlines() if line.strip() and not line.startswith("#")]  # nothing active
    for name in sorted(settings):  # each with a line saying what it is, above it
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith(f"# {name}="))
        assert any(not re.match(r"# [A-Z_]+=", line) for line in lines[max(0, first - 3) : first]), name


def test_the_env_example_loads_as_is(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    loaded = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    assert loaded.database_url == "sqlite+aiosqlite:///kopsehat.db"


def test_docker_compose_does_not_need_a_dot_env() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "env_file: [.env]" not in compose
    blocks = re.findall(r"env_file:\n((?:\s+- path: .+\n\s+required: (?:true|false)\n)+)", compose)
    assert len(blocks) == 2 and all("required: false" in block for block in blocks)
    assert ".env" in (ROOT / ".gitignore").read_text().split()
