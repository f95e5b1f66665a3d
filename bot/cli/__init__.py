"""The kopsehat command line: the composition root that wires everything together.

The arguments of every command are read first (bot.cli.parsers: argparse and plain values); only the chosen command's
work, in its module here, is imported, when it runs, so --help, a usage error or a light command starts quickly."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

from bot.cli.parsers import build_parser

BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell shows for a program stopped by SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kopsehat` console script."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        code: int = args.func(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe can no longer be caught
        return code
    except BrokenPipeError:
        # The reader stopped reading (`| head`): stop quietly, and let nothing try to write to it again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
