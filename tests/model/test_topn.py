"""Top-N evaluation over the whole catalog: hand cases, properties, and a slow reference."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movietui.errors import ModelError
from movietui.model.topn import evaluate_top_n, top_k


def reference(scores, tr, te, k, hit_k, threshold, counts, exclude=()):
    """One user at a time, in plain Python: the protocol as written in topn.py's docstring."""
    n_items = scores.shape[1]
    masked, rel = defaultdict(set), defaultdict(set)
    for u, i in list(tr) + list(exclude):
        masked[u].add(i)
    for u, i, r in te:
        if r >= threshold:
            rel[u].add(i)
    if not rel:
        return None
    out = defaultdict(float)
    shown, pooled = set(), []
    for u in sorted(rel):
        live = [i for i in range(n_items) if i not in masked[u] and scores[u, i] > -math.inf]
        ranked = sorted(live, key=lambda i: (-scores[u, i], i))[:k]
        hits = [i in rel[u] for i in ranked]
        m = min(len(rel[u]), k)
        out["recall"] += sum(hits) / m
        out["ndcg"] += sum(1 / math.log2(r + 2) for r, h in enumerate(hits) if h) / sum(
            1 / math.log2(r + 2) for r in range(m)
        )
        out["hit_rate"] += any(hits[:hit_k])
        shown |= set(ranked)
        pooled += [counts[i] for i in ranked]
    n = len(rel)
    return {
        "recall": out["recall"] / n,
        "ndcg": out["ndcg"] / n,
        "hit_rate": out["hit_rate"] / n,
        "coverage": len(shown) / n_items,
        "median_count": float(np.median(pooled)) if pooled else math.nan,
        "users": n,
    }


@st.composite
def problems(draw):
    """Small random catalogs: integer scores (so ties are common), disjoint train/test pairs."""
    n_users = draw(st.integers(1, 6))
    n_items = draw(st.integers(1, 14))
    cells = [(u, i) for u in range(n_users) for i in range(n_items)]
    role = draw(
        st.lists(
            st.sampled_from(["train", "test", "none", "exclude"]),
            min_size=len(cells),
            max_size=len(cells),
        )
    )
    stars = draw(
        st.lists(
            st.sampled_from([1.0, 2.5, 3.5, 4.0, 5.0]), min_size=len(cells), max_size=len(cells)
        )
    )
    scores = np.array(
        draw(st.lists(st.integers(-3, 3), min_size=len(cells), max_size=len(cells))),
        dtype=np.float32,
    ).reshape(n_users, n_items)
    if draw(st.booleans()):
        scores[scores == -3] = -np.inf  # films a scorer refuses to show
    tr = [c for c, r in zip(cells, role) if r == "train"]
    te = [(*c, s) for c, r, s in zip(cells, role, stars) if r == "test"]
    ex = [c for c, r in zip(cells, role) if r == "exclude"]
    k = draw(st.integers(1, 6))
    hit_k = draw(st.integers(1, k))
    chunk = draw(st.sampled_from([1, 7, 10_000]))
    return scores, tr, te, ex, k, hit_k, chunk


def run(scores, tr, te, ex=(), k=20, hit_k=10, chunk=10_000, scorer=None, **kw):
    n_items = scores.shape[1]
    tr_u, tr_i = (np.array(x, np.int64) for x in (zip(*tr) if tr else ([], [])))
    te_u, te_i, te_r = (np.array(x) for x in (zip(*te) if te else ([], [], [])))
    ex_u, ex_i = (np.array(x, np.int64) for x in (zip(*ex) if ex else ([], [])))
    scorer = scorer or (lambda rows: scores[rows])
    return evaluate_top_n(
        scorer,
        n_items,
        tr_u,
        tr_i,
        te_u.astype(np.int64),
        te_i.astype(np.int64),
        te_r,
        k=k,
        hit_k=hit_k,
        exclude_users=ex_u,
        exclude_items=ex_i,
        chunk_cells=chunk,
        **kw,
    )


def same(a, b):
    np.testing.assert_equal(dataclasses.astuple(a), dataclasses.astuple(b))  # NaN equals NaN here


@settings(max_examples=300, deadline=None)
@given(problems())
def test_agrees_with_the_slow_reference_and_stays_in_range(p):
    scores, tr, te, ex, k, hit_k, chunk = p
    got = run(scores, tr, te, ex, k, hit_k, chunk)
    counts = np.bincount([i for _, i in tr], minlength=scores.shape[1])
    want = reference(scores, tr, te, k, hit_k, 4.0, counts, ex)
    if want is None:
        assert got.users == 0 and math.isnan(got.recall)
        return
    assert got.users == want["users"]
    for name in ("recall", "ndcg", "hit_rate", "coverage"):
        value = getattr(got, name)
        assert 0.0 <= value <= 1.0
        assert value == pytest.approx(want[name], abs=1e-12), name
    assert got.median_count == pytest.approx(want["median_count"], nan_ok=True)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_a_perfect_scorer_finds_every_relevant_film(p):
    scores, tr, te, _ex, k, hit_k, chunk = p
    perfect = np.zeros_like(scores)
    for u, i, r in te:
        perfect[u, i] = 1.0 if r >= 4.0 else 0.0
    got = run(perfect, tr, te, (), k, hit_k, chunk)
    if got.users:
        # every scored user has <= n_items relevant films and nothing hides them: all hit
        assert got.recall == pytest.approx(1.0) and got.ndcg == pytest.approx(1.0)
        assert got.hit_rate == 1.0


