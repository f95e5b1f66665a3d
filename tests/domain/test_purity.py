"""The domain stays pure: no module under bot/domain imports a framework, storage or an edge, or holds a message."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bot.domain

FORBIDDEN = ("aiohttp", "telegram", "sqlalchemy", "apscheduler", "jinja2", "asyncpg", "aiosqlite", "handlers",
             "storage", "bot.channels", "bot.web")  # fmt: skip
ROOT = Path(bot.domain.__file__).parent
# Words that mark Indonesian prose; a message is such prose ending like a sentence. Labels (no closing stop) and
# the vocabularies the engine recognises in typed answers are data, not messages.
INDONESIAN = frozenset({
    "maaf", "silakan", "mohon", "tulis", "ketik", "pilih", "belum", "sudah", "tidak", "bisa", "yang", "dan", "untuk",
    "dengan", "atau", "ini", "itu", "akan", "kami", "anda", "bapak", "ibu", "jawab", "bila", "harus", "lagi", "dulu",
    "terima", "kasih", "dari", "ke", "di", "ada", "tetap", "sama", "bukan", "perlu", "koperasi", "laporan",
})  # fmt: skip
SENTENCE = re.compile(r"[.!?:]\s*$|[.!?]\s+[A-Z*]")
NOT_YET = ("health",)  # its wording moves to the templates in a change of its own


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


def sentence_literals(path: Path) -> list[str]:
    """The Indonesian sentences among a module's string literals and f-strings (docstrings aside)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings or id(node) in in_fstrings:
                continue
            text = node.value
        else:
            continue
        words = re.findall(r"[a-z]+", text.lower())
        if len(words) >= 3 and INDONESIAN & set(words) and SENTENCE.search(text.strip()):
            found.append(f"{node.lineno}: {text}")
    return found


def test_domain_modules_hold_no_indonesian_messages() -> None:
    modules = [m for m in sorted(ROOT.rglob("*.py")) if m.relative_to(ROOT).parts[0] not in NOT_YET]
    assert len(modules) > 10
    assert [f"{m.relative_to(ROOT)}:{hit}" for m in modules for hit in sentence_literals(m)] == []


def test_the_message_check_catches_messages_and_spares_labels(tmp_path: Path) -> None:
    sample = tmp_path / "worded.py"
    sample.write_text(
        '"""Docstrings may say: Laporan ini sudah dikirim."""\n'
        'PROBLEM = "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya {example}."\n'
        'def thanks(period: str) -> str:\n    return f"Terima kasih, laporan {period} sudah kami terima."\n'
        'LABEL = "Pinjaman yang diberikan kepada anggota (saldo pokok)"\n'
        'SAME = frozenset({"sama seperti bulan lalu", "ada yang berubah"})\n'
        'ERROR = "malformed report progress: answers must be text."\n',
        "utf-8",
    )
    assert sentence_literals(sample) == [
        "2: Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya {example}.",
        "4: Terima kasih, laporan {} sudah kami terima.",
    ]
