"""The clinic's daily notices: follow-ups three report periods after a treatment (officers and pembina), and overdue
action plans (the officer the day after, the pembina a week later). Each notice has its own dedupe key."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.health.notes import key_label
from bot.domain.health.rules import Rules, default_rules
from bot.domain.periods import format_date
from bot.services.clinic import ClinicService, FollowUp
from bot.services.cycle import PRIORITY_OBLIGATION, CyclePlan, Due
from bot.words import render
from bot.words.messages import Choice, Notice, Reply
from storage.models import Cooperative, OfficeStaff
from storage.repositories import Repositories

PLAN_ROUTE = "rencana"
PEMBINA_AFTER = timedelta(days=7)  # the pembina hears of an overdue plan a week after the officer
LOOK_BACK = timedelta(days=30)  # overdue plans older than this were reminded of already


def _lang(value: str | None) -> render.Lang:
    return render.as_lang(value)


async def pembina_of(repos: Repositories, cooperative: Cooperative) -> list[OfficeStaff]:
    """The active pembina of the cooperative's kecamatan (else those without a kecamatan)."""
    pembina = [s for s in await repos.staff.all() if s.role == "pembina" and s.status == "active"]
    scoped = [s for s in pembina if s.kecamatan_id is not None and s.kecamatan_id == cooperative.kecamatan_id]
    return scoped or [s for s in pembina if s.kecamatan_id is None]


def follow_up_text(follow: FollowUp, cooperative: str, lang: render.Lang, rules: Rules) -> str:
    """The follow-up message: the score and each treated indicator before and after, and the verdict."""
    changes = [(key_label(rules, c.key, lang), c.change) for c in follow.changes]
    return render.text(
        lang,
        "clinic.follow_up",
        cooperative=cooperative,
        subject=follow.subject,
        subject_text=follow.subject_text,
        before_period=follow.before_period,
        after_period=follow.after_period,
        before_total=follow.before_total,
        after_total=follow.after_total,
        changes=changes,
        verdict=follow.verdict,
    )


async def clinic_notices(repos: Repositories, plan: CyclePlan, day: date, rules: Rules | None = None) -> list[Due]:
    """Follow-ups that came due and overdue-plan reminders, for `day`."""
    rules = rules or default_rules()
    at = datetime.combine(day, time(plan.tick_hour, plan.tick_minute), tzinfo=plan.office_zone)
    due: list[Due] = []
    params: tuple[str, ...]
    for follow in await ClinicService(repos).due_follow_ups(day, at):
        cooperative = await repos.cooperatives.get(follow.cooperative_id)
        if cooperative is None:
            continue
        tail = f"clinic:follow-up:entry-{follow.entry_id}"
        people: list[tuple[str, int | None, int | None]] = [
            (o.language, o.id, None) for o in await repos.officers.of_cooperative(cooperative.id)
        ]
        people += [(s.language, None, s.id) for s in await pembina_of(repos, cooperative)]
        for language, officer_id, staff_id in people:
            lang = _lang(language)
            text = follow_up_text(follow, cooperative.name, lang, rules)
            verdict = render.text(lang, "clinic.verdict_words", verdict=follow.verdict)
            params = (cooperative.name, follow.subject_text[:200], verdict)
            key = f"{tail}:officer-{officer_id}" if officer_id else f"{tail}:staff-{staff_id}"
            notice = Notice("follow_up", key, Reply(text), PRIORITY_OBLIGATION, params)
            zone = ZoneInfo(cooperative.timezone) if officer_id else plan.office_zone
            due.append(Due(notice, zone, officer_id=officer_id, staff_id=staff_id))
    for item in await repos.clinic.overdue_plans(day, day - LOOK_BACK):
        cooperative = await repos.cooperatives.get(item.cooperative_id)
        if cooperative is None:
            continue
        for officer in await repos.officers.of_cooperative(cooperative.id):
            lang = _lang(officer.language)
            text = render.text(
                lang,
                "clinic.plan_overdue",
                cooperative=cooperative.name,
                what=item.what,
                due=format_date(item.due_on, lang),
            )
            button = (Choice(f"go:{PLAN_ROUTE}", render.text(lang, "clinic.button_plans")),)
            key = f"clinic:plan-overdue:plan-{item.id}:officer-{officer.id}"
            params = (
                cooperative.name,
                item.what[:200],
                format_date(item.due_on, lang),
                f"go:{PLAN_ROUTE}",
            )
            notice = Notice("plan_reminder", key, Reply(text, button), PRIORITY_OBLIGATION, params)
            due.append(Due(notice, ZoneInfo(cooperative.timezone), officer_id=officer.id))
        if day < item.due_on + timedelta(days=1) + PEMBINA_AFTER:
            continue
        for staff in await pembina_of(repos, cooperative):
            lang = _lang(staff.language)
            text = render.text(
                lang,
                "clinic.plan_overdue_staff",
                cooperative=cooperative.name,
                nik=cooperative.nik or "",
                what=item.what,
                who=item.who,
                due=format_date(item.due_on, lang),
            )
            key = f"clinic:plan-overdue-pembina:plan-{item.id}:staff-{staff.id}"
            params = (cooperative.name, item.what[:200], format_date(item.due_on, lang))  # no button for staff
            notice = Notice("plan_reminder", key, Reply(text), PRIORITY_OBLIGATION, params)
            due.append(Due(notice, plan.office_zone, staff_id=staff.id))
    return due
