"""The office's forms (a new training, an announcement) on the report's step engine: limits, "none", moments."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.forms import load_form
from bot.domain.report_flow import Ask, Context, Problem, Progress, Step, Submitted, Summary, UserInput, advance, start

NOW = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)  # 10.00 in Jakarta
TRAINING = load_form("new_training").questions
OFFICE = Context(now=NOW, zone="Asia/Jakarta", rules=load_form("new_training").rules, help_every=0, control_words=False)


def answer(progress: Progress, *inputs: str | UserInput, context: Context = OFFICE) -> Step:
    step = Step(progress, ())
    for given in inputs:
        said = given if isinstance(given, UserInput) else UserInput.text(given)
        step = advance(TRAINING, step.progress, said, context)
    return step


def begun() -> Progress:
    return start(TRAINING, OFFICE).progress


def test_every_answer_of_a_training_is_stored_as_plain_text() -> None:
    step = answer(
        begun(), "Bimtek Akuntansi", "klinik", "19-11-2026 09.00", "12.00", "Aula", "tanpa batas", "jenis:ksp",
        UserInput.choose("none"),
    )  # fmt: skip
    assert isinstance(step.events[-1], Summary)
    assert dict(step.progress.answers) == {
        "title": "Bimtek Akuntansi", "kind": "klinik", "start": "2026-11-19T09:00:00+07:00",
        "end": "2026-11-19T12:00:00+07:00", "place": "Aula", "capacity": "", "segment": "jenis:ksp", "deadline": "",
    }  # fmt: skip
    done = answer(step.progress, UserInput.choose("submit"))
    assert isinstance(done.events[-1], Submitted) and done.progress.stage == "done"


def test_a_refused_answer_names_its_problem_and_asks_again_without_the_report_s_help_or_control_words() -> None:
    progress = answer(begun(), "Bimtek Akuntansi", "bimtek").progress
    for text, code in (("kamis depan", "bad_moment"), ("01-11-2026 09.00", "past")):
        step = answer(progress, text)
        assert [type(e) for e in step.events] == [Problem, Ask]
        assert isinstance(step.events[0], Problem) and step.events[0].code == code
    three = answer(progress, "x", "y", "z")  # no "skip / pause / help" after three: the office's form just asks
    assert isinstance(three.events[-1], Ask)
    assert answer(begun(), "lewati").progress.answers == {"title": "lewati"}  # a title, not "skip"
    capacity = answer(progress, "19-11-2026 09.00", "12.00", "Aula").progress
    assert [e.code for e in answer(capacity, "200000").events if isinstance(e, Problem)] == ["out_of_range"]


def test_a_moment_that_no_longer_holds_is_asked_again_before_it_is_saved() -> None:
    summary = answer(begun(), "Judul", "bimtek", "04-11-2026 09.00", "12.00", "Aula", "0", "semua", "-").progress
    later = Context(now=datetime(2026, 11, 5, tzinfo=UTC), zone="Asia/Jakarta", help_every=0, control_words=False)
    step = answer(summary, UserInput.choose("submit"), context=later)
    assert [type(e) for e in step.events] == [Problem, Ask]
    assert isinstance(step.events[1], Ask) and step.events[1].question.key == "start"
    step = answer(step.progress, "19-11-2026 09.00", context=later)  # the end (4 November) is now before it
    assert [type(e).__name__ for e in step.events] == ["Accepted", "Problem", "Ask"]
    assert isinstance(step.events[1], Problem) and step.events[1].code == "before_start"
    assert isinstance(step.events[2], Ask) and step.events[2].question.key == "end"
    assert isinstance(answer(step.progress, "12.00", context=later).events[-1], Summary)
