"""Fold-in: SGD lands on the exact ridge row, warm starts, cold profiles, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from movietui.errors import ModelError
from movietui.model import fold_in, fold_in_exact, scores


def _profile(small_model, synth, user, n=None):
    u, i, r = synth
    sel = np.flatnonzero(u == user)[:n]
    return small_model.item_index(i[sel]), r[sel]


@pytest.mark.parametrize("n", [1, 3, 10, None])
def test_sgd_fold_in_lands_close_to_exact_least_squares(small_model, synth, n):
    user = np.bincount(synth[0]).argmax()  # the most active user: long and short prefixes
    idx, r = _profile(small_model, synth, user, n)
    sgd, exact = fold_in(small_model, idx, r), fold_in_exact(small_model, idx, r)
    gap = scores(small_model, sgd.factors, sgd.bias) - scores(
        small_model, exact.factors, exact.bias
    )
    assert np.sqrt(np.mean(gap**2)) < 0.02
    assert abs(sgd.bias - exact.bias) < 0.05
    assert sgd.loss_after == pytest.approx(exact.loss_after, abs=0.01)
    assert sgd.loss_after < sgd.loss_before


def test_new_profile_predicts_item_baselines(small_model):
    empty = fold_in(small_model, np.array([], np.int32), np.array([], np.float32))
    assert not empty.factors.any() and empty.bias == 0.0
    s = scores(small_model, empty.factors, empty.bias)
    np.testing.assert_allclose(
        s, np.clip(small_model.mu + small_model.item_bias, 0.5, 5), atol=1e-5
    )


def test_one_rating_moves_the_profile_towards_it(small_model):
    row = int(np.argmax(small_model.item_bias))
    loved = fold_in(small_model, [row], [5.0])
    hated = fold_in(small_model, [row], [0.5])
    s_loved = scores(small_model, loved.factors, loved.bias)[row]
    s_hated = scores(small_model, hated.factors, hated.bias)[row]
    assert s_loved > s_hated
    assert np.all(np.isfinite([loved.bias, hated.bias]))


def test_warm_start_converges_to_the_same_row(small_model, synth):
    user = np.bincount(synth[0]).argmax()
    idx, r = _profile(small_model, synth, user)
    cold = fold_in(small_model, idx[:-1], r[:-1])
    warm = fold_in(small_model, idx, r, start_factors=cold.factors, start_bias=cold.bias)
    exact = fold_in_exact(small_model, idx, r)
    assert warm.passes <= fold_in(small_model, idx, r).passes
    np.testing.assert_allclose(warm.factors, exact.factors, atol=0.05)


def test_unknown_movies_are_ignored_and_bad_values_refused(small_model):
    res = fold_in(small_model, [-1, 0], [4.0, 4.0])
    assert np.isfinite(res.loss_after)
    stale = fold_in(
        small_model, [0], [4.0], start_factors=np.ones(small_model.factors + 3), start_bias=9
    )
    fresh = fold_in(small_model, [0], [4.0])
    np.testing.assert_array_equal(
        stale.factors, fresh.factors
    )  # a row from another model: cold start
    with pytest.raises(ModelError, match="NaN"):
        fold_in(small_model, [0], [float("nan")])
    with pytest.raises(ModelError, match="out of range"):
        fold_in(small_model, [small_model.n_items], [4.0])
    with pytest.raises(ModelError, match="differ in length"):
        fold_in_exact(small_model, [0, 1], [4.0])
