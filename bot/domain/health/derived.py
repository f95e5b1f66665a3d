"""Derived values of §3.4 (weights from the rules' `derived` section), with the overrides of §3.3."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.health.keys import OVERRIDE_KEYS
from bot.domain.health.rules import Rules

ZERO = Decimal(0)


@dataclass(frozen=True)
class Derived:
    """The derived values one assessment uses, and which of them came from overrides."""

    loans_outstanding: Decimal
    problem_loan_risk: Decimal
    own_capital: Decimal
    weighted_capital: Decimal
    risk_weighted_assets: Decimal
    funds_received: Decimal
    overridden: tuple[str, ...]


def weighted_sum(figures: Mapping[str, Decimal], terms: tuple[tuple[str, Decimal], ...]) -> Decimal:
    """Sum of figure × weight over the terms; absent figures count as 0."""
    total = ZERO
    get = figures.get
    for key, weight in terms:
        value = get(key)
        if value is not None:
            total += value * weight
    return total


def derive(figures: Mapping[str, Decimal], rules: Rules) -> Derived:
    """Compute the derived values; a present override replaces its derived value."""
    d = rules.derived
    values = {name: figures[name] if name in figures else weighted_sum(figures, d[name]) for name in OVERRIDE_KEYS}
    loans = figures.get("loans_to_members", ZERO) + figures.get("loans_to_non_members", ZERO)
    return Derived(
        loans_outstanding=loans,
        problem_loan_risk=weighted_sum(figures, d["problem_loan_risk"]),
        own_capital=values["own_capital"],
        weighted_capital=values["weighted_capital"],
        risk_weighted_assets=values["risk_weighted_assets"],
        funds_received=values["funds_received"],
        overridden=tuple(k for k in OVERRIDE_KEYS if k in figures),
    )
