"""Scoring tables (spec §4.3): ordered bands or a clamped linear rule, matched on the unrounded ratio."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

PROBE_STEP = Decimal("0.0001")
PROBE_FAR = Decimal("1000000000")


@dataclass(frozen=True)
class Band:
    """One band: optional lower and upper bound, each inclusive or not, and the nilai it gives."""

    nilai: int
    lower: Decimal | None = None
    lower_inclusive: bool = False
    upper: Decimal | None = None
    upper_inclusive: bool = False

    def matches(self, x: Decimal) -> bool:
        """Whether x lies inside this band."""
        if self.lower is not None and (x < self.lower or (x == self.lower and not self.lower_inclusive)):
            return False
        return not (self.upper is not None and (x > self.upper or (x == self.upper and not self.upper_inclusive)))


@dataclass(frozen=True)
class BandTable:
    """Ordered contiguous bands; the first band that matches wins."""

    bands: tuple[Band, ...]
    _steps: tuple[tuple[Decimal, bool, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Pre-built lookup: the loader checked the bands are ordered and contiguous, so the first upper
        # bound that admits x decides, exactly as first-match would.
        steps = tuple((b.upper, b.upper_inclusive, b.nilai) for b in self.bands if b.upper is not None)
        object.__setattr__(self, "_steps", steps)

    def nilai(self, x: Decimal) -> int:
        """Nilai for ratio x (fast path)."""
        for upper, inclusive, nilai in self._steps:
            if x < upper or (inclusive and x == upper):
                return nilai
        return self.bands[-1].nilai

    def first_match(self, x: Decimal) -> int | None:
        """Nilai by the literal first-match rule of §4.3 (used to validate coverage)."""
        return next((b.nilai for b in self.bands if b.matches(x)), None)

    @property
    def lowest(self) -> int:
        """Lowest nilai the table can give."""
        return min(b.nilai for b in self.bands)

    @property
    def top(self) -> int:
        """Nilai of the band with no upper bound."""
        return self.bands[-1].nilai

    def edges(self) -> tuple[Decimal, ...]:
        """Every finite bound in the table."""
        found = {e for b in self.bands for e in (b.lower, b.upper) if e is not None}
        return tuple(sorted(found))


@dataclass(frozen=True)
class LinearTable:
    """nilai = clamp(floor(slope × ratio + intercept), minimum, maximum)."""

    slope: Decimal
    intercept: Decimal
    minimum: int
    maximum: int

    def nilai(self, x: Decimal) -> int:
        """Nilai for ratio x."""
        raw = int((self.slope * x + self.intercept).to_integral_value(rounding=ROUND_FLOOR))
        return self.minimum if raw < self.minimum else self.maximum if raw > self.maximum else raw

    def first_match(self, x: Decimal) -> int | None:
        """Same as nilai: a linear rule covers every ratio."""
        return self.nilai(x)

    @property
    def lowest(self) -> int:
        """Lowest nilai the rule can give."""
        return self.minimum if self.slope else self.nilai(Decimal(0))

    @property
    def top(self) -> int:
        """Nilai as the ratio grows without bound."""
        return self.maximum if self.slope > 0 else self.minimum if self.slope < 0 else self.nilai(Decimal(0))

    def edges(self) -> tuple[Decimal, ...]:
        """Ratios where the clamp starts to bite."""
        if not self.slope:
            return ()
        return tuple(sorted({(Decimal(v) - self.intercept) / self.slope for v in (self.minimum, self.maximum)}))


Table = BandTable | LinearTable


def probe_points(table: Table) -> tuple[Decimal, ...]:
    """Each edge ± 0.0001, each edge itself, and ± 10⁹ (spec §4.3)."""
    points = {-PROBE_FAR, PROBE_FAR}
    for edge in table.edges():
        points.update((edge - PROBE_STEP, edge, edge + PROBE_STEP))
    return tuple(sorted(points))
