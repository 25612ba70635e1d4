"""Round 6 fast paths of the batch match give exactly what the code they replace gave."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from intake.match.arrays import stable_argsort, unique_inverse, used_codes
from intake.match.blocking import RULES, _block_key, _block_order
from intake.match.compare import CLOSE, FAR, compare_values
from intake.match.frame import KeyFrame
from intake.match.settings import MatchSettings
from intake.match.vcompare import levels_for
from intake.normalize import record_keys
from intake.synth import generate_people, generate_submissions

S = MatchSettings()
KEYS = ("k_name", "k_email", "k_phone", "k_birth", "k_postcode", "k_addr", "k_unit")


def _frame(people: int = 150, seed: int = 3) -> KeyFrame:
    recs = generate_submissions(generate_people(people, seed=seed), seed=seed, dup_rate=0.6)
    rows = [(i, *(record_keys(r)[c] for c in KEYS)) for i, r in enumerate(recs, start=1)]
    return KeyFrame.from_rows(rows)


_CODES = st.lists(st.integers(0, 50), max_size=80).map(lambda v: np.asarray(v, np.int64))


@settings(max_examples=200, deadline=None)
@given(_CODES, _CODES)
def test_used_codes_equal_np_unique(a, b):
    got = used_codes(a, b)
    expect = np.unique(np.concatenate([a, b]))
    assert got.dtype == np.int64
    assert got.tolist() == expect.tolist()


def test_used_codes_of_int32_negative_and_empty_arrays():
    a = np.asarray([5, 3, 5], np.int32)
    assert used_codes(a, a[:0]).tolist() == [3, 5]
    assert used_codes(np.asarray([-1, 2, -1])).tolist() == [-1, 2]
    assert used_codes().tolist() == [] and used_codes(a[:0]).tolist() == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 20), st.integers(0, 2**62), st.just(2**63 - 1)), max_size=80)
)
def test_unique_inverse_equals_np_unique(values):
    arr = np.asarray(values, dtype=np.int64)
    got_u, got_inv = unique_inverse(arr)
    exp_u, exp_inv = np.unique(arr, return_inverse=True)
    assert got_u.dtype == exp_u.dtype
    assert got_u.tolist() == exp_u.tolist()
    assert got_inv.tolist() == exp_inv.ravel().tolist()
    assert np.array_equal(got_u[got_inv], arr)


@pytest.mark.parametrize("n", [1, 2, 3, 1000])
def test_unique_inverse_packs_up_to_the_63rd_bit(n):
    bits = max(1, (n - 1).bit_length())
    arr = np.arange(n, dtype=np.int64)[::-1] % 7 + ((1 << (63 - bits)) - 8)
    got_u, got_inv = unique_inverse(arr)  # the largest value that still packs
    exp_u, exp_inv = np.unique(arr, return_inverse=True)
    assert got_u.tolist() == exp_u.tolist() and got_inv.tolist() == exp_inv.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 5), st.integers(0, 2**62)), max_size=80))
def test_stable_argsort_equals_numpy_stable_argsort(values):
    arr = np.asarray(values, dtype=np.int64)
    assert stable_argsort(arr).tolist() == np.argsort(arr, kind="stable").tolist()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_block_order_with_keys_too_wide_to_pack_equals_the_lexsort(rule):
    """Keys of many columns exceed the packing room: they are ranked first, in key order."""
    frame = _frame()
    key = _block_key(frame, rule.columns)
    rows = np.flatnonzero(key >= 0)
    if not rows.size:  # house_street: no free-text addresses in Korean data
        return
    span = len(frame.uniques[rule.window_sort]) + 1
    room = 1 << (63 - rows.size.bit_length())
    scale = 1
    while (int(key.max()) + 1) * span * scale < room:
        scale *= 2
    wide = np.where(key >= 0, key * scale, -1)  # same blocks and order, too wide to pack
    assert (int(wide.max()) + 1) * span < 2**62
    expect = np.lexsort((frame.ids[rows], frame.codes[rule.window_sort][rows], wide[rows]))
    assert _block_order(frame, rule, wide, rows).tolist() == expect.tolist()


_DATE = st.one_of(
    st.text(alphabet="0129-/", min_size=9, max_size=11),
    st.builds(
        lambda y, m, d, s1, s2: f"{y}{s1}{m}{s2}{d}",
        st.sampled_from(["1990", "1991", "199"]),
        st.sampled_from(["01", "02", "12", "1"]),
        st.sampled_from(["01", "02", "12", "21"]),
        st.sampled_from(["-", "/", ""]),
        st.sampled_from(["-", "/"]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_DATE, _DATE), min_size=1, max_size=40))
def test_vectorised_birth_date_swap_equals_the_scalar_comparator(pairs):
    """The day/month swap (same year, day and month exchanged, any separators) found by
    codes gives the level ``compare._birth`` gives, pair for pair."""
    pairs = [(a, b) for a, b in pairs if a != b]
    if not pairs:
        return
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    got = levels_for("birth_date", a, b, S).tolist()
    assert got == [_batch_birth_level(x, y) for x, y in pairs]


def _batch_birth_level(a: str, b: str) -> int:
    """The batch level as the scalar fallback gave it: one edit is close; otherwise the
    scalar comparator decided only pairs whose first 5 characters (year and separator)
    agree, the rest stayed far."""
    if OSA.distance(a, b) <= 1:
        return CLOSE
    return compare_values("birth_date", a, b, S) if a[:5] == b[:5] else FAR


def test_birth_date_swap_cases():
    a = ["1990-01-12", "1990-01-12", "1990-01-12", "1990/01/12", "1991-01-12"]
    b = ["1990-12-01", "1990/12/01", "1991-12-01", "1990-12-01", "1991-12-02"]
    # "1990/..." against "1990-...": the batch never took the scalar swap test (year parts
    # differ in their separator); normalised keys are ISO dates, so it does not arise
    assert levels_for("birth_date", a, b, S).tolist() == [CLOSE, FAR, FAR, FAR, FAR]


_ADDRESS = st.builds(
    lambda head, tail, unit: head + tail + (f"#{unit}" if unit else ""),
    st.sampled_from(["", "raw:|", "road:11|", "lot:11|", "12 ", "12", "7 "]),
    st.text(alphabet="ab cde1", max_size=14),
    st.sampled_from(["", "101", "102", "b1"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ADDRESS, _ADDRESS), min_size=1, max_size=40))
def test_vectorised_address_levels_equal_the_scalar_comparator(pairs):
    """Splitting each address once (building, unit) and gathering only the pairs still
    undecided gives ``compare._address``'s level, pair for pair."""
    pairs = [(a, b) for a, b in pairs if a != b and a and b]
    if not pairs:
        return
    got = levels_for("address", [p[0] for p in pairs], [p[1] for p in pairs], S).tolist()
    assert got == [compare_values("address", a, b, S) for a, b in pairs]
