"""The command line starts at once: `kopsehat --help`, a usage error or reading a command's arguments loads only
argparse and plain values, not what the commands' work needs (the bot service, charts, Excel, the chat platforms,
the scheduler, the database). Before, every command loaded all of it first: about 3 s for `--help`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "matplotlib",
    "telegram",
    "openpyxl",
    "apscheduler",
    "aiohttp",
    "sqlalchemy",
    "jinja2",
    "pydantic",
    "bot.services",
    "bot.runtime",
    "storage",
)

# Runs the real entry point (`kopsehat` is bot.cli:main) and reports its exit status, what it printed, and which of
# HEAVY it imported; with "--parse-only", reads the arguments as the entry point does without running the command.
PROBE = f"""
import contextlib, io, json, sys
from bot.cli import build_parser, main

argv = sys.argv[1:]
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        if argv[0] == "--parse-only":
            build_parser().parse_args(argv[1:])
            code = None
        else:
            code = main(argv)
    except SystemExit as exit:
        code = exit.code
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in {HEAVY!r}))
print(json.dumps({{"code": code, "out": out.getvalue(), "err": err.getvalue(), "loaded": loaded}}))
"""


def probe(*argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, timeout=60, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize(
    ("argv", "code", "shown"),
    [
        (["--help"], 0, "usage: kopsehat [-h] [--version] COMMAND ..."),
        (["--version"], 0, "kopsehat 0.1.0"),
        (["report-status", "--help"], 0, "usage: kopsehat report-status [-h] [--period PERIOD]"),
        (["announce", "--help"], 0, "usage: kopsehat announce [-h] --segment SEGMENT --text TEXT"),
        (["trainings", "create", "--help"], 0, "--kind {bimtek,pelatihan,klinik}"),
        (["staff", "password", "--help"], 0, "At least 10 characters."),
        (["report-status", "--bogus"], 2, "kopsehat: error: unrecognized arguments: --bogus"),
        (["announcements", "show", "one"], 2, "argument ID: invalid int value: 'one'"),
        (["bogus"], 2, "invalid choice: 'bogus'"),
        (  # a place given as the link would reach officers as a link that opens nothing
            [
                "trainings",
                "create",
                "--title",
                "T",
                "--kind",
                "klinik",
                "--start",
                "2030-01-07 09:00",
                "--end",
                "12:00",
                "--link",
                "Aula Dinas",
            ],
            2,
            "argument --link: 'Aula Dinas' is not a web address (https://...); a place goes in --venue",
        ),
    ],
)
def test_help_and_usage_errors_load_none_of_the_commands_work(argv: list[str], code: int, shown: str) -> None:
    found = probe(*argv)
    assert found["code"] == code
    assert shown in str(found["out"]) + str(found["err"])
    assert found["loaded"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["report-status", "--period", "2026-10", "--format", "csv"],
        ["outbox", "status", "--limit", "5"],
        ["run", "--port", "0"],
        ["chat", "--staff", "admin"],
        ["reports", "template", "--cooperative", "X", "--out", "x.xlsx"],
        ["invites", "create", "--cooperative", "X", "--role", "ketua"],  # --expires 30d: read by the use case
    ],
)
def test_reading_a_commands_arguments_loads_only_what_they_need(argv: list[str]) -> None:
    loaded = probe("--parse-only", *argv)["loaded"]
    if argv[0] == "invites":  # its --expires is read by bot.services.invites
        assert isinstance(loaded, list) and "bot.services.invites" in loaded
        assert not {"matplotlib", "telegram", "bot.runtime"} & set(loaded)
    else:
        assert loaded == []
