"""What a flush costs with each checkout's session listeners (the standing counts' type-change hook among them), two
checkouts side by side, rounds alternating, each measured in its own process with its own .venv and code.

A dispatch batch's flush: N senders, each with a cooperative and an officer loaded (clean) and a chat identity whose
`last_inbound_at` changed (dirty). Per checkout and N: the `after_flush` listeners alone (called as a flush calls
them, the N identities dirty) and a whole flush of the N UPDATEs, CPU per call (`time.process_time`, best of
several repeats), on an in-memory SQLite database (the listeners' cost does not depend on the database).

    .venv/bin/python bench/flush_bench.py /work/main . --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SIZES = (1, 16, 64, 256)


def measure(sizes: list[int], repeats: int) -> dict[str, dict[str, float]]:
    """In this process (the checkout's code first on sys.path): µs per call for each N."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    import storage.standing_counts  # noqa: F401  (its listeners, as the app imports them)
    from storage.models import Base, ChannelIdentity, Cooperative, Officer

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    most = max(sizes)
    with Session(engine) as session, session.begin():
        for n in range(most):
            coop = Cooperative(name=f"KSP Flush {n}", nik=f"F{n:06d}", type="ksp")
            session.add(coop)
            session.flush()
            officer = Officer(cooperative_id=coop.id, name=f"Petugas {n}", role="bendahara")
            session.add(officer)
            session.flush()
            session.add(ChannelIdentity(channel="telegram", external_id=str(n), officer_id=officer.id))
    found: dict[str, dict[str, float]] = {}
    clock = datetime(2026, 12, 1, tzinfo=UTC)
    for size in sizes:
        with Session(engine) as session, session.begin():
            session.scalars(select(Cooperative).where(Cooperative.id <= size)).all()
            session.scalars(select(Officer).where(Officer.id <= size)).all()
            identities = session.scalars(select(ChannelIdentity).where(ChannelIdentity.id <= size)).all()
            listeners, flushes = [], []
            for _ in range(repeats):
                clock += timedelta(seconds=1)
                for identity in identities:
                    identity.last_inbound_at = clock
                started = time.process_time()
                session.dispatch.after_flush(session, None)
                listeners.append(time.process_time() - started)
                started = time.process_time()
                session.flush()
                flushes.append(time.process_time() - started)
        found[str(size)] = {"listeners_us": min(listeners) * 1e6, "flush_us": min(flushes) * 1e6}
    return found


def in_checkout(root: Path, sizes: list[int], repeats: int) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's bench, in the driver only
    from bench.common import measured_in

    result: dict[str, Any] = measured_in(root, __file__, ",".join(map(str, sizes)), "--repeats", str(repeats))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, nargs="?")
    parser.add_argument("second", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure([int(n) for n in args.measure.split(",")], args.repeats)))
        return
    if args.first is None or args.second is None:
        parser.error("two checkouts")
    roots = [args.first, args.second]
    print("µs of CPU per call (best of repeats): after_flush listeners / whole flush, N dirty identities")
    for n in range(args.rounds):
        seen = [in_checkout(root, list(SIZES), args.repeats) for root in roots]
        print(f"  round {n + 1} (load {os.getloadavg()[0]:.1f})")
        for size in SIZES:
            first, second = (s[str(size)] for s in seen)
            print(
                f"    N={size:4d}: {roots[0].resolve().name} {first['listeners_us']:8.1f} / {first['flush_us']:8.1f}"
                f" | {roots[1].resolve().name} {second['listeners_us']:8.1f} / {second['flush_us']:8.1f}"
                f" | flush second/first {second['flush_us'] / first['flush_us']:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
