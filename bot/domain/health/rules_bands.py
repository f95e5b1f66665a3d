"""One band of a rules table or a trigger: optional ge/gt lower and le/lt upper bounds, checked."""

from __future__ import annotations

from typing import Any

from bot.domain.health.checker import Checker
from bot.domain.health.tables import Band

BOUND_KEYS = ("ge", "gt", "le", "lt")


def read_band(c: Checker, value: Any, path: str, with_nilai: bool) -> Band | None:
    """One band object: optional ge/gt and le/lt bounds (and nilai 0..100 for a scoring band)."""
    if not c.obj(value, path, required=("nilai",) if with_nilai else (), allowed=BOUND_KEYS):
        return None
    bounds = {k: c.decimal(value[k], f"{path}.{k}") for k in BOUND_KEYS if k in value}
    if None in bounds.values():
        return None
    if ("ge" in bounds and "gt" in bounds) or ("le" in bounds and "lt" in bounds):
        c.fail(path, "at most one lower bound (ge/gt) and one upper bound (le/lt)")
        return None
    nilai = c.integer(value["nilai"], f"{path}.nilai", 0, 100) if with_nilai else 0
    if nilai is None:
        return None
    lower = bounds.get("ge", bounds.get("gt"))
    upper = bounds.get("le", bounds.get("lt"))
    if lower is not None and upper is not None and lower >= upper:
        c.fail(path, f"lower bound {lower} is not below upper bound {upper}")
        return None
    return Band(nilai, lower, "ge" in bounds, upper, "le" in bounds)
