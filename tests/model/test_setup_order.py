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


def _layout_case(n: int, seed: int):
    rng = np.random.default_rng(seed)
    n_users, n_items = int(rng.integers(1, 20)), int(rng.integers(1, 20))
    users = rng.integers(0, n_users, n).astype(np.int32)
    items = rng.integers(0, n_items, n).astype(np.int32)
    ratings = rng.random(n).astype(np.float32)
    is_train = rng.random(n) < 0.8
    user_group = rng.integers(0, 2, n_users) * 3
    item_group = rng.integers(0, 3, n_items)
    return users, items, ratings, is_train, user_group, item_group, n_users


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_group_layout_without_jitter_is_a_stable_lexsort(n: int, seed: int) -> None:
    users, items, ratings, is_train, user_group, item_group, n_users = _layout_case(n, seed)
    m = int(is_train.sum())
    out_u, out_i, out_r, ptr = kernels.group_layout(
        users, items, ratings, is_train, user_group, item_group, 6, n_users, np.zeros(m, np.float32)
    )
    u, i, r = users[is_train], items[is_train], ratings[is_train]
    group = user_group[u] + item_group[i]
    want = np.lexsort((np.arange(m), u, group))  # last key sorts first
    assert np.array_equal(out_u, u[want]) and np.array_equal(out_i, i[want])
    assert np.array_equal(out_r, r[want])
    assert np.array_equal(ptr, np.concatenate([[0], np.cumsum(np.bincount(group, minlength=6))]))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_group_layout_jitter_only_reorders_each_users_run(n: int, seed: int) -> None:
    users, items, ratings, is_train, user_group, item_group, n_users = _layout_case(n, seed)
    m = int(is_train.sum())
    jitter = np.random.default_rng(seed + 1).random(m, dtype=np.float32)
    jitter[:3] = np.nextafter(np.float32(1), np.float32(0))  # the largest draw stays in range
    args = (users, items, ratings, is_train, user_group, item_group, 6, n_users)
    plain = kernels.group_layout(*args, np.zeros(m, np.float32))
    shuffled = kernels.group_layout(*args, jitter)
    assert np.array_equal(shuffled[0], plain[0]) and np.array_equal(shuffled[3], plain[3])
    group = user_group[plain[0]] + item_group[plain[1]]
    key = group.astype(np.int64) * n_users + plain[0]  # one run per (group, user)
    for k in np.unique(key):
        run = key == k
        want = sorted(zip(plain[1][run].tolist(), plain[2][run].tolist()))
        assert sorted(zip(shuffled[1][run].tolist(), shuffled[2][run].tolist())) == want
    again = kernels.group_layout(*args, jitter)
    assert all(np.array_equal(a, b) for a, b in zip(again, shuffled))
