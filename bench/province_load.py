"""`kopsehat demo --cooperatives N --periods P` of two checkouts side by side: each round loads the province into a
fresh database with each checkout's own `kopsehat` (its .venv), alternating, and prints the command's wall time, its
CPU (utime + stime of the process: Python's share; the rest is PostgreSQL's), the steps it reports (checkouts that
print "where the time went") and the second's time over the first's, with the machine's load average:

    .venv/bin/python bench/province_load.py /work/main . --cooperatives 5000 --periods 36 --rounds 2

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL's server (a database per load, created and dropped); --backend sqlite for a
small province.
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peer_compare as pc
from bench.common import checkouts_parser


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


async def load(root: Path, backend: str, prefix: str, cooperatives: int, periods: int) -> dict[str, object]:
    """One load by `root`'s kopsehat into a fresh database: seconds, CPU seconds, what it printed."""
    async with pc.database(backend, prefix) as url:
        env = dict(os.environ, KOPSEHAT_DATABASE_URL=url, KOPSEHAT_LOG_LEVEL="WARNING")
        command = [str(root / ".venv" / "bin" / "kopsehat"), "demo", "--cooperatives", str(cooperatives)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = await asyncio.to_thread(_run, [*command, "--periods", str(periods)], env)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        again = await asyncio.to_thread(_run, [*command, "--periods", str(periods)], env)
    if done.returncode or "nothing added" not in again.stdout:
        raise SystemExit(f"{root}: {done.stdout}{done.stderr}{again.stdout}{again.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    steps = [line for line in done.stdout.splitlines() if line.startswith("where the time went")]
    return {"seconds": seconds, "cpu": cpu, "steps": steps[0] if steps else ""}


async def compare(roots: list[Path], backend: str, prefix: str, cooperatives: int, periods: int, rounds: int) -> None:
    print(f"{backend}: {cooperatives} cooperatives x {periods} periods, a fresh database per load")
    for n in range(rounds):
        seen = []
        for root in roots:
            load_before = os.getloadavg()[0]
            seen.append(await load(root, backend, prefix, cooperatives, periods))
            print(
                f"  round {n + 1} {root.resolve().name}: {seen[-1]['seconds']:.0f} s, CPU {seen[-1]['cpu']:.0f} s "
                f"(load {load_before:.1f} to {os.getloadavg()[0]:.1f}) {seen[-1]['steps']}",
                flush=True,
            )
        first, second = (float(str(o["seconds"])) for o in (seen[0], seen[-1]))
        print(f"  round {n + 1}: second/first {second / first:.2f}x", flush=True)


def main() -> None:
    parser = checkouts_parser(__doc__, rounds=2)
    parser.add_argument("--cooperatives", type=int, default=5000)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--prefix", default="province", help="of the databases' names (default province)")
    args = parser.parse_args()
    roots = [args.first, args.second]
    asyncio.run(compare(roots, args.backend, args.prefix, args.cooperatives, args.periods, args.rounds))


if __name__ == "__main__":
    main()
