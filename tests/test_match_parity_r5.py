"""Round 5: the per-submit match (``match_incremental``) proposes the pairs a full run proposes.

The batch blocking rules (``blocking.RULES``) are served to one new submission by indexed
look-ups (``store.matches.candidate_records``); these tests check each look-up added for a rule
the per-submit path lacked, the broad rules' block cap and window, and, on generated data, that
no pair a full run compares through an equality rule is missed when submissions arrive one by
one."""

from __future__ import annotations

import pytest

from intake import store
from intake.match import pipeline
from intake.match.blocking import RULES, candidate_pairs, rule_pairs
from intake.match.compare import house_street
from intake.match.frame import KeyFrame
from intake.match.names import block_forms
from intake.match.pipeline import match_incremental
from intake.match.settings import MatchSettings
from intake.store import matches
from intake.store.submissions import insert_submission
from intake.synth import generate_people, generate_submissions

BASE = dict(
    name="김민준", email="mj@naver.com", phone="010-1234-5678", birth_date="1990-03-14",
    address="서울 강남구 테헤란로 142, 901동 1203호", postal_code="06236",
)  # fmt: skip
OTHER_CONTACT = dict(email=None, phone="010-9999-0000", address=None, postal_code=None)
STRANGERS = ("이서연", "박지호", "최수아", "정예준", "강하은", "조도윤", "장시우", "한주원",
             "오은서", "서지안", "신우진", "권나윤")  # fmt: skip


def _found(db, sid: int) -> dict[int, str]:
    rec = matches.record(db, sid)
    got = matches.candidate_records(db, rec, limit=200, forms=block_forms, broad=(10, 3))
    return {i: rule for i, (_, rule) in got.items()}


def _add(db, **fields) -> int:
    return insert_submission(db, fields)[0]


@pytest.fixture
def db(tmp_path):
    database = store.connect(tmp_path / "parity.db")
    yield database
    database.conn.close()


# (rule, the earlier claimant as stored, the strangers that crowd the broad rules' blocks,
#  the new submission: only the rule's keys shared with the earlier one)
CASES = [
    ("initials_birth_date", BASE, dict(birth_date=BASE["birth_date"]),
     dict(name="김미준", birth_date=BASE["birth_date"], **OTHER_CONTACT)),
    ("birth_date_postcode", BASE, dict(birth_date=BASE["birth_date"]),
     dict(name="최서아", birth_date=BASE["birth_date"], email=None, phone="010-9999-0000",
          postal_code=BASE["postal_code"])),
    ("initials_postcode", BASE, dict(postal_code=BASE["postal_code"]),
     dict(name="김미준", birth_date="1991-03-14", email=None, phone="010-9999-0000",
          postal_code=BASE["postal_code"])),
    ("name_building", {**BASE, "name": "이서연"},
     dict(address="서울 강남구 테헤란로 142, 101동 101호"),
     dict(name="리서연", birth_date="1991-03-14", email=None, phone="010-9999-0000",
          address="서울 강남구 테헤란로 142, 902동 1호")),
    ("name_postcode", {**BASE, "name": "이서연"}, dict(postal_code=BASE["postal_code"]),
     dict(name="리서연", birth_date="1991-03-14", email=None, phone="010-9999-0000",
          postal_code=BASE["postal_code"])),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "earlier", "crowd", "new"), CASES, ids=[c[0] for c in CASES])
def test_each_batch_rule_has_a_per_submit_lookup(db, rule, earlier, crowd, new):
    # a dozen strangers first, so the broad rules (blocks of at most 10) cannot find the pair
    for k, name in enumerate(STRANGERS):
        _add(db, name=name, phone=f"010-5555-{k:04d}", **crowd)
    target = _add(db, **earlier)
    probe = _add(db, **new)
    found = _found(db, probe)
    assert found.get(target) == rule
    assert [r.name for r in RULES if r.name == rule]  # the batch has this rule


