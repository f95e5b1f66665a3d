"""Carrying the yearly answers forward (§8.3): the plan of one report, and "Masih sama?" per sub-aspect."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from bot.domain.carry import Plan, StoredAnswer, plan
from bot.domain.forms import Profile, Question, load_form, questions_for, wording_hash
from bot.domain.health.keys import MANAGEMENT_SUBS
from bot.domain.report_flow import (
    Accepted,
    Ask,
    ConfirmGroup,
    Context,
    GroupDecided,
    Problem,
    Progress,
    Step,
    Submitted,
    Summary,
    UserInput,
    advance,
    forget_carried,
    resume,
    start,
)
from tests.domain.report_flow.worded import label, labels, message, shown

FORM = load_form()
EVERY = questions_for(FORM, Profile("ksp"), include_management=True, include_compliance=True)
MONTHLY = [q for q in EVERY if not q.yearly]
MANAGEMENT = [q for q in EVERY if q.key.startswith("management.")]
QUESTIONS = MONTHLY + MANAGEMENT
COMPUTED = {"total_assets", "gross_surplus", "surplus_before_tax"}  # from the other figures, never asked
# Rp1.000.000 each, and the books add up: assets (cash 4 jt, loans 2 jt each, 6 lines) = liabilities + equity + risk
# reserve 14 jt; problem loans 3 jt within loans 4 jt.
LARGER = {"cash": "4000000", "loans_to_members": "2000000", "loans_to_non_members": "2000000"}
FIGURES = {q.key: LARGER.get(q.key, "1000000") for q in MONTHLY if q.key not in COMPUTED}
NO = {"management.general.3", "management.general.7", "management.assets.2"}
CARRIED = {q.key: "tidak" if q.key in NO else "ya" for q in MANAGEMENT}
CONTEXT = Context(previous=CARRIED, carried=CARRIED)


def stored(value: str = "ya", period: str = "2026-09", question: Question | None = None) -> StoredAnswer:
    return StoredAnswer(value, period, wording_hash(question) if question else None)


def press(step: Step, option: str, context: Context = CONTEXT, questions: Sequence[Question] = QUESTIONS) -> Step:
    return advance(questions, step.progress, UserInput.choose(option), context)


def say(step: Step, text: str, context: Context = CONTEXT, questions: Sequence[Question] = QUESTIONS) -> Step:
    return advance(questions, step.progress, UserInput.text(text), context)


def only(step: Step, kind: type[ConfirmGroup] | type[Ask] | type[Summary]) -> ConfirmGroup | Ask | Summary:
    [found] = [e for e in step.events if isinstance(e, kind)]
    return found


def confirm(step: Step) -> ConfirmGroup:
    found = only(step, ConfirmGroup)
    assert isinstance(found, ConfirmGroup)
    return found


def ask(step: Step) -> Ask:
    found = only(step, Ask)
    assert isinstance(found, Ask)
    return found


# ---------------------------------------------------------------- the form's sub-aspects


def test_each_management_item_belongs_to_its_sub_aspect_and_compliance_to_none() -> None:
    assert [g.id for g in FORM.groups] == [f"management.{sub}" for sub in MANAGEMENT_SUBS]
    assert [g.title_id for g in FORM.groups][:2] == ["Manajemen umum", "Kelembagaan"]
    sizes = {g.id: sum(q.group == g for q in FORM.questions) for g in FORM.groups}
    assert list(sizes.values()) == [12, 6, 5, 10, 5]
    assert all(q.group is None for q in FORM.questions if not q.key.startswith("management."))
    assert all(q.yearly == (q.section.id in ("manajemen", "kepatuhan")) for q in FORM.questions)


def test_the_wording_hash_follows_the_indonesian_wording() -> None:
    item = FORM.question("management.general.1")
    assert len(wording_hash(item)) == 16 and wording_hash(item) == wording_hash(item)
    assert wording_hash(replace(item, label_id=item.label_id + " Tertulis?")) != wording_hash(item)
    assert wording_hash(replace(item, label_en="Other words")) == wording_hash(item)


# ---------------------------------------------------------------- the plan of one report


def test_fresh_answers_are_confirmed_per_sub_aspect_and_fresh_compliance_is_carried_silently() -> None:
    answers = {q.key: stored(question=q) for q in EVERY if q.yearly}
    found = plan(EVERY, answers, "2026-10")
    assert set(found.carried) == {q.key for q in MANAGEMENT}
    assert set(found.asked) == {q.key for q in MANAGEMENT}  # compliance facts are not asked while fresh
    assert found.previous == {k: "ya" for k in answers}
    assert [q.key for q in found.questions(EVERY)] == [q.key for q in QUESTIONS]


def test_never_answered_stale_and_reworded_items_are_asked() -> None:
    general_1, general_2, general_3 = (FORM.question(f"management.general.{n}") for n in (1, 2, 3))
    answers = {
        general_1.key: stored("tidak", "2025-10"),  # answered 12 months before: stale
        general_2.key: StoredAnswer("ya", "2026-09", "0123456789abcdef"),  # answered to other wording
        general_3.key: stored("ya", "2025-11", general_3),  # 11 months: still fresh
        "compliance.nib": stored("ya", "2025-09"),
    }
    found = plan(EVERY, answers, "2026-10")
    assert found.carried == {general_3.key: "ya"}
    assert found.previous == {general_1.key: "tidak", general_3.key: "ya", "compliance.nib": "ya"}
    asked = set(found.asked)
    assert {general_1.key, general_2.key, general_3.key, "management.general.4", "compliance.nib"} <= asked
    assert "compliance.npwp" in asked  # never answered


def test_a_full_re_ask_asks_every_yearly_item_and_offers_the_stored_answers() -> None:
    answers = {q.key: stored(question=q) for q in EVERY if q.yearly}
    found = plan(EVERY, answers, "2026-10", full=True)
    assert found.full and found.carried == {}
    assert set(found.asked) == set(answers) and found.previous == {k: "ya" for k in answers}
    assert Plan.from_json(json.loads(json.dumps(found.to_json()))) == found
    assert Plan().questions(EVERY) == MONTHLY


# ---------------------------------------------------------------- "Masih sama?" in the engine


def test_all_sub_aspects_still_the_same_keep_every_answer_in_five_steps() -> None:
    step = start(QUESTIONS, CONTEXT, prefilled=FIGURES)
    first = confirm(step)
    assert (first.group.id, first.first_in_section, first.section_index, first.section_total) == (
        "management.general", True, 4, 4,
    )  # fmt: skip
    assert (first.yes, len(first.items), first.remaining) == (10, 12, 0)
    assert [(i.number, i.value) for i in first.items if i.value == "tidak"] == [(3, "tidak"), (7, "tidak")]
    assert [(o.id, label(o)) for o in first.options] == [("still", "Masih sama"), ("changed", "Ada perubahan")]
    assert all(len(label(o)) <= 20 for o in first.options)
    assert step.progress.stage == "confirm_group" and step.progress.current == "management.general.1"
    for n, sub in enumerate(MANAGEMENT_SUBS):
        assert confirm(step).group.id == f"management.{sub}" and confirm(step).first_in_section == (n == 0)
        step = press(step, "still")
        [decided] = [e for e in step.events if isinstance(e, GroupDecided)]
        assert decided.group.id == f"management.{sub}" and not decided.changed
    assert step.progress.stage == "summary"
    assert {k: step.progress.answers[k] for k in CARRIED} == CARRIED
    assert set(step.progress.carried) == set(CARRIED)
    submitted = next(e for e in press(step, "submit").events if isinstance(e, Submitted))
    assert set(submitted.carried) == set(CARRIED) and submitted.answers["management.general.3"] == "tidak"


def test_something_changed_asks_the_items_each_offering_its_stored_answer() -> None:
    step = press(start(QUESTIONS, CONTEXT, prefilled=FIGURES), "changed")
    [decided] = [e for e in step.events if isinstance(e, GroupDecided)]
    assert decided.changed and decided.kept == ()
    first = ask(step)
    assert first.question.key == "management.general.1" and shown(first.question, first.previous_value) == "Ya"
    assert [o.id for o in first.options] == ["yes", "no", "same"]
    assert label(first.options[2], first.question) == "Sama seperti bulan lalu (Ya)"
    for n in range(1, 13):
        assert ask(step).question.key == f"management.general.{n}"
        step = say(step, "ya") if n == 3 else press(step, "same")
    assert confirm(step).group.id == "management.institutional"
    assert step.progress.answers["management.general.3"] == "ya"
    assert step.progress.answers["management.general.7"] == "tidak"
    assert not any(k.startswith("management.general.") for k in step.progress.carried)
    for _ in range(4):
        step = press(step, "still")
    submitted = next(e for e in press(step, "submit").events if isinstance(e, Submitted))
    assert not any(k.startswith("management.general.") for k in submitted.carried)
    assert len(submitted.carried) == len(CARRIED) - 12


def test_typed_answers_and_a_bad_one_at_still_the_same() -> None:
    step = start(QUESTIONS, CONTEXT, prefilled=FIGURES)
    step = say(step, "entah")
    problem, again = step.events
    assert isinstance(problem, Problem) and problem.code == "expected_still_same"
    assert message(problem) == (
        "Maaf, belum bisa kami baca. Pilih *Masih sama* bila jawabannya tidak berubah, atau *Ada perubahan*."
    )
    assert isinstance(again, ConfirmGroup) and again.group.id == "management.general" and again.problem
    assert step.progress.failures == 1 and step.progress.stage == "confirm_group"
    step = press(step, "yes")  # a button of another question
    assert isinstance(step.events[0], Problem) and step.progress.failures == 2
    step = say(step, "Masih sama")
    assert confirm(step).group.id == "management.institutional" and step.progress.failures == 0
    step = say(step, "ya")
    assert confirm(step).group.id == "management.capital"
    step = say(step, "2")
    assert ask(step).question.key == "management.capital.1"
    step = say(start(QUESTIONS, CONTEXT, prefilled=FIGURES), "tidak")
    assert ask(step).question.key == "management.general.1"
    english = replace(CONTEXT, lang="en")
    step = start(QUESTIONS, english, prefilled=FIGURES)
    assert labels(confirm(step).options, lang="en") == ["Still the same", "Something changed"]
    assert confirm(say(step, "still the same", english)).group.id == "management.institutional"


def test_only_the_fresh_answers_are_confirmed_and_the_rest_asked_after() -> None:
    carried = {k: v for k, v in CARRIED.items() if k != "management.general.12"}
    context = Context(previous=carried, carried=carried)
    step = start(QUESTIONS, context, prefilled=FIGURES)
    assert (len(confirm(step).items), confirm(step).remaining) == (11, 1)
    step = press(step, "still", context)
    assert ask(step).question.key == "management.general.12" and ask(step).previous_value is None
    step = say(step, "tidak", context)
    assert confirm(step).group.id == "management.institutional"
    assert "management.general.12" not in step.progress.carried


def test_the_question_survives_json_resume_and_a_full_re_ask_forgets_what_was_kept() -> None:
    step = press(start(QUESTIONS, CONTEXT, prefilled=FIGURES), "still")
    saved = Progress.from_json(json.loads(json.dumps(step.progress.to_json())))
    assert saved == step.progress and saved.groups_done == ("management.general",)
    again = resume(QUESTIONS, saved, CONTEXT)
    assert confirm(again).group.id == "management.institutional" and again.progress == saved
    plain = forget_carried(saved)
    assert plain.carried == () and plain.groups_done == () and plain.stage == "asking"
    assert not any(k.startswith("management.") for k in plain.answers)
    full = Context(previous=CARRIED)  # a full re-ask: nothing confirmed per sub-aspect
    assert ask(resume(QUESTIONS, plain, full)).question.key == "management.general.1"
    assert forget_carried(Progress()) == Progress()


def test_editing_the_section_from_the_summary_asks_items_and_keeps_them_as_answered() -> None:
    step = start(QUESTIONS, CONTEXT, prefilled=FIGURES)
    for _ in MANAGEMENT_SUBS:
        step = press(step, "still")
    step = press(step, "edit:manajemen")  # the section's numbered lines; one is pressed
    step = press(step, "item:management.general.1")
    assert ask(step).question.key == "management.general.1" and ask(step).editing
    step = press(step, "no")
    assert next(e for e in step.events if isinstance(e, Accepted)).value == "tidak"
    assert "management.general.1" not in step.progress.carried and "management.general.2" in step.progress.carried
