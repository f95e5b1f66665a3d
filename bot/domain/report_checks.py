"""The checks that stop wrong books before they are scored: one definition for every path (chat, form, workbook,
import), its rules as data in the form's JSON (`check_rules`).

``check(questions, answers, previous, facts) -> Checked`` never raises on any answers. Blocking findings (the report
cannot be sent): a balance that does not hold within the tolerance, parts above their total, a derived figure typed
against its formula. Warnings (sent once confirmed with a reason): large or 1,000-fold changes against last period,
a figure implausibly small, unusual ratios, implausible facts (no members but savings). Derived figures whose terms
are all asked are never asked (`derivable`) and are computed here (`Checked.derived`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from bot.domain.check_rules import Balance, Minimum, RuleSet, Term
from bot.domain.forms import Question, load_form, stored_decimal
from bot.domain.memo import LastTuple
from bot.domain.numbers import to_plain

FindingKind = Literal["balance", "parts", "derived", "change", "typo", "minimum", "ratio", "fact"]
HUNDRED = Decimal(100)
LARGEST = Decimal(10) ** 15
AMOUNT_KINDS = ("amount", "integer")  # the questions whose answers are figures the checks compare


@dataclass(frozen=True)
class Finding:
    """One problem: `left` and `right` are the sums compared (or old and new value), `keys` the figures entering."""

    id: str
    kind: FindingKind
    rule: str
    keys: tuple[str, ...]
    left: Decimal
    right: Decimal
    blocking: bool
    pct: Decimal | None = None

    @property
    def difference(self) -> Decimal:
        return abs(self.left - self.right)

    @property
    def key(self) -> str:
        """The figure a one-figure finding is about (the first that enters otherwise)."""
        return self.keys[0]

    def to_json(self) -> dict[str, Any]:
        """As stored with a revision and read by the office's review page."""
        found: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "rule": self.rule,
            "keys": list(self.keys),
            "left": str(self.left),
            "right": str(self.right),
            "difference": str(self.difference),
        }
        if self.pct is not None:
            found["pct"] = str(self.pct)
        return found


@dataclass(frozen=True)
class Checked:
    """What `check` found: blocking problems, warnings, derived figures, and questions the checks need answered."""

    blocking: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    derived: Mapping[str, Decimal] = field(default_factory=dict)
    ask: tuple[str, ...] = ()
    reading: str | None = None

    def open_warnings(self, confirmed: Iterable[str]) -> tuple[Finding, ...]:
        done = set(confirmed)
        return tuple(w for w in self.warnings if w.id not in done)


def _rules() -> RuleSet:
    return load_form().rules


def derivable(questions: Sequence[Question], rules: RuleSet | None = None) -> frozenset[str]:
    """The asked keys computed from other asked figures, so never asked themselves."""
    rules = rules or _rules()
    if (last := _LAST_DERIVABLE.get(questions, rules)) is not None:
        return last  # the same question tuple as the last call (a report's every message): nothing to work out
    asked = tuple(q.key for q in questions)
    known = _DERIVABLE.get((id(rules), asked))
    if known is not None and known[0] is rules:
        found = known[1]
    else:
        found = _derivable(set(asked), rules)
        if len(_DERIVABLE) >= 64:  # a few forms and rule sets; a bound all the same
            _DERIVABLE.clear()
        _DERIVABLE[(id(rules), asked)] = (rules, found)  # the rules kept, so that their id is not another's
    _LAST_DERIVABLE.keep(questions, rules, found)
    return found


# what `derivable` found per rule set and asked keys: asked on every message of a report, the same each time
_DERIVABLE: dict[tuple[int, tuple[str, ...]], tuple[RuleSet, frozenset[str]]] = {}
_LAST_DERIVABLE: LastTuple[frozenset[str]] = LastTuple()


def _derivable(asked: set[str], rules: RuleSet) -> frozenset[str]:
    derived_keys = {d.key for d in rules.derived}
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for derived in rules.derived:
            if derived.key in found or derived.key not in asked:
                continue
            if all(t.key in asked and (t.key not in derived_keys or t.key in found) for t in derived.terms):
                found.add(derived.key)
                changed = True
    return frozenset(found)


def _values(answers: Mapping[str, str]) -> dict[str, Decimal]:
    """The stored amounts; what no amount parser stores (beyond a quadrillion, below a sen) counts as not given."""
    found: dict[str, Decimal] = {}
    for key, text in answers.items():
        value = stored_decimal(text) if isinstance(text, str) and len(text) < 40 else None
        if value is not None and abs(value) <= LARGEST and value.as_tuple().exponent >= -2:  # type: ignore[operator]
            found[key] = value
    return found


