"""`kopsehat assess FILE`: score a cooperative's figures and print the result JSON or an explanation."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.domain.coaching import Lang, coach
from bot.domain.health.assessment import assess_text
from bot.domain.health.explain import full_text
from bot.domain.health.inputs import InputProblems
from bot.domain.health.rules import RulesError, load_rules

RULES_ENV = "KOPSEHAT_ASSESSMENT_RULES"

EPILOG = """\
input (JSON): {"framework": "perdep-06-2016" | "indicative-non-ksp", "cooperative_type": "ksp",
  "months_elapsed": 1..12, "figures": {KEY: number or decimal string}, "management": {"general": 0..12,
  "institutional": 0..6, "capital": 0..5, "assets": 0..10, "liquidity": 0..5}, "flags": {"engineered_books": true}}

exit status: 0 scored; 2 bad input or rules file (one line per problem on stderr, nothing on stdout).

examples:
  kopsehat assess report.json
  cat report.json | kopsehat assess - --format text --lang en
  kopsehat assess report.json --rules my-office-rules.json
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `assess` command."""
    parser = subparsers.add_parser(
        "assess",
        help="score a cooperative's figures (health assessment, perdep-06-2016)",
        description=(
            "Score one cooperative's figures under Perdep 06/2016 (KSP/USP: score 0-100 and category) or "
            "the indicative non-KSP indicators, and print the result as JSON, or as an explanation with "
            "coaching steps. A self-assessment aid, not an official decree."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="input JSON file, or - for standard input")
    parser.add_argument("--format", choices=("json", "text"), default="json", help="output format (default json)")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of --format text (default id)")
    parser.add_argument(
        "--rules",
        metavar="PATH",
        type=Path,
        default=None,
        help=f"scoring rules file (default: ${RULES_ENV} if set, else the packaged perdep-06-2016 rules)",
    )
    parser.set_defaults(func=run)


def _fail(lines: tuple[str, ...] | list[str]) -> int:
    for line in lines:
        print(f"kopsehat assess: {line}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run `assess`; every user mistake is one stderr line per problem and exit status 2."""
    rules_path: Path | None = args.rules
    if rules_path is None and os.environ.get(RULES_ENV):
        rules_path = Path(os.environ[RULES_ENV])
    try:
        rules = load_rules(rules_path)
    except RulesError as exc:
        return _fail(list(exc.problems))
    try:
        text = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        return _fail([f"input: cannot read {args.file}: {exc.strerror or exc}"])
    result = assess_text(text, rules)
    if isinstance(result, InputProblems):
        return _fail(result.problems)
    if args.format == "text":
        lang: Lang = "en" if args.lang == "en" else "id"
        print(full_text(result, coach(result, rules, lang), lang, rules))
    else:
        print(result.to_json())
    return 0
