"""Assessment results as frozen values, and their JSON in exactly the shapes of §2.0 and §9.5."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.domain.health.notes import Note

CENT = Decimal("0.01")
INDICATIVE_LABEL = "Indikatif - bukan penilaian kesehatan resmi"

JsonValue = None | bool | int | str | Decimal | list["JsonValue"] | dict[str, "JsonValue"]


def q2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals (values too large to quantize are returned unchanged)."""
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return value


@dataclass(frozen=True)
class ComponentResult:
    """One component: unrounded ratio (None when not computed), nilai, weight and score."""

    key: str
    ratio: Decimal | None
    nilai: int | Decimal
    weight: int
    score: Decimal

    @property
    def lost(self) -> Decimal:
        """Points lost against the component weight."""
        return self.weight - self.score


@dataclass(frozen=True)
class AspectResult:
    """One aspect with its components in output order."""

    key: str
    weight: int
    score: Decimal
    components: tuple[ComponentResult, ...]


@dataclass(frozen=True)
class HealthResult:
    """A perdep-06-2016 result; flags are reported only, never applied to total or category."""

    framework: str
    total: Decimal
    category: str
    category_label: str
    provisional: bool
    aspects: tuple[AspectResult, ...]
    warnings: tuple[str, ...]
    notes: tuple[Note, ...] = ()
    reported: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    missing_figures: tuple[str, ...] = ()
    negative_equity: bool = False
    cooperative_type: str = "ksp"
    rules_hash: str = ""

    def component(self, aspect: str, key: str) -> ComponentResult:
        """Look a component up within its aspect (keys repeat across aspects)."""
        for a in self.aspects:
            if a.key == aspect:
                for c in a.components:
                    if c.key == key:
                        return c
        raise KeyError(f"{aspect}.{key}")

    def to_dict(self) -> dict[str, JsonValue]:
        """The §2.0 output object."""
        return {
            "framework": self.framework,
            "total": q2(self.total),
            "category": self.category,
            "category_label": self.category_label,
            "provisional": self.provisional,
            "aspects": [
                {
                    "key": a.key,
                    "weight": a.weight,
                    "score": q2(a.score),
                    "components": [
                        {
                            "key": c.key,
                            "ratio": None if c.ratio is None else q2(c.ratio),
                            "nilai": c.nilai if isinstance(c.nilai, int) else q2(c.nilai),
                            "weight": c.weight,
                            "score": q2(c.score),
                        }
                        for c in a.components
                    ],
                }
                for a in self.aspects
            ],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 1) -> str:
        """The §2.0 output as JSON text."""
        return dumps(self.to_dict(), indent)


@dataclass(frozen=True)
class IndicatorResult:
    """One indicative indicator: value (None when a denominator is zero), unit and band."""

    key: str
    value: Decimal | None
    unit: str
    band: str | None


@dataclass(frozen=True)
class IndicativeResult:
    """An indicative non-KSP result: no total and no category, by design."""

    framework: str
    cooperative_type: str
    provisional: bool
    indicators: tuple[IndicatorResult, ...]
    warnings: tuple[str, ...]
    notes: tuple[Note, ...] = ()
    reported: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    rules_hash: str = ""
    label: str = INDICATIVE_LABEL

    def to_dict(self) -> dict[str, JsonValue]:
        """The §9.5 output object."""
        return {
            "framework": self.framework,
            "indicative": True,
            "label": self.label,
            "cooperative_type": self.cooperative_type,
            "provisional": self.provisional,
            "indicators": [
                {
                    "key": i.key,
                    "value": None if i.value is None else q2(i.value),
                    "unit": i.unit,
                    "band": i.band,
                }
                for i in self.indicators
            ],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 1) -> str:
        """The §9.5 output as JSON text."""
        return dumps(self.to_dict(), indent)


Result = HealthResult | IndicativeResult


def dumps(value: JsonValue, indent: int | None = 1, level: int = 0) -> str:
    """JSON text where Decimals are written as JSON numbers, digit for digit (never through float)."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    if value is None or isinstance(value, (bool, int, str)):
        return json.dumps(value, ensure_ascii=False)
    pad = "" if indent is None else "\n" + " " * (indent * (level + 1))
    end = "" if indent is None else "\n" + " " * (indent * level)
    sep = ", " if indent is None else ","
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[" + sep.join(pad + dumps(v, indent, level + 1) for v in value) + end + "]"
    if not value:
        return "{}"
    items = (pad + json.dumps(k, ensure_ascii=False) + ": " + dumps(v, indent, level + 1) for k, v in value.items())
    return "{" + sep.join(items) + end + "}"
