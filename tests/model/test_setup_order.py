"""The O(n) training set-up must give exactly what np.unique / a stable argsort give."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from movietui.model import kernels
from movietui.model.train import _dense_index

ids = arrays(np.int64, st.integers(0, 300), elements=st.integers(-(2**40), 2**40))
compact_ids = arrays(np.int64, st.integers(0, 300), elements=st.integers(-50, 5000))


@settings(max_examples=150, deadline=None)
@given(st.one_of(ids, compact_ids))
def test_dense_index_matches_np_unique(values: np.ndarray) -> None:
    uniq, index = _dense_index(values)
    want_uniq, want_index = np.unique(values, return_inverse=True)
    assert np.array_equal(uniq, want_uniq)
    assert np.array_equal(index, want_index)
    assert index.dtype == np.int32


@settings(max_examples=150, deadline=None)
@given(arrays(np.int64, st.integers(0, 400), elements=st.integers(0, 30)))
def test_counting_order_is_a_stable_sort(keys: np.ndarray) -> None:
    order = kernels.counting_order(keys, 31)
    assert np.array_equal(order, np.argsort(keys, kind="stable"))
