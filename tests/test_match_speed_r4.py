"""Round 4 match speed: the field levels computed in sliced worker tasks equal the
one-process levels, pair for pair, whatever the number of slices."""

from __future__ import annotations

import numpy as np
import pytest

from intake.match import parallel_levels
from intake.match.blocking import candidate_pairs
from intake.match.compare import FIELDS
from intake.match.frame import KeyFrame
from intake.match.score import Model
from intake.match.settings import MatchSettings
from intake.match.vscore import field_levels, score_pairs
from intake.normalize import record_keys
from intake.synth import generate_people, generate_submissions

S = MatchSettings()
KEYS = ("k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit")


@pytest.fixture(scope="module")
def batch():
    recs = generate_submissions(generate_people(150, seed=11), seed=11, dup_rate=0.6)
    rows = [(i, *(record_keys(r)[c] for c in KEYS)) for i, r in enumerate(recs, start=1)]
    frame = KeyFrame.from_rows(rows)
    cands = candidate_pairs(frame, S)
    model = Model(n=len(frame), tf=frame.tf_mapping())
    return frame, cands, model


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 100])
@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_tasks_cover_every_pair_of_every_field_once(n, parts):
    jobs = parallel_levels.tasks(n, parts)
    for f in FIELDS:
        spans = [(a, b) for g, a, b in jobs if g == f]
        covered = [k for a, b in spans for k in range(a, b)]
        assert covered == list(range(n))
    assert not jobs or jobs[0][0] == parallel_levels.COST_ORDER[0]


@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_sliced_worker_levels_equal_one_process_levels(batch, monkeypatch, parts):
    frame, cands, model = batch
    assert len(cands) > 100
    serial = {f: field_levels(frame, f, cands.left, cands.right, model) for f in FIELDS}
    monkeypatch.setattr(parallel_levels, "PARALLEL_MIN_PAIRS", 1)
    monkeypatch.setattr(parallel_levels, "PARTS", parts)
    got = parallel_levels.all_levels(field_levels, model, frame, cands.left, cands.right)
    assert list(got) == list(FIELDS)
    for f in FIELDS:
        assert got[f].dtype == serial[f].dtype
        assert np.array_equal(got[f], serial[f]), f


def test_scores_through_the_pool_equal_one_process_scores(batch, monkeypatch):
    frame, cands, model = batch
    one = score_pairs(model, frame, cands.left, cands.right)
    monkeypatch.setattr(parallel_levels, "PARALLEL_MIN_PAIRS", 1)
    pooled = score_pairs(model, frame, cands.left, cands.right)
    assert np.array_equal(one.weight, pooled.weight)
    assert [one.explanation(k) for k in range(len(cands))] == [
        pooled.explanation(k) for k in range(len(cands))
    ]
