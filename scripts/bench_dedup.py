"""Korean dedup benchmark: quality on synthetic claimants with truth, and end-to-end speed.

End to end = the product's claims import of a CSV export and match, as ``intake import-claims
FILE --match`` runs them (parse, normalise with record_keys, store the submissions; then read,
block, score, cluster, store pairs and person ids, with the import's indexes built in a thread
beside the match's first stages and committed before its first write); ``--separate`` times
them as two commands (the import builds its indexes first). Generation of the synthetic data
(and its CSV) is not timed.
Peak memory is the process maximum RSS. The incremental figures are ``match_incremental`` for
new submissions, one at a time, against the full store: first with SQLite's own checkpoints
(as the command line and a notebook run it), then as ``intake serve`` runs it (a checkpoint
thread, the connection's checkpoint only a backstop), each on its own new submissions.

Run:  .venv/bin/python scripts/bench_dedup.py --people 70000          (≈100k submissions)
      .venv/bin/python scripts/bench_dedup.py --people 700000 --incremental 300   (≈1M)
      add --dir D --reuse to re-use generated data, --load-only to time the import alone,
      --separate to time import and match as two commands
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from intake import store
from intake.importing import import_claims
from intake.match.pipeline import match_incremental, run_match
from intake.match.settings import MatchSettings
from intake.store.checkpoints import BACKSTOP_PAGES, Checkpointer
from intake.store.submissions import insert_submission
from intake.synth import generate_people, generate_submissions

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")


def load(db, path: Path, *, defer_indexes: bool = False) -> tuple[int, int]:
    """The product's own import: what ``intake import-claims FILE`` runs (parse, normalise with
    ``record_keys``, store, build the indexes; its default worker processes). With
    ``defer_indexes`` what ``import-claims FILE --match`` runs: the match that follows builds
    the indexes beside its first stages. Returns (rows loaded, rows rejected)."""
    rep = import_claims(db, path, progress=False, defer_indexes=defer_indexes)
    return rep.loaded, rep.rejected


def quality(db, truth: list[tuple[str, str]]) -> dict:
    """Pairwise precision/recall/F1 of persons vs truth (person, household); an imported row's
    ``ref`` (its source_ref) is its index in the truth. False pairs within one household are
    household members merged."""
    by_person = defaultdict(list)
    rows = db.execute(
        "SELECT source_ref, person_id FROM submissions_with_matches WHERE source_ref IS NOT NULL"
    )
    for ref, pid in rows:
        by_person[pid].append(truth[int(ref)])
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
    """Write synthetic submissions as a CSV export with a ``ref`` column, as a form tool
    exports them (untimed); return the truth in file order (``ref`` = index)."""
    records = generate_submissions(generate_people(people, seed=seed), seed=seed)
    _write_csv(out, ({f: r.get(f) for f in FIELDS} for r in records))
    return [(r["truth_person"], r["truth_household"]) for r in records]


def _write_csv(out: Path, records) -> None:
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ref", *FIELDS])
        for i, r in enumerate(records):
            w.writerow([i, *("" if r.get(f) is None else r[f] for f in FIELDS)])


def _csv_from_jsonl(jsonl: Path, out: Path) -> None:
    """A data directory of an earlier version of this script: same records, as the CSV."""
    with jsonl.open(encoding="utf-8") as fh:
        _write_csv(out, (json.loads(line) for line in fh))


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _cpu_workers() -> float:
    """CPU seconds of the finished worker processes alone (the load stage's split)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def timed_run(
    data: Path,
    db_path: Path,
    incremental: int,
    seed: int,
    load_only: bool = False,
    separate: bool = False,
    settings: MatchSettings | None = None,
) -> dict:
    """The measured part, in a fresh process: load + full match (+ incremental look-ups), as
    ``intake import-claims FILE --match`` runs them (the indexes built during the match), or
    with ``separate`` as two commands (the import builds them first); ``load_only``: the load
    stage alone (the import of the CSV with its indexes, nothing else)."""
    db = store.connect(db_path)
    t0, c0, k0 = time.perf_counter(), _cpu(), _cpu_workers()
    n, rejected = load(db, data, defer_indexes=not (load_only or separate))
    t1, c1, k1 = time.perf_counter(), _cpu(), _cpu_workers()
    load_avg = os.getloadavg()[0]
    if load_only:
        return {
            "submissions": n, "rejected": rejected, "normalise_store_s": round(t1 - t0, 2),
            "cpu_normalise_store_s": round(c1 - c0, 2),
            "cpu_normalise_store_workers_s": round(k1 - k0, 2),
            "load_average_1m": [round(load_avg, 2)],
        }  # fmt: skip
    settings = settings or MatchSettings()
    rep = run_match(db, full=True, settings=settings)
    t2, c2 = time.perf_counter(), _cpu()
    out = {
        "submissions": n,
        "rejected": rejected,
        "indexes_built_in": "import" if separate else "match",
        "normalise_store_s": round(t1 - t0, 2),
        "match_s": round(t2 - t1, 2),
        "end_to_end_s": round(t2 - t0, 2),
        "cpu_normalise_store_s": round(c1 - c0, 2),
        "cpu_normalise_store_workers_s": round(k1 - k0, 2),  # of which the import's workers
        "cpu_match_s": round(c2 - c1, 2),
        "candidates": rep.candidates,
        "auto_links": rep.auto_links,
        "review": rep.review,
        "persons": rep.persons,
        "estimated_recall": rep.estimated_recall,
        "households": rep.households.as_params() if rep.households else None,
        "match_stages_s": rep.stages,
        "match_stages_cpu_s": rep.stages_cpu,
        "pairs_per_rule": rep.pairs_per_rule,
        "load_average_1m": [round(load_avg, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    if incremental:
        p50, p99 = _per_submit(db, incremental, seed + 99, settings)
        out["incremental_ms_p50"], out["incremental_ms_p99"] = p50, p99
        with store.pragmas(db.conn, wal_autocheckpoint=BACKSTOP_PAGES), Checkpointer(db_path):
            p50, p99 = _per_submit(db, incremental, seed + 199, settings)
        out["incremental_serve_ms_p50"], out["incremental_serve_ms_p99"] = p50, p99
    return out


def _per_submit(db, count: int, seed: int, settings: MatchSettings) -> tuple[float, float]:
    """(p50, p99) ms of ``match_incremental`` for ``count`` new submissions, one at a time."""
    people = generate_people(count, seed=seed)
    times = []
    for rec in generate_submissions(people, seed=seed)[:count]:
        sid, _ = insert_submission(db, {f: rec.get(f) for f in FIELDS})
        t = time.perf_counter()
        match_incremental(db, sid, settings=settings)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return round(times[len(times) // 2], 2), round(times[max(0, int(len(times) * 0.99) - 1)], 2)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=70_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--incremental", type=int, default=0, help="new submissions to time")
    ap.add_argument("--dir", default=None, help="work directory (default: a new temp dir)")
    ap.add_argument("--reuse", action="store_true", help="reuse data generated in --dir")
    ap.add_argument("--load-only", action="store_true", help="time the import alone (no match)")
    ap.add_argument(
        "--separate",
        action="store_true",
        help="import, then match, as two commands (the import builds its indexes first)",
    )
    ap.add_argument(
        "--household-size",
        type=float,
        default=MatchSettings.household_size,
        help="MATCH_HOUSEHOLD_SIZE (0: the data have no households; family members merge)",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = Path(args.dir or tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    data, db_path = work / "submissions.csv", work / "bench.db"
    if args.child:
        settings = MatchSettings(household_size=args.household_size)
        print(json.dumps(timed_run(
            data, db_path, args.incremental, args.seed, args.load_only, args.separate, settings
        )))  # fmt: skip
        return 0
    truth_file = work / f"truth-{args.people}-{args.seed}.json"
    jsonl = work / "submissions.jsonl"
    if args.reuse and truth_file.exists() and not data.exists() and jsonl.exists():
        _csv_from_jsonl(jsonl, data)
    if args.reuse and truth_file.exists() and data.exists():
        truth = [tuple(t) for t in json.loads(truth_file.read_text())]
    else:
        truth = generate(args.people, args.seed, data)
        truth_file.write_text(json.dumps(truth))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    Path(f"{data}.rejects.csv").unlink(missing_ok=True)
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--dir", str(work), "--seed", str(args.seed),
         "--incremental", str(args.incremental), *(["--load-only"] if args.load_only else []),
         *(["--separate"] if args.separate else []),
         "--household-size", str(args.household_size)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    out = json.loads(child.stdout.strip().splitlines()[-1])
    if args.load_only:
        print(json.dumps(out))
        return 0
    out.update(quality(store.connect(db_path), truth))
    print(json.dumps(out))
    return 0 if out["f1"] >= 0.98 and out["household_pairs_merged"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
