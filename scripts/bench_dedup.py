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
import subprocess
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
from intake.store.submissions import deferred_indexes, insert_submission
from intake.synth import generate_people, generate_submissions

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")
KEYS = ("k_name", "k_email", "k_phone", "k_phone_tail", "k_birth", "k_postcode", "k_addr", "k_unit")


def _rows_chunk(start: int, lines: list[str]) -> list[tuple]:
    """Worker: parse, normalise (record_keys) and build the insert rows of one chunk of lines;
    ``start`` numbers the rows (submission dates). The parent only checks refs and inserts."""
    refs = _refs(len(lines))
    out = []
    for i, line in enumerate(lines):
        r = json.loads(line)
        k = record_keys(r)
        n = start + i
        out.append(
            (refs[i], "bench", f"2026-11-{1 + n % 27:02d}T00:00:00+00:00",
             *(r.get(f) for f in FIELDS), *(k[c] for c in KEYS))
        )  # fmt: skip
    return out


def _refs(n: int) -> list[str]:
    """n random claim refs (intake.refs' format and alphabet, drawn in bulk)."""
    raw = os.urandom(5 * n)
    out = []
    for k in range(0, len(raw), 5):
        v = int.from_bytes(raw[k : k + 5])
        chars = "".join(CROCKFORD[(v >> (5 * i)) & 31] for i in range(8))
        out.append(f"CL-{chars[:4]}-{chars[4:]}")
    return out


def _bounded(pool, jobs, ahead: int = 4):
    """pool.apply_async without imap's eager read-ahead: at most ``ahead`` chunks in flight."""
    pending = []
    for job in jobs:
        pending.append(pool.apply_async(_rows_chunk, job))
        if len(pending) >= ahead:
            yield pending.pop(0).get()
    for p in pending:
        yield p.get()


def load(db, path: Path) -> int:
    """Stream a JSON-lines file: parse and normalise (record_keys) in 2 worker processes, and
    bulk-insert submissions in one transaction, the secondary indexes rebuilt once at the end
    (``deferred_indexes``) as an import into an empty store does. Returns the row count."""
    cols = ("ref", "source", "submitted_at", *FIELDS, *KEYS)
    sql = f"INSERT INTO submissions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    size = 10_000
    seen: set[str] = set()
    n = 0

    def jobs():
        start = 0
        with path.open(encoding="utf-8") as fh:
            while lines := list(itertools.islice(fh, size)):
                yield start, lines
                start += len(lines)

    lines_total = sum(1 for _ in path.open(encoding="utf-8"))
    db.conn.execute(f"PRAGMA cache_size = -{256 * 1024}")  # 256 MB: index pages stay cached
    db.conn.execute("BEGIN")
    with deferred_indexes(db, lines_total), multiprocessing.get_context("fork").Pool(2) as pool:
        for rows in _bounded(pool, jobs()):
            for k, row in enumerate(rows):
                while row[0] in seen:  # 40-bit random refs: a collision is rare
                    row = rows[k] = (_refs(1)[0], *row[1:])
                seen.add(row[0])
            db.conn.executemany(sql, rows)
            n += len(rows)
    db.conn.execute("COMMIT")
    return n


def quality(db, truth: list[tuple[str, str]]) -> dict:
    """Pairwise precision/recall/F1 of persons vs truth (person, household) by insertion order;
    false pairs within one household are household members merged."""
    by_person = defaultdict(list)
    for sid, pid in db.execute("SELECT id, person_id FROM submissions ORDER BY id"):
        if sid <= len(truth):
            by_person[pid].append(truth[sid - 1])
    tp = fp = merged_household = 0
    for members in by_person.values():
        for a, b in itertools.combinations(members, 2):
            if a[0] == b[0]:
                tp += 1
            else:
                fp += 1
                merged_household += a[1] == b[1]
    sizes = defaultdict(int)
    for person, _ in truth:
        sizes[person] += 1
    pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / pairs if pairs else 1.0
    return {
        "precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4),
        "household_pairs_merged": merged_household, "false_pairs": fp,
    }  # fmt: skip


def generate(people: int, seed: int, out: Path) -> list[tuple[str, str]]:
    """Write synthetic submissions as JSON lines (untimed); return the truth in file order."""
    records = generate_submissions(generate_people(people, seed=seed), seed=seed)
    with out.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({f: r.get(f) for f in FIELDS}, ensure_ascii=False) + "\n")
    return [(r["truth_person"], r["truth_household"]) for r in records]


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed_run(data: Path, db_path: Path, incremental: int, seed: int) -> dict:
    """The measured part, in a fresh process: load + full match (+ incremental look-ups)."""
    db = store.connect(db_path)
    t0, c0 = time.perf_counter(), _cpu()
    n = load(db, data)
    t1, c1 = time.perf_counter(), _cpu()
    load_avg = os.getloadavg()[0]
    rep = run_match(db, full=True, settings=MatchSettings())
    t2, c2 = time.perf_counter(), _cpu()
    out = {
        "submissions": n,
        "normalise_store_s": round(t1 - t0, 2),
        "match_s": round(t2 - t1, 2),
        "end_to_end_s": round(t2 - t0, 2),
        "cpu_normalise_store_s": round(c1 - c0, 2),
        "cpu_match_s": round(c2 - c1, 2),
        "candidates": rep.candidates,
        "auto_links": rep.auto_links,
        "review": rep.review,
        "persons": rep.persons,
        "estimated_recall": rep.estimated_recall,
        "match_stages_s": rep.stages,
        "match_stages_cpu_s": rep.stages_cpu,
        "pairs_per_rule": rep.pairs_per_rule,
        "load_average_1m": [round(load_avg, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    if incremental:
        people = generate_people(incremental, seed=seed + 99)
        extra = generate_submissions(people, seed=seed + 99)[:incremental]
        times = []
        for rec in extra:
            sid, _ = insert_submission(db, {f: rec.get(f) for f in FIELDS})
            t = time.perf_counter()
            match_incremental(db, sid)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out["incremental_ms_p50"] = round(times[len(times) // 2], 2)
        out["incremental_ms_p99"] = round(times[max(0, int(len(times) * 0.99) - 1)], 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=70_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--incremental", type=int, default=0, help="new submissions to time")
    ap.add_argument("--dir", default=None, help="work directory (default: a new temp dir)")
    ap.add_argument("--reuse", action="store_true", help="reuse data generated in --dir")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = Path(args.dir or tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    data, db_path = work / "submissions.jsonl", work / "bench.db"
    if args.child:
        print(json.dumps(timed_run(data, db_path, args.incremental, args.seed)))
        return 0
    truth_file = work / f"truth-{args.people}-{args.seed}.json"
    if args.reuse and truth_file.exists() and data.exists():
        truth = [tuple(t) for t in json.loads(truth_file.read_text())]
    else:
        truth = generate(args.people, args.seed, data)
        truth_file.write_text(json.dumps(truth))
    db_path.unlink(missing_ok=True)
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--dir", str(work), "--seed", str(args.seed),
         "--incremental", str(args.incremental)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    out = json.loads(child.stdout.strip().splitlines()[-1])
    out.update(quality(store.connect(db_path), truth))
    print(json.dumps(out))
    return 0 if out["f1"] >= 0.98 and out["household_pairs_merged"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
