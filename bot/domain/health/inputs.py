"""The assessment input (spec §2.0): parsed and checked, with one-line problems that name the key."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.domain.health import keys
from bot.domain.health.compliance import CooperativeRecord
from bot.domain.health.notes import Note, note
from bot.domain.health.record_input import parse_record
from bot.domain.health.rules import Rules

PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
THOUSANDS = re.compile(r"-?\d{1,3}([.,]\d{3})+([.,]\d+)?")
LIMIT = Decimal("1e15")  # rupiah; far above any cooperative, and keeps every ratio exact in 28 digits
MAX_PLACES = 4
INT_LIMIT = 10**15


@dataclass(frozen=True)
class AssessmentInput:
    """A checked input: known figures as Decimal, management 'ya' counts, true flags, parse warnings."""

    framework: str
    cooperative_type: str
    months_elapsed: int
    figures: Mapping[str, Decimal]
    management: Mapping[str, int] | None
    flags: tuple[str, ...]
    notes: tuple[Note, ...]
    record: CooperativeRecord | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class InputProblems:
    """Why an input cannot be assessed: one line per problem, each starting with the key."""

    problems: tuple[str, ...]


def parse_input_text(text: str | bytes, rules: Rules) -> AssessmentInput | InputProblems:
    """Parse JSON text (numbers read as Decimal) and check it."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        return InputProblems((f"input: not valid JSON ({exc})",))
    return parse_input(data, rules)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_input(data: Any, rules: Rules) -> AssessmentInput | InputProblems:
    """Check parsed JSON against the contract; unknown keys become warnings, not problems."""
    if not isinstance(data, dict):
        return InputProblems(("input: must be a JSON object",))
    problems: list[str] = []
    warnings: list[Note] = []
    unknown = [k for k in data if k not in keys.INPUT_KEYS]
    if unknown:
        warnings.append(note("input", "unknown_keys", keys=tuple(map(str, unknown))))
    framework = data.get("framework", keys.PERDEP)
    if framework not in (rules.framework, keys.INDICATIVE):
        problems.append(f"framework: unknown framework {framework!r}; use {rules.framework} or {keys.INDICATIVE}")
    coop_type = data.get("cooperative_type", "ksp")
    if coop_type not in keys.COOPERATIVE_TYPES:
        problems.append(f"cooperative_type: unknown type {coop_type!r}; use {', '.join(keys.COOPERATIVE_TYPES)}")
    months = data.get("months_elapsed", 12)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        problems.append(f"months_elapsed: must be a whole number from 1 to 12, got {_show(months)}")
    figure_keys = keys.INDICATIVE_FIGURE_KEYS if framework == keys.INDICATIVE else keys.PERDEP_FIGURE_KEYS
    figures = _figures(data.get("figures", {}), figure_keys, problems, warnings)
    management = _management(data["management"], rules, problems, warnings) if "management" in data else None
    flags = _flags(data.get("flags", {}), problems, warnings)
    record, as_of = None, None
    if "cooperative" in data:
        record, as_of, unknown_facts = parse_record(data["cooperative"], str(coop_type), problems)
        if unknown_facts:
            warnings.append(note("input", "unknown_keys", keys=tuple(f"cooperative.{k}" for k in unknown_facts)))
    if problems:
        return InputProblems(tuple(problems))
    return AssessmentInput(framework, coop_type, months, figures, management, flags, tuple(warnings), record, as_of)


def _show(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, Decimal) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _figures(value: Any, known: tuple[str, ...], problems: list[str], warnings: list[Note]) -> dict[str, Decimal]:
    if not isinstance(value, dict):
        problems.append("figures: must be an object of key: number")
        return {}
    figures: dict[str, Decimal] = {}
    unknown: list[str] = []
    for key, raw in value.items():
        if key not in known:
            unknown.append(str(key))
            continue
        number = figure_value(key, raw, problems)
        if number is not None:
            figures[key] = number
    if unknown:
        warnings.append(note("figures", "unknown_keys", keys=tuple(unknown)))
    return figures


def figure_value(key: str, raw: Any, problems: list[str]) -> Decimal | None:
    """One figure as Decimal, or None after recording why it is refused."""
    if type(raw) is int:  # the common case, checked without building a Decimal first
        if -INT_LIMIT < raw < INT_LIMIT and (raw >= 0 or key in keys.MAY_BE_NEGATIVE):
            return Decimal(raw)
        number = Decimal(raw)
    elif isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, str) and PLAIN_DECIMAL.fullmatch(raw):
        number = Decimal(raw)
    elif isinstance(raw, str) and THOUSANDS.fullmatch(raw.strip()):
        problems.append(f"figures.{key}: {raw!r} has thousands separators; write plain digits, e.g. 1500000")
        return None
    else:
        problems.append(f"figures.{key}: {_show(raw)} is not a number")
        return None
    if not number.is_finite():
        problems.append(f"figures.{key}: {_show(raw)} is not a number")
        return None
    if abs(number) >= LIMIT:
        problems.append(f"figures.{key}: {_show(raw)} is too large (limit 10^15 rupiah)")
        return None
    if number.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        problems.append(f"figures.{key}: {_show(raw)} has more than {MAX_PLACES} decimal places")
        return None
    if number < 0 and key not in keys.MAY_BE_NEGATIVE:
        problems.append(f"figures.{key}: {_show(raw)} is negative; this figure cannot be below 0")
        return None
    return number


def _management(value: Any, rules: Rules, problems: list[str], warnings: list[Note]) -> dict[str, int]:
    if not isinstance(value, dict):
        problems.append("management: must be an object of sub-aspect: count or list of yes/no")
        return {}
    counts: dict[str, int] = {}
    unknown = [str(k) for k in value if k not in rules.management]
    if unknown:
        warnings.append(note("management", "unknown_subs", subs=tuple(unknown)))
    for key, rule in rules.management.items():
        if key not in value:
            continue
        raw = value[key]
        if isinstance(raw, list):
            if len(raw) != rule.items or not all(isinstance(v, bool) for v in raw):
                problems.append(f"management.{key}: must be a list of exactly {rule.items} true/false answers")
                continue
            counts[key] = sum(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= rule.items:
            counts[key] = raw
        else:
            problems.append(f"management.{key}: must be a count from 0 to {rule.items}, got {_show(raw)}")
    return counts


def _flags(value: Any, problems: list[str], warnings: list[Note]) -> tuple[str, ...]:
    if not isinstance(value, dict):
        problems.append("flags: must be an object of flag: true/false")
        return ()
    unknown = [str(k) for k in value if k not in keys.FLAG_KEYS]
    if unknown:
        warnings.append(note("input", "unknown_flags", flags=tuple(unknown)))
    for key, raw in value.items():
        if key in keys.FLAG_KEYS and not isinstance(raw, bool):
            problems.append(f"flags.{key}: must be true or false")
    return tuple(k for k in keys.FLAG_KEYS if value.get(k) is True)
