"""The words of the report engine's events (templates report_flow.j2): re-asks, option labels, answers as shown, and
the problems the checks find (any path can word them: chat, form, workbook)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bot.domain.forms import Question, stored_decimal
from bot.domain.numbers import format_decimal, format_rupiah
from bot.domain.report_checks import Finding
from bot.domain.report_flow import Offer, Problem, SummaryItem
from bot.words import render


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


def finding(
    event: Finding, questions: Mapping[str, Question], numbers: Mapping[str, int], lang: str, figures: bool = True
) -> str:
    """A problem in words with its sums and difference in rupiah; `figures`: name the numbered figures entering it."""
    question = questions.get(event.key)
    label = question.short(lang) if question is not None else event.key
    entering = []
    if figures and event.kind in ("balance", "derived", "parts", "ratio", "fact"):
        entering = [
            render.text(lang, "report_flow.figure", number=numbers.get(k), label=questions[k].short(lang))
            for k in event.keys
            if k in questions and k in numbers
        ]
    return render.text(
        lang,
        "report_flow.finding",
        kind=event.kind,
        rule=event.rule,
        label=label,
        left=event.left,
        right=event.right,
        difference=event.difference,
        pct=event.pct if event.pct is not None else Decimal(0),
        figures=entering,
    )


def line(item: SummaryItem, lang: str) -> str:
    """ "8. Kas Rp40.000.000", or "SHU kotor Rp240.000.000 (dihitung)" for a computed figure."""
    return render.text(
        lang, "report_flow.line", number=item.number, label=item.question.short(lang),
        value=shown_or_blank(item.question, item.value, lang),
    )  # fmt: skip
