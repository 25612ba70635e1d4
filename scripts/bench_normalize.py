#!/usr/bin/env python
"""Speed of intake.normalize.record_keys on synthetic Korean rows (median of 3 runs, one core).

Example:
    python scripts/bench_normalize.py --rows 200000

Two workloads: affected-account rows (as the 33.7M-row list looks: canonical spellings, no
birth date) and claim submissions (noisy duplicates, birth dates). Caches are cleared before each
run so repeated names/addresses are not free across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.normalize import (  # noqa: E402
    addresses,
    dates,
    name_similarity,
    names,
    record_keys,
    similarity,
)
from intake.synth import generate_accounts, generate_people, generate_submissions  # noqa: E402


def clear_caches() -> None:
    names._normalize_name.cache_clear()
    names.name_key.cache_clear()
    dates.birth_key.cache_clear()
    addresses._parse.cache_clear()
    similarity.name_forms.cache_clear()


def rate(rows: list[dict]) -> tuple[float, float]:
    """(rows per wall-clock second, rows per CPU second of this process).

    The CPU figure is the one-core speed even when other jobs share the machine."""
    clear_caches()
    t, c = time.perf_counter(), time.process_time()
    for r in rows:
        record_keys(r)
    return len(rows) / (time.perf_counter() - t), len(rows) / (time.process_time() - c)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    accounts = list(islice(generate_accounts(args.rows, seed=1), args.rows))
    people = generate_people(int(args.rows / 1.6), seed=2)
    claims = generate_submissions(people, dup_rate=0.4, seed=3)[: args.rows]
    for label, rows in (("accounts", accounts), ("claims", claims)):
        runs = [rate(rows) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"record_keys {label:8s} rows={len(rows):,} median wall {wall:,.0f} rows/s, "
              f"median CPU {cpu:,.0f} rows/s (runs: "
              + ", ".join(f"{w:,.0f}/{c:,.0f}" for w, c in runs) + ")")  # fmt: skip
    keys = [record_keys(r)["k_name"] for r in claims]
    pairs = [(a, b) for a, b in zip(keys, keys[1:], strict=False) if a and b][:100_000]
    runs = []
    for _ in range(args.runs):
        clear_caches()
        similarity._similarity.cache_clear()
        c = time.process_time()
        for a, b in pairs:
            name_similarity(a, b)
        runs.append(len(pairs) / (time.process_time() - c))
    print(f"name_similarity uncached pairs={len(pairs):,} median CPU "
          f"{statistics.median(runs):,.0f} pairs/s")  # fmt: skip
    print(f"load average: {os.getloadavg()[0]:.2f} (other jobs slow the wall-clock figure)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
