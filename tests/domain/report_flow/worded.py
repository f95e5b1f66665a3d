"""The engine's events as the officer reads them, worded by the chat (bot/chat/report_words.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat import report_words
from bot.domain.forms import Question
from bot.domain.report_flow import Accepted, Event, Offer, Problem


def label(offer: Offer, question: Question | None = None, lang: str = "id") -> str:
    """A button's label; `question` is the one asked (its stored answers fill "Tetap ..." and "Sama ... (Ya)")."""
    return report_words.offer(offer, question, lang)


def labels(options: Sequence[Offer], question: Question | None = None, lang: str = "id") -> list[str]:
    return [label(o, question, lang) for o in options]


def message(problem: Problem, lang: str = "id") -> str:
    return report_words.problem(problem, lang)


def shown(question: Question, value: str | None, lang: str = "id") -> str:
    """A stored answer as shown ("Rp12.300.000", "Ya"), or "belum diisi"."""
    return report_words.shown_or_blank(question, value, lang)


def accepted(events: Sequence[Event], lang: str = "id") -> list[tuple[str, str, str]]:
    """The answers stored: key, stored value and the echo the officer reads ("Kas: Rp12.300.000")."""
    return [(e.key, e.value, report_words.echo(e.question, e.value, lang)) for e in events if isinstance(e, Accepted)]
