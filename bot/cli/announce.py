"""`kopsehat announce` (preview, confirm, send) and `kopsehat announcements show|list` (progress per recipient)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from bot.chat.messages import Attachment
from bot.cli.common import (
    audience_line,
    missed_line,
    run_with_database,
    segment_audience,
    settings_or_exit,
)
from bot.cli.parsers.shared import example_moment
from bot.cli.trainings import confirm, quiet_of
from bot.config import Settings
from bot.domain.periods import format_datetime
from bot.services import announcements, segments, trainings
from storage.db import Database
from storage.models import Announcement, utcnow

FOLLOW_EVERY = 2.0


def announce(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    zone = settings.zone
    text = args.text.strip()
    if len(text) < announcements.MIN_TEXT or len(text) > announcements.MAX_TEXT:
        print(
            f"kopsehat: --text must be {announcements.MIN_TEXT}..{announcements.MAX_TEXT} characters", file=sys.stderr
        )
        return 2
    attachment: Attachment | None = None
    if args.file:
        try:
            attachment = announcements.attachment_from_file(args.file)
        except (OSError, ValueError) as exc:
            print(f"kopsehat: --file: {exc}", file=sys.stderr)
            return 2
    at = trainings.parse_moment(args.at, zone) if args.at else None
    if args.at and (at is None or at <= utcnow()):
        example = example_moment(8, "08:00")
        print(f'kopsehat: --at looks like "{example}" (office time zone) and lies ahead', file=sys.stderr)
        return 2
    segment: segments.Segment = args.segment
    audience = segment_audience(settings, segment)
    if audience is None:
        return 2
    found = announcements.Preview(audience)
    print("---")
    print(text)
    if attachment:
        print(f"[{attachment.kind}: {attachment.filename}, {len(attachment.data)} bytes]")
    print("---")
    print(f"{audience_line(audience)}; {'at ' + format_datetime(at, zone, 'en') if at else 'now'}")
    if missed := missed_line(audience):
        print(missed)
    if found.recipients == 0:
        print(f"kopsehat: nobody can receive it now{': ' + missed if missed else ''}; nothing sent", file=sys.stderr)
        return 1
    if not confirm(f"Send to {found.recipients} officers?", args.yes):
        print("nothing sent")
        return 1

    async def work(db: Database) -> tuple[int, int]:
        async with db.transaction() as repos:
            made = await announcements.publish(
                repos,
                text=text,
                segment=segment,
                staff_id=None,
                now=utcnow(),
                send_at=at,
                attachment=attachment,
                quiet=quiet_of(settings),
            )
            return made.id, made.recipients

    announcement_id, count = run_with_database(settings, work)
    print(
        f"announcement #{announcement_id} queued for {count} officer(s); follow it: kopsehat announcements show "
        f"{announcement_id}"
    )
    return 0


def show(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(
        db: Database,
    ) -> tuple[Announcement, announcements.Progress, list[announcements.RecipientLine]] | None:
        async with db.transaction() as repos:
            found = await repos.announcements.get(args.announcement_id)
            if found is None:
                return None
            return (
                found,
                await announcements.progress(repos, found.id),
                await announcements.recipients(repos, found.id),
            )

    if args.follow:
        return _follow(settings, args.announcement_id, args.follow_limit)
    result = run_with_database(settings, work)
    if result is None:
        print(f"kopsehat: no announcement #{args.announcement_id}", file=sys.stderr)
        return 2
    found, progress, lines = result
    when = format_datetime(found.send_at, settings.zone, "en") if found.send_at else "-"
    print(f"announcement #{found.id} ({found.segment.get('spec')}), send at {when}")
    print(
        f"{progress.total} recipients: {progress.sent} sent ({progress.delivered} delivered, {progress.read} read), "
        f"{progress.failed} failed, {progress.pending} pending"
    )
    for reason, count in announcements.failure_reasons(lines):
        print(f"  failed {count}: {reason}")
    for line in lines:
        if args.recipients or line.status in announcements.FAILED:
            sent = format_datetime(line.sent_at, settings.zone, "en") if line.sent_at else ""
            reason = f" ({line.error})" if line.error else ""
            print(f"  {line.status:<11} {line.channel:<9} {line.officer}, {line.cooperative} {sent}{reason}")
    return 0


def status_line(progress: announcements.Progress) -> str:
    return (
        f"{progress.sent}/{progress.total} sent ({progress.delivered} delivered, {progress.read} read), "
        f"{progress.failed} failed, {progress.pending} pending"
    )


def _follow(settings: Settings, announcement_id: int, limit: float) -> int:
    """One status line, rewritten every 2 seconds until nothing is pending (or `limit` seconds have passed)."""

    async def watch(db: Database) -> int:
        deadline = time.monotonic() + limit
        while True:
            async with db.transaction() as repos:
                if await repos.announcements.get(announcement_id) is None:
                    print(f"kopsehat: no announcement #{announcement_id}", file=sys.stderr)
                    return 2
                progress = await announcements.progress(repos, announcement_id)
            print(f"\rannouncement #{announcement_id}: {status_line(progress)}   ", end="", flush=True)
            if progress.done or time.monotonic() >= deadline:
                print()
                return 0
            await asyncio.sleep(FOLLOW_EVERY)

    return run_with_database(settings, watch)


def listing(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> list[str]:
        async with db.transaction() as repos:
            rows = await repos.announcements.recent(30)
            lines = []
            for row in rows:
                progress = await announcements.progress(repos, row.id)
                first = row.text.splitlines()[0][:50] if row.text else ""
                lines.append(
                    f"#{row.id:<4} {row.segment.get('spec', ''):<30} {progress.sent}/{progress.total} sent, "
                    f"{progress.failed} failed, {progress.pending} pending  {first}"
                )
            return lines

    lines = run_with_database(settings, work)
    print("\n".join(lines) if lines else "no announcements yet")
    return 0
