"""`kopsehat trainings ...`: create (with invitations), list, remind, attendance codes and lists."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import (
    audience_line,
    missed_line,
    run_with_database,
    segment_audience,
    settings_or_exit,
)
from bot.cli.parsers.shared import example_moment
from bot.config import Settings
from bot.domain.periods import format_datetime
from bot.services import segments, training_reminders, trainings
from bot.services.notices import QuietHours
from storage.db import Database
from storage.models import utcnow


def quiet_of(settings: Settings) -> QuietHours | None:
    """The quiet hours of KOPSEHAT_QUIET_HOURS (None when switched off)."""
    window = settings.quiet_window
    return QuietHours(*window) if window else None


def confirm(question: str, yes: bool) -> bool:
    """Ask on the terminal unless --yes; only y/ya/yes goes ahead."""
    if yes:
        return True
    print(f"{question} [y/N] ", end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "ya", "yes")


def create(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    zone = settings.zone
    start = trainings.parse_moment(args.start, zone)
    end = trainings.parse_end(args.end, start, zone) if start else None
    deadline = trainings.parse_moment(args.deadline, zone) if args.deadline else None
    if start is None or end is None or (args.deadline and deadline is None):
        print(f'kopsehat: dates look like "{example_moment(7, "09:00")}" (office time zone)', file=sys.stderr)
        return 2
    segment: segments.Segment = args.segment
    plan = trainings.TrainingPlan(
        title=args.title,
        kind=args.kind,
        starts_at=start,
        ends_at=end,
        segment=segment,
        venue=args.venue,
        link=args.link,
        capacity=args.capacity,
        deadline=deadline,
    )
    if found := trainings.problems(plan, utcnow()):
        print(f"kopsehat: {'; '.join(found)}", file=sys.stderr)
        return 2

    audience = segment_audience(settings, segment)
    if audience is None:
        return 2
    print(f"{args.title} ({args.kind}), {format_datetime(start, zone, 'en')} – {format_datetime(end, zone, 'en')}")
    print(f"{audience_line(audience)} will be invited")
    if missed := missed_line(audience):
        print(missed)
    if audience.reach().now == 0:
        print(f"kopsehat: nobody can receive the invitation now{': ' + missed if missed else ''}", file=sys.stderr)
        print("nothing created")
        return 1
    if not confirm(f"Create it and invite {audience.reach().now} officers?", args.yes):
        print("nothing created")
        return 1

    async def work(db: Database) -> tuple[int, int]:
        async with db.transaction() as repos:
            training, _, reach = await trainings.create(
                repos, plan, staff_id=None, now=utcnow(), zone=zone, quiet=quiet_of(settings)
            )
            return training.id, reach.now

    # the invitations queued are those that reach someone; the others are recorded as not reachable, with why
    training_id, invited = run_with_database(settings, work)
    print(f"training #{training_id} created; {invited} invitation(s) queued (the running service sends them)")
    return 0


def listing(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> list[str]:
        async with db.transaction() as repos:
            found = await repos.trainings.recent()
            counts = await repos.trainings.registered_counts([t.id for t in found])
            sessions = await repos.trainings.sessions([t.id for t in found])
            lines = []
            for training in found:
                first = next(iter(sessions.get(training.id) or []), None)
                numbers = counts.get(training.id, {})
                lines.append(
                    f"#{training.id:<4} {training.kind:<9} {trainings.when_text(first, settings.zone, 'en'):<48} "
                    f"{training.title}  registered {numbers.get('registered', 0)}"
                    f"{'/' + str(training.capacity) if training.capacity else ''}, "
                    f"waitlist {numbers.get('waitlisted', 0)}, declined {numbers.get('declined', 0)} "
                    f"[{training.status}]"
                )
            return lines

    lines = run_with_database(settings, work)
    print("\n".join(lines) if lines else "no trainings yet (kopsehat trainings create --help)")
    return 0


def remind(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> int:
        async with db.transaction() as repos:
            return await training_reminders.due_training_reminders(
                repos, utcnow(), zone=settings.zone, quiet=quiet_of(settings)
            )

    print(f"{run_with_database(settings, work)} reminder(s) queued")
    return 0


def attendance_code(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> str | None:
        async with db.transaction() as repos:
            return await trainings.new_attendance_code(repos, args.training_id, None)  # the operator

    code = run_with_database(settings, work)
    if code is None:
        print(f"kopsehat: no training #{args.training_id}", file=sys.stderr)
        return 2
    print(f"attendance code for training #{args.training_id}: {code}")
    print(f"officers send: HADIR {code}")
    return 0


def attendance(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> list[trainings.RosterLine] | None:
        async with db.transaction() as repos:
            if await repos.trainings.get(args.training_id) is None:
                return None
            return await trainings.roster(repos, args.training_id, None)  # the operator

    lines = run_with_database(settings, work)
    if lines is None:
        print(f"kopsehat: no training #{args.training_id}", file=sys.stderr)
        return 2
    if args.format == "csv":
        sys.stdout.write(trainings.roster_csv(lines, settings.zone))
        return 0
    attended = sum(line.attended_at is not None for line in lines)
    registered = sum(line.status == "registered" for line in lines)
    print(f"training #{args.training_id}: {registered} registered, {attended} attended")
    for line in lines:
        mark = "attended" if line.attended_at else ""
        print(f"  {line.status:<10} {line.officer} ({line.role}), {line.cooperative} {mark}")
    return 0
