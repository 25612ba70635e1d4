"""Matcher: comparison levels, scoring, blocking, clustering and the store pipeline."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import store
from intake.cli import main
from intake.match import prior
from intake.match.blocking import Rule, candidate_pairs, rule_pairs
from intake.match.cluster import cluster, person_id
from intake.match.compare import CLOSE, EXACT, FAR, LEVELS, MISSING, PARTIAL, compare_values
from intake.match.explain import decode as decode_explanation
from intake.match.frame import RECORD_COLUMNS, KeyFrame
from intake.match.pipeline import match_incremental, recluster, run_match
from intake.match.score import Model
from intake.match.settings import MatchSettings
from intake.match.vscore import score_pairs
from intake.store.decisions import add_decision
from intake.store.submissions import insert_submission

S = MatchSettings()


@pytest.mark.parametrize(
    ("field", "a", "b", "level"),
    [
        ("name", "김민준", "김민준", EXACT),
        ("name", "김민준", "김민쥰", CLOSE),  # one key off: jamo similarity 0.89
        ("name", "김민준", "김서준", FAR),  # another person of the same family
        ("name", "김민준", None, MISSING),
        ("name", "daniel kluske", "kluske louis", PARTIAL),
        ("name", "jasmyn seehusn", "jasmy", PARTIAL),  # surname left out, one typo
        ("name", "baillie kimberly", "baillie", PARTIAL),
        ("name", "jasmyn seehusn", "kluske", FAR),
        ("name", "morriosn nathas", "morrison nathan", CLOSE),  # a typo in each part
        ("name", "nathas morriosn", "morrison nathan", CLOSE),  # ... in any order
        ("name", "jiwoo park", "jiwon park", PARTIAL),  # Korean siblings (돌림자), not a typo
        ("name", "morrison nathan", "morrison keith", PARTIAL),  # one part replaced
        ("name", "김민준", "kim", FAR),  # a Hangul key is one token: no token rule
        ("email", "kim@naver.com", "kim@daum.net", CLOSE),
        ("email", "kim@naver.com", "lee@naver.com", FAR),
        ("phone", "+821012345678", "+821012345678", EXACT),
        ("phone", "+821012345678", "+821012345679", CLOSE),
        ("phone", "+82112345678", "+821052345678", CLOSE),  # 011 -> 010 kept the last 7
        ("phone", "+821012345678", "+821098765432", FAR),
        ("birth_date", "1990-03-14", "1990-03-15", CLOSE),
        ("birth_date", "1990-03-04", "1990-04-03", CLOSE),  # day and month swapped
        ("birth_date", "1990-03-14", "1993-07-01", FAR),
        ("postal_code", "06236", "06263", CLOSE),
        ("postal_code", "06236", "48058", FAR),
        (
            "address",
            "road:강남구|테헤란로|142#101-1203",
            "road:강남구|테헤란로|142#101-1203",
            EXACT,
        ),
        ("address", "road:강남구|테헤란로|142#101-1203", "road:강남구|테헤란로|142#102-501", CLOSE),
        ("address", "road:강남구|테헤란로|142", "road:해운대구|센텀중앙로|79", FAR),
    ],
)
def test_levels(field, a, b, level):
    assert compare_values(field, a, b, S) == level
    assert compare_values(field, b, a, S) == level


def rec(**kw):
    base = dict.fromkeys(RECORD_COLUMNS[1:])
    base.update(kw)
    return base


keys = st.fixed_dictionaries(
    {
        "k_name": st.sampled_from(["김민준", "김민쥰", "김서준", "kim minjun", "이서연", None]),
        "k_email": st.sampled_from(["a@naver.com", "a@daum.net", "b@gmail.com", None]),
        "k_phone": st.sampled_from(["+821012345678", "+821012345679", "+821099998888", None]),
        "k_birth": st.sampled_from(["1990-03-14", "1990-03-41", "1991-03-14", None]),
        "k_postcode": st.sampled_from(["06236", "06263", "48058", None]),
        "k_addr": st.sampled_from(["road:강남구|테헤란로|142", "road:강남구|테헤란로|124", None]),
        "k_unit": st.sampled_from(["101-1203", "102-501", None]),
    }
)


@settings(max_examples=200, deadline=None)
@given(keys, keys)
def test_score_symmetric_and_explained(a, b):
    model = Model(n=1000, tf={"name": {"김민준": 30}})
    ab, ba = model.score(a, b), model.score(b, a)
    assert ab == ba
    assert sum(e["bits"] for e in ab.explanation) == pytest.approx(ab.weight, abs=1e-9)
    assert 0.0 <= ab.probability <= 1.0
    json.dumps(ab.explanation)  # JSON-serialisable for the pairs table
    assert {e["level"] for e in ab.explanation} <= {
        "prior", "exact", "close", "partial", "far", "missing"
    }  # fmt: skip


def test_common_name_counts_for_less():
    model = Model(n=100_000, tf={"name": {"김민준": 2_000, "남궁별": 2}})
    common = model.score(rec(k_name="김민준"), rec(k_name="김민준"))
    rare = model.score(rec(k_name="남궁별"), rec(k_name="남궁별"))
    assert common.weight < rare.weight - 5


def test_shared_phone_counts_for_less():
    model = Model(n=100_000, tf={"phone": {"+821011112222": 300, "+821033334444": 2}})
    shared = model.score(rec(k_phone="+821011112222"), rec(k_phone="+821011112222"))
    own = model.score(rec(k_phone="+821033334444"), rec(k_phone="+821033334444"))
    assert shared.weight < own.weight


def test_vectorised_scores_equal_scalar():
    rows = [
        (1, "김민준", "a@naver.com", "+821012345678", "1990-03-14", "06236", "road:x|1", "1-1"),
        (2, "김민쥰", None, "+821012345678", "1990-03-14", "06236", "road:x|1", "1-1"),
        (3, "김서준", "a@naver.com", "+821012345678", "2012-01-01", "06236", "road:x|1", "1-1"),
        (4, "kim minjun", "b@gmail.com", None, "1990-03-41", "06263", None, None),
        (5, "김민준", None, "+821099998888", "1991-03-14", "48058", "road:y|2", None),
    ]
    frame = KeyFrame.from_rows(rows)
    model = Model(n=len(frame), tf=frame.tf_mapping())
    left, right = np.triu_indices(len(rows), 1)
    scored = score_pairs(model, frame, left, right)
    for k, (i, j) in enumerate(zip(left, right, strict=True)):
        ra = dict(zip(RECORD_COLUMNS, rows[i], strict=True))
        expect = model.score(ra, dict(zip(RECORD_COLUMNS, rows[j], strict=True)))
        assert scored.weight[k] == pytest.approx(expect.weight, abs=2e-3)
        got = decode_explanation(scored.explanation(k))
        assert [(e["field"], e["level"]) for e in got] == [
            (e["field"], e["level"]) for e in expect.explanation
        ]
        assert [e["bits"] for e in got] == pytest.approx([e["bits"] for e in expect.explanation])


HOME = dict(k_addr="road:강남구|테헤란로|142", k_unit="101-1203", k_postcode="06236")


@pytest.mark.parametrize(
    ("a", "b", "field", "household"),
    [
        # another birth date under one full name at one address: a wrong birth date
        (dict(k_name="김민준", k_birth="1990-03-14"), dict(k_name="김민준", k_birth="1962-11-30"),
         "birth_date", False),
        # ... but with a shared phone too (a parent filing for the family) it still counts
        (dict(k_name="김민준", k_birth="1990-03-14", k_phone="+821012345678"),
         dict(k_name="김민준", k_birth="1962-11-30", k_phone="+821012345678"),
         "birth_date", True),
        # another name and another birth date: another family member
        (dict(k_name="김민준", k_birth="1990-03-14"), dict(k_name="김서준", k_birth="2015-07-01"),
         "birth_date", True),
        # a shared family name in one household: siblings, a parent and child
        (dict(k_name="kim minjun"), dict(k_name="kim seojun"), "name", True),
        # a shared given name under two family names: no family pattern
        (dict(k_name="minjun kim"), dict(k_name="minjun park"), "name", False),
        (dict(k_name="jasmyn seehusn"), dict(k_name="jasmy"), "name", False),
    ],
)  # fmt: skip
def test_household_rules_follow_family_naming(a, b, field, household):
    """Within a household (here a full address) HOUSEHOLD_MU replaces a level's weight only
    where "another family member" fits how families are named."""
    model = Model(n=1000)
    scored = model.score(rec(**HOME, **a), rec(**HOME, **b))
    level = scored.levels[field]
    bits = next(e["bits"] for e in scored.explanation if e["field"] == field)
    lv = LEVELS.index(level)
    expected = model.household_bits[(field, lv)] if household else model.level_bits[field][lv]
    assert bits == pytest.approx(expected, abs=1e-3)
    assert (model.household_bits[(field, lv)] < model.level_bits[field][lv]) is True


def test_vectorised_household_rules_equal_scalar():
    home = ("06236", "road:x|1", "1-1")
    rows = [
        (1, "김민준", None, None, "1990-03-14", *home),
        (2, "김민준", None, None, "1962-11-30", *home),
        (3, "김민준", None, "+821012345678", "1962-11-30", *home),
        (4, "kim minjun", None, "+821012345678", "1990-03-14", *home),
        (5, "kim seojun", None, None, "2015-07-01", *home),
        (6, "minjun park", None, None, "1990-03-14", *home),
        (7, "minjun", None, "+821012345678", "1990-03-14", *home),
    ]
    frame = KeyFrame.from_rows(rows)
    model = Model(n=1000)
    left, right = np.triu_indices(len(rows), 1)
    scored = score_pairs(model, frame, left, right, tf=False)
    for k, (i, j) in enumerate(zip(left, right, strict=True)):
        ra = dict(zip(RECORD_COLUMNS, rows[i], strict=True))
        expect = model.score(ra, dict(zip(RECORD_COLUMNS, rows[j], strict=True)))
        got = decode_explanation(scored.explanation(k))
        assert [e["bits"] for e in got] == pytest.approx([e["bits"] for e in expect.explanation])


def test_oversized_block_is_windowed_not_quadratic():
    rows = [(i, "김민준", None, None, "1990-01-01", None, None, None) for i in range(2_000)]
    frame = KeyFrame.from_rows(rows)
    small = MatchSettings(block_cap=50, block_window=10)
    a, b, split = rule_pairs(frame, Rule("nb", ("name_block", "birth_year"), "birth_date"), small)
    assert split == 1
    assert len(a) == sum(min(9, 1999 - k) for k in range(2000))  # window, not 2000*1999/2
    cands = candidate_pairs(frame, small)
    assert len(cands) < 2_000 * 10


# -- clustering -------------------------------------------------------------------------------


def test_cannot_link_is_transitive():
    groups = cluster(range(4), [], [(0, 2), (2, 1), (1, 3)], [(0, 1)])
    assert groups[0] != groups[1]
    assert groups[2] in (groups[0], groups[1])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=30),
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=10),
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=5),
)
def test_different_people_never_merge(links, same, different):
    different = [(a, b) for a, b in different if a != b]
    groups = cluster(range(10), same, links, different)
    for a, b in different:
        assert groups[a] != groups[b]


def test_person_id_format():
    assert person_id("CL-AB12-CD34") == "P-AB12CD34"


# -- store pipeline ---------------------------------------------------------------------------

MINJUN = dict(
    name="김민준", phone="010-1234-5678", email="mj@naver.com", birth_date="1990-03-14",
    address="서울 강남구 테헤란로 142, 101동 1203호", postal_code="06236",
)  # fmt: skip


@pytest.fixture
def sdb(tmp_path):
    database = store.connect(tmp_path / "match.db")
    yield database
    database.conn.close()


def add(db, **kw):
    return insert_submission(db, kw)[0]


def persons(db):
    return dict(
        db.execute("SELECT id, person_id FROM submissions_with_matches ORDER BY id").fetchall()
    )


def test_duplicates_merge_and_household_stays_apart(sdb):
    a = add(sdb, **MINJUN)
    b = add(
        sdb, **{**MINJUN, "name": "김 민준", "email": "minjun@gmail.com", "phone": "01012345678"}
    )
    c = add(sdb, **{**MINJUN, "name": "Minjun Kim", "email": None, "address": None})
    # household: same address, phone and e-mail; another name and birth date
    d = add(sdb, **{**MINJUN, "name": "김서준", "birth_date": "2015-07-01"})
    e = add(sdb, **{**MINJUN, "name": "이영희", "birth_date": "1962-11-30"})
    # namesake born another year, elsewhere
    f = add(sdb, name="김민준", birth_date="1985-01-02", phone="010-9999-1111", postal_code="48058")
    rep = run_match(sdb)
    p = persons(sdb)
    assert p[a] == p[b] == p[c]
    assert len({p[a], p[d], p[e], p[f]}) == 4
    assert rep.auto_links >= 2 and rep.persons == 4
    stored = sdb.execute("SELECT explanation FROM pairs WHERE id_l = ? AND id_r = ?", [a, b])
    expl = decode_explanation(stored.fetchone()[0])
    assert {x["field"] for x in expl} >= {"prior", "name", "phone", "birth_date"}


@pytest.mark.parametrize(
    "member",
    [
        {"name": "김서준", "birth_date": "2015-07-01"},  # child: another name and birth date
        {"name": "김민서", "birth_date": "1990-03-14"},  # twin: same birth date
        {"name": "김민중", "birth_date": None, "email": "mj@naver.com"},  # sibling, 돌림자
        {"name": "김민준", "birth_date": "1962-11-30"},  # namesake parent
    ],
)
def test_household_members_never_auto_linked(sdb, member):
    a = add(sdb, **MINJUN)
    b = add(sdb, **{**MINJUN, **member})
    run_match(sdb)
    assert persons(sdb)[a] != persons(sdb)[b]
    band = sdb.execute("SELECT band FROM pairs WHERE id_l = ? AND id_r = ?", [a, b]).fetchone()
    assert band is None or band[0] == "review"


def test_person_ids_stable_across_runs_and_new_submissions(sdb):
    a = add(sdb, **MINJUN)
    other = add(sdb, name="박서연", phone="010-2222-3333", birth_date="1979-12-01")
    run_match(sdb)
    before = persons(sdb)
    assert before[a] == person_id(
        sdb.execute("SELECT ref FROM submissions_with_matches WHERE id=?", [a]).fetchone()[0]
    )
    b = add(sdb, **{**MINJUN, "email": "new@gmail.com"})
    run_match(sdb)
    after = persons(sdb)
    assert after[a] == before[a] == after[b]
    assert after[other] == before[other]
    run_match(sdb, full=True)
    assert persons(sdb) == after


def test_incremental_equals_batch(sdb, tmp_path):
    records = [
        MINJUN,
        {**MINJUN, "email": None, "name": "김민쥰"},
        {**MINJUN, "name": "김서준", "birth_date": "2015-07-01"},
        dict(name="이서연", phone="010-5555-6666", birth_date="1995-05-05"),
        dict(name="이소연", phone="010-5555-6666", birth_date="1995-05-05", email="sy@kakao.com"),
        dict(name="Soyeon Lee", email="sy@kakao.com", birth_date="1995-05-05"),
    ]
    for r in records:
        sid = add(sdb, **r)
        match_incremental(sdb, sid)
    incremental = persons(sdb)
    run_match(sdb, full=True)
    assert persons(sdb) == incremental
    assert len(set(incremental.values())) == 3


def test_match_incremental_returns_person_id(sdb):
    a = add(sdb, **MINJUN)
    match_incremental(sdb, a)
    b = add(sdb, **{**MINJUN, "phone": "+82 10 1234 5678"})
    assert match_incremental(sdb, b) == persons(sdb)[a]


def test_different_decision_honoured_by_reruns(sdb):
    a = add(sdb, **MINJUN)
    b = add(sdb, **{**MINJUN, "email": None})
    c = add(sdb, **{**MINJUN, "phone": None})
    run_match(sdb)
    assert len(set(persons(sdb).values())) == 1
    add_decision(sdb, "dedup", a, b, "different", user_id=None)
    recluster(sdb, [a, b])
    p = persons(sdb)
    assert p[a] != p[b]
    for full in (False, True):
        add(sdb, **{**MINJUN, "email": "x@y.com"})  # chains a, b and c once more
        run_match(sdb, full=full)
        p = persons(sdb)
        assert p[a] != p[b]
    assert c in p


def test_same_decision_joins_and_survives_full_run(sdb):
    a = add(sdb, **MINJUN)
    b = add(sdb, name="Kim M.", email="kimm@hotmail.com", birth_date="1990-03-14")
    run_match(sdb)
    assert persons(sdb)[a] != persons(sdb)[b]
    add_decision(sdb, "dedup", a, b, "same", user_id=None)
    recluster(sdb, [a, b])
    assert persons(sdb)[a] == persons(sdb)[b]
    run_match(sdb, full=True)
    assert persons(sdb)[a] == persons(sdb)[b]


def test_cli_match_processes_only_new_unless_full(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_SECRET_KEY", "test")
    path = str(tmp_path / "cli.db")
    runner = CliRunner()

    def invoke(args):
        return runner.invoke(main, ["--db", path, *args], catch_exceptions=False)

    db = store.connect(path)
    add(db, **MINJUN)
    add(db, **{**MINJUN, "email": None})
    first = invoke(["match"])
    assert first.exit_code == 0, first.output
    assert "matched now: 2" in first.output and "persons: 1" in first.output
    again = invoke(["match"])
    assert "matched now: 0" in again.output
    add(db, name="박서연", phone="010-2222-3333")
    assert "matched now: 1" in invoke(["match"]).output
    full = invoke(["match", "--full"])
    assert "matched now: 3" in full.output and "persons: 2" in full.output
    assert "rule phone" in full.output
    db.conn.close()


def test_matcher_never_imports_flask():
    """No matcher module imports Flask or the web layer (the package root's factory aside)."""
    import ast
    from pathlib import Path

    import intake.match

    files = [
        *Path(intake.match.__file__).parent.glob("*.py"),
        Path(store.__file__).parent / "matches.py",
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                for name in names:
                    assert not name.startswith("flask"), path
                    assert name not in ("web", "intake.web", "staff", "claims"), path


def test_vectorised_levels_equal_scalar_on_synthetic_keys():
    """The C fast path (vcompare) and the Python comparator agree on every value pair."""
    from intake.match.compare import FIELDS as CMP_FIELDS
    from intake.match.compare import field_value
    from intake.match.vcompare import levels_for
    from intake.normalize import record_keys
    from intake.synth import generate_people, generate_submissions

    recs = generate_submissions(generate_people(150, seed=3), seed=3, dup_rate=0.6)
    keyed = [record_keys(r) for r in recs]
    extra = [{"k_name": "daniel kluske"}, {"k_name": "kluske louis"}, {"k_name": "kim minjun"}]
    keyed += extra
    for f in CMP_FIELDS:
        values = sorted({v for r in keyed if (v := field_value(f, r))})
        pairs = [(x, y) for i, x in enumerate(values) for y in values[i + 1 : i + 40]]
        got = levels_for(f, [p[0] for p in pairs], [p[1] for p in pairs], S)
        want = [compare_values(f, x, y, S) for x, y in pairs]
        assert got.tolist() == want, f


def test_train_stores_em_parameters_used_by_later_runs(sdb):
    from intake.normalize import record_keys  # noqa: F401  (keys come from insert_submission)
    from intake.store.matches import load_model_params
    from intake.synth import generate_people, generate_submissions

    for r in generate_submissions(generate_people(300, seed=5), seed=5):
        add(
            sdb,
            **{k: r[k] for k in ("name", "email", "phone", "address", "postal_code", "birth_date")},
        )
    rep = run_match(sdb, train=True)
    assert rep.trained and rep.new == rep.submissions
    params = load_model_params(sdb)
    assert set(params) == {"m", "u"} and len(params["m"]["name"]) == 5
    assert params != Model().params()  # estimated, not the defaults
    model = Model.from_params(params)
    assert model.m["name"] == pytest.approx(tuple(params["m"]["name"]))


def test_em_training_keeps_the_callers_prior():
    """A link run sets its own prior (over the |A| x |B| pairs); EM re-estimates m and u only."""
    from intake.match.em import train

    rows = [
        (i, name, None, None, birth, "06236", None, None)
        for i, (name, birth) in enumerate(
            [("kim minjun", "1990-03-14"), ("kim minjun", "1990-03-14"), ("lee seoyeon", None)] * 20
        )
    ]
    frame = KeyFrame.from_rows(rows)
    left, right = np.triu_indices(len(rows), 1)
    model = Model(n=len(frame), prior_bits=-7.5)
    trained = train(frame, left, right, model)
    assert trained.prior_bits == -7.5
    assert trained.params() != model.params()


# -- the prior estimated from the data (intake.match.prior) ------------------------------------
def _prior_frame(rows):
    """Frame of (name, birth_date, postal_code) triples."""
    return KeyFrame.from_rows(
        [(i, nm, None, None, bd, pc, None, None) for i, (nm, bd, pc) in enumerate(rows)]
    )


def _brute_rule_pairs(rows, side=None):
    """Pairs agreeing exactly (both present) on at least two of the three fields."""
    count = 0
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if side is not None and side[i] == side[j]:
                continue
            agree = sum(a is not None and a == b for a, b in zip(rows[i], rows[j], strict=True))
            count += agree >= 2
    return count


def test_prior_rule_pairs_known_count():
    rows = [
        *[("kim minjun", "1990-03-14", "06236")] * 3,  # one person filed 3 times: 3 pairs
        ("lee seoyeon", "1985-01-01", "04524"),
        ("lee seoyeon", "1985-01-01", "04525"),  # name + birth date: 1 pair
        ("park jiho", "1985-01-01", "04524"),  # birth date + postcode with the first lee: 1
        ("kim seojun", "2015-07-01", "06236"),  # household member: postcode only, 0
        ("choi yuna", None, "06236"),  # 0
        ("kim minjun", None, None),  # name only: 0
    ]
    assert prior.rule_pairs(_prior_frame(rows)) == 5
    side = np.array([0, 1, 1, 0, 1, 1, 0, 0, 1], dtype=bool)  # link: only pairs across files
    assert prior.rule_pairs(_prior_frame(rows), side) == 2 + 1 + 1 == _brute_rule_pairs(rows, side)


@pytest.mark.parametrize("link", [False, True])
def test_prior_rule_pairs_equal_pair_enumeration(link):
    rng = np.random.default_rng(7)
    pick = lambda values: [None if v == "-" else v for v in rng.choice(values, 400)]  # noqa: E731
    rows = list(
        zip(
            pick(["kim", "lee", "park", "choi", "-"]),
            pick(["1990-01-01", "1991-02-02", "1992-03-03", "-"]),
            pick(["06236", "04524", "48058", "-"]),
            strict=True,
        )
    )
    side = rng.random(400) < 0.4 if link else None
    assert prior.rule_pairs(_prior_frame(rows), side) == _brute_rule_pairs(rows, side)


def test_estimated_prior_is_rule_pairs_over_recall_with_fallbacks():
    rows = [(f"name{i // 3}", f"19{i // 3 % 90 + 10}-01-01", f"{i // 3:05d}") for i in range(60)]
    frame = _prior_frame(rows)  # 20 persons filed 3 times each: 60 rule pairs
    model = Model(settings=MatchSettings(prior_floor_n=10), n=len(frame))
    lam, recall = prior.estimate_lambda(frame, model)
    assert recall == pytest.approx(0.8 * 0.92 + 0.8 * 0.75 + 0.92 * 0.75 - 2 * 0.8 * 0.92 * 0.75)
    assert lam == pytest.approx(60 / recall / (60 * 59 / 2))
    ratio = prior.prior_ratio(frame, model)
    assert ratio == pytest.approx(lam * 60)  # fixed prior 1/60: about 2.2x as many duplicates
    assert Model(settings=model.settings, n=60, prior_ratio=ratio).prior_bits == pytest.approx(
        prior.prior_bits(lam)
    )
    # too few records, no rule pair, or the fixed setting: the fixed prior
    assert prior.estimate_lambda(frame, Model(n=60)) is None  # prior_floor_n 1000
    assert prior.prior_ratio(_prior_frame([(f"n{i}", None, None) for i in range(60)]), model) == 1
    fixed = Model(settings=MatchSettings(prior_floor_n=10, prior="fixed"), n=60)
    assert prior.prior_ratio(frame, fixed) == 1.0
    assert Model(settings=fixed.settings, n=60, prior_ratio=3.0).prior_bits == fixed.prior_bits
    # clamped: at most 2**MAX_SHIFT_BITS times the fixed prior
    same = _prior_frame([("kim", "1990-01-01", "06236")] * 60)
    assert prior.prior_ratio(same, model) == 2.0**prior.MAX_SHIFT_BITS
    with pytest.raises(ValueError, match="MATCH_PRIOR"):
        MatchSettings.from_config({"MATCH_PRIOR": "guess"})


def test_incremental_uses_the_prior_of_the_last_batch_run(sdb):
    """The batch run estimates the prior and stores it; match_incremental scores with it."""
    from intake.match.pipeline import load_model
    from intake.store import matches as store_matches

    s = MatchSettings(prior_floor_n=10)
    people = [
        dict(name=n, birth_date=f"19{80 + i}-0{i % 9 + 1}-1{i % 9}", postal_code=f"0{6230 + i}")
        for i, n in enumerate(["김민준", "이서연", "박지호", "최유나", "정하준", "강서윤"])
    ]
    for p in people * 3:  # every person filed three times
        add(sdb, **p)
    run_match(sdb, full=True, settings=s)
    ratio = store_matches.load_model_params(sdb)["prior_ratio"]
    assert ratio > 1.5  # 18 records, 18 duplicate pairs: far above half a duplicate per record
    n = store_matches.submission_count(sdb)
    frame = KeyFrame.from_rows(store_matches.key_rows(sdb)[0])
    batch = load_model(sdb, s, n, frame=frame)
    incremental = load_model(sdb, s, n, tf=store_matches.ValueCounts(sdb))
    assert incremental.prior_bits == batch.prior_bits > Model(settings=s, n=n).prior_bits
    sid = add(sdb, **people[0])
    match_incremental(sdb, sid, settings=s)
    got = persons(sdb)
    expl = sdb.execute("SELECT explanation FROM pairs WHERE id_r = ? LIMIT 1", [sid]).fetchone()
    want = Model(settings=s, n=n + 1, prior_ratio=ratio).prior_bits
    assert decode_explanation(expl[0])[0]["bits"] == round(want, 3)
    run_match(sdb, full=True, settings=s)
    assert persons(sdb) == got and len(set(got.values())) == len(people)