def test_broad_rule_skips_a_block_over_the_cap_as_the_batch_does(db):
    ids = [_add(db, name=n, birth_date="1970-01-01") for n in STRANGERS[:10]]
    assert ids[0] in _found(db, ids[-1])  # block of 10: the neighbours are proposed
    probe = _add(db, name="한지민", birth_date="1970-01-01")  # the block now has 11
    assert _found(db, probe) == {}


@pytest.mark.parametrize("position", range(6))
def test_broad_rule_window_equals_the_batch_window(db, position):
    """Within a small block the per-submit path pairs the new record with its neighbours in
    the batch's (name, id) order only: the same pairs as ``rule_pairs``."""
    names = sorted(STRANGERS[:6])
    probe_name = names.pop(position)
    for n in names:
        _add(db, name=n, birth_date="1970-01-01")
    probe = _add(db, name=probe_name, birth_date="1970-01-01")
    frame = KeyFrame.from_rows(matches.key_rows(db)[0])
    rule = next(r for r in RULES if r.name == "birth_date")
    a, b, _ = rule_pairs(frame, rule, MatchSettings())
    ids = frame.ids
    pairs = zip(ids[a].tolist(), ids[b].tolist(), strict=True)
    batch = {x if y == probe else y for x, y in pairs if probe in (x, y)}
    assert set(_found(db, probe)) == batch
    assert 0 < len(batch) < len(names)  # a window, not the whole block


def test_one_at_a_time_compares_every_pair_a_full_run_compares_by_a_key(tmp_path, monkeypatch):
    """Generated Korean claims (typos, namesakes, households) added one by one: every pair
    the full run's equality rules propose was compared by the per-submit look-ups. (The broad
    rules depend on the order of arrival: a block may pass their cap only later.)"""
    db = store.connect(tmp_path / "gen.db")
    compared: set[tuple[int, int]] = set()
    lookup = matches.candidate_records

    def recording(db, rec, **kw):
        found = lookup(db, rec, **kw)
        compared.update((min(rec["id"], i), max(rec["id"], i)) for i in found)
        return found

    monkeypatch.setattr(pipeline.store, "candidate_records", recording)
    fields = ("name", "email", "phone", "address", "postal_code", "birth_date")
    for rec in generate_submissions(generate_people(1500, seed=3), seed=3):
        match_incremental(db, _add(db, **{f: rec[f] for f in fields}))
    frame = KeyFrame.from_rows(matches.key_rows(db)[0])
    cands = candidate_pairs(frame, MatchSettings())
    broad = sum(1 << k for k, r in enumerate(RULES) if r.max_block is not None)
    by_key = (cands.proposed & ~broad) != 0
    ids = frame.ids
    wanted = set(
        zip(ids[cands.left[by_key]].tolist(), ids[cands.right[by_key]].tolist(), strict=True)
    )
    assert len(wanted) > 1000
    assert wanted - compared == set()
    db.conn.close()


def test_name_narrowing_keeps_every_name_with_the_same_form():
    """The SQL pre-filter of the name-form look-ups drops no name whose block key or initials
    equal the new name's (a superset; Python checks the forms after it), on generated names
    with 두음 spellings (리/이, 류/유, 라/나) and Latin ones."""
    import sqlite3

    from intake.normalize import record_keys
    from intake.store.matches import _name_narrowing

    people = generate_people(3000, seed=5)
    keys = {record_keys({"name": p.name})["k_name"] for p in people}
    keys |= {record_keys({"name": r["name"]})["k_name"] for r in generate_submissions(people)}
    keys |= {"리서연", "이서연", "류지호", "유지호", "라민수", "나민수", "노은서", "로은서"}
    keys.discard(None)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE submissions (id INTEGER PRIMARY KEY, k_name TEXT)")
    conn.executemany("INSERT INTO submissions (k_name) VALUES (?)", [(k,) for k in keys])
    by_form: list[dict[str, set[str]]] = [{}, {}]
    for k in keys:
        for form in (0, 1):
            by_form[form].setdefault(block_forms(k)[form], set()).add(k)
    checked = 0
    for k in sorted(keys)[::7]:
        for form in (0, 1):
            same = by_form[form][block_forms(k)[form]]
            narrow, params = _name_narrowing(k, form)
            got = {
                r[0] for r in conn.execute(f"SELECT k_name FROM submissions WHERE {narrow}", params)
            }
            assert same <= got, (form, same - got)
            checked += len(same) > 1
    assert checked > 50  # names that share a form with another name were among them
    narrow, params = _name_narrowing("김민준", 1)
    assert (
        len(list(conn.execute(f"SELECT 1 FROM submissions WHERE {narrow}", params)))
        < len(keys) / 20
    )


