"""The public entry points: checked input or raw JSON in, a result (or the input's problems) out."""

from __future__ import annotations

from typing import Any

from bot.domain.health import keys
from bot.domain.health.indicative import assess_indicative
from bot.domain.health.inputs import AssessmentInput, InputProblems, parse_input, parse_input_text
from bot.domain.health.result import Result
from bot.domain.health.rules import Rules, default_rules
from bot.domain.health.scorer import score_perdep


def assess_input(inp: AssessmentInput, rules: Rules | None = None) -> Result:
    """Assess a checked input (the fast path: no parsing, no rule validation)."""
    active = rules if rules is not None else default_rules()
    if inp.framework == keys.INDICATIVE:
        return assess_indicative(inp, active)
    return score_perdep(inp, active)


def assess(data: Any, rules: Rules | None = None) -> Result | InputProblems:
    """Check parsed JSON (numbers as Decimal or int) and assess it."""
    active = rules if rules is not None else default_rules()
    checked = parse_input(data, active)
    return checked if isinstance(checked, InputProblems) else assess_input(checked, active)


def assess_text(text: str | bytes, rules: Rules | None = None) -> Result | InputProblems:
    """Parse JSON text, check it and assess it."""
    active = rules if rules is not None else default_rules()
    checked = parse_input_text(text, active)
    return checked if isinstance(checked, InputProblems) else assess_input(checked, active)
