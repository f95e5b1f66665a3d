"""The scoring rules as frozen values, loaded and validated from a data file (spec §4.3, Appendix A).

The indicative non-KSP bands (§9.3) live in the same file, in its `indicative` section, as Appendix A shows:
one file means one version hash per stored assessment, and an office edits one document, not two.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

from bot.domain.health.tables import Band, Table

DEFAULT_RULES_NAME = "perdep-06-2016.json"


class RulesError(Exception):
    """The rules file cannot be used; the message has one 'file: entry: problem' line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Category:
    """One category with its lowest total (None for the bottom one)."""

    key: str
    label: str
    minimum: Decimal | None


@dataclass(frozen=True)
class ComponentRule:
    """A component key and its weight within its aspect."""

    key: str
    weight: int


@dataclass(frozen=True)
class AspectRule:
    """An aspect key, its weight and its components in output order."""

    key: str
    weight: int
    components: tuple[ComponentRule, ...]


@dataclass(frozen=True)
class ManagementRule:
    """One management sub-aspect: item count, points per 'ya' and the item wording."""

    key: str
    items: int
    points_per_yes: Decimal
    items_text: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorRule:
    """One indicative non-KSP indicator with its good and watch bands."""

    key: str
    unit: str
    good: Band
    watch: Band


@dataclass(frozen=True)
class Trigger:
    """One condition of a coaching advice: a ratio band, a score band, or 'null ratio with points lost'."""

    ratio: Band | None = None
    score: Band | None = None
    null: bool = False


@dataclass(frozen=True)
class Advice:
    """Why a component matters and its next steps, with the triggers (any of) that call for it."""

    variant: str
    triggers: tuple[Trigger, ...]
    why: Mapping[str, str]
    steps: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class CoachingRules:
    """Coaching texts of §10.2–§10.4 in Indonesian and English."""

    components: Mapping[str, tuple[Advice, ...]]
    special: Mapping[str, Advice]
    compliance: Mapping[str, Mapping[str, tuple[str, ...]]]
    compliance_map: Mapping[str, str]
    escalation: Mapping[str, Mapping[str, tuple[str, ...]]]
    provisional_note: Mapping[str, str]
    review_list_note: Mapping[str, str]


Bilingual = Mapping[str, str]
BilingualList = Mapping[str, tuple[str, ...]]
Concern = tuple[str, str | None]  # (indicator or ratio key, advice variant or None for any)


@dataclass(frozen=True)
class Guidance:
    """A text (a format string over named values) and its steps, in Indonesian and English."""

    text: Bilingual
    steps: BilingualList


@dataclass(frozen=True)
class CauseRule:
    """A root problem: the symptoms that reveal it, the components it drives, the remedy and its target."""

    key: str
    when: tuple[tuple[str, Band], ...]
    drives: tuple[Concern, ...]
    guidance: Guidance
    target: Bilingual


@dataclass(frozen=True)
class ReadinessItem:
    """One item of a readiness list (KKMP, kopontren): what must be in place and how to get it."""

    key: str
    guidance: Guidance


@dataclass(frozen=True)
class ClinicRules:
    """The clinic's data: figures a score needs, causes, states, indicator coaching, readiness, compliance texts."""

    required: Mapping[str, tuple[tuple[str, ...], ...]]
    causes: tuple[CauseRule, ...]
    new_cooperative: Guidance
    not_yet: tuple[Concern, ...]
    data_incomplete: Guidance
    questionnaire: Guidance
    indicators: Mapping[str, Guidance]
    target: Bilingual
    joiner: Bilingual
    indicators_by_type: Mapping[str, tuple[str, ...]]
    readiness: Mapping[str, tuple[ReadinessItem, ...]]
    compliance: Mapping[str, Bilingual]


@dataclass(frozen=True)
class ComplianceSettings:
    """Dates and limits of the §9.4 checklist (calendar-year books by default)."""

    book_year_end: tuple[int, int]
    rat_deadline: tuple[int, int]
    rat_due_soon_from: tuple[int, int]
    rat_report_days: int
    nik_due_soon_days: int
    audit_loans_threshold: Decimal

    def on(self, month_day: tuple[int, int], year: int) -> date:
        """The given (month, day) in the given year."""
        return date(year, month_day[0], month_day[1])


@dataclass(frozen=True)
class Rules:
    """Everything the scorer needs, validated once; tables are the active variants."""

    framework: str
    source: str
    version_hash: str
    categories: tuple[Category, ...]
    aspects: tuple[AspectRule, ...]
    management: Mapping[str, ManagementRule]
    derived: Mapping[str, tuple[tuple[str, Decimal], ...]]
    tables: Mapping[str, Table]
    variants: Mapping[str, str]
    indicative: tuple[IndicatorRule, ...]
    coaching: CoachingRules
    compliance: ComplianceSettings
    labels: Mapping[str, Mapping[str, Bilingual]]
    notes: Mapping[str, Bilingual]
    clinic: ClinicRules

    def label(self, table: str, key: str, lang: str) -> str:
        """The officer-facing name of a key in one of the label tables; the key itself when unknown."""
        entry = self.labels.get(table, {}).get(key)
        return key if entry is None else entry[lang]

    def category_for(self, total: Decimal) -> Category:
        """The category of a (rounded) total."""
        return category_of(self.categories, total)


def category_of(categories: Sequence[Category], total: Decimal) -> Category:
    """The category of a (rounded) total among `categories`, listed from the top (the last has no minimum)."""
    for category in categories:
        if category.minimum is None or total >= category.minimum:
            return category
    return categories[-1]  # pragma: no cover - the loader ensures a bottom category


def default_rules_path() -> Path:
    """The packaged default rules file."""
    return Path(str(resources.files("bot.domain.health").joinpath("rules", DEFAULT_RULES_NAME)))


def load_rules(path: Path | None = None) -> Rules:
    """Read and validate a rules file (default: the packaged perdep-06-2016 rules)."""
    from bot.domain.health.rules_read import read_rules

    source = path if path is not None else default_rules_path()
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise RulesError([f"{source}: cannot read ({exc.strerror or exc})"]) from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulesError([f"{source}: not valid JSON ({exc})"]) from None
    return read_rules(data, str(source), hashlib.sha256(raw).hexdigest())


_default: Rules | None = None


def default_rules() -> Rules:
    """The packaged rules, loaded once per process."""
    global _default
    if _default is None:
        _default = load_rules()
    return _default
