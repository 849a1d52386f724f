"""The synthetic generator: determinism, shapes, long tails, and taste that predicts watching."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movietui.catalog.synthetic import TASTE, default_shape, generate_ratings
from movietui.model.evaluate import split
from movietui.model.topn import evaluate_top_n


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 3000),
    users=st.integers(2, 60),
    items=st.integers(2, 120),
    seed=st.integers(0, 2**32),
)
def test_exact_size_distinct_pairs_and_half_stars(n, users, items, seed):
    if n > 0.5 * users * items:
        with pytest.raises(ValueError):
            generate_ratings(n, n_users=users, n_items=items, seed=seed)
        return
    d = generate_ratings(n, n_users=users, n_items=items, seed=seed)
    assert d.users.size == d.items.size == d.ratings.size == d.timestamps.size == n
    assert (
        d.users.min() >= 1
        and d.users.max() <= users
        and d.items.min() >= 1
        and d.items.max() <= items
    )
    keys = d.users.astype(np.int64) * (items + 1) + d.items
    assert np.all(np.diff(keys) > 0)  # sorted by (user, movie), no repeated pair
    assert np.all((d.ratings >= 0.5) & (d.ratings <= 5.0)) and np.all(
        d.ratings * 2 == np.round(d.ratings * 2)
    )
    assert d.users.dtype == np.int32 and d.items.dtype == np.int32 and d.ratings.dtype == np.float32


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (generate_ratings(20_000, seed=s) for s in (5, 5, 6))
    for name in ("users", "items", "ratings", "timestamps"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.items, c.items)


@pytest.fixture(scope="module")
def big():
    return generate_ratings(200_000, seed=0)


def test_default_shape_and_movielens_like_marginals(big):
    assert (big.n_users, big.n_items) == default_shape(200_000)
    assert 3.3 < big.ratings.mean() < 3.7 and 0.8 < big.ratings.std() < 1.1


def test_popularity_and_activity_are_long_tailed(big):
    per_film = np.sort(np.bincount(big.items, minlength=big.n_items + 1)[1:])[::-1]
    top1 = per_film[: big.n_items // 100].sum() / big.items.size
    assert top1 > 0.07  # 1% of the films get at least 7x their even share (ml-latest-small: 16%)
    per_user = np.bincount(big.users)[1:]
    assert per_user.max() > 10 * np.median(per_user) and per_user.min() >= 5


def test_taste_predicts_watching(big):
    """Ranking is learnable: on held-out watches an item-item model and the true factors
    beat a most-popular list clearly (the issue-10 protocol, Recall@20)."""
    u, i, r = big.users - 1, big.items - 1, big.ratings
    n_items = big.n_items
    tr, te = split(r.size, 0.1, 42)
    counts = np.bincount(i[tr], minlength=n_items).astype(np.float32)
    x = np.zeros((big.n_users, n_items), np.float32)
    x[u[tr], i[tr]] = 1.0
    co = x.T @ x  # cosine item-item: the simplest "who watched this also watched"
    norms = np.sqrt(np.diag(co)) + 1e-6
    sim = co / norms[:, None] / norms[None, :]
    np.fill_diagonal(sim, 0.0)

    def recall(scorer) -> float:
        return evaluate_top_n(scorer, n_items, u[tr], i[tr], u[te], i[te], r[te]).recall

    popular = recall(lambda rows: np.broadcast_to(counts, (rows.size, n_items)))
    item_item = recall(lambda rows: x[rows] @ sim)
    oracle = recall(
        lambda rows: big.item_log_pop + TASTE * (big.user_factors[rows] @ big.item_factors.T)
    )
    assert item_item > 1.25 * popular
    assert oracle > 1.5 * popular
