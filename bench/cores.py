"""Where a benchmark round's cores go, sampled through it: the servers', the drivers' (this process's other children),
the fake API's, PostgreSQL's and the whole machine's CPU seconds every TIMELINE_SECONDS, and the cores of each over
the round's steady state (bench/peer_compare.py's `--processes`, bench/processes_probe.py)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TIMELINE_SECONDS = 0.05


def stat_seconds(stat: str) -> float:
    """utime + stime (and its waited-for children's) in a /proc/PID/stat line, in seconds."""
    fields = stat.rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its waited-for children), in seconds."""
    return stat_seconds(Path(f"/proc/{pid}/stat").read_text())


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every core; idle and I/O wait left out), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def postgres_cpu() -> float:
    """CPU seconds of every process named postgres (the postmaster's children that ended included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if "(postgres)" in stat:
                total += stat_seconds(stat)
    return total


def drivers_running() -> list[int]:
    """This process's children that run the load driver (../shared/peers/load_tg.py)."""
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            for pid in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    if b"load_tg.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        pids.append(int(pid))
    return pids


class Timeline:
    """Every TIMELINE_SECONDS, on its own thread: the CPU seconds so far of the servers, the drivers, the fake API,
    PostgreSQL and the whole machine. `steady` gives the cores of each over the middle of the time the servers were
    busy (the drivers' start-up, before the load, and the last replies' wait, after it, left out)."""

    def __init__(self, servers: list[int], fake: int) -> None:
        self.servers, self.fake = servers, fake
        self.rows: list[tuple[float, float, float, float, float, float]] = []
        self._drivers: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in drivers_running():
            with contextlib.suppress(OSError, IndexError):
                self._drivers[pid] = cpu_seconds(pid)
        servers = sum(cpu_seconds(pid) for pid in self.servers)
        self.rows.append(
            (
                time.perf_counter(),
                servers,
                sum(self._drivers.values()),
                cpu_seconds(self.fake),
                postgres_cpu(),
                machine_busy(),
            )
        )

    def _run(self) -> None:
        while not self._stop.wait(TIMELINE_SECONDS):
            self._sample()

    def __enter__(self) -> Timeline:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def steady(self) -> dict[str, float]:
        busy = [
            n
            for n in range(1, len(self.rows))
            if (self.rows[n][1] - self.rows[n - 1][1]) / (self.rows[n][0] - self.rows[n - 1][0]) > 0.2
        ]
        first, last = busy[0], busy[-1]
        a, b = self.rows[first + (last - first) // 10], self.rows[last - (last - first) // 10]
        span = b[0] - a[0]
        names = ("servers", "drivers", "fake", "postgresql", "machine")
        return {name: (b[k + 1] - a[k + 1]) / span for k, name in enumerate(names)} | {
            "busy_s": self.rows[last][0] - self.rows[first - 1][0],
            "span_s": span,
        }
