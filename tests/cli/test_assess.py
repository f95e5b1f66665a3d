"""`kopsehat assess`: vectors through run(), stdin, text output, and one stderr line per problem."""

from __future__ import annotations

import argparse
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.cli.parsers import assess
from tests.domain.health.vectors import V95, v111


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kopsehat")
    assess.register(top.add_subparsers(dest="command"))
    return top


def run(argv: list[str]) -> int:
    args = parser().parse_args(["assess", *argv])
    code: int = args.func(args)
    return code


def write(tmp_path: Path, data: Any, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
    return str(path)


def test_vector_111_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([write(tmp_path, v111())]) == 0
    out = json.loads(capsys.readouterr().out, parse_float=Decimal)
    assert (out["total"], out["category"]) == (Decimal("86.10"), "sehat")
    assert out["aspects"][4]["components"][1]["ratio"] == Decimal("136.36")


def test_indicative_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(V95).encode())))
    assert run(["-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["indicative"] is True and out["indicators"][6]["band"] == "watch"


def test_text_format_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, v111())
    assert run([path, "--format", "text"]) == 0
    assert capsys.readouterr().out.startswith("Sehat - skor 86,10\n")
    assert run([path, "--format", "text", "--lang", "en"]) == 0
    assert "Next steps:" in capsys.readouterr().out


def test_bad_input_is_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = v111(cash="1.500.000", loans_loss=-3)
    data["months_elapsed"] = 0
    assert run([write(tmp_path, data)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 3
    assert sorted(line.split(": ")[1] for line in lines) == ["figures.cash", "figures.loans_loss", "months_elapsed"]


@pytest.mark.parametrize("text", ["{broken", "[]"])
def test_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert run([write(tmp_path, text)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("kopsehat assess: input: ")
    assert "Traceback" not in captured.err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(tmp_path / "nope.json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "input: cannot read" in captured.err


def test_broken_rules_file_from_option_and_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = write(tmp_path, {"framework": "perdep-06-2016"}, "rules.json")
    assert run([write(tmp_path, v111()), "--rules", rules]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"{rules}: (top): missing key 'tables'" in captured.err
    monkeypatch.setenv(assess.RULES_ENV, rules)
    assert run([write(tmp_path, v111())]) == 2
    assert "missing key 'tables'" in capsys.readouterr().err


def test_rules_option_switches_a_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.domain.health.rules import default_rules_path

    data = json.loads(default_rules_path().read_text("utf-8"))
    data["tables"]["return_on_equity"]["default"] = "cut_5_7_5_10"
    rules = write(tmp_path, data, "rules.json")
    assert run([write(tmp_path, v111()), "--rules", rules]) == 0
    assert json.loads(capsys.readouterr().out, parse_float=Decimal)["total"] == Decimal("84.60")


def test_help_mentions_stdin_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["assess", "--help"])
    out = capsys.readouterr().out
    assert "- for standard input" in out and "exit status" in out


def test_json_carries_the_clinic_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = v111()
    data["cooperative"] = {"as_of": "2026-03-10", "last_rat_book_year": 2024, "nik_expires_on": "2026-04-20"}
    assert run([write(tmp_path, data)]) == 0
    out = json.loads(capsys.readouterr().out, parse_float=Decimal)
    assert out["total"] == Decimal("86.10") and out["state"] == "ok"
    assert [d["key"] for d in out["diagnosis"]] == ["unsecured_lending", "problem_loans"]
    first = out["coaching"][0]
    assert first["priority"] == 1 and first["concerns"][0] == "risky_loan_share"
    assert first["target"].startswith("Target: ") and first["steps"] and first["text"]
    assert [c["priority"] for c in out["coaching"]] == list(range(1, len(out["coaching"]) + 1))
    assert [(c["key"], c["status"], c["due"]) for c in out["compliance"][:2]] == [
        ("nik_valid", "due_soon", "2026-04-20"), ("rat_held", "due_soon", "2026-06-30"),
    ]  # fmt: skip


def test_indicative_json_has_the_same_fields_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([write(tmp_path, V95), "--lang", "en"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["state"] == "ok" and out["compliance"] == []
    assert out["coaching"][0]["concerns"] == ["net_margin"]
    assert out["coaching"][0]["target"] == "Target: Net margin ≥ 3%."
    assert out["diagnosis"][0] == {"key": "net_margin", "text": "Net surplus is 1.97% of total revenue."}


def test_bad_cooperative_dates_are_input_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = v111()
    data["cooperative"] = {"founded_on": "5 Januari 2026", "has_nib": "ya"}
    assert run([write(tmp_path, data)]) == 2
    err = capsys.readouterr().err
    assert "cooperative.founded_on: must be a date YYYY-MM-DD" in err and "cooperative.has_nib" in err


def test_text_names_the_new_cooperative_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = v111()
    data["cooperative"] = {"founded_on": "2026-01-05", "as_of": "2026-03-10"}
    assert run([write(tmp_path, data), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "Koperasi baru (belum 12 bulan" in out and "thd" not in out
