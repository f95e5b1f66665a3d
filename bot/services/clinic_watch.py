"""The clinic's watch over time: the escalation worklist, verified and official assessments, and the follow-up that
says whether a plan or a clinic visit worked three report periods on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from bot.domain import obligations
from bot.domain.health import keys
from bot.domain.periods import Period
from bot.services.assessments import frameworks_for
from bot.services.clinic_access import ClinicAccess
from bot.services.clinic_values import (
    FOLLOW_UP_PERIODS,
    REASONS,
    WATCHED,
    Actor,
    AssessmentView,
    Change,
    ConcernChange,
    FollowUp,
    Superseded,
    Verdict,
    WorkItem,
    Worklist,
    assessment_view,
    concern_values,
    decimal_text,
    verdict_of,
)
from bot.services.reports import NotAllowed
from storage.models import ActionPlan, Assessment, CoachingEntry, Cooperative


class ClinicWatch(ClinicAccess):
    """The worklist, verification, official assessments and follow-ups of one unit of work."""

    # -- the worklist ----------------------------------------------------------------------------------------------

    async def worklist(
        self, actor: Actor, today: date, periods: tuple[Period, Period], shown: int | None = None
    ) -> Worklist:
        """DP and DPK, DPK flags, falling two periods in a row, not reporting `periods`, overdue plans: the staff
        member's kecamatan (admin, or staff without one: all), worst first; the first `shown` (all when None) with
        the count per reason and in all."""
        staff = await self._staff(actor)
        if staff is None:
            raise NotAllowed(f"{actor.key} has no worklist")
        scope = None if staff.role == "admin" else staff.kecamatan_id
        older = min(periods, key=str)
        created_before = datetime.combine(older.start_date(), time(), tzinfo=UTC)
        found, counts, size = await self._repos.clinic.attention(
            keys.PERDEP, REASONS, [str(p) for p in periods], created_before, today, scope, shown
        )
        names = await self._repos.regions.names(sorted({a.kecamatan_id for a in found if a.kecamatan_id}))
        items = []
        for one in found:
            scored = any(r in one.reasons for r in (*WATCHED, "dpk_flag", "falling"))  # its standing is why
            items.append(
                WorkItem(
                    one.cooperative_id,
                    one.nik,
                    one.name,
                    names.get(one.kecamatan_id or 0),
                    one.reasons,
                    one.category if scored else None,
                    one.totals if scored else (),
                    one.overdue_plans,
                )
            )
        region = await self._repos.regions.get(scope) if scope is not None else None
        area = region.name if region else None
        return Worklist(tuple(items), counts, tuple(str(p) for p in periods), area, size)

    # -- standing: verified, official ------------------------------------------------------------------------------

    async def verify(self, assessment_id: int, actor: Actor, at: datetime) -> AssessmentView:
        """A pembina (of its kecamatan) or an admin accepts an assessment: terverifikasi, by whom and when; a book
        year's year-end assessment whose RAT is recorded becomes official."""
        assessment = await self._repos.clinic.assessment(assessment_id, lock=True)
        if assessment is None:
            raise LookupError(f"no assessment {assessment_id}")
        cooperative = await self._cooperative(assessment.cooperative_id)
        staff = await self._may_change(actor, cooperative)
        current = await self._repos.clinic.latest_of_period(cooperative.id, assessment.framework, assessment.period)
        if current is None or current.id != assessment.id:
            raise Superseded(f"assessment {assessment_id} was replaced by a correction")
        if assessment.standing == "provisional":
            assessment.standing, assessment.verified_by, assessment.verified_at = "verified", staff.id, at
            await self._repos.audit.add(actor.key, "clinic.assessment_verified", f"assessment:{assessment.id}")
        await self.make_official(cooperative.id)
        return assessment_view(assessment, {staff.id: staff.name}, True)

    async def make_official(self, cooperative_id: int) -> list[str]:
        """Mark official the verified year-end assessments of the book year whose RAT is recorded; their periods."""
        cooperative = await self._cooperative(cooperative_id)
        rat = cooperative.rat_date
        if rat is None:
            return []
        book_year = obligations.rat_book_year(rat)
        if not obligations.rat_held_for(book_year, rat):
            return []
        year_end = str(Period(book_year, 12))
        made = []
        for framework, _ in frameworks_for(cooperative):
            current = await self._repos.clinic.latest_of_period(cooperative.id, framework, year_end)
            if current is None or current.standing != "verified":
                continue
            current.standing, current.official, current.book_year = "official", True, book_year
            await self._repos.audit.add(
                "system", "clinic.assessment_official", f"assessment:{current.id}", book_year=book_year
            )
            made.append(year_end)
        return made

    # -- follow-up -----------------------------------------------------------------------------------------------

    async def follow_up(
        self, cooperative: Cooperative, event: date, concerns: Sequence[str]
    ) -> tuple[str | None, str, Decimal | None, Decimal | None, tuple[ConcernChange, ...], Verdict] | None:
        """The score and treated indicators before `event` and three report periods after; None: not yet known."""
        framework = frameworks_for(cooperative)[0][0]
        latest: dict[str, Assessment] = {}
        for a in await self._repos.clinic.assessments_of(cooperative.id, framework):
            latest[a.period] = a
        start = Period.of(event)
        target = start
        for _ in range(FOLLOW_UP_PERIODS):
            target = target.next()
        after = next((latest[p] for p in sorted(latest) if p >= str(target)), None)
        if after is None:
            return None
        before = next((latest[p] for p in sorted(latest, reverse=True) if p <= str(start)), None)
        if before is None:
            return None, after.period, None, after.total, (), "no_baseline"
        treated = list(concerns) or [
            c for item in (before.prescription or {}).get("coaching", [])[:3] for c in item.get("concerns", [])
        ]
        old, new = concern_values(before.result), concern_values(after.result)
        changes = []
        for key in dict.fromkeys(treated):
            was, now = old.get(key), new.get(key)
            change: Change = (
                "unknown" if was is None or now is None else "better" if now > was else "worse" if now < was else "same"
            )
            changes.append(ConcernChange(key, was, now, change))
        delta = None if before.total is None or after.total is None else after.total - before.total
        verdict = verdict_of(delta, changes)
        return before.period, after.period, before.total, after.total, tuple(changes), verdict

    async def due_follow_ups(self, today: date, at: datetime) -> list[FollowUp]:
        """Compare before and after for every plan and clinic visit three report periods on; each becomes a
        follow_up entry of the record (once)."""
        clinic, done = self._repos.clinic, []
        since = today - timedelta(days=400)  # older treatments that never got an "after" report are left
        subjects: list[tuple[str, ActionPlan | CoachingEntry, date, list[str]]] = [
            ("plan", p, p.due_on, list(p.concerns or ()))
            for p in await clinic.plans_to_follow_up(since, today - timedelta(days=60))
        ]
        start = datetime.combine(since, datetime.min.time()).astimezone(at.tzinfo)
        for visit in await clinic.visits_to_follow_up(start, at - timedelta(days=60)):
            subjects.append(("clinic_visit", visit, visit.created_at.date(), []))
        for kind, subject, event, concerns in subjects:
            cooperative = await self._cooperative(subject.cooperative_id)
            found = await self.follow_up(cooperative, event, concerns)
            if found is None:
                continue
            before_period, after_period, before_total, after_total, changes, verdict = found
            text = subject.what if isinstance(subject, ActionPlan) else subject.summary
            data = {
                "subject": kind,
                "subject_text": text,
                "before_period": before_period,
                "after_period": after_period,
                "before_total": None if before_total is None else format(before_total, "f"),
                "after_total": None if after_total is None else format(after_total, "f"),
                "changes": [
                    {"key": c.key, "before": decimal_text(c.before), "after": decimal_text(c.after), "change": c.change}
                    for c in changes
                ],
                "verdict": verdict,
            }
            plan_id = subject.id if isinstance(subject, ActionPlan) else None
            entry = await clinic.add_entry(
                CoachingEntry(
                    cooperative_id=cooperative.id,
                    kind="follow_up",
                    summary=f"{verdict}: {text}"[:500],
                    data=data,
                    plan_id=plan_id,
                    follows_id=None if plan_id else subject.id,
                    created_at=at,
                )
            )
            done.append(
                FollowUp(
                    cooperative.id,
                    kind,
                    text,
                    before_period,
                    after_period,
                    before_total,
                    after_total,
                    changes,
                    verdict,
                    entry.id,
                    plan_id,
                )
            )
        return done
