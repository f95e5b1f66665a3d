"""Training reminders: three days, one day and two hours before the start, to the officers registered.

The scheduler calls `due_training_reminders(repos, now)` from a tick; its dedupe keys (`training:12:officer-42:3d`)
make a second tick, process or restart harmless.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.periods import format_datetime
from bot.services.notices import DEFAULT_QUIET, QuietHours, enqueue_notice
from bot.services.trainings import ROUTE, first_session, place_of, when_text
from bot.words import render
from bot.words.messages import Choice, Notice, Reply
from storage.repositories import Repositories

REMINDER_STAGES = (("2h", timedelta(hours=2)), ("1d", timedelta(days=1)), ("3d", timedelta(days=3)))


def _stage(start: datetime, now: datetime) -> str | None:
    """The reminder due now: the closest of 2h, 1d, 3d before the start that has been reached."""
    if now >= start:
        return None
    for name, lead in REMINDER_STAGES:
        if now >= start - lead:
            return name
    return None


async def due_training_reminders(
    repos: Repositories,
    now: datetime,
    *,
    zone: ZoneInfo | str = "Asia/Jakarta",
    quiet: QuietHours | None = DEFAULT_QUIET,
) -> int:
    """Enqueue the reminders due now (3 days, 1 day, 2 hours before) to registered officers; how many are new.

    Idempotent: keys `training:<id>:officer-<id>:<3d|1d|2h>`. Only the closest stage reached is sent, so a
    registration two days before gets the 1-day one next, not a late "3 days" one as well. A 2-hour reminder
    that quiet hours would hold past the start goes at once.
    """
    office = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    made = 0
    for training in await repos.trainings.between(now - timedelta(days=1), now + REMINDER_STAGES[-1][1]):
        session = await first_session(repos, training.id)
        stage = _stage(session.starts_at, now) if session else None
        if session is None or stage is None:
            continue
        registered = [
            r.officer_id for r in await repos.trainings.registrations(training.id) if r.status == "registered"
        ]
        people = await repos.officers.with_cooperatives(registered)
        for officer_id in registered:
            if officer_id not in people:
                continue
            officer, cooperative = people[officer_id]
            if officer.status != "active":
                continue
            local_zone = ZoneInfo(cooperative.timezone)
            hold = quiet
            if quiet is not None and quiet.release_time(now, local_zone) >= session.starts_at - timedelta(minutes=30):
                hold = None
            lang = render.as_lang(officer.language)
            when = when_text(session, office, lang)
            days = (session.starts_at.astimezone(office).date() - now.astimezone(office).date()).days
            text = render.text(
                lang,
                "trainings.reminder",
                name=officer.name,
                title=training.title,
                when=when,
                place=place_of(training),
                days=days,
                stage=stage,
            )
            choices = (Choice(f"{ROUTE}:batal:{training.id}", render.text(lang, "trainings.button_cancel")),)
            notice = Notice(
                "training_reminder",
                f"training:{training.id}:officer-{officer_id}:{stage}",
                Reply(text, choices),
                priority=3,
                template_params=(
                    officer.name,
                    training.title,
                    format_datetime(session.starts_at, office, lang),
                    place_of(training),
                ),
            )
            key = await enqueue_notice(repos, notice, now, officer_id=officer_id, zone=local_zone, quiet=hold)
            made += key is not None
    return made
