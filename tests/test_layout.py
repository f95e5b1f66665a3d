"""The house's rules that no import contract can check: modules short enough to read in one sitting, and chat
handlers that reach the database only through the use cases."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450


def python_modules() -> list[str]:
    """Every Python module of the repository but the migrations and the tests."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [p for p in listed.stdout.split() if not p.startswith(("storage/migrations/", "tests/"))]


def too_long(paths: list[str]) -> dict[str, int]:
    """The modules over MAX_LINES lines, with their length."""
    lengths = {p: len((ROOT / p).read_text("utf-8").splitlines()) for p in paths}
    return {p: n for p, n in lengths.items() if n > MAX_LINES}


def repository_reads(source: str) -> list[str]:
    """Where code reaches into a unit of work's repositories (`ctx.repos.outbox...`, `repos.session`), by line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "repos":
            found.append(f"{node.lineno}: repos.{node.attr}")
    return found


def test_no_module_is_longer_than_one_sitting() -> None:
    paths = python_modules()
    assert len(paths) > 100  # the listing worked
    assert too_long(paths) == {}


def test_handlers_reach_the_database_only_through_the_use_cases() -> None:
    handlers = sorted(p for p in python_modules() if p.startswith("handlers/"))
    assert "handlers/recap.py" in handlers
    reads = {p: r for p in handlers if (r := repository_reads((ROOT / p).read_text()))}
    assert reads == {}


def test_a_repository_read_is_recognised() -> None:
    sample = "async def f(ctx):\n    await region_name(ctx.repos, 1)\n    return await ctx.repos.outbox.waiting()\n"
    assert repository_reads(sample) == ["3: repos.outbox"]
