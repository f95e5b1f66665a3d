"""Message files are compiled when `kopsehat run` starts, not on their first message in the middle of a fan-out."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

from bot.words import render

TEMPLATES = Path(render.__file__).parent / "templates"


def test_every_message_file_of_every_language_is_compiled_by_preload_and_then_renders_at_once() -> None:
    files = {f"{lang}/{path.stem}" for lang in render.LANGS for path in (TEMPLATES / lang).glob("*.j2")}
    assert render.preload() == files
    started = time.thread_time()
    for lang in render.LANGS:
        render.text(lang, "trainings.button_register")
        render.text(lang, "notices.button_report")
    assert time.thread_time() - started < 0.005  # compiled, they cost 10-60 ms each


def test_english_messages_write_scores_with_a_decimal_point() -> None:
    before, delta = Decimal("47.11"), Decimal("2.12")
    assert render.text("en", "status.change", before=before, delta=delta) == "Previous month 47.11, up 2.12."
    assert render.text("id", "status.change", before=before, delta=delta) == "Bulan sebelumnya 47,11, naik 2,12."


def test_a_question_s_last_month_line_does_not_begin_with_a_space() -> None:
    asked = dict(section="Neraca", section_note="", section_index=1, section_total=5, first=False, number=1, total=79)
    asked |= dict(label="Kas", hint="Uang tunai.", example="", current=None, period="2026-11")
    amount = render.text("id", "report.ask", previous="Rp82.658.877", kind="amount", **asked)
    assert amount == "1/79. Kas: Uang tunai.\nBulan lalu: Rp82.658.877."
    yesno = render.text("en", "report.ask", previous="Yes", kind="yesno", **asked)
    assert yesno == "1/79. Kas: Uang tunai.\nAnswer Yes or No. Last month: Yes."


def test_a_resumed_report_with_nothing_left_says_so_and_english_counts_agree() -> None:
    opened = dict(cooperative="KSP Maju", period="2026-11", sections=4, deadline="", resumed=True)
    assert "semua pertanyaan sudah dijawab" in render.text("id", "report.opened", left=0, minutes=1, **opened)
    assert "every question is answered" in render.text("en", "report.opened", left=0, minutes=1, **opened)
    assert "; 1 question left (about 1 minute)." in render.text("en", "report.opened", left=1, minutes=1, **opened)
    fresh = render.text("en", "report.opened", **{**opened, "resumed": False, "sections": 1, "left": 1, "minutes": 1})
    assert "1 question in 1 part, about 1 minute." in fresh