def _sum(terms: Iterable[Term], values: Mapping[str, Decimal], reading: str) -> Decimal:
    return sum((t.sign * values.get(t.key, Decimal(0)) for t in terms if t.counts(reading)), Decimal(0))


def _plain_sum(keys: Iterable[str], values: Mapping[str, Decimal]) -> Decimal:
    return sum((values.get(k, Decimal(0)) for k in keys), Decimal(0))


def _compute(
    rules: RuleSet, derived_keys: frozenset[str], values: dict[str, Decimal], reading: str
) -> dict[str, Decimal]:
    """The derived figures whose terms have values, in rule order (a later rule may use an earlier result)."""
    computed: dict[str, Decimal] = {}
    for derived in rules.derived:
        if derived.key not in derived_keys:
            continue
        if any(t.key in values or t.key in computed for t in derived.terms if t.counts(reading)):
            computed[derived.key] = _sum(derived.terms, {**values, **computed}, reading)  # absent terms are 0
    return computed


def _balance_holds(balance: Balance, values: Mapping[str, Decimal], reading: str, tolerance: Decimal) -> bool:
    return abs(_sum(balance.left, values, reading) - _sum(balance.right, values, reading)) <= tolerance


def _applies(keys: Iterable[str], asked: set[str], values: Mapping[str, Decimal]) -> bool:
    """A rule applies when every key it names is asked and some has a value."""
    keys = list(keys)
    return all(k in asked for k in keys) and any(k in values for k in keys)


def check(
    questions: Sequence[Question],
    answers: Mapping[str, str],
    previous: Mapping[str, str] | None = None,
    facts: Mapping[str, Decimal | int | None] | None = None,
    rules: RuleSet | None = None,
) -> Checked:
    """Check one report's answers (stored strings) against each other, last period and facts of the cooperative."""
    rules = rules or _rules()
    asked = {q.key for q in questions}
    amount_keys = {q.key for q in questions if q.kind in AMOUNT_KINDS}
    values = {k: v for k, v in _values(answers).items() if k in amount_keys}
    derived_keys = derivable(questions, rules)
    typed = {k: v for k, v in values.items() if k in derived_keys}
    base = {k: v for k, v in values.items() if k not in derived_keys}

    reading_rule = rules.reading
    chosen = answers.get(reading_rule.key) if reading_rule else None
    readings: tuple[str, ...] = ("",)
    if reading_rule is not None:
        readings = (chosen,) if chosen in reading_rule.options else reading_rule.options

    def entering(keys: Iterable[str], computed: Mapping[str, Decimal], reading: str) -> tuple[str, ...]:
        """The figures an officer can correct: a computed figure stands for the figures it is computed from."""
        found: list[str] = []
        for key in keys:
            rule = next((d for d in rules.derived if d.key == key), None)
            if key in computed and key not in typed and rule is not None:
                found.extend(entering((t.key for t in rule.terms if t.counts(reading)), computed, reading))
            else:
                found.append(key)
        return tuple(dict.fromkeys(found))

    def evaluate(reading: str) -> tuple[str, dict[str, Decimal], list[Finding]]:
        computed = _compute(rules, derived_keys, base, reading)
        full = {**base, **computed, **typed}  # a typed derived figure is used as typed (and checked below)
        found: list[Finding] = []
        for balance in rules.balances:
            keys = [t.key for t in (*balance.left, *balance.right) if t.counts(reading)]
            if not _applies(keys, asked, full) or balance.unless_derived in computed:
                continue  # the figure is computed from this very sum
            if not _balance_holds(balance, full, reading, rules.tolerance):
                left, right = _sum(balance.left, full, reading), _sum(balance.right, full, reading)
                found.append(Finding(balance.id, "balance", balance.id, entering(keys, computed, reading), left,
                                     right, True))  # fmt: skip
        for derived in rules.derived:
            if derived.key not in typed or derived.key not in computed:
                continue
            if abs(typed[derived.key] - computed[derived.key]) > rules.tolerance:
                terms = entering((t.key for t in derived.terms if t.counts(reading)), computed, reading)
                found.append(Finding(f"derived:{derived.key}", "derived", derived.key, (derived.key, *terms),
                                     typed[derived.key], computed[derived.key], True))  # fmt: skip
        return reading, computed, found

    outcomes = [evaluate(r) for r in readings]
    passing = next((o for o in outcomes if not o[2]), None)
    reading, computed, blocking = passing or outcomes[0]
    ask: tuple[str, ...] = ()
    if reading_rule is not None and passing is None and len(outcomes) > 1:
        differs = {tuple((f.id, f.left - f.right) for f in o[2]) for o in outcomes}
        if values.get(reading_rule.of, Decimal(0)) != 0 and len(differs) > 1:
            ask = (reading_rule.key,)
    full = {**base, **computed, **typed}
    for parts in rules.parts:
        if not _applies((*parts.parts, *parts.total), asked, full) or not any(k in full for k in parts.total):
            continue
        left, right = _plain_sum(parts.parts, full), _plain_sum(parts.total, full)
        if left > right:
            blocking.append(Finding(parts.id, "parts", parts.id, (*parts.parts, *parts.total), left, right, True))

    warnings = _warnings(rules, asked, values, full, previous or {}, facts or {})
    return Checked(tuple(blocking), tuple(warnings), computed, ask, reading or None)


