"""`kopsehat announce` and `kopsehat announcements show|list`: their arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.parsers.shared import SubParsers, example_moment, segment_argument
from bot.words.attachments import common_limit, megabytes


def register(subparsers: SubParsers) -> None:
    """Add the `announce` and `announcements` commands."""
    parser = subparsers.add_parser(
        "announce",
        help="send an announcement to a segment of officers",
        description=(
            "Send an announcement to the officers of a segment (semua/all, jenis:ksp/type:ksp, tag:kkmp, "
            "kecamatan:NAME, kelurahan:NAME, kategori:/category:dalam_pengawasan, sudah-lapor:/reported:YYYY-MM, "
            "belum-lapor:/not-reported:YYYY-MM, nik:A,B; combine with +). The text, how many receive it now and "
            "how many cannot and why (no chat account, unreachable, BERHENTI) are shown and confirmed first; --yes "
            "skips the question; nobody reachable means nothing is sent. The running service delivers it."
        ),
    )
    parser.add_argument("--segment", required=True, type=segment_argument)
    parser.add_argument("--text", required=True, help="the announcement (at most 3500 characters)")
    parser.add_argument(
        "--file",
        type=Path,
        help=f"a picture (png/jpg, at most {megabytes(common_limit('photo')[0])}) or a document (pdf, doc(x), "
        f"xls(x), ppt(x), txt; at most {megabytes(common_limit('document')[0])}), stored once for all recipients",
    )
    parser.add_argument("--at", help=f'send later, e.g. "{example_moment(8, "08:00")}" (office time zone)')
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    parser.set_defaults(func=_announce)

    shown = subparsers.add_parser("announcements", help="announcements sent and their progress")
    actions = shown.add_subparsers(dest="announcements_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="progress and per-recipient status of one announcement")
    show.add_argument("announcement_id", type=int, metavar="ID")
    show.add_argument("--recipients", action="store_true", help="list every recipient (default: failures only)")
    show.add_argument("--follow", action="store_true", help="keep one status line up to date until all is sent")
    show.add_argument("--follow-limit", type=float, default=3600.0, help=argparse.SUPPRESS)
    show.set_defaults(func=_show)
    listing = actions.add_parser("list", help="the latest announcements")
    listing.set_defaults(func=_list)


def _announce(args: argparse.Namespace) -> int:
    from bot.cli import announce

    return announce.announce(args)


def _show(args: argparse.Namespace) -> int:
    from bot.cli import announce

    return announce.show(args)


def _list(args: argparse.Namespace) -> int:
    from bot.cli import announce

    return announce.listing(args)
