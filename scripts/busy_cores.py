"""Run a command and print how many cores the whole machine kept busy, every ``--every`` s.

Why: a per-function profile shows where CPU goes, not where a core sits idle. On the 2-core
box the import's workers ran dry during every commit of the writer (a dip to one core for
~1 s every ~3.5 s), which no profile showed and this trace did (docs/benchmarks/matcher.md,
round 10). It reads Linux's /proc/stat, so it counts every process: run it on an idle machine.

    .venv/bin/python scripts/busy_cores.py --every 0.5 -- .venv/bin/python scripts/bench_dedup.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

STAT = Path("/proc/stat")


def cpu_times() -> tuple[int, int]:
    """(busy, idle) jiffies of all cores together (the first line of /proc/stat)."""
    fields = [int(v) for v in STAT.read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    steal = fields[7] if len(fields) > 7 else 0
    return user + nice + system + irq + softirq + steal, idle + iowait


def trace(command: list[str], every: float, cores: int) -> tuple[int, list[float]]:
    """Run ``command``; returns its exit status and the busy cores of each interval."""
    samples: list[float] = []
    proc = subprocess.Popen(command)
    busy0, idle0 = cpu_times()
    while proc.poll() is None:
        time.sleep(every)
        busy, idle = cpu_times()
        total = (busy - busy0) + (idle - idle0)
        samples.append(cores * (busy - busy0) / total if total else 0.0)
        busy0, idle0 = busy, idle
    return proc.returncode, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=float, default=0.5, help="seconds per sample")
    parser.add_argument("--per-line", type=int, default=20, help="samples per printed line")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to trace after --")
    if not STAT.exists():
        parser.error(f"{STAT} not found: this trace needs Linux")
    cores = len([line for line in STAT.read_text().splitlines() if line[:3] == "cpu"]) - 1
    status, samples = trace(command, args.every, cores)
    for i in range(0, len(samples), args.per_line):
        print(" ".join(f"{s:.2f}" for s in samples[i : i + args.per_line]), file=sys.stderr)
    mean = sum(samples) / len(samples) if samples else 0.0
    print(
        f"busy cores: mean {mean:.2f} of {cores} over {len(samples) * args.every:.1f} s "
        f"({len(samples)} samples of {args.every} s)",
        file=sys.stderr,
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
