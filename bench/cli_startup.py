"""The command line's start-up, two checkouts side by side: each command run RUNS times as a subprocess with each
checkout's own `.venv/bin/kopsehat`, the two alternating, and the median wall and CPU time (user + system, of the
process and what it started) of each, with the ratio of this checkout to the other and the machine's load average.
Both checkouts must print the same and exit with the same status (checked on every run).

    flock /work/wt/bench.lock .venv/bin/python bench/cli_startup.py /work/main --runs 7

The commands that read the database use the demo city (`kopsehat demo`, about 30 s), made in a temporary directory
with this checkout unless --database names one (a SQLite URL or PostgreSQL's).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

COMMANDS = [  # the last three read the demo city
    ["--help"],
    ["--version"],
    ["report-status", "--help"],
    ["report-status", "--bogus"],
    ["run", "--help"],
    ["report-status"],
    ["outbox", "status"],
    ["db", "current"],
]


def once(root: Path, argv: list[str], env: dict[str, str]) -> tuple[float, float, int, bytes]:
    """One run: wall seconds, CPU seconds, exit status and what it printed (stdout and stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(root / ".venv" / "bin" / "kopsehat"), *argv], env=env, capture_output=True, cwd="/")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout + done.stderr


def demo_city(directory: str) -> str:
    """A fresh SQLite database holding the demo city, made with this checkout's `kopsehat demo`."""
    url = f"sqlite+aiosqlite:///{directory}/demo.db"
    env = dict(os.environ, KOPSEHAT_DATABASE_URL=url)
    program = [str(HERE / ".venv" / "bin" / "kopsehat"), "demo"]
    subprocess.run(program, env=env, check=True, capture_output=True, cwd=directory)
    return url


def measure(other: Path, runs: int, url: str) -> None:
    env = dict(os.environ, KOPSEHAT_DATABASE_URL=url)
    roots = {"other": other.resolve(), "this": HERE}
    print(f"this: {HERE}  other: {roots['other']}  runs: {runs}  load average before: {os.getloadavg()}")
    print(f"{'command':<36} {'other wall':>10} {'this wall':>10} {'other CPU':>10} {'this CPU':>10} {'CPU ratio':>9}")
    for argv in COMMANDS:
        shown = " ".join(["kopsehat", *argv])
        walls: dict[str, list[float]] = {"other": [], "this": []}
        cpus: dict[str, list[float]] = {"other": [], "this": []}
        for run in range(runs):
            outputs = {}
            for name in ("other", "this") if run % 2 == 0 else ("this", "other"):
                wall, cpu, code, output = once(roots[name], argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
                outputs[name] = (code, output)
            if outputs["other"] != outputs["this"]:
                raise SystemExit(f"{shown}: the checkouts differ: {outputs}")
        wall_o, wall_t = statistics.median(walls["other"]), statistics.median(walls["this"])
        cpu_o, cpu_t = statistics.median(cpus["other"]), statistics.median(cpus["this"])
        print(f"{shown:<36} {wall_o:>9.3f}s {wall_t:>9.3f}s {cpu_o:>9.3f}s {cpu_t:>9.3f}s {cpu_t / cpu_o:>8.2f}x")
    print(f"load average after: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="another checkout with its .venv (e.g. /work/main)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each command by each checkout (default 7)")
    parser.add_argument("--database", help="a database holding the demo city (default: made in a temporary directory)")
    args = parser.parse_args()
    if args.database:
        measure(args.other, args.runs, args.database)
        return
    with tempfile.TemporaryDirectory() as directory:
        measure(args.other, args.runs, demo_city(directory))


if __name__ == "__main__":
    main()
