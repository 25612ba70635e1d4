"""Korean dedup benchmark: quality on synthetic claimants with truth, and end-to-end speed.

End to end = normalise (record_keys) + store the submissions + block + score + cluster + store
pairs and person ids. Generation of the synthetic data is not timed. Peak memory is the process
maximum RSS. The incremental figure is ``match_incremental`` for new submissions, one at a time,
against the full store.

Run:  .venv/bin/python scripts/bench_dedup.py --people 70000          (≈100k submissions)
      .venv/bin/python scripts/bench_dedup.py --people 700000 --incremental 300   (≈1M)
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from intake import store
from intake.match.pipeline import match_incremental, run_match
from intake.match.settings import MatchSettings
from intake.normalize import record_keys
from intake.refs import CROCKFORD
from intake.store.submissions import insert_submission
from intake.synth import generate_people, generate_submissions

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")
KEYS = ("k_name", "k_email", "k_phone", "k_phone_tail", "k_birth", "k_postcode", "k_addr", "k_unit")


def _keys_chunk(chunk: list[dict]) -> list[tuple]:
    out = []
    for r in chunk:
        k = record_keys(r)
        out.append(tuple(k[c] for c in KEYS))
    return out


def _refs(n: int) -> list[str]:
    """n distinct random claim refs (same format and alphabet as intake.refs, drawn in bulk)."""
    refs: set[str] = set()
    out = []
    while len(out) < n:
        for raw in os.urandom(5 * (n - len(out))).hex(" ", 5).split():
            v = int(raw.replace(" ", ""), 16)
            chars = "".join(CROCKFORD[(v >> (5 * i)) & 31] for i in range(8))
            ref = f"CL-{chars[:4]}-{chars[4:]}"
            if ref not in refs:
                refs.add(ref)
                out.append(ref)
    return out


def load(db, records: list[dict]) -> None:
    """Normalise (record_keys, on both cores) and bulk-insert submissions, as an import does."""
    cols = ("ref", "source", "submitted_at", *FIELDS, *KEYS)
    sql = f"INSERT INTO submissions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    size = 20_000
    chunks = [[{f: r.get(f) for f in FIELDS} for r in records[i : i + size]]
              for i in range(0, len(records), size)]  # fmt: skip
    with multiprocessing.get_context("fork").Pool(2) as pool:
        keys = [k for part in pool.map(_keys_chunk, chunks) for k in part]
    refs = _refs(len(records))
    n = len(records)
    db.conn.execute("BEGIN")
    db.conn.executemany(
        sql,
        (
            (
                refs[i],
                "bench",
                f"2026-11-{1 + i * 27 // n:02d}T00:00:00+00:00",
                *(r.get(f) for f in FIELDS),
                *keys[i],
            )
            for i, r in enumerate(records)
        ),  # fmt: skip
    )
    db.conn.execute("COMMIT")


def quality(db, records: list[dict]) -> dict:
    """Pairwise precision/recall/F1 of persons vs truth; household members and namesakes merged."""
    person_of = dict(db.execute("SELECT id, person_id FROM submissions"))
    by_person = defaultdict(list)
    for i, rec in enumerate(records, start=1):
        by_person[person_of[i]].append(rec)
    tp = fp = merged_household = 0
    for members in by_person.values():
        for a, b in itertools.combinations(members, 2):
            if a["truth_person"] == b["truth_person"]:
                tp += 1
            else:
                fp += 1
                merged_household += a["truth_household"] == b["truth_household"]
    truth = defaultdict(int)
    for rec in records:
        truth[rec["truth_person"]] += 1
    pairs = sum(n * (n - 1) // 2 for n in truth.values())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / pairs if pairs else 1.0
    return {
        "precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4),
        "household_pairs_merged": merged_household, "false_pairs": fp,
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=70_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--incremental", type=int, default=0, help="new submissions to time")
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    people = generate_people(args.people, seed=args.seed)
    records = generate_submissions(people, seed=args.seed)
    path = Path(args.db or tempfile.mkdtemp()) / "bench.db"
    path.unlink(missing_ok=True)
    db = store.connect(path)
    t0 = time.perf_counter()
    load(db, records)
    t1 = time.perf_counter()
    rep = run_match(db, full=True, settings=MatchSettings())
    t2 = time.perf_counter()
    out = {
        "submissions": len(records),
        "normalise_store_s": round(t1 - t0, 2),
        "match_s": round(t2 - t1, 2),
        "end_to_end_s": round(t2 - t0, 2),
        "candidates": rep.candidates,
        "auto_links": rep.auto_links,
        "review": rep.review,
        "persons": rep.persons,
        "estimated_recall": rep.estimated_recall,
        **quality(db, records),
    }
    if args.incremental:
        extra = generate_submissions(
            generate_people(args.incremental, seed=args.seed + 99), seed=args.seed + 99
        )[: args.incremental]
        times = []
        for rec in extra:
            sid, _ = insert_submission(db, {f: rec.get(f) for f in FIELDS})
            t = time.perf_counter()
            match_incremental(db, sid)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out["incremental_ms_p50"] = round(times[len(times) // 2], 2)
        out["incremental_ms_p99"] = round(times[int(len(times) * 0.99) - 1], 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))
    ok = out["f1"] >= 0.98 and out["household_pairs_merged"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
