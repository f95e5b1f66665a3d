"""The report workbook in words: what is written into it, and its problems by cell (chat and command line)."""

from __future__ import annotations

from bot.chat import report_words
from bot.domain import workbook as layout
from bot.domain.periods import Period
from bot.services.workbooks import MAX_BYTES, Loaded, Refusal, TemplateWords
from bot.words import render


def template_words(lang: str, cooperative: str, period: Period) -> TemplateWords:
    """The words of a workbook in `lang`."""

    def say(name: str, **values: object) -> str:
        return render.text(lang, f"workbook.{name}", **values)

    return TemplateWords(
        title=say("title", cooperative=cooperative, period=str(period)),
        nik=say("nik"),
        period=say("period"),
        item=say("item"),
        value=say("value"),
        previous=say("previous"),
        yes_no=say("yes_no"),
        amount=say("amount"),
    )


def refusal(found: Refusal, lang: str) -> str:
    """Why a workbook was refused whole."""
    limit = f"{MAX_BYTES // 1_000_000} MB"
    return render.text(lang, "workbook.refused", code=found.code, detail=found.detail, limit=limit)


def problem_lines(loaded: Loaded, lang: str) -> list[str]:
    """Every cell that cannot be used, then every blocking problem of the books with the cells entering it."""
    lines = [render.text(lang, "workbook.cell_problem", cell=p.cell, code=p.code) for p in loaded.problems]
    by_key = {q.key: q for q in loaded.questions}
    for finding in loaded.checked.blocking:
        text = report_words.finding(finding, by_key, {}, lang, figures=False)
        cells = [
            render.text(
                lang,
                "workbook.figure",
                cell=layout.cell(layout.VALUE_COLUMN, loaded.rows[k]),
                label=by_key[k].short(lang),
            )
            for k in finding.keys
            if k in loaded.rows and k in by_key
        ]
        if cells:
            text = f"{text} {render.text(lang, 'workbook.entering', figures=cells)}"
        lines.append(text)
    return lines


def _value_cell(row: int) -> str:
    return layout.cell(layout.VALUE_COLUMN, row)
