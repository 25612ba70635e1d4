#!/usr/bin/env python
"""What each blocking rule costs and finds, on a stored benchmark database.

A rule's ``pairs_per_rule`` in the match report counts every pair it proposes, but a pair is
scored once however many rules propose it: the cost of a rule is the pairs only it proposes.
This prints, per rule, the pairs it proposes, those only it proposes, and of those how many
score into the review or auto-link band; with the benchmark's truth file also how many of
them are true pairs. Counts only: no claim values are printed.

Example (the stores ``scripts/bench_dedup.py --dir D`` leaves behind):
    .venv/bin/python scripts/blocking_rules.py /tmp/ms1m/bench.db \
        --truth /tmp/ms1m/truth-700000-1.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake import store  # noqa: E402
from intake.match.blocking import RULES, candidate_pairs  # noqa: E402
from intake.match.frame import KeyFrame  # noqa: E402
from intake.match.pipeline import load_model  # noqa: E402
from intake.match.settings import MatchSettings  # noqa: E402
from intake.match.vscore import score_pairs  # noqa: E402
from intake.store import matches  # noqa: E402


def truth_persons(db, ids: np.ndarray, truth_file: Path) -> np.ndarray:
    """The true person of each frame row: ``bench_dedup.py`` stores a row's index in the
    truth as its ``ref``; rows without one (per-submit extras) are their own person."""
    truth = json.loads(truth_file.read_text())
    refs = dict(db.execute("SELECT id, source_ref FROM submissions").fetchall())
    return np.array(
        [truth[int(refs[i])][0] if refs.get(i) is not None else f"?{i}" for i in ids.tolist()]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--truth", type=Path, help="truth-*.json of scripts/bench_dedup.py")
    args = parser.parse_args()
    if not args.db.is_file():  # connect would create an empty store
        parser.error(f"no database at {args.db}")
    if args.truth and not args.truth.is_file():
        parser.error(f"no truth file at {args.truth}")
    db = store.connect(args.db)
    if not db.execute("SELECT 1 FROM submissions LIMIT 1").fetchone():
        parser.error(f"{args.db} holds no submissions")
    with matches.read_snapshot(db):
        packed = matches.packed_keys(db)
    frame = KeyFrame.from_packed(*packed, matches.PACK_SEPARATOR)
    settings = MatchSettings()
    model = load_model(db, settings, len(frame), frame=frame)
    t = time.perf_counter()
    cands = candidate_pairs(frame, settings)
    block_s = time.perf_counter() - t
    t = time.perf_counter()
    prob = score_pairs(model, frame, cands.left, cands.right).probability
    score_s = time.perf_counter() - t
    stored, linked = prob >= settings.lower, prob >= settings.upper
    true = None
    if args.truth:
        person = truth_persons(db, frame.ids, args.truth)
        true = person[cands.left] == person[cands.right]
    print(
        f"submissions {len(frame):,}  candidates {len(cands):,}  block {block_s:.2f} s"
        f"  score {score_s:.2f} s  stored {int(stored.sum()):,}  auto-linked {int(linked.sum()):,}"
    )
    head = f"{'rule':22s} {'proposes':>10s} {'only':>10s} {'stored':>7s} {'linked':>7s}"
    print(head + (f" {'linked true':>11s} {'true, any band':>14s}" if true is not None else ""))
    for r, rule in enumerate(RULES):
        only = cands.proposed == (1 << r)
        line = (
            f"{rule.name:22s} {cands.per_rule[rule.name]:10,d} {int(only.sum()):10,d}"
            f" {int((only & stored).sum()):7,d} {int((only & linked).sum()):7,d}"
        )
        if true is not None:
            line += f" {int((only & linked & true).sum()):11,d} {int((only & true).sum()):14,d}"
        print(line)


if __name__ == "__main__":
    main()
