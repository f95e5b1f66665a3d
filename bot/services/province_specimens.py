"""The province's figure sets: a pool of specimens per kind of cooperative, month of the book year and health
category, each scored by the real scorer, so that every stored report and its assessment agree."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.domain import forms
from bot.domain.health import keys
from bot.domain.health.clinic import treat
from bot.domain.health.rules import Rules
from bot.domain.periods import Period
from bot.services.assessments import clinic_json, exact_json, record_of, score_figures
from bot.services.demo_city import SHARES
from bot.services.demo_figures import consistent, ksp_figures, shop_figures
from bot.services.demo_figures import tilt as _tilt
from storage.models import Cooperative

SPECIMENS = 30  # scored figure sets per month of the book year and framework
ORDER = [category for category, _ in SHARES]  # best first


@dataclass(frozen=True)
class Specimen:
    """A figure set and what the scorer made of it (one per framework that applies)."""

    figures: dict[str, str]
    scored: tuple[dict[str, Any], ...]  # assessment columns per framework
    category: str | None  # of the official framework, when it applies


class Specimens:
    """Scored figure sets per (kind of cooperative, month of the book year, category)."""

    def __init__(self, rng: random.Random, rules: Rules, today: date, size: int = SPECIMENS) -> None:
        self._rng, self.rules, self._today, self._size = rng, rules, today, size
        self.seconds = 0.0  # spent scoring
        self._pool: dict[tuple[str, int], dict[str | None, list[Specimen]]] = {}
        self._nearest: dict[tuple[str, int, str | None], list[Specimen]] = {}  # the bucket each pick draws from
        self._management = [q.key for q in forms.load_form().questions if q.key.startswith("management.")]

    def _score(self, coop: Cooperative, period: Period, figures: dict[str, str], quality: float) -> Specimen:
        answers = {key: self._rng.random() < quality for key in self._management}
        record = record_of(coop, answers)
        rows, category = [], None
        for item in score_figures(coop, period, figures, answers, self.rules):
            if item.result is None:
                continue
            result = exact_json(item.result.to_dict())
            diagnosis, prescription = clinic_json(
                treat(item.result, self.rules, "id", record, self._today), item.result
            )
            rows.append(
                {
                    "framework": item.framework,
                    "provisional": bool(result.get("provisional", True)),
                    "total": Decimal(result["total"]) if result.get("total") is not None else None,
                    "category": result.get("category"),
                    "result": result,
                    "diagnosis": diagnosis,
                    "prescription": prescription,
                    "brief": {k: result[k] for k in ("total", "category", "provisional") if k in result},
                }
            )
            if item.framework == keys.PERDEP:
                category = result.get("category")
        return Specimen(figures, tuple(rows), category)

    def _fill(self, kind: str, month: int) -> dict[str | None, list[Specimen]]:
        period = Period(self._today.year - 1, month)
        savings = kind.endswith("+usp") or kind == "ksp"
        type_ = kind.removesuffix("+usp")
        coop = Cooperative(type=type_, has_savings_unit=kind.endswith("+usp"), fiscal_year_start_month=1, tags=[])
        buckets: dict[str | None, list[Specimen]] = {}
        count = self._size * (3 if savings else 1)
        for number in range(count):
            quality = -0.9 + 1.9 * number / count
            scale = self._rng.uniform(0.5e9, 8e9)
            figures: dict[str, str] = {}
            if type_ != "ksp":
                figures |= shop_figures(self._rng, scale / 4, month, month)
            if savings:
                figures |= _tilt(ksp_figures(self._rng, scale, month, month), quality)
            specimen = self._score(coop, period, consistent(figures), max(quality, 0.05))
            buckets.setdefault(specimen.category, []).append(specimen)
        return buckets

    def pick(self, kind: str, month: int, category: str | None) -> Specimen:
        """A specimen for this kind of cooperative and month in (or nearest to) `category`."""
        found = self._nearest.get((kind, month, category))
        if found is None:
            found = self._nearest[(kind, month, category)] = self._near(kind, month, category)
        return self._rng.choice(found)

    def _near(self, kind: str, month: int, category: str | None) -> list[Specimen]:
        buckets = self._pool.get((kind, month))
        if buckets is None:
            started = time.perf_counter()
            buckets = self._pool[(kind, month)] = self._fill(kind, month)
            self.seconds += time.perf_counter() - started
        wanted = ORDER.index(category) if category in ORDER else 0
        for step in (0, 1, -1, 2, -2, 3, -3):
            near = ORDER[wanted + step] if 0 <= wanted + step < len(ORDER) else None
            if near in buckets:
                return buckets[near]
        return next(iter(buckets.values()))
