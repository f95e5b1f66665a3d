"""Plain-text explanations of a result: a phone-sized summary for chat and a full text for the CLI."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.coaching import Coaching, CoachingItem, Lang
from bot.domain.health import labels
from bot.domain.health.result import ComponentResult, HealthResult, IndicativeResult, Result
from bot.domain.health.rules import Rules
from bot.domain.health.tables import Band, BandTable, LinearTable
from bot.domain.numbers import format_decimal

SUMMARY_BUDGET = 1500
CENT = Decimal("0.01")


def number(value: Decimal, lang: Lang) -> str:
    """72,40 in Indonesian, 72.40 in English."""
    return format_decimal(value, 2, lang)


def _bound(value: Decimal, lang: Lang) -> str:
    text = number(value, lang)
    return text[:-3] if text.endswith((",00", ".00")) else text


def header(result: Result, lang: Lang) -> str:
    """'Skor sementara: 72,40 - Cukup Sehat' (provisional) or 'Cukup Sehat - skor 72,40' (official)."""
    if isinstance(result, IndicativeResult):
        return result.label if lang == "id" else f"{result.label} (indicative - not an official health score)"
    total = number(result.total, lang)
    if result.provisional:
        word = "Skor sementara" if lang == "id" else "Provisional score"
        return f"{word}: {total} - {result.category_label}"
    return f"{result.category_label} - {'skor' if lang == 'id' else 'score'} {total}"


def _band_text(band: Band, lang: Lang) -> str:
    parts = []
    if band.lower is not None:
        parts.append(f"{'≥' if band.lower_inclusive else '>'} {_bound(band.lower, lang)}%")
    if band.upper is not None:
        parts.append(f"{'≤' if band.upper_inclusive else '<'} {_bound(band.upper, lang)}%")
    return (" dan " if lang == "id" else " and ").join(parts)


def raise_hint(rules: Rules, aspect: str, comp: ComponentResult, lang: Lang) -> str:
    """One short sentence on what would raise a component's nilai."""
    if comp.score >= comp.weight:
        return "Sudah maksimal." if lang == "id" else "Already at the maximum."
    if aspect == "management":
        points = rules.management[comp.key].points_per_yes
        return (
            f"Tiap jawaban 'ya' tambahan +{number(points, lang)} poin."
            if lang == "id"
            else f"Each extra 'yes' adds {number(points, lang)} points."
        )
    table = rules.tables[comp.key]
    if isinstance(table, LinearTable):
        best_at = (Decimal(table.maximum) - table.intercept) / table.slope if table.slope else None
        if best_at is None or table.slope < 0:
            return "Makin kecil rasionya makin baik." if lang == "id" else "The lower the ratio, the better."
        return (
            f"Nilai terbaik bila rasio ≥ {_bound(best_at, lang)}%."
            if lang == "id"
            else (f"Best nilai at a ratio ≥ {_bound(best_at, lang)}%.")
        )
    assert isinstance(table, BandTable)
    best = max(table.bands, key=lambda b: b.nilai)
    target = _band_text(best, lang)
    if comp.ratio is None:
        return (
            f"Lengkapi angkanya; nilai terbaik bila rasio {target}."
            if lang == "id"
            else f"Complete the figures; best nilai at a ratio {target}."
        )
    return f"Nilai terbaik bila rasio {target}." if lang == "id" else f"Best nilai at a ratio {target}."


def _component_line(rules: Rules, aspect: str, comp: ComponentResult, lang: Lang) -> str:
    name = labels.label(labels.COMPONENTS, f"{aspect}.{comp.key}", lang)
    nilai = comp.nilai if isinstance(comp.nilai, int) else number(comp.nilai, lang)
    if comp.ratio is not None:
        ratio = f"{number(comp.ratio, lang)}%"
    elif aspect == "management":
        ratio = ""
    else:
        ratio = "tidak dihitung" if lang == "id" else "not computed"
    score = f"{'skor' if lang == 'id' else 'score'} {number(comp.score, lang)}/{comp.weight}"
    shown = f"{ratio}, " if ratio else ""
    return f"  - {name}: {shown}nilai {nilai}, {score}. {raise_hint(rules, aspect, comp, lang)}"


