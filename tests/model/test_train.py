"""Training: accuracy on synthetic data, determinism, stopping, divergence and bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from movietui.errors import ModelError
from movietui.model import Hyper, MFModel, scores, train
from movietui.model.serve import predict


def _split(synth, frac=0.2, seed=0):
    u, i, r = synth
    perm = np.random.default_rng(seed).permutation(r.size)
    te, tr = perm[: int(frac * r.size)], perm[int(frac * r.size) :]
    return (u[tr], i[tr], r[tr]), (u[te], i[te], r[te])


@pytest.mark.parametrize("threads", [1, 2])
def test_beats_the_global_mean_on_held_out_ratings(synth, threads, fast):
    (u, i, r), (tu, ti, tr) = _split(synth)
    model = train(u, i, r, dataclasses.replace(fast, threads=threads))
    rmse = float(np.sqrt(np.mean((predict(model, tu, ti) - tr) ** 2)))
    mean_rmse = float(np.sqrt(np.mean((r.mean() - tr) ** 2)))
    assert rmse < 0.85 * mean_rmse


@pytest.mark.parametrize("threads", [1, 2])
def test_same_seed_gives_the_same_model(synth, threads, fast):
    u, i, r = synth
    hyper = dataclasses.replace(fast, threads=threads, epochs=4)
    a, b = train(u, i, r, hyper), train(u, i, r, hyper)
    for name in ("user_factors", "item_factors", "user_bias", "item_bias"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = train(u, i, r, dataclasses.replace(hyper, seed=8))
    assert not np.array_equal(a.item_factors, c.item_factors)


def test_callback_reports_each_epoch_and_can_stop(synth, fast):
    u, i, r = synth
    seen = []
    model = train(u, i, r, fast, on_epoch=lambda rep: seen.append(rep) or len(seen) < 3)
    assert [rep.epoch for rep in seen] == [1, 2, 3]
    assert all(rep.val_rmse is not None and rep.updates_per_s > 0 for rep in seen)
    assert seen[1].train_rmse < seen[0].train_rmse
    assert model.history == seen and model.metrics["stopped_early"]


def test_early_stopping_keeps_the_best_validation_epoch(synth, fast):
    u, i, r = synth
    # Tiny reg and many factors overfit quickly, so validation RMSE turns up and stops the run.
    hyper = dataclasses.replace(fast, factors=64, reg=0.0, lr=0.05, epochs=200, patience=2)
    model = train(u, i, r, hyper)
    best = min(rep.val_rmse for rep in model.history)
    assert model.metrics["stopped_early"] and len(model.history) < 200
    assert model.metrics["val_rmse"] == pytest.approx(best)
    assert model.history[model.metrics["best_epoch"] - 1].val_rmse == pytest.approx(best)


def test_divergence_raises_a_clear_error(synth, fast):
    u, i, r = synth
    with pytest.raises(ModelError, match="learning rate too high: try --lr"):
        train(u, i, r * 1000, dataclasses.replace(fast, lr=1.0, reg=0.0))


@pytest.mark.parametrize(
    "change",
    [
        dict(factors=0),
        dict(lr=-0.01),
        dict(lr=0.0),
        dict(reg=-1.0),
        dict(epochs=0),
        dict(val_fraction=0.5),
        dict(val_fraction=-0.1),
        dict(threads=3),
        dict(lr=float("nan")),
        dict(patience=0),
        dict(lr_decay=0.0),
    ],
)
def test_absurd_hyperparameters_are_refused(synth, change, fast):
    u, i, r = synth
    with pytest.raises(ModelError, match="bad hyperparameter"):
        train(u[:10], i[:10], r[:10], dataclasses.replace(fast, **change))


def test_numpy_integers_are_accepted_as_hyperparameters():
    hyper = Hyper(factors=np.int64(4), epochs=np.int32(2), lr=np.float32(0.01)).validate()
    assert hyper.to_dict()["factors"] == 4 and type(hyper.to_dict()["factors"]) is int


def test_bad_input_arrays_are_refused():
    with pytest.raises(ModelError, match="no ratings"):
        train(np.array([], np.int64), np.array([], np.int64), np.array([], np.float32))
    with pytest.raises(ModelError, match="NaN"):
        train(np.array([1, 2]), np.array([1, 1]), np.array([4.0, np.nan]))
    with pytest.raises(ModelError, match="differ in length"):
        train(np.array([1, 2]), np.array([1]), np.array([4.0, 3.0]))


def test_unrated_catalog_movies_predict_the_baseline(synth, fast):
    u, i, r = synth
    extra = np.array([10_001, 10_002])
    model = train(u, i, r, fast, all_item_ids=np.concatenate([np.unique(i), extra]))
    rows = model.item_index(extra)
    assert (rows >= 0).all()
    assert not model.item_factors[rows].any() and not model.item_bias[rows].any()
    s = scores(model, model.user_factors[0], model.user_bias[0])
    assert np.all(np.isfinite(s))
    assert s[rows] == pytest.approx(np.clip(model.mu + model.user_bias[0], 0.5, 5), abs=1e-5)
    assert model.item_counts[rows].tolist() == [0, 0]


def test_model_round_trips_through_arrays(small_model):
    import json

    arrays, meta = small_model.to_arrays()
    json.dumps(meta)
    assert all(a.flags.c_contiguous for a in arrays.values())
    back = MFModel.from_arrays(arrays, json.loads(json.dumps(meta)))
    assert back.hyper == small_model.hyper and back.mu == small_model.mu
    assert back.history == small_model.history
    np.testing.assert_array_equal(back.item_factors, small_model.item_factors)
    np.testing.assert_array_equal(back.item_index([small_model.item_ids[5], -99]), [5, -1])
    broken = dict(arrays, item_bias=arrays["item_bias"][:-1])
    with pytest.raises(ModelError, match="inconsistent"):
        MFModel.from_arrays(broken, meta)
    with pytest.raises(ModelError, match="lacks array"):
        MFModel.from_arrays({k: v for k, v in arrays.items() if k != "user_keys"}, meta)


@pytest.mark.parametrize("factors", [1, 20, 100, 128])
def test_padding_columns_stay_zero_through_sgd(factors):
    # Training widens factor rows to a multiple of 32 floats; the extra columns must stay
    # exactly zero under SGD steps or they would leak into every dot product.
    from movietui.model.kernels import sgd_segments
    from movietui.model.train import _initial_factors

    rng = np.random.default_rng(3)
    P = _initial_factors(np.uint64(11), 30, factors, 0.1)
    Q = _initial_factors(np.uint64(12), 40, factors, 0.1)
    assert P.shape[1] % 32 == 0 and P.shape[1] - factors < 32
    assert not P[:, factors:].any() and not Q[:, factors:].any()
    users = rng.integers(0, 30, 2000).astype(np.int32)
    items = rng.integers(0, 40, 2000).astype(np.int32)
    ratings = rng.uniform(0.5, 5, 2000).astype(np.float32)
    sgd_segments(
        np.arange(2000, dtype=np.int64),
        np.arange(2001, dtype=np.int64),
        users,
        items,
        ratings,
        3.5,
        P,
        Q,
        np.zeros(30, np.float32),
        np.zeros(40, np.float32),
        0.01,
        0.02,
        0.02,
    )
    assert np.all(np.isfinite(P)) and np.abs(P[:, :factors]).sum() > 0
    assert not P[:, factors:].any() and not Q[:, factors:].any()


def test_trained_factors_have_the_asked_width(synth, fast):
    u, i, r = synth
    model = train(u, i, r, dataclasses.replace(fast, factors=100, epochs=2))
    assert model.user_factors.shape[1] == model.item_factors.shape[1] == 100
    assert model.user_factors.flags.c_contiguous and model.item_factors.flags.c_contiguous


def test_prefetch_hint_compiles_for_any_row_and_changes_nothing():
    from numba import njit

    from movietui.model.prefetch import prefetch_row

    @njit
    def touch_all(matrix, rows):
        for r in rows:
            prefetch_row(matrix, r)
        return matrix.sum()

    matrix = np.arange(7 * 100, dtype=np.float32).reshape(7, 100)
    before = matrix.copy()
    for rows in (np.arange(7, dtype=np.int32), np.array([6, 0, 3], dtype=np.int64)):
        assert touch_all(matrix, rows) == before.sum()
    np.testing.assert_array_equal(matrix, before)


def test_initial_factors_are_uniform_with_the_asked_spread_and_depend_only_on_key_and_place():
    from movietui.model.train import _initial_factors

    std = 0.05
    big = _initial_factors(np.uint64(7), 3000, 100, std)
    values = big[:, :100]
    half = np.float32(std * np.sqrt(3))
    assert values.min() >= -half and values.max() < half
    assert abs(values.mean()) < 0.01 * std and abs(values.std() - std) < 0.01 * std
    counts, _ = np.histogram(values, bins=10, range=(-half, half))
    assert counts.min() > 0.97 * values.size / 10  # flat: each tenth of the range ~10%
    assert abs(np.corrcoef(values[:, :-1].ravel(), values[:, 1:].ravel())[0, 1]) < 0.01
    small = _initial_factors(np.uint64(7), 10, 100, std)  # row r, column c: the same draw
    np.testing.assert_array_equal(small, big[:10])
    assert not np.array_equal(_initial_factors(np.uint64(8), 10, 100, std), small)
