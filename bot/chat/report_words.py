"""The words of the report engine's events (templates report_flow.j2): re-asks, option labels and answers as shown."""

from __future__ import annotations

from bot.chat import render
from bot.domain.forms import Question, stored_decimal
from bot.domain.numbers import format_decimal, format_rupiah
from bot.domain.report_flow import Offer, Problem


def shown(question: Question, value: str, lang: str) -> str:
    """How a stored answer reads in the chat: "Rp12.300.000", "Ya", "1.250"."""
    if question.kind == "amount":
        amount = stored_decimal(value)
        return format_rupiah(amount) if amount is not None else value
    if question.kind == "yesno":
        return render.text(lang, "report_flow.yes_no", value=value)
    if question.kind == "integer":
        number = stored_decimal(value)
        return format_decimal(number, 0) if number is not None else value
    for option in question.options:
        if option.id == value:
            return option.label_id if lang == "id" else option.label_en
    return value


def shown_or_blank(question: Question, value: str | None, lang: str) -> str:
    """`shown`, or "belum diisi" for a question not answered."""
    return render.text(lang, "report_flow.not_filled") if value is None else shown(question, value, lang)


def echo(question: Question, value: str, lang: str) -> str:
    """ "Kas: Rp12.300.000"."""
    return render.text(lang, "report_flow.echo", label=question.short(lang), value=shown(question, value, lang))


def problem(event: Problem, lang: str) -> str:
    """The friendly re-ask for a problem."""
    return render.text(lang, "report_flow.problem", code=event.code, example=event.example)


def offer(option: Offer, question: Question | None, lang: str) -> str:
    """The label of a button: same/keep show the stored answer of `question` (the one asked), edit its section."""
    value = option.value
    if value is not None and question is not None and option.word in ("same", "keep"):
        value = shown(question, value, lang)
    return render.text(lang, "report_flow.option", word=option.word, value=value)
