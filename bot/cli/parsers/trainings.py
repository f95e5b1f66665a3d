"""`kopsehat trainings ...`: their arguments."""

from __future__ import annotations

import argparse

from bot.cli.parsers.shared import SubParsers, example_moment, segment_argument
from bot.domain.names import TRAINING_KINDS


def meeting_link(text: str) -> str:
    """An argparse type for --link: an http(s) address, as officers open it from the invitation."""
    if not text.strip().lower().startswith(("http://", "https://")) or len(text.split()) != 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a web address (https://...); a place goes in --venue")
    return text.strip()


def register(subparsers: SubParsers) -> None:
    """Add the `trainings` command."""
    parser = subparsers.add_parser(
        "trainings", help="trainings and coaching clinics", description="Trainings, Bimtek and coaching clinics."
    )
    actions = parser.add_subparsers(dest="trainings_command", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="create a training and invite the officers of a segment",
        description=(
            "Create a training and invite (Daftar / Tidak buttons) the officers of the segment. Dates and times are "
            f'in the office time zone (KOPSEHAT_TIMEZONE), e.g. "{example_moment(7, "09:00")}". How many officers '
            "receive the invitation now, and how many cannot and why (no chat account, unreachable, BERHENTI), is "
            "shown and confirmed first (--yes skips the question, for scripts); with nobody to receive it, nothing "
            "is created."
        ),
    )
    create.add_argument("--title", required=True)
    create.add_argument("--kind", required=True, choices=TRAINING_KINDS)
    create.add_argument("--start", required=True, help=f'start, e.g. "{example_moment(7, "09:00")}"')
    create.add_argument(
        "--end", required=True, help=f'end: "{example_moment(7, "12:00")}" or a time on the start day, "12:00"'
    )
    place = create.add_mutually_exclusive_group(required=True)
    place.add_argument("--venue", help="where it takes place")
    place.add_argument("--link", type=meeting_link, help="the online meeting link (https://...)")
    create.add_argument("--capacity", type=int, help="places (default: no limit); beyond it a waitlist")
    create.add_argument(
        "--segment",
        default="all",
        type=segment_argument,
        help="who is invited, e.g. semua (all), jenis:ksp+kecamatan:Magersari (see kopsehat announce --help)",
    )
    create.add_argument(
        "--deadline", help=f'registration deadline, e.g. "{example_moment(5, "16:00")}" (default: until start)'
    )
    create.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    create.set_defaults(func=_create)

    listing = actions.add_parser("list", help="coming trainings with registration numbers")
    listing.set_defaults(func=_list)

    remind = actions.add_parser(
        "remind",
        help="enqueue the reminders due now (3 days, 1 day, 2 hours before) once",
        description="Enqueue the training reminders due now; the scheduler does this by itself. Safe to repeat.",
    )
    remind.set_defaults(func=_remind)

    code = actions.add_parser(
        "attendance-code",
        help="print a fresh attendance code for a training",
        description="Print a fresh attendance code (the previous one stops working); officers send HADIR <code>.",
    )
    code.add_argument("training_id", type=int, metavar="ID")
    code.set_defaults(func=_code)

    attendance = actions.add_parser("attendance", help="registration and attendance list of a training")
    attendance.add_argument("training_id", type=int, metavar="ID")
    attendance.add_argument("--format", choices=("text", "csv"), default="text")
    attendance.set_defaults(func=_attendance)


def _create(args: argparse.Namespace) -> int:
    from bot.cli import trainings

    return trainings.create(args)


def _list(args: argparse.Namespace) -> int:
    from bot.cli import trainings

    return trainings.listing(args)


def _remind(args: argparse.Namespace) -> int:
    from bot.cli import trainings

    return trainings.remind(args)


def _code(args: argparse.Namespace) -> int:
    from bot.cli import trainings

    return trainings.attendance_code(args)


def _attendance(args: argparse.Namespace) -> int:
    from bot.cli import trainings

    return trainings.attendance(args)