def test_per_submit_score_uses_the_stores_term_frequencies(db):
    """The per-submit model (lazy SQL counts) scores a pair as the batch does (its frame's
    counts): a birth date shared by many weighs less than a rare one, in both."""
    from intake.match.pipeline import load_model
    from intake.match.vscore import score_pairs

    for k, name in enumerate(STRANGERS):
        _add(db, name=name, birth_date="1990-03-14", phone=f"010-5555-{k:04d}")
    a = _add(db, **BASE)
    b = _add(db, **{**BASE, "name": "박서준"})  # another name, everything else shared
    s = MatchSettings()
    n = matches.submission_count(db)
    per_submit = load_model(db, s, n, tf=matches.ValueCounts(db))
    scored = per_submit.score(matches.record(db, a), matches.record(db, b))
    frame = KeyFrame.from_rows(matches.key_rows(db)[0])
    rows = [int(x) for x in (frame.ids == a).nonzero()[0]] + [
        int(x) for x in (frame.ids == b).nonzero()[0]
    ]
    import numpy as np

    batch = score_pairs(load_model(db, s, n), frame, np.array(rows[:1]), np.array(rows[1:]))
    assert scored.weight == pytest.approx(float(batch.weight[0]), abs=1e-3)
    birth = next(e for e in scored.explanation if e["field"] == "birth_date")
    rare = load_model(db, s, n).score(matches.record(db, a), matches.record(db, b))
    assert birth["bits"] < next(e for e in rare.explanation if e["field"] == "birth_date")["bits"]


def _house_found(db, sid: int) -> dict[int, str]:
    rec = matches.record(db, sid)
    got = matches.candidate_records(
        db, rec, limit=200, forms=block_forms, broad=(10, 3), house=house_street
    )
    return {i: rule for i, (_, rule) in got.items()}


def _batch_house_block(db, probe: int) -> set[int]:
    frame = KeyFrame.from_rows(matches.key_rows(db)[0])
    rule = next(r for r in RULES if r.name == "house_street")
    a, b, _ = rule_pairs(frame, rule, MatchSettings())
    pairs = zip(frame.ids[a].tolist(), frame.ids[b].tolist(), strict=True)
    return {x if y == probe else y for x, y in pairs if probe in (x, y)}


def test_house_street_lookup_finds_what_the_batch_rule_finds(db):
    """A typo'd Latin name at the same house number and street with another suburb, birth date
    and postcode: only ``house_street`` blocks the pair, per submit as in the batch (the stored
    key's case, the house next door and a longer house number do not confuse it)."""
    target = _add(db, name="Mark Brown", birth_date="1971-05-02", postal_code="2612",
                  address="363 Banks Street, Manresa, ACT")  # fmt: skip
    _add(db, name="jane smith", address="364 banks street, manresa, act")
    _add(db, name="ann lee", address="3630 banks street, manresa, act")
    probe = _add(db, name="marc browne", birth_date="1971-05-20", postal_code="2615",
                 address="363 banks street, rosehill, act")  # fmt: skip
    assert _house_found(db, probe) == {target: "house_street"}
    assert _batch_house_block(db, probe) == {target}
    assert target not in _found(db, probe)  # without the look-up nothing else finds it


def test_house_street_lookup_skips_a_house_over_the_cap_as_the_batch_does(db):
    for k, name in enumerate(STRANGERS[:10]):
        _add(db, name=name, address=f"22 queen street, suburb{k}, vic")
    probe = _add(db, name="mary jones", address="22 queen street, richmond, vic")
    assert _batch_house_block(db, probe) == set()
    assert "house_street" not in _house_found(db, probe).values()
