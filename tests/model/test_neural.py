"""The neural model (CollabFNet): hand-written gradients, bad input, determinism, early
stopping, the store round trip and fold-in."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movietui.errors import ModelError
from movietui.model import neural_kernels as nk
from movietui.model.neural import NeuralHyper, NeuralModel, fit_neural, is_neural

FAST = NeuralHyper(
    factors=8,
    hidden=6,
    epochs=8,
    lr=0.01,
    lr_decay=1.0,
    batch_size=64,
    val_fraction=0.1,
    patience=3,
    seed=7,
    threads=2,  # the determinism test compares it with threads=1
)
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def neural(synth) -> NeuralModel:
    u, i, r = synth
    return fit_neural(u, i, r, FAST)


@pytest.fixture(scope="module")
def neural_biased(synth) -> NeuralModel:
    u, i, r = synth
    return fit_neural(u, i, r, dataclasses.replace(FAST, biases=True))


# ---------------------------------------------------------------- gradients


def _problem(rng, use_bias: bool, n_users=3, n_items=4, d=3, H=4, n=12):
    """A small problem whose pre-activations sit away from the ReLU kinks."""
    urow = rng.integers(0, n_users, n).astype(np.int64)
    irow = (rng.integers(0, n_items, n) + n_users).astype(np.int64)
    r = rng.uniform(0.5, 5, n).astype(np.float32)
    sign = rng.choice([-1.0, 1.0], (n_users + n_items, d), p=[0.3, 0.7])
    E = np.zeros((n_users + n_items, d + 1), np.float32)
    E[:, :d] = sign * rng.uniform(0.3, 1.2, (n_users + n_items, d))
    if use_bias:
        E[:, d] = rng.normal(0, 0.3, n_users + n_items)
    theta = rng.normal(0, 0.6, H * 2 * d + 2 * H + 1).astype(np.float32)
    return urow, irow, r, E, theta, H


def _loss(urow, irow, r, E, theta, H, use_bias) -> float:
    out = np.empty(r.size, np.float32)
    nk.predict_rows(urow, irow, E, theta, H, np.float32(3.0), use_bias, False, out)
    return float(np.mean((out.astype(np.float64) - r) ** 2))


def _analytic(urow, irow, r, E, theta, H, use_bias):
    n, width = r.size, E.shape[1]
    order = np.arange(n, dtype=np.int64)
    gX = np.zeros((n, 2, width), np.float32)
    g_dense = np.zeros((2, theta.size), np.float32)
    mid = n // 2
    args = (urow, irow, r, E, theta, H, np.float32(3.0), use_bias, 0.0, np.uint64(1), 0)
    nk.grad_half(order, 0, mid, 0, *args, 2.0 / n, gX, g_dense[0])
    nk.grad_half(order, mid, n, 0, *args, 2.0 / n, gX, g_dense[1])
    gE = np.zeros(E.shape, np.float64)
    np.add.at(gE, urow, gX[:, 0])
    np.add.at(gE, irow, gX[:, 1])
    return gE, g_dense.sum(axis=0, dtype=np.float64)


@pytest.mark.parametrize("use_bias", [False, True])
def test_backward_matches_finite_differences(use_bias):
    """Every parameter block: W1, b1, w2, b2, user and item embeddings (and biases)."""
    rng = np.random.default_rng(11 + use_bias)
    urow, irow, r, E, theta, H = _problem(rng, use_bias)
    gE, g_theta = _analytic(urow, irow, r, E, theta, H, use_bias)
    h = 1e-3

    def numeric(arr, idx) -> float:
        old = arr[idx]
        arr[idx] = old + h
        up = _loss(urow, irow, r, E, theta, H, use_bias)
        arr[idx] = old - h
        down = _loss(urow, irow, r, E, theta, H, use_bias)
        arr[idx] = old
        return (up - down) / (2 * h)

    for k in range(theta.size):  # W1 | b1 | w2 | b2
        assert numeric(theta, k) == pytest.approx(g_theta[k], rel=2e-2, abs=2e-3), k
    d = E.shape[1] - 1
    cols = range(d + 1) if use_bias else range(d)
    for row in range(E.shape[0]):  # user rows, then item rows
        for col in cols:
            assert numeric(E, (row, col)) == pytest.approx(gE[row, col], rel=2e-2, abs=2e-3)
    if not use_bias:
        assert not gE[:, d].any()


def test_halves_sum_to_the_whole_batch():
    """Two halves give the same gradient as one pass over the batch (the 2-thread split)."""
    rng = np.random.default_rng(3)
    urow, irow, r, E, theta, H = _problem(rng, True)
    n = r.size
    order = np.arange(n, dtype=np.int64)
    args = (urow, irow, r, E, theta, H, np.float32(3.0), True, 0.0, np.uint64(1), 0)
    whole = np.zeros(theta.size, np.float32)
    gX = np.zeros((n, 2, E.shape[1]), np.float32)
    nk.grad_half(order, 0, n, 0, *args, 2.0 / n, gX, whole)
    _, halves = _analytic(urow, irow, r, E, theta, H, True)
    np.testing.assert_allclose(halves, whole, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change",
    [
        {"factors": 0},
        {"factors": 100_000},
        {"hidden": 0},
        {"epochs": 0},
        {"lr": 0.0},
        {"lr": float("nan")},
        {"dropout": 1.0},
        {"batch_size": 0},
        {"weight_decay": -1.0},
        {"threads": 3},
        {"biases": "yes"},
        {"val_fraction": 0.7},
        {"patience": 0},
    ],
)
def test_absurd_hyperparameters_are_clear_errors(synth, change):
    u, i, r = synth
    with pytest.raises(ModelError, match="bad neural hyperparameter"):
        fit_neural(u, i, r, dataclasses.replace(FAST, **change))


def test_divergence_is_a_clear_error():
    u = np.array([1, 2, 3, 1], np.int64)
    i = np.array([1, 1, 2, 2], np.int64)
    r = np.array([3e38, -3e38, 3e38, 3.0], np.float32)  # errors overflow float32
    with pytest.raises(ModelError, match=r"diverged.*lr"):
        fit_neural(u, i, r, dataclasses.replace(FAST, val_fraction=0.0))


def test_huge_learning_rate_never_gives_nan(synth):
    u, i, r = synth
    try:
        model = fit_neural(u, i, r, dataclasses.replace(FAST, lr=1.0, epochs=3))
    except ModelError as exc:
        assert "diverged" in str(exc)
    else:
        assert np.isfinite(model.predict(u[:50], i[:50])).all()


def test_one_user_and_all_ratings_equal():
    u = np.ones(30, np.int64)
    i = np.arange(30, dtype=np.int64)
    r = np.full(30, 4.0, np.float32)
    model = fit_neural(u, i, r, dataclasses.replace(FAST, epochs=30, val_fraction=0.0))
    pred = model.predict(u, i)
    assert np.isfinite(pred).all()
    assert np.abs(pred - 4.0).max() < 0.3
    assert np.isfinite(model.scores(None)).all()


def test_no_ratings_is_a_clear_error():
    with pytest.raises(ModelError, match="no ratings"):
        fit_neural([], [], [], FAST)


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
    stars = draw(st.lists(st.sampled_from([0.5 * k for k in range(1, 11)]), min_size=len(pairs),
                          max_size=len(pairs)))  # fmt: skip
    u = np.array([p[0] for p in pairs], np.int64)
    i = np.array([p[1] for p in pairs], np.int64)
    return u, i, np.array(stars, np.float32)


@SETTINGS
@given(
    data=rating_sets(),
    factors=st.integers(1, 6),
    hidden=st.integers(1, 4),
    biases=st.booleans(),
    dropout=st.sampled_from([0.0, 0.1, 0.5]),
    threads=st.sampled_from([1, 2]),
    batch=st.integers(1, 50),
)
def test_random_shapes_never_give_nan(data, factors, hidden, biases, dropout, threads, batch):
    u, i, r = data
    hyper = NeuralHyper(
        factors=factors,
        hidden=hidden,
        biases=biases,
        dropout=dropout,
        threads=threads,
        batch_size=batch,
        epochs=3,
        val_fraction=0.2,
        seed=1,
    )
    model = fit_neural(u, i, r, hyper)
    pred = model.predict(u, i)
    assert np.isfinite(pred).all() and pred.min() >= 0.5 and pred.max() <= 5.0
    scores = model.scores(model.user_factors[0], float(model.user_bias[0]))
    assert scores.shape == (model.n_items,) and np.isfinite(scores).all()
    folded = model.fold_in(np.arange(model.n_items), np.full(model.n_items, 5.0))
    assert np.isfinite(folded.factors).all() and np.isfinite(folded.bias)
    assert np.isfinite(model.predict([999], [999])).all()  # unknown user and film


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bits_and_threads_do_not_matter(synth, neural):
    u, i, r = synth
    again = fit_neural(u, i, r, FAST)
    one = fit_neural(u, i, r, dataclasses.replace(FAST, threads=1))
    for other in (again, one):
        for name in ("user_factors", "item_factors", "W1", "b1", "w2"):
            assert np.array_equal(getattr(neural, name), getattr(other, name)), name
        assert neural.out_bias == other.out_bias
    other_seed = fit_neural(u, i, r, dataclasses.replace(FAST, seed=8))
    assert not np.array_equal(neural.W1, other_seed.W1)


# ---------------------------------------------------------------- training


def test_learns_and_reports_each_epoch(synth):
    u, i, r = synth
    reports = []
    model = fit_neural(u, i, r, FAST, on_epoch=reports.append)
    assert [rep.epoch for rep in reports] == list(range(1, len(reports) + 1))
    assert all(rep.epochs == FAST.epochs and rep.updates_per_s > 0 for rep in reports)
    assert reports[-1].train_rmse < reports[0].train_rmse
    assert model.metrics["val_rmse"] == min(rep.val_rmse for rep in reports)
    assert model.metrics["val_rmse"] < 0.95 * float(np.std(r))  # beats the global mean


def test_early_stopping_keeps_the_best_epoch(synth):
    u, i, r = synth
    hyper = dataclasses.replace(FAST, lr=0.05, epochs=60, patience=2, dropout=0.0)
    model = fit_neural(u, i, r, hyper)
    assert model.metrics["stopped_early"]
    assert model.metrics["epochs_run"] < 60
    vals = [rep.val_rmse for rep in model.history]
    assert model.metrics["best_epoch"] == int(np.argmin(vals)) + 1
    assert model.metrics["epochs_run"] == model.metrics["best_epoch"] + 2


def test_callback_can_stop(synth):
    u, i, r = synth
    model = fit_neural(u, i, r, FAST, on_epoch=lambda rep: False)
    assert model.metrics["epochs_run"] == 1 and model.metrics["stopped_early"]


def test_scores_match_pairwise_predictions(neural_biased, synth):
    model = neural_biased
    u, _, _ = synth
    row = int(model.user_index([u[0]])[0])
    s = model.scores(model.user_factors[row], float(model.user_bias[row]))
    pred = model.predict(np.full(model.n_items, u[0]), model.item_ids)
    np.testing.assert_allclose(s, pred, atol=1e-4)


def test_all_item_ids_and_unseen_films(synth):
    u, i, r = synth
    extra = np.array([10_000, 10_001], np.int64)
    model = fit_neural(u, i, r, FAST, all_item_ids=np.concatenate([np.unique(i), extra]))
    idx = model.item_index(extra)
    assert (idx >= 0).all()
    assert np.isfinite(model.scores(None)[idx]).all()


# ---------------------------------------------------------------- store


def test_round_trip(neural_biased, synth):
    u, i, _ = synth
    arrays, meta = neural_biased.to_arrays()
    assert is_neural(meta) and meta["format"] == 1
    import json

    meta = json.loads(json.dumps(meta))
    back = NeuralModel.from_arrays(arrays, meta)
    np.testing.assert_array_equal(
        back.predict(u[:200], i[:200]), neural_biased.predict(u[:200], i[:200])
    )
    assert back.hyper == neural_biased.hyper
    assert len(back.history) == len(neural_biased.history)


@pytest.mark.parametrize(
    "damage",
    ["missing", "shape", "nan", "kind", "format", "meta"],
)
def test_damaged_arrays_are_rejected(neural, damage):
    arrays, meta = neural.to_arrays()
    arrays, meta = dict(arrays), dict(meta)
    if damage == "missing":
        del arrays["W1"]
    elif damage == "shape":
        arrays["w2"] = arrays["w2"][:-1]
    elif damage == "nan":
        arrays["item_factors"] = arrays["item_factors"].copy()
        arrays["item_factors"][0, 0] = np.nan
    elif damage == "kind":
        meta["kind"] = "biased-mf-sgd"
    elif damage == "format":
        meta["format"] = 99
    else:
        meta["hyper"] = None
    with pytest.raises(ModelError):
        NeuralModel.from_arrays(arrays, meta)


# ---------------------------------------------------------------- fold-in


def _profile(model, synth, key):
    u, i, r = synth
    mine = u == key
    return model.item_index(i[mine]), r[mine]


@pytest.mark.parametrize("which", ["plain", "biased"])
def test_fold_in_lowers_the_profile_loss(neural, neural_biased, synth, which):
    model = neural if which == "plain" else neural_biased
    items, r = _profile(model, synth, synth[0][0])
    res = model.fold_in(items, r)
    assert res.loss_after < res.loss_before
    assert res.factors.shape == (model.factors,) and np.isfinite(res.factors).all()
    # warm start from that row with one more rating: the loss on the new set falls again
    extra_items = np.append(items, (items.max() + 1) % model.n_items)
    extra_r = np.append(r, 5.0).astype(np.float32)
    warm = model.fold_in(extra_items, extra_r, start_row=res.factors, start_bias=res.bias)
    assert warm.loss_after <= warm.loss_before


def test_fold_in_moves_only_that_profile(neural_biased, synth):
    model = neural_biased
    before = {name: getattr(model, name).copy() for name in ("user_factors", "item_factors", "W1")}
    other = model.scores(model.user_factors[3], float(model.user_bias[3])).copy()
    items, r = _profile(model, synth, synth[0][0])
    model.fold_in(items, 6.0 - r)  # a very different taste
    for name, arr in before.items():
        assert np.array_equal(getattr(model, name), arr), name
    np.testing.assert_array_equal(
        model.scores(model.user_factors[3], float(model.user_bias[3])), other
    )


def test_empty_profile_gets_the_mean_user(neural):
    res = neural.fold_in([], [])
    np.testing.assert_allclose(res.factors, neural.user_factors.mean(axis=0), atol=1e-6)
    assert res.bias == 0.0
    s = neural.scores(res.factors, res.bias)
    assert np.isfinite(s).all() and s.min() >= 0.5 and s.max() <= 5.0
    unknown = neural.fold_in([-1, -1], [4.0, 5.0])  # films the model lacks inform nothing
    np.testing.assert_array_equal(unknown.factors, res.factors)


def test_fold_in_rejects_bad_input(neural):
    with pytest.raises(ModelError):
        neural.fold_in([0, 1], [4.0])
    with pytest.raises(ModelError):
        neural.fold_in([neural.n_items], [4.0])
    with pytest.raises(ModelError):
        neural.fold_in([0], [float("nan")])
    with pytest.raises(ModelError):
        neural.scores(np.zeros(neural.factors + 1))
    # a corrupt row degrades to the mean user, never to NaN
    assert np.isfinite(neural.scores(np.full(neural.factors, np.nan))).all()


def test_the_rating_model_refuses_to_load_a_neural_model_as_its_own() -> None:
    """A neural model's arrays include every name MF expects: the kind must decide."""
    from movietui.model import MFModel

    rng = np.random.default_rng(0)
    u = rng.integers(0, 20, 400)
    i = rng.integers(0, 30, 400)
    r = (rng.integers(1, 11, 400) / 2).astype(np.float32)
    arrays, meta = fit_neural(u, i, r, NeuralHyper(factors=4, hidden=3, epochs=1)).to_arrays()
    with pytest.raises(ModelError, match="not the rating model"):
        MFModel.from_arrays(arrays, meta)


def test_a_saved_array_of_complex_numbers_is_refused_by_name_by_every_model() -> None:
    """numpy would cast it to real and drop the imaginary part (with only a warning)."""
    from movietui.model import Hyper, MFModel, train
    from movietui.model.ranker import RankerModel, RankHyper, fit_ranker

    rng = np.random.default_rng(0)
    u = rng.integers(0, 20, 400)
    i = rng.integers(0, 30, 400)
    r = (rng.integers(1, 11, 400) / 2).astype(np.float32)
    fits = [
        (MFModel, train(u, i, r, Hyper(factors=3, epochs=1))),
        (NeuralModel, fit_neural(u, i, r, NeuralHyper(factors=4, hidden=3, epochs=1))),
        (RankerModel, fit_ranker(u, i, r, RankHyper(factors=4, epochs=1))),
    ]
    for cls, model in fits:
        arrays, meta = model.to_arrays()
        arrays["item_factors"] = arrays["item_factors"].astype(np.complex64)
        with pytest.raises(ModelError, match="'item_factors' holds complex64 values"):
            cls.from_arrays(arrays, meta)
