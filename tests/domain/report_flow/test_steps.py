"""The report step engine, walked like a chat transcript."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.forms import Profile, Question, load_form, questions_for
from bot.domain.report_flow import (
    PROBLEM_CODES,
    Ask,
    AskReason,
    Cancelled,
    ConfirmChange,
    Context,
    Event,
    HelpRequested,
    NeedHelp,
    Paused,
    Problem,
    Progress,
    SectionList,
    Step,
    SubmitRefused,
    Submitted,
    Summary,
    UserInput,
    advance,
    resume,
    start,
)
from tests.domain.report_flow.worded import accepted, label, labels, message, shown

FORM = load_form()
KSP = questions_for(FORM, Profile("ksp"), include_management=False)
KSP_YEARLY = questions_for(FORM, Profile("ksp"), include_management=True, include_compliance=True)
KONSUMEN = questions_for(FORM, Profile("konsumen"), include_management=False, include_compliance=True)
ID = Context()
# Every other amount 1.000.000: the books balance (assets 808 jt = liabilities + equity + risk reserve 808 jt).
SPECIAL = {"loans_to_members": "800 jt", "voluntary_savings": "795 jt"}


def say(questions: Sequence[Question], step: Step, text: str, context: Context = ID) -> Step:
    return advance(questions, step.progress, UserInput.text(text), context)


def press(questions: Sequence[Question], step: Step, option: str, context: Context = ID) -> Step:
    return advance(questions, step.progress, UserInput.choose(option), context)


def last_ask(step: Step) -> Ask:
    found = [e for e in step.events if isinstance(e, Ask)]
    assert found, step.events
    return found[-1]


E = TypeVar("E", bound=Event)


def of(step: Step, kind: type[E]) -> list[E]:
    return [e for e in step.events if isinstance(e, kind)]


def answer_all(questions: Sequence[Question], step: Step, answers: Mapping[str, str], context: Context = ID) -> Step:
    """Answer every Ask until the summary: `answers` by key, else 1.000.000 (amounts) or ya."""
    for _ in range(500):
        if step.progress.stage != "asking":
            return step
        question = last_ask(step).question
        default = "1.000.000" if question.kind == "amount" else "ya"
        step = say(questions, step, answers.get(question.key, default), context)
    raise AssertionError("the report never reached the summary")


def test_a_whole_ksp_report_to_submitted() -> None:
    step = start(KSP, ID)
    ask = last_ask(step)
    # 21 lines of the balance sheet: its total is computed from them, never asked
    assert (ask.question.key, ask.number, ask.total, ask.section_index, ask.section_total) == ("cash", 1, 21, 1, 3)
    assert ask.options == ()
    step = say(KSP, step, "12,3jt")
    assert accepted(step.events) == [("cash", "12300000", "Kas: Rp12.300.000")]
    assert last_ask(step).question.key == "bank"
    step = answer_all(KSP, step, {**SPECIAL, "voluntary_savings": "806,3 jt"})
    summary = of(step, Summary)[0]
    assert isinstance(summary, Summary)
    assert [s.title for s in summary.sections] == ["Neraca", "Pinjaman", "SHU"]
    assert summary.answered == summary.total == 36 and not summary.blocking and not summary.warnings
    computed = [(i.key, i.value) for s in summary.sections for i in s.items if i.computed]
    assert computed == [("total_assets", "819300000"), ("gross_surplus", "1000000"), ("surplus_before_tax", "-1000000")]
    assert [o.id for o in summary.options] == ["submit", "edit:neraca", "edit:pinjaman", "edit:shu", "cancel"]
    assert shown(summary.sections[0].items[0].question, summary.sections[0].items[0].value) == "Rp12.300.000"
    step = press(KSP, step, "submit")
    submitted = of(step, Submitted)[0]
    assert isinstance(submitted, Submitted)
    assert submitted.answers["cash"] == "12300000"
    assert submitted.answers["total_assets"] == "819300000"  # computed and sent with the answers
    assert len(submitted.answers) == 39 and step.progress.stage == "done"
    assert isinstance(say(KSP, step, "halo").events[0], Problem)


def test_transcript_with_a_problem_then_a_good_answer() -> None:
    step = start(KSP, Context(previous={"cash": "11200000"}))
    assert shown(last_ask(step).question, last_ask(step).previous_value) == "Rp11.200.000"
    assert labels(last_ask(step).options, last_ask(step).question) == ["Sama seperti bulan lalu"]
    step = say(KSP, step, "dua juta")
    problem = of(step, Problem)[0]
    assert isinstance(problem, Problem)
    assert problem.code == "words"
    assert message(problem) == "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya 12.500.000 atau 12,5 jt."
    assert last_ask(step).problem == "words" and last_ask(step).question.key == "cash"
    step = say(KSP, step, "2 jt")
    assert accepted(step.events) == [("cash", "2000000", "Kas: Rp2.000.000")]


def test_same_keeps_last_value() -> None:
    context = Context(previous={"cash": "11200000", "bank": "48000000"})
    step = start(KSP, context)
    step = say(KSP, step, "Sama", context)
    assert accepted(step.events) == [("cash", "11200000", "Kas: Rp11.200.000")]
    step = press(KSP, step, "same", context)
    assert step.progress.answers["bank"] == "48000000"
    step = press(KSP, step, "same", context)  # placements: no figure last month
    problem = of(step, Problem)[0]
    assert (problem.code, problem.question, problem.example, message(problem)) == (
        "no_previous", last_ask(step).question, "25 jt, atau 0 bila tidak ada",
        "Maaf, belum ada angka bulan lalu. Tulis angkanya, misalnya 25 jt, atau 0 bila tidak ada.",
    )  # fmt: skip


def test_a_big_change_asks_for_confirmation() -> None:
    context = Context(previous={"cash": "10000000"})
    step = start(KSP, context)
    step = say(KSP, step, "16 jt", context)
    confirm = of(step, ConfirmChange)[0]
    assert isinstance(confirm, ConfirmChange)
    assert (shown(confirm.question, confirm.old), shown(confirm.question, confirm.new), confirm.change_pct) == (
        "Rp10.000.000",
        "Rp16.000.000",
        Decimal(60),
    )
    assert "cash" not in step.progress.answers and step.progress.stage == "confirm_change"
    restored = Progress.from_json(json.loads(json.dumps(step.progress.to_json())))
    assert restored == step.progress
    no = say(KSP, step, "tidak", context)
    assert last_ask(no).question.key == "cash" and "cash" not in no.progress.answers
    yes = press(KSP, step, "yes", context)
    assert yes.progress.answers["cash"] == "16000000" and last_ask(yes).question.key == "bank"
    other = say(KSP, step, "14 jt", context)  # a new amount instead of yes/no: within 50%, accepted
    assert other.progress.answers["cash"] == "14000000"
    small = say(KSP, start(KSP, context), "15 jt", context)
    assert small.progress.answers["cash"] == "15000000"


def test_books_that_do_not_balance_cannot_be_sent_and_one_figure_is_corrected() -> None:
    step = answer_all(KSP, start(KSP, ID), {**SPECIAL, "loans_substandard": "900 jt", "voluntary_savings": "800 jt"})
    summary = of(step, Summary)[0]
    assert {f.id for f in summary.blocking} == {"balance_sheet", "problem_loans_within_loans"}
    balance = next(f for f in summary.blocking if f.id == "balance_sheet")
    assert [balance.left, balance.right, balance.difference] == [Decimal(n) * 1_000_000 for n in (808, 813, 5)]
    refused = press(KSP, step, "submit")
    assert isinstance(refused.events[0], SubmitRefused) and refused.progress.stage == "summary"
    number = summary.numbers["voluntary_savings"]
    ask = last_ask(say(KSP, step, f"ubah {number}"))
    assert ask.question.key == "voluntary_savings" and [o.id for o in ask.options] == ["keep", "back"]
    step = say(KSP, say(KSP, step, f"ubah {number}"), "795 jt")
    summary = of(step, Summary)[0]  # straight back to the summary
    assert [f.id for f in summary.blocking] == ["problem_loans_within_loans"]
    step = say(KSP, say(KSP, step, f"ubah {summary.numbers['loans_substandard']}"), "9 jt")
    assert isinstance(press(KSP, step, "submit").events[0], Submitted)


def test_a_likely_typo_is_asked_back_once_and_a_warning_needs_a_reason() -> None:
    context = Context(previous={"cash": "40000000"})
    step = say(KSP, start(KSP, context), "40.000.000.000", context)  # a thousand times last month
    confirm = of(step, ConfirmChange)[0]
    assert confirm.finding is not None and confirm.finding.kind == "typo" and confirm.finding.pct == 1000
    step = press(KSP, step, "yes", context)
    assert step.progress.answers["cash"] == "40000000000" and step.progress.confirmed == {"typo:cash": ""}
    step = answer_all(KSP, step, {**SPECIAL, "voluntary_savings": "40.794.000.000"}, context)
    assert not of(step, Summary)[0].blocking and not of(step, Summary)[0].warnings  # confirmed as it was asked
    step = say(KSP, start(KSP, context, prefilled=step.progress.answers), "kirim", context)
    ask = of(step, AskReason)[0]  # not confirmed in this report: asked for a reason at *Kirim*
    assert [w.id for w in ask.warnings] == ["typo:cash"] and step.progress.stage == "reason"
    assert of(say(KSP, step, "ok", context), AskReason)[0].problem == "reason_short"
    done = say(KSP, step, "Dana hibah masuk", context)
    submitted = of(done, Submitted)[0]
    assert submitted.confirmed == {"typo:cash": "Dana hibah masuk"}


def test_three_failures_offer_help_and_a_way_out() -> None:
    step = start(KSP, ID)
    step = say(KSP, step, "")
    step = say(KSP, step, "😀")
    assert not of(step, NeedHelp)
    step = say(KSP, step, "banyak")
    help_ = of(step, NeedHelp)
    assert len(help_) == 1 and not of(step, Ask)
    assert [o.id for o in help_[0].options] == ["skip", "pause", "help"]
    assert isinstance(press(KSP, step, "pause").events[0], Paused)
    assert isinstance(press(KSP, step, "help").events[0], HelpRequested)
    skipped = press(KSP, step, "skip")
    assert skipped.progress.skipped == ("cash",) and last_ask(skipped).question.key == "bank"
    done = answer_all(KSP, skipped, {**SPECIAL, "voluntary_savings": "794 jt"})
    summary = of(done, Summary)[0]
    assert isinstance(summary, Summary)
    assert (
        summary.answered == 35
        and shown(summary.sections[0].items[0].question, summary.sections[0].items[0].value) == "belum diisi"
    )
    submitted = press(KSP, done, "submit").events[0]
    assert isinstance(submitted, Submitted) and submitted.skipped == ("cash",) and "cash" not in submitted.answers


def test_edit_a_section_from_the_summary() -> None:
    step = answer_all(KSP, start(KSP, ID), SPECIAL)
    step = say(KSP, step, "ubah pinjaman")
    listed = of(step, SectionList)[0]  # the section's numbered lines, not a walk through all of them
    assert [(i.key, i.number) for i in listed.section.items][:2] == [
        ("loans_to_members", 22),
        ("loans_to_non_members", 23),
    ]
    assert [o.id for o in listed.options][:2] == ["item:loans_to_members", "item:loans_to_non_members"]
    ask = last_ask(say(KSP, step, "23"))
    assert ask.question.key == "loans_to_non_members" and ask.editing
    step = say(KSP, say(KSP, step, "23"), "2 jt")
    assert step.progress.answers["loans_to_non_members"] == "2000000"
    assert of(step, Summary) and step.progress.editing is None
    step = press(KSP, step, "item:cash")  # pressing a line
    step = press(KSP, step, "back")
    assert of(step, Summary) and step.progress.stage == "summary"
    assert say(KSP, step, "3").progress.listing == "pinjaman"  # numbered: Kirim, Ubah Neraca, Ubah Pinjaman, ...


def test_summary_refuses_what_it_does_not_know() -> None:
    step = answer_all(KSP, start(KSP, ID), SPECIAL)
    for text in ["", "mungkin", "ubah toko", "99", "ubah 999", "ubah 0"]:
        reply = say(KSP, step, text)
        assert isinstance(reply.events[0], Problem) and isinstance(reply.events[1], Summary)
        assert reply.progress == step.progress
    assert isinstance(press(KSP, step, "edit:nope").events[0], Problem)
    cancelled = say(KSP, step, "batal")
    assert isinstance(cancelled.events[0], Cancelled) and cancelled.events[0].kept_answers == step.progress.answers


def test_bad_answers_give_problems_and_keep_earlier_answers() -> None:
    step = say(KSP, start(KSP, ID), "12,3 jt")
    before = dict(step.progress.answers)
    cases = {
        "": "empty",
        "5" * 5000: "too_long",
        "🙂🙂": "words",
        "satu juta": "words",
        "-5.000": "negative",
        "12.5": "ambiguous",
        "2m": "ambiguous_unit",
    }
    for text, code in cases.items():
        reply = say(KSP, step, text)
        assert [e.code for e in of(reply, Problem)] == [code], text
        assert reply.progress.answers == before
        assert code in PROBLEM_CODES
    assert isinstance(press(KSP, step, "edit:neraca").events[0], Problem)  # a stale summary button
    assert isinstance(press(KSP, step, "keep").events[0], Problem)


def test_negative_where_allowed() -> None:
    step = start(KSP, ID, prefilled={q.key: "1000000" for q in KSP if q.key != "undistributed_surplus"})
    assert last_ask(step).question.key == "undistributed_surplus"
    step = say(KSP, step, "-2,5 jt")
    assert accepted(step.events) == [("undistributed_surplus", "-2500000", "SHU belum dibagi: -Rp2.500.000")]


def test_yes_no_questions() -> None:
    management = [q for q in KSP_YEARLY if q.section.id in ("manajemen", "kepatuhan")]
    context = Context(previous={"management.general.1": "ya"})
    step = start(management, context)
    ask = last_ask(step)
    assert [o.id for o in ask.options] == ["yes", "no", "same"]
    assert label(ask.options[2], ask.question) == "Sama seperti bulan lalu (Ya)"
    assert isinstance(say(management, step, "12", context).events[0], Problem)
    assert of(say(management, step, "12", context), Problem)[0].code == "expected_yes_no"
    step = say(management, step, "3", context)  # the third option: same as last month
    assert step.progress.answers == {"management.general.1": "ya"}
    step = say(management, step, "2", context)
    assert step.progress.answers["management.general.2"] == "tidak"
    step = say(management, step, "Sudah, bu", context)
    assert accepted(step.events)[0] == ("management.general.3", "ya", "Manajemen umum 3: Ya")
    step = press(management, step, "no", context)
    assert step.progress.answers["management.general.4"] == "tidak"


def test_english_context() -> None:
    context = Context(lang="en")
    step = start(KONSUMEN, context)
    assert last_ask(step).question.label(context.lang) == "Inventory"
    step = say(KONSUMEN, step, "dua juta", context)
    assert message(of(step, Problem)[0], context.lang).startswith("Sorry, we could not read that.")


def test_progress_survives_json_and_resume() -> None:
    step = say(KSP, say(KSP, start(KSP, ID), "1 jt"), "xx")
    raw = json.loads(json.dumps(step.progress.to_json()))
    restored = Progress.from_json(raw)
    assert restored == step.progress
    again = resume(KSP, restored, ID)
    assert last_ask(again).question.key == "bank"
    summary = answer_all(KSP, step, SPECIAL)
    assert isinstance(resume(KSP, summary.progress, ID).events[0], Summary)
    shorter = [q for q in KSP if q.key != "bank"]  # the form changed while the officer was away
    assert last_ask(resume(shorter, restored, ID)).question.key == "placements"


def test_konsumen_checks_and_indicative_keys() -> None:
    answers = {
        "sales": "100 jt",
        "sales_to_members": "120 jt",
        "indicative.total_assets": "1 M",
        "current_assets": "10 jt",
    }
    step = answer_all(KONSUMEN, start(KONSUMEN, ID), answers)
    summary = of(step, Summary)[0]
    assert [f.id for f in summary.blocking] == ["sales_to_members_within_sales"]
    assert isinstance(press(KONSUMEN, step, "submit").events[0], SubmitRefused)
    step = say(KONSUMEN, say(KONSUMEN, step, f"ubah {summary.numbers['sales_to_members']}"), "80 jt")
    step = press(KONSUMEN, step, "submit")
    submitted = step.events[0]
    assert isinstance(submitted, Submitted)
    assert submitted.answers["sales_to_members"] == "80000000"
    assert submitted.answers["compliance.nib"] == "ya"


INPUTS = st.one_of(
    st.text(max_size=30).map(UserInput.text),
    st.sampled_from(
        ["1 jt", "-2 jt", "0", "sama", "tetap", "ya", "tidak", "1", "3", "kirim", "ubah shu", "lewati", "masih sama"]
    ).map(UserInput.text),
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False).map(
        lambda d: UserInput.text(str(d).replace(".", ","))
    ),
    st.sampled_from(
        ["same", "keep", "yes", "no", "skip", "pause", "help", "back", "edit:pinjaman", "still", "changed", "x" * 48]
    ).map(UserInput.choose),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(INPUTS, max_size=60), st.booleans())
def test_random_inputs_never_raise_nor_change_settled_answers(inputs: list[UserInput], with_previous: bool) -> None:
    questions = KSP[:8] + KONSUMEN[:4] + [q for q in KSP_YEARLY if q.key.startswith("management.liquidity")]
    carried = {"management.liquidity.1": "ya", "management.liquidity.2": "tidak"} if with_previous else {}
    context = Context(previous={"cash": "1000000", "bank": "5000000", **carried}, carried=carried)
    step = start(questions, context)
    for user_input in inputs:
        before = step.progress
        step = advance(questions, before, user_input, context)
        assert step.events
        after = step.progress
        for key, value in before.answers.items():
            if key != before.current:
                assert after.answers.get(key) == value, (key, user_input)
        assert Progress.from_json(json.loads(json.dumps(after.to_json()))) == after
        if after.stage in ("done", "cancelled"):
            break
    assert isinstance(step.progress.answers, dict)


def test_malformed_progress_is_refused() -> None:
    bad: list[dict[str, Any]] = [
        {"stage": "flying"},
        {"answers": {"cash": 5}},
        {"failures": None},
        {"current": 3},
        {"answers": []},
    ]
    for raw in bad:
        with pytest.raises(ValueError):
            Progress.from_json(raw)
    assert Progress.from_json({}) == Progress()


def test_amount_answers_are_stored_without_grouping() -> None:
    step = say(KSP, start(KSP, ID), "Rp 1.250.000,50")
    assert step.progress.answers["cash"] == "1250000.50"
    assert Decimal(step.progress.answers["cash"]) == Decimal("1250000.5")
