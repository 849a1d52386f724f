"""The ranker (iALS): its solver against numpy, determinism, fold-in, signals, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movietui.errors import ModelError
from movietui.model.ranker import NOT_INTERESTED, SEEN, RankerModel, RankHyper, fit_ranker, signal
from movietui.model.ranker_kernels import cg_row

SMALL = RankHyper(factors=8, epochs=6, seed=3, val_fraction=0.0)


def taste_data(n_users=60, n_items=80, per_user=12, seed=0):
    """Two taste groups, each watching (and loving) its own half of the films."""
    rng = np.random.default_rng(seed)
    users, items, ratings = [], [], []
    for user in range(n_users):
        half = user % 2
        pool = np.arange(n_items // 2) + half * (n_items // 2)
        for item in rng.choice(pool, per_user, replace=False):
            users.append(user + 1)
            items.append(int(item) + 1)
            ratings.append(float(rng.choice([3.5, 4.0, 4.5, 5.0])))
    return np.array(users), np.array(items), np.array(ratings, np.float32)


def normal_equations(model: RankerModel, idx, values):
    """The fold-in system solved densely: (w0 G + sum (c - w0) q q^T + lam I) x = sum c t q."""
    h = model.hyper
    target, conf = _signal_for(h, values)
    Q = model.item_factors.astype(np.float64)
    A = h.unobserved_weight * Q.T @ Q
    for j, c in zip(idx, conf):
        A += (c - h.unobserved_weight) * np.outer(Q[j], Q[j])
    lam = h.reg * (len(idx) + h.unobserved_weight * model.n_items) ** h.reg_exponent
    A += lam * np.eye(model.factors)
    b = (Q[idx] * (conf * target)[:, None]).sum(0) + lam * model.prior_row()
    return np.linalg.solve(A, b)


def _signal_for(hyper, values):
    from movietui.model.ranker import _signal

    return _signal(np.asarray(values, np.float32), hyper)


@settings(max_examples=40, deadline=None)
@given(
    k=st.integers(1, 12),
    n=st.integers(0, 15),
    seed=st.integers(0, 10_000),
    w0=st.floats(0.01, 1.0),
    lam=st.floats(0.01, 5.0),
)
def test_cg_row_solves_the_normal_equations(k, n, seed, w0, lam):
    rng = np.random.default_rng(seed)
    Y = rng.normal(size=(20, k)).astype(np.float32)
    idx = rng.choice(20, size=min(n, 20), replace=False).astype(np.int32)
    conf = (1 + rng.random(idx.size) * 3).astype(np.float32)
    target = rng.random(idx.size).astype(np.float32)
    G = (Y.T.astype(np.float64) @ Y).astype(np.float32)
    x = rng.normal(size=k).astype(np.float32)  # any warm start reaches the same solution
    prior = rng.normal(size=k).astype(np.float32)
    cg_row(
        G,
        Y,
        idx,
        conf,
        target,
        np.float32(w0),
        np.float32(lam),
        prior,
        x,
        4 * k + 10,
        np.float32(0.0),
        np.empty((3, k), np.float32),
        np.empty(idx.size, np.float32),
    )
    Yd = Y.astype(np.float64)
    A = w0 * Yd.T @ Yd + lam * np.eye(k)
    for j, c in zip(idx, conf):
        A += (c - w0) * np.outer(Yd[j], Yd[j])
    b = (Yd[idx] * (conf * target)[:, None]).sum(0) + lam * prior
    expected = np.linalg.solve(A, b)
    assert np.allclose(x, expected, atol=2e-3 * (1 + np.abs(expected).max()))


def test_fold_in_is_the_exact_row_and_independent_of_the_warm_start():
    users, items, ratings = taste_data()
    model = fit_ranker(users, items, ratings, SMALL)
    idx = model.item_index(np.array([1, 2, 5, 30]))
    values = np.array([5.0, 4.0, 1.0, 3.0], np.float32)
    cold = model.fold_in(idx, values)
    warm = model.fold_in(idx, values, start_row=np.full(model.factors, 0.7, np.float32))
    expected = normal_equations(model, idx, values)
    assert np.allclose(cold, expected, atol=1e-4)
    assert np.allclose(warm, expected, atol=1e-4)


def test_training_is_deterministic_per_seed_and_thread_count():
    users, items, ratings = taste_data()
    one = fit_ranker(users, items, ratings, RankHyper(factors=8, epochs=4, seed=5, threads=1))
    two = fit_ranker(users, items, ratings, RankHyper(factors=8, epochs=4, seed=5, threads=2))
    again = fit_ranker(users, items, ratings, RankHyper(factors=8, epochs=4, seed=5, threads=2))
    assert np.array_equal(two.item_factors, again.item_factors)
    assert np.array_equal(one.item_factors, two.item_factors)
    other = fit_ranker(users, items, ratings, RankHyper(factors=8, epochs=4, seed=6))
    assert not np.array_equal(other.item_factors, two.item_factors)


def test_loss_falls_and_each_epoch_is_reported():
    users, items, ratings = taste_data()
    seen = []
    fit_ranker(users, items, ratings, SMALL, on_epoch=seen.append)
    assert [r.epoch for r in seen] == list(range(1, 7))
    assert seen[-1].loss < seen[0].loss
    assert all(np.isfinite(r.loss) for r in seen)


def test_on_epoch_false_stops_and_keeps_the_best_epoch():
    users, items, ratings = taste_data()
    calls = []
    model = fit_ranker(
        users,
        items,
        ratings,
        RankHyper(factors=8, epochs=50, seed=1),
        on_epoch=lambda r: calls.append(r) or len(calls) < 2,
    )
    assert len(calls) == 2 and model.metrics["epochs_run"] == 2


def test_a_new_profile_of_one_taste_gets_that_taste_first():
    users, items, ratings = taste_data()
    model = fit_ranker(users, items, ratings, SMALL)

    def top(movie_ids, n):
        liked = model.item_index(np.array(movie_ids))
        scores = model.scores(model.fold_in(liked, np.full(liked.size, 5.0, np.float32)))
        scores[liked] = -np.inf
        return model.item_ids[np.argsort(-scores)[:n]]

    # Three ratings: the row is the average person pulled toward them, so the first picks
    # are of that taste; ten ratings: the whole top 10 is.
    assert (top([41, 42, 43], 5) > 40).all()
    assert (top(list(range(41, 51)), 10) > 40).all()


def test_a_low_star_watch_and_not_interested_push_a_film_down():
    target, conf = signal(np.array([5.0, 4.0, 3.5, 2.0, 0.5, SEEN, NOT_INTERESTED], np.float32))
    assert target[0] == target[1] == target[2] == target[5] == 1.0
    assert target[4] < target[3] < 1.0
    assert target[6] == 0.0 and conf[6] >= conf.max()
    users, items, ratings = taste_data()
    model = fit_ranker(users, items, ratings, SMALL)
    liked = model.item_index(np.array([1, 2, 3]))
    base = model.fold_in(liked, np.array([5.0, 5.0, 5.0], np.float32))
    film = int(np.argsort(-model.scores(base))[5])
    hidden = model.fold_in(
        np.append(liked, film), np.array([5.0, 5.0, 5.0, NOT_INTERESTED], np.float32)
    )
    assert model.scores(hidden)[film] < model.scores(base)[film]


@pytest.mark.parametrize("case", ["all one star", "one user", "one film everyone rated"])
def test_degenerate_data_gives_a_finite_model(case):
    users, items, ratings = taste_data(n_users=10, per_user=5)
    if case == "all one star":
        ratings = np.ones_like(ratings)
    elif case == "one user":
        users = np.ones_like(users)
        keep = np.unique(items, return_index=True)[1]
        users, items, ratings = users[keep], items[keep], ratings[keep]
    else:
        items = np.ones_like(items)
        users = np.arange(users.size) + 1
    model = fit_ranker(users, items, ratings, SMALL)
    row = model.fold_in(np.array([0]), np.array([1.0], np.float32))
    assert np.isfinite(model.item_factors).all() and np.isfinite(model.scores(row)).all()


def test_save_and_load_round_trip_and_damaged_arrays():
    users, items, ratings = taste_data()
    model = fit_ranker(users, items, ratings, RankHyper(factors=8, epochs=3, seed=2))
    arrays, meta = model.to_arrays()
    back = RankerModel.from_arrays(arrays, meta)
    assert np.array_equal(back.item_factors, model.item_factors)
    assert back.hyper == model.hyper and len(back.history) == len(model.history)
    with pytest.raises(ModelError, match="inconsistent"):
        RankerModel.from_arrays({**arrays, "user_keys": arrays["user_keys"][:-1]}, meta)
    with pytest.raises(ModelError, match="unreadable"):
        RankerModel.from_arrays({k: v for k, v in arrays.items() if k != "item_factors"}, meta)


def test_absurd_hyperparameters_are_refused_with_the_field_named():
    for bad in (
        dict(factors=0),
        dict(unobserved_weight=0.0),
        dict(reg=float("nan")),
        dict(epochs=0),
    ):
        with pytest.raises(ModelError, match=next(iter(bad))):
            RankHyper(**bad).validate()


@settings(max_examples=60, deadline=None)
@given(
    n_items=st.integers(1, 300),
    n=st.integers(0, 30),
    seed=st.integers(0, 10_000),
    weight=st.sampled_from([0.0, 0.05, 0.5, 3.0]),
    masked=st.booleans(),
)
def test_served_top_n_equals_ranking_every_film(n_items, n, seed, weight, masked):
    from movietui.model.blend import served_scores, served_top_n
    from movietui.model.serve import top_n

    rng = np.random.default_rng(seed)
    rank = rng.normal(size=n_items).astype(np.float32)
    rank[rng.random(n_items) < 0.05] = np.nan
    stars = rng.choice(np.arange(1, 11) / 2, n_items).astype(np.float32)
    stars[: n_items // 3] = stars[0]  # ties in the served score
    mask = rng.random(n_items) < 0.7 if masked else None
    asked = []

    def stars_of(idx):
        asked.append(len(idx))
        return stars[idx]

    got = served_top_n(rank, stars_of, 3.5, n, candidate_mask=mask, star_weight=weight)
    expected = top_n(served_scores(rank, stars, 3.5, weight), n, candidate_mask=mask)
    assert got.tolist() == expected.tolist()


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 400), k=st.integers(1, 40), seed=st.integers(0, 10_000))
def test_int8_scores_are_within_half_a_quantum_per_factor(n, k, seed):
    from movietui.model.ranker_kernels import score_int8

    rng = np.random.default_rng(seed)
    Q = (rng.normal(size=(n, k)) * rng.uniform(0, 2, (n, 1))).astype(np.float32)
    Q[0] = 0.0  # an all-zero row keeps scale 1 and scores 0
    model = RankerModel(
        np.zeros((1, k), np.float32), Q, np.arange(1), np.arange(n), RankHyper(factors=k)
    )
    q8, scale = model.quantized()
    p = rng.normal(size=k).astype(np.float32)
    out = np.empty(n, np.float32)
    score_int8(q8, scale, p, out)
    exact = Q.astype(np.float64) @ p
    bound = scale * 0.5 * np.abs(p).sum() + 1e-4 * (1 + np.abs(exact))
    assert np.all(np.abs(out - exact) <= bound)
    assert out[0] == 0.0
