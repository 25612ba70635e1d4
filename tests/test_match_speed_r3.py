"""Round 3 fast paths of the batch match give the same results as the plain code they replace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.match.blocking import (
    RULES,
    Rule,
    _block_order,
    candidate_pairs,
    estimated_recall,
    rule_pairs,
)
from intake.match.frame import KeyFrame
from intake.match.settings import MatchSettings
from intake.normalize import record_keys
from intake.synth import generate_people, generate_submissions

KEYS = ("k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit")
SMALL = MatchSettings(block_cap=6, block_window=4)  # many oversized, windowed blocks


def _frame(people: int = 150, seed: int = 3) -> KeyFrame:
    recs = generate_submissions(generate_people(people, seed=seed), seed=seed, dup_rate=0.6)
    rows = [(i, *(record_keys(r)[c] for c in KEYS)) for i, r in enumerate(recs, start=1)]
    return KeyFrame.from_rows(rows)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_block_order_equals_the_three_key_lexsort(rule):
    from intake.match.blocking import _block_key

    frame = _frame()
    key = _block_key(frame, rule.columns)
    rows = np.flatnonzero(key >= 0)
    expect = np.lexsort((frame.ids[rows], frame.codes[rule.window_sort][rows], key[rows]))
    assert _block_order(frame, rule, key, rows).tolist() == expect.tolist()


def test_block_order_falls_back_when_ids_do_not_ascend():
    frame = _frame(60)
    frame.ids = frame.ids[::-1].copy()  # a frame built from rows in another order
    rule = RULES[2]
    from intake.match.blocking import _block_key

    key = _block_key(frame, rule.columns)
    rows = np.flatnonzero(key >= 0)
    expect = np.lexsort((frame.ids[rows], frame.codes[rule.window_sort][rows], key[rows]))
    assert _block_order(frame, rule, key, rows).tolist() == expect.tolist()


def _plain_union(frame, settings, new=None):
    """The union as it was computed before: a set of pairs per rule, first rule wins."""
    n = len(frame)
    first, proposed_by = {}, {}
    per_rule = {}
    for r, rule in enumerate(RULES):
        a, b, _ = rule_pairs(frame, rule, settings, new)
        pairs = set(zip(a.tolist(), b.tolist(), strict=True))
        per_rule[rule.name] = len(pairs)
        for p in pairs:
            first.setdefault(p, r)
            proposed_by.setdefault(p, set()).add(r)
    keys = sorted(first)
    return keys, [first[p] for p in keys], per_rule, proposed_by, n


@pytest.mark.parametrize("settings", [MatchSettings(), SMALL], ids=["default", "windowed"])
@pytest.mark.parametrize("incremental", [False, True])
def test_candidate_union_and_recall_equal_the_plain_union(settings, incremental):
    frame = _frame()
    new = None
    if incremental:
        new = np.zeros(len(frame), dtype=bool)
        new[-40:] = True
    cands = candidate_pairs(frame, settings, new=new)
    keys, rules, per_rule, proposed_by, n = _plain_union(frame, settings, new)
    assert list(zip(cands.left.tolist(), cands.right.tolist(), strict=True)) == keys
    assert cands.rule.tolist() == rules
    assert cands.per_rule == per_rule  # a rule's own pairs are distinct
    assert len(keys) > 100
    # the recall estimate: each rule's share of the "linked" pairs (here every third pair)
    linked = keys[::3]
    miss = 1.0
    for r in range(len(RULES)):
        miss *= 1.0 - float(np.mean([r in proposed_by[p] for p in linked]))
    linked_keys = np.asarray([a * n + b for a, b in linked], dtype=np.int64)
    assert estimated_recall(cands, linked_keys) == pytest.approx(1.0 - miss, rel=0, abs=1e-15)


def test_candidate_pairs_with_no_rules_or_no_pairs():
    frame = _frame(10)
    assert len(candidate_pairs(frame, MatchSettings(), rules=())) == 0
    lonely = Rule("x", ("email",), "name")
    rows = [(i, f"n{i}", f"e{i}@x.kr", None, None, None, None, None) for i in range(5)]
    cands = candidate_pairs(KeyFrame.from_rows(rows), MatchSettings(), rules=(lonely,))
    assert len(cands) == 0 and cands.per_rule == {"x": 0}
    assert estimated_recall(cands, np.empty(0, np.int64)) is None


# -- factorize: mostly distinct columns sorted as UTF-8 bytes by numpy ------------------------

_VALUES = st.lists(
    st.one_of(
        st.none(),
        st.just(""),
        st.text(max_size=6),  # NUL anywhere: a trailing one falls back to the Python path
        st.sampled_from(
            ["김민준", "kim", "김민준a", "ㄱ", "가", "é", "😀", "a\uffff", "a\0b", "a\0"]
        ),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(_VALUES)
def test_bytes_factorize_equals_python_sorted_codes(values):
    _assert_python_sorted_codes(values)


def _assert_python_sorted_codes(values):
    got = _bytes_path(values)
    uniques = sorted({v for v in values if v})
    assert got[1] == uniques
    assert got[0].tolist() == [uniques.index(v) if v else -1 for v in values]


def _bytes_path(values):
    from intake.match import frame as frame_mod

    old = frame_mod.BYTES_MIN_VALUES, frame_mod._SAMPLE
    frame_mod.BYTES_MIN_VALUES, frame_mod._SAMPLE = 0, 1
    try:
        return frame_mod.factorize(values)
    finally:
        frame_mod.BYTES_MIN_VALUES, frame_mod._SAMPLE = old


@pytest.mark.parametrize(
    "values",
    [["a\0", "a", "b"], ["\ud800", "a"], ["x" * 10, "y"]],
    ids=["nul", "surrogate", "too-wide"],
)
def test_bytes_factorize_falls_back_where_bytes_do_not_fit(values, monkeypatch):
    from intake.match import frame as frame_mod

    monkeypatch.setattr(frame_mod, "BYTES_MAX_ARRAY", 15)
    assert frame_mod._factorize_bytes(values) is None
    codes, uniques = _bytes_path(values)
    assert uniques == sorted(set(values)) and len(codes) == len(values)


_DIGITS = st.lists(
    st.one_of(st.none(), st.just(""), st.text(alphabet="+-0123456789\0", max_size=18)),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_DIGITS)
def test_digit_columns_sorted_as_integers_give_python_sorted_codes(values):
    _assert_python_sorted_codes(values)


def test_phone_keys_take_the_integer_sort_and_wider_or_other_text_does_not():
    from intake.match.frame import _digit_keys

    phones = np.array([b"+821012345678", b"+8210123", b"+82101234567", b"01012345678"])
    keys = _digit_keys(phones)
    assert keys is not None
    assert np.argsort(keys).tolist() == np.argsort(phones).tolist() == [1, 2, 0, 3]
    assert _digit_keys(np.array([b"1" * 18])) is None  # 13**18 overflows int64
    assert _digit_keys(np.array([b"010 1234"])) is None
    dates = np.array([b"1985-03-12", b"1985-03-1", b"1985-031", b"1985+03"])
    assert np.argsort(_digit_keys(dates)).tolist() == np.argsort(dates).tolist() == [3, 1, 0, 2]


_BYTES = st.lists(
    st.one_of(st.binary(max_size=20), st.sampled_from([b"", b"road:a|b|1", b"road:a|b|1#2"])),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_BYTES)
def test_byte_order_sorts_as_numpy_sorts_byte_strings(values):
    from intake.match.frame import _byte_order

    arr = np.array(values, dtype=f"S{max(1, max(map(len, values)))}")
    order = _byte_order(arr)
    assert sorted(order.tolist()) == list(range(len(arr)))  # a permutation
    assert arr[order].tolist() == np.sort(arr).tolist()


def test_decoded_splits_one_decode_and_keeps_values_holding_nul():
    from intake.match.frame import _decoded

    assert _decoded(["김".encode(), b"", b"a"]) == ["김", "", "a"]
    assert _decoded([b"a\0b", b"c"]) == ["a\0b", "c"]
    assert _decoded([]) == []


def test_bytes_factorize_keeps_a_nul_inside_a_value():
    from intake.match import frame as frame_mod

    values = ["a\0b", "a", "a\0c", None, "a\0b", "b", ""]
    codes, uniques = frame_mod._factorize_bytes(values)
    assert uniques == ["a", "a\0b", "a\0c", "b"] == sorted({v for v in values if v})
    assert codes.tolist() == [1, 0, 2, -1, 1, 3, -1]


def test_bytes_path_is_taken_for_mostly_distinct_columns(monkeypatch):
    from intake.match import frame as frame_mod

    calls = []
    real = frame_mod._factorize_bytes
    monkeypatch.setattr(frame_mod, "BYTES_MIN_VALUES", 100)
    monkeypatch.setattr(frame_mod, "_factorize_bytes", lambda v: calls.append(1) or real(v))
    distinct = [f"u{i}@x.kr" for i in range(300)]
    frame_mod.factorize(distinct)
    frame_mod.factorize(["same"] * 300)
    assert calls == [1]


# -- pair writes: a full run's bulk insert rebuilds the pairs indexes once ---------------------


def _pair_indexes(db):
    return db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pairs'"
        " ORDER BY name"
    ).fetchall()


def _pair_rows(k: int) -> list[tuple]:
    return [
        (i, i + 1 + j, 0.97 if j else 0.6, 5.0, "link" if j else "review", "[]", "email")
        for i in range(1, k + 1)
        for j in range(2)
    ]


@pytest.mark.parametrize("bulk", [False, True])
def test_bulk_pair_write_stores_the_same_rows_and_indexes(tmp_path, monkeypatch, bulk):
    from intake import store
    from intake.store import matches

    db = store.connect(tmp_path / "p.db")
    before = _pair_indexes(db)
    monkeypatch.setattr(matches, "_BULK_PAIRS", 1 if bulk else 10**9)
    matches.write_pairs(db, _pair_rows(5))  # an earlier run's pairs, replaced below
    assert matches.write_pairs(db, _pair_rows(40), replace_all=True) == 80
    assert _pair_indexes(db) == before
    stored = db.execute(
        "SELECT id_l, id_r, probability, weight, band, explanation, rule FROM pairs"
        " WHERE kind = 'dedup' ORDER BY id_l, id_r"
    ).fetchall()
    assert stored == sorted(_pair_rows(40))
    assert matches.link_edges(db)[0][:2] == (1, 3)  # the rebuilt pairs_band/pairs_r serve


@pytest.mark.parametrize("links", [0, 200])
def test_bulk_pair_rewrite_deletes_old_pairs_without_their_indexes(tmp_path, monkeypatch, links):
    """A full run's delete of the old dedup pairs goes through no secondary index when the
    new pairs will rebuild them anyway (~10 s for 700k pairs otherwise); link pairs stay, and
    when they outnumber the new pairs the indexes are kept and updated."""
    from intake import store
    from intake.store import matches

    db = store.connect(tmp_path / "p.db")
    before = _pair_indexes(db)
    monkeypatch.setattr(matches, "_BULK_PAIRS", 1)
    link_rows = [("link", i, 1, 0.9, 4.0, "link", "[]", "email", "t") for i in range(links)]
    db.conn.executemany(
        f"INSERT INTO pairs ({matches.PAIR_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", link_rows
    )
    matches.write_pairs(db, _pair_rows(30))
    trace = []
    db.conn.set_trace_callback(trace.append)
    matches.write_pairs(db, _pair_rows(40), replace_all=True)
    db.conn.set_trace_callback(None)
    delete = next(k for k, sql in enumerate(trace) if sql.startswith("DELETE FROM pairs"))
    drops = [k for k, sql in enumerate(trace) if sql.startswith("DROP INDEX")]
    assert drops == ([] if links else [delete - 2, delete - 1])
    assert _pair_indexes(db) == before
    assert db.execute("SELECT count(*) FROM pairs WHERE kind = 'link'").fetchone()[0] == links
    assert db.execute("SELECT count(*) FROM pairs WHERE kind = 'dedup'").fetchone()[0] == 80


def test_bulk_pair_write_failure_keeps_old_pairs_and_indexes(tmp_path, monkeypatch):
    from intake import store
    from intake.store import matches

    db = store.connect(tmp_path / "p.db")
    before = _pair_indexes(db)
    monkeypatch.setattr(matches, "_BULK_PAIRS", 1)
    matches.write_pairs(db, _pair_rows(3))
    bad = [*_pair_rows(10), (1, 2, None, 0.0, "link", "[]", "x")]  # probability NOT NULL
    with pytest.raises(Exception, match="NOT NULL"):
        matches.write_pairs(db, bad, replace_all=True)
    assert _pair_indexes(db) == before
    assert db.execute("SELECT count(*) FROM pairs").fetchone()[0] == 6


# -- persons of a full run: computed column-wise, most person ids by SQLite -------------------


def _claims_store(tmp_path, name: str):
    from intake import store
    from intake.store.submissions import insert_submission

    db = store.connect(tmp_path / name)
    recs = generate_submissions(generate_people(70, seed=21), seed=21, dup_rate=0.7)
    for r in recs:
        fields = ("name", "email", "phone", "birth_date", "address", "postal_code")
        insert_submission(db, {f: r.get(f) for f in fields})
    # references person_id handles outside SQLite's canonical form, and a case collision
    db.execute("UPDATE submissions SET ref = lower(ref) WHERE id % 7 = 0")
    db.execute("UPDATE submissions SET ref = 'X-' || id WHERE id % 11 = 0")
    db.execute("UPDATE submissions SET ref = 'CL-AB12-CD34' WHERE id = 2")
    db.execute("UPDATE submissions SET ref = 'cl-ab12-cd34' WHERE id = 3")
    db.conn.commit()
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds every row
    return db


def _persons(db):
    return db.execute("SELECT id, person_id FROM submissions_with_matches ORDER BY id").fetchall()


@pytest.mark.parametrize("same_decision", [False, True])
def test_full_run_column_wise_persons_equal_the_generic_path(tmp_path, monkeypatch, same_decision):
    import shutil

    from intake import store
    from intake.match import pipeline
    from intake.match.pipeline import run_match
    from intake.store import decisions

    fast = _claims_store(tmp_path, "fast.db")  # random claim refs: the same store twice
    shutil.copy(tmp_path / "fast.db", tmp_path / "slow.db")
    slow = store.connect(tmp_path / "slow.db")
    if same_decision:  # a human "same person" joins two unrelated submissions
        for db in (fast, slow):
            decisions.add_decision(db, "dedup", 4, 60, "same", user_id=None)
            db.conn.commit()
    got = run_match(fast, full=True)
    indexes = fast.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    with monkeypatch.context() as m:
        m.setattr(pipeline, "edge_rows", lambda *a: None)  # union-find and set_persons
        want = run_match(slow, full=True)
    assert _persons(fast) == _persons(slow)
    assert (got.persons, got.persons_changed) == (want.persons, want.persons_changed)
    assert got.persons == len({p for _, p in _persons(fast)}) < len(_persons(fast))
    assert got.persons_changed == len(_persons(fast))
    assert (
        fast.execute(
            "SELECT count(*) FROM submissions_with_matches WHERE matched_at IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert fast.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall() == indexes
    again = run_match(fast, full=True)  # nothing changed: no person id rewritten
    assert again.persons_changed == 0 and _persons(fast) == _persons(slow)


def test_full_run_person_write_leaves_rows_after_the_read_alone(tmp_path):
    from intake.store import matches

    db = _claims_store(tmp_path, "s.db")
    last = db.execute("SELECT max(id) FROM submissions").fetchone()[0]
    changed = matches.set_persons_full(db, [(1, "P-EXPLICIT")], last - 2)
    assert changed == last - 2
    rows = db.execute(
        "SELECT id, ref, person_id, matched_at FROM submissions_with_matches ORDER BY id"
    ).fetchall()
    assert rows[0][2] == "P-EXPLICIT"
    for i, ref, person, stamp in rows[1:]:
        if i > last - 2:
            assert person is None and stamp is None
        else:
            assert stamp is not None and person == "P-" + ref[3:7] + ref[8:]


def test_report_has_cpu_seconds_for_every_timed_stage(tmp_path):
    from intake.match.pipeline import run_match

    rep = run_match(_claims_store(tmp_path, "c.db"), full=True)
    assert set(rep.stages_cpu) == set(rep.stages) >= {"read", "frame", "block", "score"}
    assert all(v >= 0 for v in rep.stages_cpu.values())


def test_explanations_format_each_distinct_bit_value_once_byte_for_byte():
    from intake.match.compare import FIELDS, LEVELS
    from intake.match.pairrows import explanations
    from intake.match.vscore import ScoredPairs

    rng = np.random.default_rng(4)
    n = 500
    pool = np.array([0.0, -0.0, 1.5, -5.0, 13.285, 0.1 + 0.2, 1e-300, -16.321, 2.0 / 3.0])
    levels = {f: rng.integers(0, len(LEVELS), n).astype(np.int8) for f in FIELDS}
    bits = {f: pool[rng.integers(0, len(pool), n)] for f in FIELDS}
    bits["name"] = np.round(rng.normal(0, 8, n), 3)  # many distinct values
    scored = ScoredPairs(levels, bits, np.zeros(n), np.zeros(n), -16.32123)
    idx = np.flatnonzero(rng.random(n) < 0.7)
    got = explanations(scored, idx)
    assert got == [scored.explanation(k) for k in idx.tolist()]
    assert any(",-0.0]" in e for e in got) and any('",0.0]' in e for e in got)
