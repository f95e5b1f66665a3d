"""`kopsehat assess FILE`: score a cooperative's figures and print the result JSON or an explanation."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from bot.chat.health_words import full_text
from bot.cli.parsers.assess import RULES_ENV
from bot.domain.coaching import Lang, coach
from bot.domain.health.assessment import assess_input
from bot.domain.health.inputs import InputProblems, parse_input_text
from bot.domain.health.result import dumps
from bot.domain.health.rules import RulesError, load_rules
from bot.domain.periods import to_zone


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
    checked = parse_input_text(text, rules)
    if isinstance(checked, InputProblems):
        return _fail(checked.problems)
    result = assess_input(checked, rules)
    lang: Lang = "en" if args.lang == "en" else "id"
    today = checked.as_of or datetime.now(to_zone("WIB")).date()
    coaching = coach(result, rules, lang, checked.record, today)
    if args.format == "text":
        print(full_text(result, coaching, lang, rules))
    else:
        print(dumps({**result.to_dict(), **coaching.treatment.to_dict()}))
    return 0
