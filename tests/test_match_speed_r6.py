"""Round 6 fast paths of the batch match give exactly what the code they replace gave."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.match.arrays import unique_inverse, used_codes

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
