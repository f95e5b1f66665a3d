"""Issue 16, the demo city: `kopsehat demo` gives the office something real to look at. Its latest assessments, scored
by the real scorer, follow the seeds' city (of 192 cooperatives: 19 Sehat, 68 Cukup Sehat, 32 Dalam Pengawasan,
45 Dalam Pengawasan Khusus, 28 not assessed); histories rise and fall; reports wait for review and a few were sent
back; action plans are open and some overdue; trainings had attendance; nothing is dated after now."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.cli.demo import demo_words
from bot.domain.forms import yearly_due
from bot.domain.health.rules import default_rules
from bot.domain.periods import Period, reporting_period_for
from bot.services.demo import load_demo
from bot.services.office import OfficeService
from bot.services.reports import ReportService
from bot.services.review import ReviewService
from storage.db import Database
from storage.models import (
    ActionPlan,
    Assessment,
    Attendance,
    ManagementAnswer,
    Report,
    ReportReview,
    ReportRevision,
    TrainingSession,
)

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=WIB)  # October's reports have all arrived (the last on the 12th)
SEEDS = {"sehat": 19, "cukup_sehat": 68, "dalam_pengawasan": 32, "dalam_pengawasan_khusus": 45}


def aware(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def test_the_demo_city_reads_as_the_seeds_city(db: Database) -> None:
    async with db.transaction() as repos:
        counts = await load_demo(repos, NOW, words=demo_words("id"))
    assert counts.cooperatives == 192
    async with db.transaction() as repos:
        latest = await repos.assessments.latest_categories()
        assert Counter(latest.values()) == SEEDS
        overview = await OfficeService(repos).overview(None, NOW, "Asia/Jakarta", 10)
        assert str(overview.latest.period) == "2026-10"
        assert {c: overview.latest.both(c) for c in SEEDS} == SEEDS
        assert (overview.latest.indicative_only, overview.latest.not_assessed) == (0, 28)

        histories: dict[int, set[str | None]] = {}
        for coop, category in (
            await repos.session.execute(
                select(Assessment.cooperative_id, Assessment.category).where(Assessment.category.is_not(None))
            )
        ).all():
            histories.setdefault(coop, set()).add(category)
        assert sum(len(seen) > 1 for seen in histories.values()) >= 10  # they rise and fall

        # the yearly questions fall due a year after a cooperative's first report: not for those that joined three
        # months ago, who answer "Masih sama" per sub-aspect in the month now open (October at NOW)
        answered = select(ManagementAnswer.cooperative_id, func.min(ManagementAnswer.answered_at))
        first_answers = (await repos.session.execute(answered.group_by(ManagementAnswer.cooperative_id))).all()
        due = [c for c, at in first_answers if yearly_due(str(reporting_period_for(aware(at), WIB)), "2026-10")]
        assert len(first_answers) == 164 and len(due) <= 41

        # the README's cooperative has the month now reported open (`lapor`), with the month before it sent
        tried = await repos.cooperatives.by_nik("DEMO-0040")
        assert tried is not None
        assert sorted(await repos.reports.submitted_periods(tried.id)) == ["2026-08", "2026-09"]

        # every report could have been sent: a correction opened in chat is not refused for books that do not add up
        reports = ReportService(repos, default_rules())
        sent = select(Report.cooperative_id, Report.period, ReportRevision.figures).join(ReportRevision)
        refused = []
        for cooperative_id, period, figures in (await repos.session.execute(sent)).all():
            answers = {key: str(value) for key, value in figures.items()}
            checked = await reports.check(cooperative_id, Period.parse(period), answers)
            refused += [(cooperative_id, period, finding.id) for finding in checked.blocking]
            if Decimal(answers.get("other_liabilities", "0")) != 0:  # a line the demo has none of stays Rp0
                refused.append((cooperative_id, period, "other_liabilities"))
        assert refused == []

        review = ReviewService(repos)
        waiting = await review.queue(None, state="waiting", period=None, kecamatan_id=None)
        sent_back = await review.queue(None, state="sent_back", period="2026-09", kecamatan_id=None)
        verified = await review.queue(None, state="verified", period="2026-09", kecamatan_id=None)
        assert waiting.total > 100 and sent_back.total == 4 and verified.total > 10
        reasons = (
            await repos.session.scalars(select(ReportReview.reason).where(ReportReview.action == "sent_back"))
        ).all()
        assert all(r and r in demo_words("id").reasons for r in reasons)

        plans = (await repos.session.scalars(select(ActionPlan).where(ActionPlan.status == "open"))).all()
        today = NOW.date()
        assert any(p.due_on < today for p in plans) and any(p.due_on >= today for p in plans)
        assert (await repos.session.scalar(select(func.count(Attendance.id))) or 0) > 10
        sessions = (await repos.session.execute(select(TrainingSession.starts_at, TrainingSession.ends_at))).all()
        assert {(aware(s).astimezone(WIB).hour, aware(e).astimezone(WIB).hour) for s, e in sessions} == {(9, 13)}

        for column in (
            ReportRevision.created_at,
            ReportReview.created_at,
            ActionPlan.created_at,
            Attendance.at,
            TrainingSession.ends_at,
        ):
            assert aware(await repos.session.scalar(select(func.max(column)))) <= NOW, column

        before = [
            await repos.session.scalar(select(func.count()).select_from(table))
            for table in (ReportRevision, Assessment, ReportReview, ActionPlan, Attendance, TrainingSession)
        ]
    async with db.transaction() as repos:
        again = await load_demo(repos, NOW, words=demo_words("id"))
    async with db.transaction() as repos:
        after = [
            await repos.session.scalar(select(func.count()).select_from(table))
            for table in (ReportRevision, Assessment, ReportReview, ActionPlan, Attendance, TrainingSession)
        ]
    assert (again.reports, again.officers) == (0, 0) and after == before
