"""Notes on an assessment (the §2.2 warnings) as keys and values; their words come from the rules file.

A note renders twice: as the contract's warning string ("topic: English text", for `assess` JSON and stored
results) and as a plain sentence for officers, with the statement labels they know and rupiah amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.figures import FIGURE_KEYS
from bot.domain.health import keys
from bot.domain.health.rules import Rules
from bot.domain.numbers import format_rupiah

NoteValue = str | int | Decimal | tuple[str, ...]
# Where the label of a value is looked up, after the figure keys: first table that knows the key wins.
LABEL_TABLES = ("reasons", "flags", "cooperative_types", "indicators", "topics")
ASPECT_OF = {comp: aspect for aspect, comps in keys.ASPECTS if aspect != "management" for comp in comps}


@dataclass(frozen=True)
class Note:
    """One note: the key it is about (a component, indicator or topic), its text's code, and named values."""

    topic: str
    code: str
    values: tuple[tuple[str, NoteValue], ...] = ()


def note(topic: str, code: str, **values: NoteValue) -> Note:
    """A note about `topic` with text `code` and its values."""
    return Note(topic, code, tuple(values.items()))


def key_label(rules: Rules, key: str, lang: str) -> str:
    """An officer-facing name for a figure, component, management sub-aspect or other key."""
    if key in FIGURE_KEYS:
        return FIGURE_KEYS[key].label(lang)
    if key in ASPECT_OF:
        return rules.label("components", f"{ASPECT_OF[key]}.{key}", lang)
    if key in keys.MANAGEMENT_SUBS or key.startswith("management."):
        return rules.label("components", f"management.{key.removeprefix('management.')}", lang)
    for table in LABEL_TABLES:
        if key in rules.labels.get(table, {}):
            return rules.label(table, key, lang)
    return key


def _fields(n: Note, rules: Rules, lang: str, officer: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in n.values:
        if isinstance(value, tuple):
            out[name] = ", ".join(value)
            out[f"{name}_label"] = ", ".join(key_label(rules, v, lang) for v in value)
        elif isinstance(value, Decimal):
            out[name] = format_rupiah(value) if officer else str(value)
        else:
            out[name] = str(value)
            out[f"{name}_label"] = key_label(rules, str(value), lang)
    return out


def contract_text(n: Note, rules: Rules) -> str:
    """The §2.2 warning string: the topic key, ': ', the English text."""
    return f"{n.topic}: " + rules.notes[n.code]["en"].format(**_fields(n, rules, "en", officer=False))


def officer_text(n: Note, rules: Rules, lang: str) -> str:
    """The note for an officer: the topic's label, then the text, with labels instead of keys."""
    text = rules.notes[n.code][lang].format(**_fields(n, rules, lang, officer=True))
    return f"{key_label(rules, n.topic, lang)}: {text}"