def _warnings(
    rules: RuleSet,
    asked: set[str],
    values: Mapping[str, Decimal],
    full: Mapping[str, Decimal],
    previous: Mapping[str, str],
    facts: Mapping[str, Decimal | int | None],
) -> list[Finding]:
    found: list[Finding] = []
    old_values = _values(previous)
    for key, new in values.items():
        change = _change(rules, key, old_values.get(key), new)
        if change is not None:
            found.append(change)
    for minimum in rules.minimums:
        small = _too_small(minimum, values.get(minimum.key)) if minimum.key in asked else None
        if small is not None:
            found.append(small)
    for ratio in rules.ratios:
        if not _applies((*ratio.num, *ratio.den), asked, full):
            continue
        num, den = _plain_sum(ratio.num, full), _plain_sum(ratio.den, full)
        if den > 0 and num * HUNDRED > den * ratio.above_pct:
            pct = (num * HUNDRED / den).quantize(Decimal("0.01"))
            found.append(Finding(ratio.id, "ratio", ratio.id, (*ratio.num, *ratio.den), num, den, False, pct))
    for fact in rules.facts:
        raw = facts.get(fact.fact)
        if raw is None or Decimal(raw) != fact.equals:
            continue
        held = _plain_sum(fact.when_any, full)
        if any(full.get(k, Decimal(0)) > 0 for k in fact.when_any):
            found.append(Finding(fact.id, "fact", fact.id, fact.when_any, Decimal(raw), held, False))
    return found


def _change(rules: RuleSet, key: str, old: Decimal | None, new: Decimal) -> Finding | None:
    """A 1,000-fold change of one figure against last period (a likely typo), else a large one, if any."""
    if old is None or old == 0:
        return None
    if new != 0 and abs(new) >= abs(old) * rules.typo_factor:
        return Finding(f"typo:{key}", "typo", "typo", (key,), old, new, False, abs(new / old))
    pct = (abs(new - old) * HUNDRED / abs(old)).quantize(Decimal("0.01"))
    if pct > rules.change_pct:
        return Finding(f"change:{key}", "change", "change", (key,), old, new, False, pct)
    return None


def _too_small(minimum: Minimum, value: Decimal | None) -> Finding | None:
    if value is not None and 0 < value < minimum.at_least:
        return Finding(f"minimum:{minimum.key}", "minimum", "minimum", (minimum.key,), value, minimum.at_least, False)
    return None


def figure_warnings(
    question: Question, value: str, previous: Mapping[str, str], rules: RuleSet | None = None
) -> tuple[Finding, ...]:
    """The warnings `check` gives about this one figure typed as `value` whatever the other answers are (a typo or
    a large change against last period, then too small), in `check`'s order, without checking the whole report:
    what the chat asks back as each figure is typed."""
    if question.kind not in AMOUNT_KINDS:
        return ()
    key = question.key
    new = _values({key: value}).get(key)
    if new is None:
        return ()
    old = _values({key: previous[key]}).get(key) if key in previous else None
    rules = rules or _rules()
    found = [_change(rules, key, old, new), *(_too_small(m, new) for m in rules.minimums if m.key == key)]
    return tuple(f for f in found if f is not None)


def completed(questions: Sequence[Question], answers: Mapping[str, str], checked: Checked) -> dict[str, str]:
    """The answers with the derived figures that were not typed filled in (as stored strings)."""
    asked = {q.key for q in questions}
    filled = dict(answers)
    for key, value in checked.derived.items():
        if key in asked and key not in filled:
            filled[key] = to_plain(value)
    return filled
