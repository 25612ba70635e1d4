"""The matcher's fast paths give the same results as the plain ones they replace."""

from __future__ import annotations

import numpy as np
import pytest

from intake import store
from intake.match.blocking import candidate_pairs
from intake.match.cluster import person_id
from intake.match.explain import decode as decode_explanation
from intake.match.frame import KeyFrame, factorize
from intake.match.pairrows import explanations
from intake.match.pipeline import run_match
from intake.match.score import Model
from intake.match.settings import MatchSettings
from intake.match.vscore import score_pairs
from intake.normalize import record_keys
from intake.store.matches import set_persons
from intake.store.submissions import deferred_indexes, insert_submission, secondary_indexes
from intake.synth import generate_people, generate_submissions

S = MatchSettings()
KEYS = ("k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit")


@pytest.fixture
def sdb(tmp_path):
    database = store.connect(tmp_path / "speed.db")
    yield database
    database.conn.close()


def _frame(people: int = 120, seed: int = 5) -> KeyFrame:
    recs = generate_submissions(generate_people(people, seed=seed), seed=seed, dup_rate=0.6)
    rows = []
    for i, r in enumerate(recs, start=1):
        k = record_keys(r)
        rows.append((i, *(k[c] for c in KEYS)))
    return KeyFrame.from_rows(rows)


def test_batch_explanations_equal_per_pair_explanations():
    frame = _frame()
    cands = candidate_pairs(frame, S)
    assert len(cands) > 50
    scored = score_pairs(Model(n=len(frame), tf=frame.tf_mapping()), frame, cands.left, cands.right)
    idx = np.arange(len(cands))
    got = explanations(scored, idx)
    assert got == [scored.explanation(k) for k in idx.tolist()]
    assert decode_explanation(got[0])[0]["field"] == "prior"


@pytest.mark.parametrize(
    "ref",
    ["CL-AB12-CD34", "cl-ab12-cd34", "CL-ab12-Cd34", "CL-AB12CD34", "X-1", "CL-AB 2-CD34", ""],
)
def test_person_id_fast_path_equals_general_rule(ref):
    core = ref[3:] if ref.upper().startswith("CL-") else ref
    assert person_id(ref) == "P-" + "".join(ch for ch in core if ch.isalnum()).upper()


@pytest.mark.parametrize(
    "values",
    [[], [None, ""], ["b", "a", None, "b", "", "c"], ["김민준", "kim", "김민준", None, "가"]],
)
def test_factorize_codes_follow_sorted_values(values):
    codes, uniques = factorize(values)
    assert uniques == sorted({v for v in values if v})
    assert codes.tolist() == [uniques.index(v) if v else -1 for v in values]


def _index_sql(db):
    return sorted(secondary_indexes(db))


def test_deferred_indexes_rebuilds_the_same_indexes(sdb):
    before = _index_sql(sdb)
    sdb.conn.execute("BEGIN")
    with deferred_indexes(sdb, 10) as dropped:
        assert dropped
        assert _index_sql(sdb) == []
        insert_submission(sdb, {"name": "김민준", "email": "a@naver.com"})
    sdb.conn.execute("COMMIT")
    assert _index_sql(sdb) == before
    plan = sdb.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM submissions WHERE k_email = 'a@naver.com'"
    ).fetchall()
    assert "submissions_k_email" in str(plan)


def test_deferred_indexes_rollback_keeps_indexes(sdb):
    before = _index_sql(sdb)
    sdb.conn.execute("BEGIN")
    with pytest.raises(RuntimeError), deferred_indexes(sdb, 10):
        raise RuntimeError("a failed load")
    sdb.conn.execute("ROLLBACK")
    assert _index_sql(sdb) == before


def test_small_batch_into_bigger_store_keeps_indexes(sdb):
    for i in range(3):
        insert_submission(sdb, {"name": f"김민준{i}"})
    sdb.conn.execute("BEGIN")
    with deferred_indexes(sdb, 2) as dropped:
        assert not dropped
    sdb.conn.execute("COMMIT")


@pytest.mark.parametrize("stored", [0, 50])  # index rebuilt once / kept and updated per row
def test_set_persons_writes_person_and_stamp_in_one_pass(sdb, stored):
    if stored:  # match results already stored for more rows than this write brings
        old = [insert_submission(sdb, {"name": f"박지호{i}"})[0] for i in range(stored)]
        set_persons(sdb, [(f"P-OLD{i:05d}", i) for i in old], old)
    ids = [insert_submission(sdb, {"name": f"이서연{i}"})[0] for i in range(4)]
    plans = []
    sdb.conn.set_trace_callback(plans.append)
    set_persons(sdb, [("P-A", ids[0]), ("P-B", ids[1])], [ids[1], ids[2]])
    sdb.conn.set_trace_callback(None)
    rows = sdb.execute(
        "SELECT id, person_id, matched_at IS NOT NULL FROM submissions_with_matches"
        " WHERE id >= ? ORDER BY id",
        [ids[0]],
    ).fetchall()
    assert rows == [(ids[0], "P-A", 0), (ids[1], "P-B", 1), (ids[2], None, 1), (ids[3], None, 0)]
    dropped = any(sql.startswith('DROP INDEX "match_results_person"') for sql in plans)
    assert dropped == (not stored)
    assert [n for n, _ in secondary_indexes(sdb, "match_results")] == ["match_results_person"]
    if stored:  # the old rows are untouched
        assert (
            sdb.execute(
                "SELECT count(*) FROM match_results WHERE person_id LIKE 'P-OLD%'"
            ).fetchone()[0]
            == stored
        )


