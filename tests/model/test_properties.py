"""Property tests: random small inputs never give NaN predictions or non-MovietuiError crashes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movietui.errors import MovietuiError
from movietui.model import (
    Hyper,
    explain,
    fold_in,
    fold_in_exact,
    popularity_scores,
    scores,
    similar_items,
    top_n,
    train,
)
from movietui.model.serve import predict

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rating_sets(draw):
    n_users = draw(st.integers(1, 6))
    n_items = draw(st.integers(1, 8))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(1, n_users), st.integers(1, n_items)),
            min_size=1,
            max_size=40,
            unique=True,
        )
    )
    same = draw(st.booleans())
    stars = (
        [3.5] * len(pairs)
        if same
        else draw(st.lists(st.integers(1, 10), min_size=len(pairs), max_size=len(pairs)))
    )
    u = np.array([p[0] for p in pairs], np.int64)
    i = np.array([p[1] for p in pairs], np.int64)
    r = np.array(stars, np.float32) / (1 if same else 2)
    return u, i, r


hypers = st.builds(
    Hyper,
    factors=st.integers(1, 6),
    epochs=st.integers(1, 5),
    lr=st.sampled_from([0.001, 0.01, 0.05, 0.3]),
    reg=st.sampled_from([0.0, 0.02, 0.5]),
    val_fraction=st.sampled_from([0.0, 0.1, 0.3]),
    threads=st.sampled_from([1, 2]),
    seed=st.integers(0, 5),
    patience=st.integers(1, 3),
)


@SETTINGS
@given(data=rating_sets(), hyper=hypers)
def test_train_then_serve_never_yields_nan(data, hyper):
    u, i, r = data
    try:
        model = train(u, i, r, hyper, all_item_ids=np.arange(1, 12))
    except MovietuiError:
        return
    for key in np.unique(u)[:2]:
        row = model.user_index([key])[0]
        s = scores(model, model.user_factors[row], model.user_bias[row])
        assert np.all(np.isfinite(s)) and s.min() >= 0.5 and s.max() <= 5.0
        top = top_n(s, 3, exclude_idx=model.item_index(i[u == key]))
        assert len(set(top.tolist()) & set(model.item_index(i[u == key]).tolist())) == 0
    assert np.all(np.isfinite(predict(model, u, i)))
    _idx, sim = similar_items(model, 0, 3, min_count=0)
    assert np.all(np.isfinite(sim))
    fold = fold_in(model, model.item_index(i[:3]), r[:3])
    exact = fold_in_exact(model, model.item_index(i[:3]), r[:3])
    for res in (fold, exact):
        assert np.all(np.isfinite(res.factors)) and np.isfinite(res.bias)
        assert np.all(np.isfinite(scores(model, res.factors, res.bias)))
    got = explain(model, 0, model.item_index(i[:3]), r[:3], fold.bias)
    assert np.all(np.isfinite(got[1]))


def test_identical_ratings_everywhere_predict_that_rating():
    u = np.repeat(np.arange(1, 21), 10)
    i = np.tile(np.arange(1, 11), 20)
    model = train(u, i, np.full(u.size, 4.0, np.float32), Hyper(factors=4, epochs=10))
    np.testing.assert_allclose(predict(model, u, i), 4.0, atol=0.05)


def test_a_catalog_with_one_user_trains_and_serves():
    model = train(
        np.ones(5, np.int64),
        np.arange(5),
        np.array([1, 2, 3, 4, 5], np.float32),
        Hyper(factors=3, epochs=5, val_fraction=0.2),
    )
    s = scores(model, model.user_factors[0], model.user_bias[0])
    assert np.all(np.isfinite(s))


@SETTINGS
@given(
    counts=st.lists(st.integers(0, 10_000), min_size=1, max_size=20),
    mu=st.floats(0.5, 5.0),
    damping=st.floats(0.0, 50.0),
)
def test_popularity_scores_are_finite(counts, mu, damping):
    c = np.array(counts)
    means = np.where(c > 0, 3.0, np.nan)
    try:
        pop = popularity_scores(c, means, mu, damping=damping)
    except MovietuiError:
        return
    assert np.all(np.isfinite(pop))
