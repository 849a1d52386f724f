"""Similar films from the blend of the rating model's and the ranker's factor cosines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movietui.errors import ModelError
from movietui.model import Hyper, MFModel, similar_items, similar_items_blend
from movietui.model.ranker import RankerModel, RankHyper


def mf_model(Q: np.ndarray, counts: np.ndarray, ids: np.ndarray | None = None) -> MFModel:
    n, k = Q.shape
    return MFModel(
        mu=3.5,
        user_bias=np.zeros(1, np.float32),
        item_bias=np.zeros(n, np.float32),
        user_factors=np.zeros((1, k), np.float32),
        item_factors=Q.astype(np.float32),
        user_keys=np.array([1], np.int64),
        item_ids=np.arange(1, n + 1, dtype=np.int64) if ids is None else ids,
        hyper=Hyper(factors=k),
        item_counts=counts.astype(np.int32),
    )


def ranker_model(Q: np.ndarray, ids: np.ndarray | None = None) -> RankerModel:
    n, k = Q.shape
    return RankerModel(
        np.zeros((1, k), np.float32),
        Q.astype(np.float32),
        np.array([1], np.int64),
        np.arange(1, n + 1, dtype=np.int64) if ids is None else ids,
        RankHyper(factors=k),
    )


def unit(Q: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(Q, axis=1, keepdims=True)
    return np.where(norm > 1e-12, Q / np.where(norm > 0, norm, 1), 0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 25),
    k_mf=st.integers(1, 6),
    k_rk=st.integers(1, 6),
    seed=st.integers(0, 10_000),
    weight=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    top=st.integers(1, 12),
    min_count=st.integers(0, 20),
)
def test_blend_is_the_shrunk_mean_cosine_under_the_similar_rule(
    n, k_mf, k_rk, seed, weight, top, min_count
):
    rng = np.random.default_rng(seed)
    Qm, Qr = rng.normal(size=(n, k_mf)), rng.normal(size=(n, k_rk))
    counts = rng.integers(0, 40, n)
    mf, rk = mf_model(Qm, counts), ranker_model(Qr)
    target = int(rng.integers(0, n))
    idx, got = similar_items_blend(mf, rk, target, top, min_count=min_count, ranker_weight=weight)
    want = (
        ((1 - weight) * unit(Qm) @ unit(Qm)[target] + weight * unit(Qr) @ unit(Qr)[target])
        * counts
        / (counts + 20.0)
    )
    open_ = (counts >= min_count) & (np.arange(n) != target)
    assert target not in idx.tolist() and np.all(open_[idx])
    assert len(idx) == min(top, int(open_.sum()))
    np.testing.assert_allclose(got, want[idx], atol=1e-5)
    assert np.all(np.diff(got) <= 1e-6) and np.all(np.abs(got) <= 1 + 1e-5)
    # nothing left out scores better than the last film listed
    if len(idx):
        rest = np.setdiff1d(np.flatnonzero(open_), idx)
        assert np.all(want[rest] <= got[-1] + 1e-5)
    if weight == 0.0:  # the rating model's own rule
        _base_idx, base = similar_items(mf, target, top, min_count=min_count)
        np.testing.assert_allclose(base, got, atol=1e-6)


def test_the_ranker_finds_a_twin_the_rating_model_misses():
    rng = np.random.default_rng(0)
    Qm, Qr = rng.normal(size=(30, 4)), rng.normal(size=(30, 4))
    counts = np.full(30, 100)
    Qm[7] = -Qm[0]  # the stars say "opposite"...
    Qr[7] = Qr[0] * 3  # ...who watches them says "the same audience"
    mf, rk = mf_model(Qm, counts), ranker_model(Qr)
    assert 7 not in similar_items(mf, 0, 5)[0].tolist()
    assert similar_items_blend(mf, rk, 0, 1, ranker_weight=1.0)[0].tolist() == [7]
    idx, sims = similar_items_blend(mf, rk, 0, 30)  # half "opposite", half "the same": 0
    assert sims[idx.tolist().index(7)] == pytest.approx(0.0, abs=1e-5)


def test_ranker_rows_are_matched_by_movie_id_not_position():
    rng = np.random.default_rng(1)
    ids = np.array([10, 20, 30, 40, 50], np.int64)
    Qm, Qr = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    counts = np.full(5, 50)
    mf = mf_model(Qm, counts, ids)
    aligned = similar_items_blend(mf, ranker_model(Qr, ids), 0, 4)
    # the ranker knows one more film (id 25) and lacks id 50: same films, same order by id
    rk_ids = np.array([10, 20, 25, 30, 40], np.int64)
    Qr2 = np.vstack([Qr[:2], rng.normal(size=(1, 3)), Qr[2:4]])
    shifted = similar_items_blend(mf, ranker_model(Qr2, rk_ids), 0, 4)
    got = dict(zip(shifted[0].tolist(), shifted[1].tolist()))
    want = dict(zip(aligned[0].tolist(), aligned[1].tolist()))
    for item in (1, 2, 3):  # films both rankers know score the same
        assert got[item] == pytest.approx(want[item], abs=1e-6)
    # id 50 has no ranker row: only the rating model's half of the cosine
    cos_mf = unit(Qm) @ unit(Qm)[0]
    assert got[4] == pytest.approx(0.5 * cos_mf[4] * 50 / 70, abs=1e-6)


def test_an_unrated_film_has_no_list_and_bad_input_is_a_model_error():
    rng = np.random.default_rng(2)
    Qm, Qr = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    Qm[2] = 0
    mf, rk = mf_model(Qm, np.full(6, 10)), ranker_model(Qr)
    idx, sims = similar_items_blend(mf, rk, 2, 3)
    assert idx.size == 0 and sims.size == 0
    with pytest.raises(ModelError):
        similar_items_blend(mf, rk, 6, 3)
    with pytest.raises(ModelError):
        similar_items_blend(mf, rk, 0, 3, counts=np.ones(5))
    with pytest.raises(ModelError):
        similar_items_blend(mf, rk, 0, 3, ranker_weight=1.5)
