"""The house's rules that no import contract can check: modules short enough to read in one sitting, and chat
handlers that reach the database only through the use cases."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450
# Issue #12: being split by another change (branch h18forms), which takes each off this list as it goes.
NOT_YET_SPLIT = frozenset({
    "bot/services/demo.py",
    "bot/services/province.py",
    "bot/channels/telegram/runtime.py",
    "bot/channels/telegram/outbound.py",
    "storage/models.py",
})  # fmt: skip
# Issue #12: their staff forms move to the step engine and their reads to the use cases (branch h18forms).
HANDLERS_NOT_YET = frozenset({"handlers/trainings.py", "handlers/announcements.py"})


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
    assert too_long([p for p in paths if p not in NOT_YET_SPLIT]) == {}


def test_the_list_of_modules_still_to_split_holds_only_long_ones() -> None:
    """A module split since leaves the list, so that it cannot grow back unnoticed."""
    assert set(too_long(sorted(NOT_YET_SPLIT))) == NOT_YET_SPLIT


def test_handlers_reach_the_database_only_through_the_use_cases() -> None:
    handlers = sorted(p for p in python_modules() if p.startswith("handlers/"))
    assert "handlers/recap.py" in handlers
    reads = {p: r for p in handlers if p not in HANDLERS_NOT_YET if (r := repository_reads((ROOT / p).read_text()))}
    assert reads == {}


def test_a_repository_read_is_recognised() -> None:
    sample = "async def f(ctx):\n    await region_name(ctx.repos, 1)\n    return await ctx.repos.outbox.waiting()\n"
    assert repository_reads(sample) == ["3: repos.outbox"]
