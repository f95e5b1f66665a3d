"""The report service without a chat: draft, submit (stored, audited, scored), correct, read; on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.domain.health import keys
from bot.domain.periods import Period
from bot.services.reports import BlockingProblems, NotAllowed
from storage.db import Database
from storage.repositories import Repositories
from tests.handlers.chat import NOW
from tests.services.common import audit, cooperative_with_officers, ksp_answers, meanwhile, services

OCTOBER = Period(2026, 10)
SEPTEMBER = Period(2026, 9)


async def test_a_new_report_opens_empty_and_a_draft_is_resumed_with_who_wrote_it(db: Database) -> None:
    coop, (siti, budi) = await cooperative_with_officers(db)
    async with services(db) as s:
        opened = await s.reports.open(coop, OCTOBER)
        assert (opened.status, opened.draft, opened.latest, opened.draft_officer_id) == ("draft", {}, None, None)
        await s.reports.save_draft(coop, OCTOBER, {"cash": "40000000"}, officer_id=siti, at=NOW)
    later = NOW + timedelta(hours=2)
    async with services(db) as s:
        resumed = await s.reports.open(coop, OCTOBER)
        assert resumed.draft == {"cash": "40000000"} and not resumed.submitted
        assert (resumed.draft_officer_name, resumed.draft_updated_at) == ("Bu Siti", NOW)
        await s.reports.save_draft(coop, OCTOBER, {"cash": "40000000", "bank": "60000000"}, officer_id=budi, at=later)
    async with services(db) as s:
        resumed = await s.reports.open(coop, OCTOBER)
        assert resumed.draft == {"cash": "40000000", "bank": "60000000"}
        assert (resumed.draft_officer_id, resumed.draft_officer_name, resumed.draft_updated_at) == (
            budi,
            "Pak Budi",
            later,
        )
        assert await s.reports.open(coop, SEPTEMBER) != resumed  # each period has its own report


async def test_submit_stores_the_revision_the_yearly_answers_an_audit_entry_and_the_scores(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    answers = ksp_answers()
    async with services(db) as s:
        await s.reports.save_draft(coop, OCTOBER, {"cash": "1"}, officer_id=siti, at=NOW)
        submitted = await s.reports.submit(coop, OCTOBER, answers, officer_id=siti, at=NOW, reason="ignored")
    assert (submitted.period, submitted.revision, submitted.at, submitted.correction) == (OCTOBER, 1, NOW, False)
    [perdep] = submitted.scored
    assert perdep.framework == keys.PERDEP and perdep.result is not None and perdep.problems == ()

    async with services(db) as s:
        report = await s.reports.open(coop, OCTOBER)
        assert report.submitted and report.draft == {} and report.draft_officer_id is None
        assert report.latest is not None
        latest = report.latest
        assert (latest.number, latest.at, latest.officer_id, latest.officer_name) == (1, NOW, siti, "Bu Siti")
        assert latest.reason is None  # a first submission is no correction: no reason kept
        assert latest.figures["cash"] == "40000000" and latest.figures["total_assets"] == "2000000000"
        assert not any(k.startswith(("management.", "compliance.")) for k in latest.figures)
        yearly = await s.reports.management_answers(coop)
        assert len(yearly) == 43 and all(yearly.values())
        carried = await s.reports.carried_answers(coop)
        assert carried["management.general.1"].value == "ya" and carried["management.general.1"].period == "2026-10"
        assert carried["management.general.1"].wording is not None
        [stored] = await s.reports.history(coop)
        assert (stored.period, stored.framework, stored.provisional, stored.official) == (
            "2026-10",
            keys.PERDEP,
            True,
            False,
        )
        assert stored.total == perdep.result.to_dict()["total"] and isinstance(stored.total, Decimal)
        assert stored.category is not None
    [entry] = await audit(db, "report.submitted")
    assert entry.actor == f"officer:{siti}" and entry.data == {"revision": 1}


async def test_carried_yearly_answers_keep_the_date_they_were_given(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with services(db) as s:
        await s.reports.submit(coop, SEPTEMBER, ksp_answers(), officer_id=siti, at=NOW - timedelta(days=31))
    answers = ksp_answers()
    carried = {k for k in answers if k.startswith("management.general.")}
    answers["management.finance.1"] = "tidak"
    async with services(db) as s:
        await s.reports.submit(coop, OCTOBER, answers, officer_id=siti, at=NOW, carried=carried)
        stored = await s.reports.carried_answers(coop)
    assert stored["management.general.1"].period == "2026-09"  # confirmed "Masih sama": still dated September
    assert (stored["management.finance.1"].value, stored["management.finance.1"].period) == ("tidak", "2026-10")


async def test_last_periods_figures_and_total_come_from_the_latest_report_before(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with services(db) as s:
        assert await s.reports.previous_figures(coop, OCTOBER) == {}
        assert await s.reports.previous_total(coop, OCTOBER) is None
        september = await s.reports.submit(coop, SEPTEMBER, ksp_answers(), officer_id=siti, at=NOW)
    async with services(db) as s:
        before = await s.reports.previous_figures(coop, OCTOBER)
        assert before["cash"] == "40000000" and await s.reports.previous_figures(coop, SEPTEMBER) == {}
        result = september.scored[0].result
        assert result is not None and await s.reports.previous_total(coop, OCTOBER) == result.to_dict()["total"]


async def test_a_correction_starts_from_the_latest_revision_and_keeps_its_reason(db: Database) -> None:
    coop, (siti, budi) = await cooperative_with_officers(db)
    async with services(db) as s:
        assert await s.reports.correction(coop) is None  # nothing sent yet: nothing to correct
        await s.reports.submit(coop, OCTOBER, ksp_answers(), officer_id=siti, at=NOW)
    async with services(db) as s:
        report = await s.reports.correction(coop)
        assert report is not None and report.period == OCTOBER and report.latest is not None
        figures = {**report.latest.figures, "cash": "45000000", "bank": "55000000"}  # the books still balance
        await s.reports.save_draft(coop, OCTOBER, figures, officer_id=budi, at=NOW)
        assert (await s.reports.open(coop, OCTOBER)).draft["cash"] == "45000000"
        corrected = await s.reports.submit(
            coop, OCTOBER, figures, officer_id=budi, at=NOW + timedelta(hours=1), reason="kas salah ketik"
        )
    assert (corrected.revision, corrected.correction) == (2, True)
    async with services(db) as s:
        report = await s.reports.open(coop, OCTOBER)
        assert report.latest is not None
        assert (report.latest.number, report.latest.reason, report.latest.officer_name) == (
            2,
            "kas salah ketik",
            "Pak Budi",
        )
        assert report.latest.figures["cash"] == "45000000" and report.draft == {}
        assert len(await s.reports.history(coop)) == 1  # one period, its latest assessment
    assert [e.data["revision"] for e in await audit(db, "report.submitted")] == [1, 2]


async def test_status_scores_the_latest_report_again(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    async with services(db) as s:
        assert await s.reports.status(coop) is None
        await s.reports.submit(coop, SEPTEMBER, ksp_answers(), officer_id=siti, at=NOW)
        submitted = await s.reports.submit(coop, OCTOBER, ksp_answers(), officer_id=siti, at=NOW)
    async with services(db) as s:
        status = await s.reports.status(coop)
    assert status is not None and status.period == OCTOBER
    assert [(i.framework, i.result) for i in status.scored] == [(i.framework, i.result) for i in submitted.scored]


async def test_an_officer_of_another_cooperative_can_neither_draft_nor_submit(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    _, (stranger,) = await cooperative_with_officers(db, nik="3576010002", names=("Bu Lain",))
    async with services(db) as s:
        with pytest.raises(NotAllowed):
            await s.reports.save_draft(coop, OCTOBER, {"cash": "1"}, officer_id=stranger, at=NOW)
        with pytest.raises(NotAllowed):
            await s.reports.submit(coop, OCTOBER, ksp_answers(), officer_id=stranger, at=NOW)
    async with services(db) as s:
        report = await s.reports.open(coop, OCTOBER)
        assert (report.status, report.draft, report.latest) == ("draft", {}, None)
        assert await s.reports.management_answers(coop) == {} and await s.reports.history(coop) == []
    assert await audit(db, "report.submitted") == []


async def test_submit_refuses_books_that_do_not_add_up_and_stores_nothing(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    wrong = {**ksp_answers(), "gross_surplus": "240000000"}  # typed against its formula (300 jt)
    async with services(db) as s:
        checked = await s.reports.check(coop, OCTOBER, wrong)
        assert [(f.id, f.left, f.right) for f in checked.blocking] == [
            ("derived:gross_surplus", Decimal(240_000_000), Decimal(300_000_000))
        ]
        with pytest.raises(BlockingProblems):
            await s.reports.submit(coop, OCTOBER, wrong, officer_id=siti, at=NOW)
    async with services(db) as s:
        assert not (await s.reports.open(coop, OCTOBER)).submitted
        answers = {k: v for k, v in ksp_answers().items() if k != "gross_surplus"}
        await s.reports.submit(coop, OCTOBER, answers, officer_id=siti, at=NOW)  # computed when not typed
        latest = (await s.reports.open(coop, OCTOBER)).latest
        assert latest is not None and latest.figures["gross_surplus"] == "300000000"


async def test_a_report_opened_by_two_processes_at_once_is_one_report(db: Database) -> None:
    coop, _ = await cooperative_with_officers(db)
    opened: list[int] = []

    async def open_it(repos: Repositories) -> None:
        opened.append((await repos.reports.get_or_create(coop, str(OCTOBER))).id)

    waited = await meanwhile(db, open_it, open_it)  # the second waits for the first's new row (SQLite: its writer)
    assert waited and len(opened) == 2 and len(set(opened)) == 1
    async with services(db) as s:
        assert not (await s.reports.open(coop, OCTOBER)).submitted
