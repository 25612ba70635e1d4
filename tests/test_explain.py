"""The stored explanation: compact object form, the batch templates byte for byte equal to
``encode``, decoding of both the new and the earlier list form, and the review page reading
pairs stored either way."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from staff_helpers import add_pair, add_submission, login_as

from intake.match.compare import FIELDS, LEVELS
from intake.match.explain import decode, encode
from intake.match.pairrows import explanations
from intake.match.pipeline import run_match
from intake.match.vscore import ScoredPairs
from intake.store import connect

BITS = st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda b: round(b, 3))
ITEMS = st.tuples(BITS, st.lists(st.tuples(st.sampled_from(LEVELS), BITS), min_size=6, max_size=6))


def _items(prior: float, fields: list[tuple[str, float]]) -> list[dict]:
    return [{"field": "prior", "level": "prior", "bits": prior}] + [
        {"field": f, "level": lv, "bits": b} for f, (lv, b) in zip(FIELDS, fields, strict=True)
    ]


@given(ITEMS)
def test_encode_then_decode_gives_the_explanation_back(case):
    items = _items(*case)
    assert decode(encode(items)) == items


@given(st.lists(ITEMS, min_size=1, max_size=20))
def test_batch_templates_write_exactly_what_encode_writes(cases):
    n = len(cases)
    levels = {
        f: np.array([LEVELS.index(c[1][i][0]) for c in cases], np.int8)
        for i, f in enumerate(FIELDS)
    }
    bits = {f: np.array([c[1][i][1] for c in cases]) for i, f in enumerate(FIELDS)}
    prior = cases[0][0]
    scored = ScoredPairs(levels, bits, np.zeros(n), np.zeros(n), prior)
    want = [encode(_items(prior, c[1])) for c in cases]
    assert [scored.explanation(k) for k in range(n)] == want
    assert explanations(scored, np.arange(n)) == want


def test_the_list_form_earlier_versions_stored_still_decodes():
    items = _items(
        -16.321, [("exact", 14.988), ("far", -4.1), ("missing", 0.0)] + [("close", 1.5)] * 3
    )
    assert decode(json.dumps(items)) == items
    assert decode(json.dumps(items, separators=(",", ":"))) == items


@pytest.mark.parametrize("text", [None, "", "not json", "3", '"text"', "[1, 2]", '{"name": 3}'])
def test_unreadable_text_decodes_to_no_explanation(text):
    assert decode(text) == []


def test_a_full_run_stores_the_compact_form_at_under_half_the_list_forms_size(tmp_path):
    db = connect(tmp_path / "intake.db")
    people = [
        ("김민준", "minjun@daum.net", "010-1234-5678", "1985-03-02"),
        ("김민준", "minjun@hanmail.net", "01012345678", "1985-03-02"),
        ("Minjun Kim", "mj.kim@gmail.com", "+82 10 1234 5678", "1985-03-02"),
        ("이서연", "seoyeon@naver.com", "010-2222-3333", "1990-07-15"),
        ("이서연", "seoyeon@naver.com", "010 2222 3333", "1990.07.15"),
    ]
    home = {"address": "서울특별시 강남구 테헤란로 1 101동 1203호", "postal_code": "06236"}
    for name, email, phone, birth in people:
        add_submission(db, name=name, email=email, phone=phone, birth_date=birth, **home)
    run_match(db, full=True)
    stored = [r[0] for r in db.execute("SELECT explanation FROM pairs WHERE kind = 'dedup'")]
    assert len(stored) >= 2
    for text in stored:
        items = decode(text)
        assert [i["field"] for i in items] == ["prior", *FIELDS]
        assert isinstance(json.loads(text), dict)
        assert len(text) < 0.5 * len(json.dumps(items, ensure_ascii=False))


@pytest.mark.parametrize("list_form", [False, True])
def test_pair_page_shows_the_explanation_stored_in_either_form(client, db, list_form):
    login_as(client, db, "paralegal")
    a = add_submission(db, name="김민준", phone="010-1234-5678")
    b = add_submission(db, name="김민중", phone="01012345678")
    add_pair(db, "dedup", a, b, 0.7, list_form=list_form)
    html = client.get(f"/staff/review/dedup/{a}/{b}").data.decode()
    assert 'class="level level-exact"' in html and "+9.5" in html
    assert 'class="level level-far"' in html and "-4.1" in html
    assert "No explanation stored" not in html
