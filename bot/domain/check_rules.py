"""The rules that check a report's answers against each other, read from the form's JSON (`rules`).

A term is a figure key, ``-key`` (subtracted) or ``key@reading`` (counted only under that reading of the
risk-reserve question, spec §3.6: an equity reserve or a loan-loss allowance). `report_checks.check` applies them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Term:
    """One figure in a sum: its key, its sign, and the reading it is counted under (None: always)."""

    key: str
    sign: int = 1
    reading: str | None = None

    @classmethod
    def parse(cls, text: str) -> Term:
        sign = -1 if text.startswith("-") else 1
        key, _, reading = text.removeprefix("-").partition("@")
        return cls(key, sign, reading or None)

    def counts(self, reading: str) -> bool:
        return self.reading is None or self.reading == reading


@dataclass(frozen=True)
class Derived:
    """A figure computed from others (never asked where every term is asked)."""

    key: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Balance:
    """Two sums that must agree within the tolerance (blocking)."""

    id: str
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    unless_derived: str | None = None  # not checked when this figure is computed (from this very sum)


@dataclass(frozen=True)
class Parts:
    """Parts that may not exceed their total (blocking)."""

    id: str
    parts: tuple[str, ...]
    total: tuple[str, ...]


@dataclass(frozen=True)
class Minimum:
    """A figure that is a likely typo below `at_least` (but above 0): asked back, a warning."""

    key: str
    at_least: Decimal


@dataclass(frozen=True)
class Ratio:
    """An unusual ratio: sum(num) above `above_pct` percent of sum(den) is a warning."""

    id: str
    num: tuple[str, ...]
    den: tuple[str, ...]
    above_pct: Decimal


@dataclass(frozen=True)
class Fact:
    """A fact about the cooperative (e.g. its members) that is implausible while some figure is positive."""

    id: str
    fact: str
    equals: Decimal
    when_any: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """The question that says which side a figure is on, and its readings (the first is the default)."""

    key: str
    of: str
    default: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    """Every rule of a form."""

    tolerance: Decimal = Decimal(1000)
    reading: Reading | None = None
    derived: tuple[Derived, ...] = ()
    balances: tuple[Balance, ...] = ()
    parts: tuple[Parts, ...] = ()
    change_pct: Decimal = Decimal(50)
    typo_factor: Decimal = Decimal(1000)
    minimums: tuple[Minimum, ...] = ()
    ratios: tuple[Ratio, ...] = ()
    facts: tuple[Fact, ...] = ()

    def keys(self) -> set[str]:
        """Every answer key a rule names (facts are not answers)."""
        found: set[str] = set()
        for derived in self.derived:
            found |= {derived.key, *(t.key for t in derived.terms)}
        for balance in self.balances:
            found |= {t.key for t in (*balance.left, *balance.right)}
        for parts in self.parts:
            found |= {*parts.parts, *parts.total}
        found |= {m.key for m in self.minimums}
        for ratio in self.ratios:
            found |= {*ratio.num, *ratio.den}
        for fact in self.facts:
            found |= set(fact.when_any)
        if self.reading is not None:
            found |= {self.reading.key, self.reading.of}
        return found


def _terms(raw: Sequence[str]) -> tuple[Term, ...]:
    return tuple(Term.parse(t) for t in raw)


def rules_from_json(raw: Mapping[str, Any]) -> RuleSet:
    """A RuleSet from the form's `rules` object; raises KeyError/ValueError when it is malformed."""
    warnings = raw.get("warnings", {})
    reading = raw.get("reading")
    return RuleSet(
        tolerance=Decimal(raw.get("tolerance", "1000")),
        reading=Reading(reading["key"], reading["of"], reading["default"], tuple(reading["options"]))
        if reading
        else None,
        derived=tuple(Derived(d["key"], _terms(d["terms"])) for d in raw.get("derived", ())),
        balances=tuple(
            Balance(b["id"], _terms(b["left"]), _terms(b["right"]), b.get("unless_derived"))
            for b in raw.get("balances", ())
        ),
        parts=tuple(Parts(p["id"], tuple(p["parts"]), tuple(p["total"])) for p in raw.get("parts", ())),
        change_pct=Decimal(warnings.get("change_pct", "50")),
        typo_factor=Decimal(warnings.get("typo_factor", "1000")),
        minimums=tuple(Minimum(m["key"], Decimal(m["at_least"])) for m in warnings.get("minimums", ())),
        ratios=tuple(
            Ratio(r["id"], tuple(r["num"]), tuple(r["den"]), Decimal(r["above_pct"]))
            for r in warnings.get("ratios", ())
        ),
        facts=tuple(
            Fact(f["id"], f["fact"], Decimal(f["equals"]), tuple(f["when_any"])) for f in warnings.get("facts", ())
        ),
    )
