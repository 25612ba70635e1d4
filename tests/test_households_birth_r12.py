"""The household finding needs birth dates: a co-resident (another name, another birth date, one
home) is told from a renamed record only by the birth date. Claims imported without that
column, or with most of it empty, must not read as household-free, or a batch run would switch
off the rules that keep family members apart and merge them. Real SQLite stores in tmp_path."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from match_helpers import household_evidence_of

from intake import store
from intake.match.compare import CLOSE, EXACT, FAR, MISSING
from intake.match.households import HouseholdEvidence, household_evidence
from intake.match.pipeline import run_match
from intake.store.matches import load_model_params
from intake.store.submissions import insert_submission
from intake.synth import generate_people, generate_submissions

FIELDS = ("name", "email", "phone", "address", "postal_code", "birth_date")


def claims(people: int, seed: int, *, without_birth: float) -> list[dict]:
    """Generated claims (families, re-filings), ``without_birth`` of them with no birth date."""
    rng = random.Random(seed)
    out = []
    for rec in generate_submissions(generate_people(people, seed=seed), seed=seed):
        if rng.random() < without_birth:
            rec = {**rec, "birth_date": None}
        out.append(rec)
    return out


def test_pairs_without_both_birth_dates_count_on_neither_side():
    levels = {
        "address": np.full(4, EXACT),
        "postal_code": np.full(4, EXACT),
        "name": np.array([EXACT, CLOSE, FAR, EXACT]),
        "birth_date": np.array([MISSING, MISSING, MISSING, EXACT]),
    }
    assert household_evidence(levels) == HouseholdEvidence(same_person=1, co_resident=0)


def test_too_few_pairs_says_so():
    assert "too few pairs to tell" in str(HouseholdEvidence(same_person=0, co_resident=0))
    assert "too few" not in str(HouseholdEvidence(same_person=500, co_resident=400))


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "nb.db")
    yield database
    database.conn.close()


def test_claims_imported_without_birth_dates_keep_family_members_apart(db):
    """1,500 generated people (a third in households), every birth date left out: the batch
    run keeps the household rules, and no two members of one household become one person."""
    records = claims(1500, seed=3, without_birth=1.0)
    truth = {}
    for rec in records:
        sid = insert_submission(db, {f: rec.get(f) for f in FIELDS})[0]
        truth[sid] = (rec["truth_person"], rec["truth_household"])
    rep = run_match(db, full=True)
    assert not rep.households.absent
    assert "households_absent" not in (load_model_params(db) or {})
    members = defaultdict(list)
    sql = "SELECT id, person_id FROM submissions_with_matches"
    for sid, pid in db.execute(sql):
        members[pid].append(truth[sid])
    merged = sum(
        a[0] != b[0] and a[1] == b[1]
        for group in members.values()
        for a, b in itertools.combinations(group, 2)
    )
    assert merged == 0
    assert len(members) < len(records)  # re-filings still join: the run did match


@settings(max_examples=10, deadline=None)
@given(
    people=st.integers(300, 1500),
    without_birth=st.floats(0.0, 1.0),
    seed=st.integers(0, 10_000),
)
def test_claimants_with_families_never_read_household_free_whatever_birth_dates_miss(
    people, without_birth, seed
):
    assert not household_evidence_of(claims(people, seed, without_birth=without_birth)).absent