def _item_lines(item: CoachingItem, lang: Lang, with_why: bool, max_steps: int) -> list[str]:
    if "." in item.key:
        name = labels.label(labels.COMPONENTS, item.key, lang)
    else:
        name = labels.label(labels.TOPICS, item.key, lang)
    head = f"• {name}" + (f": {item.why}" if with_why and item.why else "")
    return [head] + [f"  {i}. {s}" for i, s in enumerate(item.steps[:max_steps], 1)]


def _coaching_lines(coaching: Coaching, lang: Lang, with_why: bool, max_steps: int) -> list[str]:
    items = [i for i in (coaching.negative_equity, coaching.missing_figures) if i is not None]
    items += list(coaching.components)
    lines: list[str] = []
    if items:
        lines.append("Langkah berikutnya:" if lang == "id" else "Next steps:")
        for item in items:
            lines += _item_lines(item, lang, with_why, max_steps)
    if coaching.compliance:
        lines.append("Kewajiban koperasi:" if lang == "id" else "Cooperative obligations:")
        for item in coaching.compliance:
            lines += _item_lines(item, lang, with_why, max_steps)
    if coaching.review_list_note:
        lines.append(coaching.review_list_note)
    return lines


def _indicator_lines(result: IndicativeResult, lang: Lang) -> list[str]:
    lines = []
    for ind in result.indicators:
        name = labels.label(labels.INDICATORS, ind.key, lang)
        if ind.value is None:
            lines.append(f"- {name}: {'tidak dihitung' if lang == 'id' else 'not computed'}")
            continue
        unit = labels.label(labels.UNITS, ind.unit, lang)
        band = labels.label(labels.BANDS, ind.band or "", lang)
        lines.append(f"- {name}: {number(ind.value, lang)}{unit} ({band})")
    return lines


def summary_text(result: Result, coaching: Coaching, lang: Lang = "id") -> str:
    """The officer-facing chat summary, kept under ~1,500 characters."""
    lines = [header(result, lang)]
    if isinstance(result, IndicativeResult):
        lines += _indicator_lines(result, lang)
    else:
        for a in result.aspects:
            lines.append(f"- {labels.label(labels.ASPECTS, a.key, lang)}: {number(a.score, lang)}/{a.weight}")
    text = ""
    for with_why, max_steps in ((True, 4), (False, 4), (False, 2), (False, 1), (False, 0)):
        text = "\n".join(lines + _coaching_lines(coaching, lang, with_why, max_steps))
        if len(text) <= SUMMARY_BUDGET:
            break
    return text


def full_text(result: Result, coaching: Coaching, lang: Lang = "id", rules: Rules | None = None) -> str:
    """The full explanation: every aspect and component, warnings, coaching and the escalation ladder."""
    from bot.domain.health.rules import default_rules

    active = rules if rules is not None else default_rules()
    lines = [header(result, lang), ""]
    if isinstance(result, IndicativeResult):
        lines += _indicator_lines(result, lang)
    else:
        lines += _aspect_lines(result, active, lang)
    if result.warnings:
        lines += ["", "Catatan:" if lang == "id" else "Notes:"] + [f"- {w}" for w in result.warnings]
    coaching_lines = _coaching_lines(coaching, lang, True, 4)
    if coaching_lines:
        lines += ["", *coaching_lines]
    if coaching.escalation:
        lines += ["", "Tindak lanjut Dinas:" if lang == "id" else "Office follow-up:"]
        lines += [f"- {s}" for s in coaching.escalation]
    if coaching.provisional_note:
        lines.append(coaching.provisional_note)
    return "\n".join(lines)


def _aspect_lines(result: HealthResult, rules: Rules, lang: Lang) -> list[str]:
    lines = []
    for a in result.aspects:
        lines.append(f"{labels.label(labels.ASPECTS, a.key, lang)}: {number(a.score, lang)}/{a.weight}")
        lines += [_component_line(rules, a.key, c, lang) for c in a.components]
    return lines