def test_full_run_on_synthetic_store_same_persons_twice(sdb):
    """A full run rewrites every person id with the indexes deferred; a second run agrees."""
    recs = generate_submissions(generate_people(60, seed=9), seed=9, dup_rate=0.6)
    for r in recs:
        insert_submission(sdb, {f: r.get(f) for f in ("name", "email", "phone", "birth_date")})
    first = run_match(sdb, full=True)
    p1 = sdb.execute("SELECT id, person_id FROM submissions_with_matches ORDER BY id").fetchall()
    run_match(sdb, full=True)
    assert (
        sdb.execute("SELECT id, person_id FROM submissions_with_matches ORDER BY id").fetchall()
        == p1
    )
    assert first.persons < len(recs)
    unmatched = sdb.execute(
        "SELECT count(*) FROM submissions_with_matches WHERE matched_at IS NULL"
    )
    assert unmatched.fetchone()[0] == 0


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_components_give_the_union_find_persons(seed):
    from intake.match.cluster import cluster, person_ids
    from intake.match.pipeline import _assign_components

    rng = np.random.default_rng(seed)
    n = 300
    ids = np.sort(rng.choice(10_000, n, replace=False)).astype(np.int64)
    meta = [
        (f"CL-{i:04d}-{seed:04d}", f"2026-11-{rng.integers(1, 4):02d}T00:00:00", None, None)
        for i in range(n)
    ]  # few distinct times: ties are broken by id
    m = int(rng.integers(0, 400))
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    edges = [(int(ids[x]), int(ids[y])) for x, y in zip(a, b, strict=True) if x != y]
    fast = _assign_components(
        ids,
        meta,
        np.searchsorted(ids, [e[0] for e in edges]).astype(np.int64),
        np.searchsorted(ids, [e[1] for e in edges]).astype(np.int64),
    )
    row = {int(i): k for k, i in enumerate(ids)}
    nodes = sorted({x for e in edges for x in e})
    groups = person_ids(
        cluster(nodes, [], edges, []),
        lambda i: (meta[row[i]][1], i),
        lambda i: meta[row[i]][0],
    )
    slow = {int(i): groups.get(int(i)) or person_id(meta[k][0]) for k, i in enumerate(ids)}
    assert fast == slow


def test_frame_built_with_a_names_worker_equals_serial_frame(monkeypatch):
    from intake.match import frame as frame_mod
    from intake.match.vscore import field_levels

    serial = _frame(people=80, seed=11)
    monkeypatch.setattr(frame_mod, "PARALLEL_MIN_NAMES", 1)
    parallel = _frame(people=80, seed=11)
    assert parallel.hangul == serial.hangul
    for col, codes in serial.codes.items():
        assert parallel.uniques[col] == serial.uniques[col], col
        assert parallel.codes[col].tolist() == codes.tolist(), col
    # the precomputed Hangul forms give the same name levels as deriving them again
    cands = candidate_pairs(serial, S)
    model = Model(n=len(serial), tf=serial.tf_mapping())
    with_forms = field_levels(serial, "name", cands.left, cands.right, model)
    serial.hangul = None
    assert field_levels(serial, "name", cands.left, cands.right, model).tolist() == (
        with_forms.tolist()
    )


def test_claims_import_into_new_store_keeps_every_index_and_resumes(sdb, tmp_path):
    """The first claims batch rebuilds the secondary indexes once; re-running is a no-op."""
    from intake.importing import import_claims

    before = _index_sql(sdb)
    path = tmp_path / "claims.csv"
    lines = ["ref,name,phone,email"] + [
        f"R-{i},김민준{i},010-1234-{i:04d},m{i}@naver.com" for i in range(1, 40)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = import_claims(sdb, path, batch_rows=10)
    assert (rep.loaded, rep.rejected) == (39, 0)
    assert _index_sql(sdb) == before
    assert import_claims(sdb, path).action == "done"
    count = sdb.execute("SELECT count(*), count(DISTINCT source_line) FROM submissions")
    assert count.fetchone() == (39, 39)


def test_writes_join_an_open_transaction_and_roll_back_with_it(sdb):
    from intake.store.matches import transaction, write_pairs

    a = insert_submission(sdb, {"name": "김민준"})[0]
    b = insert_submission(sdb, {"name": "김민쥰"})[0]
    pair = (a, b, 0.97, 9.1, "link", "[]", "name")
    with pytest.raises(RuntimeError), transaction(sdb):
        write_pairs(sdb, [pair])
        set_persons(sdb, [("P-X", a)], [a])
        assert sdb.conn.in_transaction  # the inner writes did not commit
        raise RuntimeError("fail after the writes")
    assert sdb.execute("SELECT count(*) FROM pairs").fetchone()[0] == 0
    assert (
        sdb.execute("SELECT person_id FROM submissions_with_matches WHERE id = ?", [a]).fetchone()[
            0
        ]
        is None
    )
    with transaction(sdb):
        write_pairs(sdb, [pair])
    assert not sdb.conn.in_transaction
    assert sdb.execute("SELECT count(*) FROM pairs").fetchone()[0] == 1
