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


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_group_layout_matches_a_lexsort(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_users, n_items = int(rng.integers(1, 20)), int(rng.integers(1, 20))
    users = rng.integers(0, n_users, n).astype(np.int32)
    items = rng.integers(0, n_items, n).astype(np.int32)
    ratings = rng.random(n).astype(np.float32)
    user_group = rng.integers(0, 2, n_users) * 3
    item_group = rng.integers(0, 3, n_items)
    out_u, out_i, out_r, ptr = kernels.group_layout(users, items, ratings, user_group,
                                                    item_group, 6, n_users)
    group = user_group[users] + item_group[items]
    want = np.lexsort((np.arange(n), users, group))  # last key sorts first
    assert np.array_equal(out_u, users[want]) and np.array_equal(out_i, items[want])
    assert np.array_equal(out_r, ratings[want])
    assert np.array_equal(ptr, np.concatenate([[0], np.cumsum(np.bincount(group, minlength=6))]))
