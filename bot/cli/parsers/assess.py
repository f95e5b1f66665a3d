"""`kopsehat assess FILE`: its arguments, the input and output it explains, and the rules it reads."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.parsers.shared import SubParsers

RULES_ENV = "KOPSEHAT_ASSESSMENT_RULES"

EPILOG = """\
input (JSON): {"framework": "perdep-06-2016" | "indicative-non-ksp", "cooperative_type": "ksp",
  "months_elapsed": 1..12, "figures": {KEY: number or decimal string}, "management": {"general": 0..12,
  "institutional": 0..6, "capital": 0..5, "assets": 0..10, "liquidity": 0..5}, "flags": {"engineered_books": true},
  "cooperative": {"as_of": "YYYY-MM-DD" (default today), "founded_on": "YYYY-MM-DD", "tags": ["kkmp"],
  "last_rat_book_year": 2025, "last_rat_date", "rat_reported_on", "nik_expires_on", "ods_updated_on": "YYYY-MM-DD",
  "has_nib", "has_npwp", "ad_art_sop", "separate_books", "kkmp_data_entered", "audited": true/false,
  "readiness": {"nib": true, "bank_account": false, ...}}}

output (JSON): the score or the indicative indicators, plus "state" (ok | data_incomplete | new_cooperative),
  "diagnosis" [{"key", "text"}], "coaching" [{"priority", "concerns", "text", "steps", "target"}] and
  "compliance" [{"key", "status", "due": "YYYY-MM-DD" or null, "text", "steps"}] (needs "cooperative").
  The texts are in --lang (default Indonesian).

exit status: 0 scored; 2 bad input or rules file (one line per problem on stderr, nothing on stdout).

examples:
  kopsehat assess report.json
  cat report.json | kopsehat assess - --format text --lang en
  kopsehat assess report.json --rules my-office-rules.json
"""


def register(subparsers: SubParsers) -> None:
    """Add the `assess` command."""
    parser = subparsers.add_parser(
        "assess",
        help="score a cooperative's figures (health assessment, perdep-06-2016)",
        description=(
            "Score one cooperative's figures under Perdep 06/2016 (KSP/USP: score 0-100 and category) or "
            "the indicative non-KSP indicators, and print the result with the clinic's diagnosis, treatment plan "
            "and compliance steps as JSON, or as an explanation. A self-assessment aid, not an official decree."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="input JSON file, or - for standard input")
    parser.add_argument("--format", choices=("json", "text"), default="json", help="output format (default json)")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of the texts (default id)")
    parser.add_argument(
        "--rules",
        metavar="PATH",
        type=Path,
        default=None,
        help=f"scoring rules file (default: ${RULES_ENV} if set, else the packaged perdep-06-2016 rules)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.cli import assess

    return assess.run(args)
