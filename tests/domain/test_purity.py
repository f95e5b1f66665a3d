"""The domain stays pure: no module under bot/domain imports a framework, storage or an edge."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.domain

FORBIDDEN = ("aiohttp", "telegram", "sqlalchemy", "apscheduler", "jinja2", "asyncpg", "aiosqlite", "handlers",
             "storage", "bot.channels", "bot.web")  # fmt: skip
ROOT = Path(bot.domain.__file__).parent


def imported_names(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_domain_modules_import_nothing_impure() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 10
    bad = [f"{m.relative_to(ROOT)}: {n}" for m in modules for n in imported_names(m) if is_forbidden(n)]
    assert bad == []


def test_the_check_catches_an_impure_import(tmp_path: Path) -> None:
    sample = tmp_path / "impure.py"
    sample.write_text("import json\nfrom sqlalchemy.orm import Session\nimport telegram.ext\n", "utf-8")
    assert [n for n in imported_names(sample) if is_forbidden(n)] == ["sqlalchemy.orm", "telegram.ext"]