@settings(max_examples=150, deadline=None)
@given(problems())
def test_train_films_are_never_shown_even_when_the_scorer_puts_them_first(p):
    scores, tr, te, ex, k, hit_k, chunk = p
    cheat = scores.copy()
    for u, i in tr + ex:
        cheat[u, i] = 1e6
    same(run(cheat, tr, te, ex, k, hit_k, chunk), run(scores, tr, te, ex, k, hit_k, chunk))


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from(["affine", "cube", "exp"]))
def test_a_monotone_transform_of_the_scores_changes_nothing(p, how):
    scores, tr, te, ex, k, hit_k, chunk = p
    f = {"affine": lambda s: 2.5 * s - 7.0, "cube": lambda s: s**3, "exp": np.exp}[how]
    with np.errstate(over="ignore", invalid="ignore"):
        s = scores.astype(np.float64)
        moved = np.where(np.isfinite(s), f(s), s).astype(np.float32)  # -inf stays "never shown"
    same(run(moved, tr, te, ex, k, hit_k, chunk), run(scores, tr, te, ex, k, hit_k, chunk))


def test_hand_computed_case():
    # user 0 rated film 0 in train; test: films 1 (5 stars) and 3 (4 stars) relevant, 2 not
    scores = np.array([[9.0, 1.0, 3.0, 2.0, 0.0]], np.float32)
    got = run(scores, [(0, 0)], [(0, 1, 5.0), (0, 2, 3.0), (0, 3, 4.0)], k=2, hit_k=1)
    # shown: film 2 (not relevant), film 3 (hit at rank 2)
    assert got.recall == pytest.approx(1 / 2)
    assert got.ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert got.hit_rate == 0.0 and got.coverage == pytest.approx(2 / 5) and got.median_count == 0.0


def test_top_k_breaks_ties_by_index_and_never_shows_minus_inf_or_nan():
    s = np.array([[1, 2, 2, 2, 0], [-np.inf, np.nan, 3, -np.inf, np.nan]], np.float32)
    assert top_k(s, 3).tolist() == [[1, 2, 3], [2, -1, -1]]
    assert top_k(s, 7).tolist() == [[1, 2, 3, 0, 4, -1, -1], [2, -1, -1, -1, -1, -1, -1]]
    big = np.zeros((3, 1000), np.float32)
    big[:, 500:] = 1.0
    assert top_k(big, 4).tolist() == [[500, 501, 502, 503]] * 3


def test_bad_input_is_refused_with_model_error():
    scores = np.zeros((2, 3), np.float32)
    with pytest.raises(ModelError):
        run(scores, [(0, 5)], [(0, 1, 5.0)])  # item out of range
    with pytest.raises(ModelError):
        run(scores, [], [(0, 1, 5.0)], scorer=lambda rows: np.zeros((rows.size, 2), np.float32))
    with pytest.raises(ModelError):
        run(scores, [], [(0, 1, 5.0)], k=3, hit_k=5)
    nothing = run(scores, [], [(0, 1, 2.0)])  # no relevant film anywhere: no users, no crash
    assert nothing.users == 0


def test_most_popular_on_real_ml_latest_small_matches_the_issue_table(ml_small_zip):
    from movietui.catalog.readers import read_release
    from movietui.model.evaluate import split

    data = read_release(ml_small_zip)
    _users, u = np.unique(data.user_id, return_inverse=True)
    films, i = np.unique(data.movie_id, return_inverse=True)
    tr, te = split(data.rating.size, 0.1, 42)
    counts = np.bincount(i[tr], minlength=films.size).astype(np.float32)
    got = evaluate_top_n(
        lambda rows: np.broadcast_to(counts, (rows.size, films.size)),
        films.size,
        u[tr],
        i[tr],
        u[te],
        i[te],
        data.rating[te],
    )
    # issue 10's figures (0.168 / 0.128 / 0.013 / 179) were on the other end of the permutation
    assert got.users == 548
    assert got.recall == pytest.approx(0.1705, abs=5e-4) and got.ndcg == pytest.approx(
        0.1307, abs=5e-4
    )
    assert got.coverage == pytest.approx(0.0131, abs=5e-4) and got.median_count == 176
