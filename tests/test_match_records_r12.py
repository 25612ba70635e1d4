"""The in-memory match (``intake.match.records``): the batch run's engine on rows with no store,
for a notebook or a comparison of two files. Its dedup forms the same persons as ``intake
match --full`` on a real store; its link reads the household finding from the pairs across the
two sets, so FEBRL4 (no families) meets its target with the defaults while generated Korean
files (families on both sides) keep every household member apart."""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
import pytest
from match_helpers import load_bench_febrl

from intake import store
from intake.match.pipeline import run_match
from intake.match.records import VOCABULARY, keyed_rows, match_records
from intake.match.settings import MatchSettings
from intake.store.submissions import insert_submission
from intake.synth import generate_people, generate_submissions


def generated(people: int, seed: int) -> list[dict]:
    return generate_submissions(generate_people(people, seed=seed), seed=seed, dup_rate=0.5)


def persons(groups: dict[int, int]) -> set[frozenset[int]]:
    members = defaultdict(set)
    for row, root in groups.items():
        members[root].add(row)
    return {frozenset(m) for m in members.values()}


def test_dedup_forms_the_persons_of_a_full_batch_run(tmp_path):
    records = generated(1200, seed=5)
    db = store.connect(tmp_path / "r.db")
    row_of = {}
    for i, rec in enumerate(records):
        row_of[insert_submission(db, {f: rec.get(f) for f in VOCABULARY})[0]] = i
    run_match(db, full=True)
    by_person = defaultdict(set)
    for sid, pid in db.execute("SELECT id, person_id FROM submissions_with_matches"):
        by_person[pid].add(row_of[sid])
    db.conn.close()

    result = match_records(keyed_rows(records))
    assert persons(result.groups) == {frozenset(m) for m in by_person.values()}
    assert len(by_person) < len(records)  # duplicates were found, so the comparison says much


def two_files(people: int, seed: int) -> tuple[list[dict], np.ndarray]:
    """Each person's claims dealt alternately to file A and file B (families in both)."""
    records = generated(people, seed)
    seen: dict[str, int] = defaultdict(int)
    side = []
    for rec in records:
        side.append(seen[rec["truth_person"]] % 2 == 1)
        seen[rec["truth_person"]] += 1
    return records, np.array(side)


def test_link_of_files_with_families_keeps_household_members_apart():
    records, side = two_files(3000, seed=11)
    result = match_records(keyed_rows(records), side=side)
    assert not result.households.absent
    assert result.households.co_resident > 0
    merged = linked = 0
    for group in persons(result.groups):
        for a, b in itertools.combinations(group, 2):
            if side[a] == side[b]:
                continue
            ra, rb = records[a], records[b]
            linked += ra["truth_person"] == rb["truth_person"]
            merged += ra["truth_person"] != rb["truth_person"] and (
                ra["truth_household"] == rb["truth_household"]
            )
    assert merged == 0
    assert linked > 500


def test_link_to_a_set_without_birth_dates_keeps_the_rules():
    """As the affected list (no birth dates): nothing to read, never household-free."""
    records, side = two_files(3000, seed=12)
    records = [{**r, "birth_date": None} if s else r for r, s in zip(records, side, strict=True)]
    result = match_records(keyed_rows(records), side=side)
    assert result.households.same_person == 0
    assert not result.households.absent
    assert result.model.households


def test_febrl4_link_meets_the_target_with_the_defaults():
    """FEBRL4 (two files, no families; truth used only to count): the finding from the pairs
    across the files reads household-free, and the defaults reach F1 >= 0.99."""
    bench = load_bench_febrl()
    assert bench.febrl4(MatchSettings(), False) >= 0.99
    assert bench.run.households.absent
    assert bench.febrl4(MatchSettings(household_detect=False), False) < 0.99


@pytest.mark.parametrize("side_given", [False, True])
def test_rows_keep_their_numbers(side_given):
    records = generated(300, seed=2)
    side = np.arange(len(records)) % 2 == 1 if side_given else None
    result = match_records(keyed_rows(records), side=side)
    assert sorted(result.groups) == list(range(len(records)))
    if side_given:
        assert (side[result.left] != side[result.right]).all()


def test_a_side_that_does_not_mark_every_row_is_refused():
    rows = keyed_rows(generated(50, seed=1))
    with pytest.raises(ValueError, match=f"side marks 3 rows, but there are {len(rows)} rows"):
        match_records(rows, side=np.array([True, False, True]))
    as_list = [i % 2 == 1 for i in range(len(rows))]  # any sequence of booleans will do
    result = match_records(rows, side=as_list)
    assert (np.asarray(as_list)[result.left] != np.asarray(as_list)[result.right]).all()
