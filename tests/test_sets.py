"""The gate's set operations on small arrays give numpy's answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dedupe.sets import contains, distinct, union

# Few distinct values, so that repeats and shared values are common; signed and unsigned 64-bit, as band keys are.
_SIGNED = arrays(np.int64, st.integers(0, 40), elements=st.sampled_from([-(2**63), -7, 0, 3, 9, 2**62, 2**63 - 1]))
_UNSIGNED = arrays(np.uint64, st.integers(0, 40), elements=st.sampled_from([0, 1, 5, 2**63, 2**64 - 1]))


@given(st.one_of(_SIGNED, _UNSIGNED))
def test_distinct_is_np_unique(values: np.ndarray):
    found = distinct(values)
    assert found.dtype == values.dtype
    np.testing.assert_array_equal(found, np.unique(values))
    np.testing.assert_array_equal(distinct(values.reshape(-1, 1)), np.unique(values))  # flattened, as np.unique


@given(_SIGNED, _SIGNED)
def test_union_is_np_union1d(first: np.ndarray, second: np.ndarray):
    np.testing.assert_array_equal(union(first, second), np.union1d(first, second))


@given(_SIGNED, _SIGNED)
def test_contains_is_np_isin(values: np.ndarray, members: np.ndarray):
    ordered = np.unique(members)
    found = contains(ordered, values)
    assert found.dtype == bool
    np.testing.assert_array_equal(found, np.isin(values, ordered))
