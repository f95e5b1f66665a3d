"""`askable` keeps the last question tuple's askable questions: the same list as working them out each time, for
every profile's questions, with and without the questions asked only by the checks answered (and with the question
being asked counted as answered, as the question's numbers are worked out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain import report_checks
from bot.domain.forms import Profile, Question, load_form, questions_for
from bot.domain.report_flow.prompts import _askable, askable
from bot.domain.report_flow.state import Progress


def worked_out(questions: Sequence[Question], answers: Mapping[str, str]) -> list[Question]:
    """`askable` as it was: the questions not computed, and those asked only by the checks when answered."""
    derived = report_checks.derivable(questions)
    return [q for q in questions if q.key not in derived and (not q.only_when_asked_by_checks or q.key in answers)]


def test_askable_is_the_questions_worked_out_each_time() -> None:
    form = load_form()
    profiles = [Profile("ksp"), Profile("kkmp"), Profile("ksp", frozenset({"pesantren"}), True), Profile("konsumen")]
    tuples = [
        tuple(questions_for(form, profile, management, compliance, by_checks))
        for profile in profiles
        for management, compliance, by_checks in ((False, False, False), (True, True, True), (True, False, True))
    ]
    sometimes = [q.key for q in form.questions if q.only_when_asked_by_checks]
    assert sometimes  # the form has such questions
    for questions in [*tuples, *tuples[::-1], list(tuples[0])]:  # each new, then again, then as a list
        for answers in ({}, {"cash": "1"}, {k: "1" for k in sometimes}, {sometimes[0]: "", "cash": "2"}):
            progress = Progress(answers=dict(answers))
            assert askable(questions, progress) == worked_out(questions, answers)
            assert askable(questions) == worked_out(questions, {})
            assert askable(questions, progress) is not askable(questions, progress)  # a list of its own each call
            for also in (questions[0].key, questions[-1].key, sometimes[0], "cash"):  # the question being asked
                assert _askable(questions, answers, also) == worked_out(questions, {**answers, also: ""})
