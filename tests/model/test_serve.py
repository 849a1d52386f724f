"""Serving: scores, top-N exclusions, popularity, similar items and explanations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from movietui.errors import ModelError
from movietui.model import explain, fold_in, popularity_scores, scores, similar_items, top_n


def test_scores_are_clipped_and_follow_the_formula(small_model):
    m = small_model
    s = scores(m, m.user_factors[3], m.user_bias[3])
    raw = m.item_factors @ m.user_factors[3] + m.item_bias + m.user_bias[3] + m.mu
    np.testing.assert_allclose(s, np.clip(raw, 0.5, 5.0), atol=1e-5)
    assert scores(m, m.user_factors[3] * 1e6, 0.0).max() == 5.0
    assert np.isfinite(scores(m, np.full(m.factors, np.nan), float("nan"))).all()
    with pytest.raises(ModelError):
        scores(m, np.zeros(m.factors + 1), 0.0)


def test_top_n_excludes_rated_and_masked_items():
    s = np.array([0.1, 0.9, 0.5, 0.8, 0.7, 0.3], dtype=np.float32)
    assert top_n(s, 3).tolist() == [1, 3, 4]
    assert top_n(s, 3, exclude_idx=[1]).tolist() == [3, 4, 2]
    mask = np.array([True, False, True, False, True, True])
    assert top_n(s, 10, exclude_idx=[4], candidate_mask=mask).tolist() == [2, 5, 0]
    assert top_n(s, 0).size == 0
    assert top_n(np.array([np.nan, 1.0], np.float32), 5).tolist() == [1]


def test_popularity_prefers_well_rated_films_many_have_seen():
    counts = np.array([300, 3, 300, 0, 40])
    means = np.array([4.4, 5.0, 3.0, np.nan, 4.3])
    pop = popularity_scores(counts, means, 3.5)
    order = np.argsort(-pop).tolist()
    assert order[0] == 0 and order[1] == 4  # one 5-star trio does not beat a classic
    assert np.isfinite(pop).all()


def test_similar_items_guard_against_rarely_rated_films(small_model):
    m = small_model
    target = int(np.argmax(m.counts()))
    idx, sim = similar_items(m, target, 10, min_count=10)
    assert target not in idx and len(idx) == 10
    assert np.all(m.counts()[idx] >= 10)
    assert np.all(np.diff(sim) <= 1e-7) and np.all(np.abs(sim) <= 1.0)
    # A film with a factor row pointing the same way and many ratings is the best match.
    counts = m.counts().astype(np.float32).copy()
    twin = int(np.argsort(m.counts())[len(counts) // 2])
    q = m.item_factors.copy()
    q[twin] = q[target] * 2
    counts[twin] = 10_000
    twinned = dataclasses.replace(m, item_factors=q)  # the unit-row cache starts empty
    assert similar_items(twinned, target, 1, counts=counts)[0].tolist() == [twin]


def test_explain_names_liked_films_similar_to_the_target(small_model):
    m = small_model
    target = int(np.argmax(m.counts()))
    unit = m.unit_item_factors()
    cos = unit @ unit[target]
    near, far = int(np.argsort(-cos)[1]), int(np.argsort(cos)[0])
    rated, ratings = np.array([near, far]), np.array([5.0, 5.0])
    fold = fold_in(m, rated, ratings)
    idx, contrib = explain(m, target, rated, ratings, fold.bias, n=3)
    assert idx.tolist()[0] == near and np.all(contrib > 0)
    assert far not in idx.tolist()
    assert explain(m, target, [], [], 0.0)[0].size == 0
