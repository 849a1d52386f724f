"""The taste map: a stable plane, films placed by their rows, profiles moving toward their likes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from movietui.errors import ModelError
from movietui.model.taste_map import build_taste_map


def planted(seed: int = 0, n: int = 400, k: int = 16):
    """Films spread mostly along two known directions plus small noise."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(k, 2)))[0].T  # (2, k) orthonormal
    coords = rng.normal(size=(n, 2)) * np.array([3.0, 1.5])
    Q = (coords @ basis + rng.normal(0, 0.05, (n, k))).astype(np.float32)
    counts = rng.zipf(1.5, n).clip(1, 10_000)
    return Q, counts, basis


def test_the_plane_is_the_films_two_main_directions() -> None:
    Q, counts, basis = planted()
    m = build_taste_map(Q, counts, n_basis=400)
    # The map's axes span the planted plane: projecting them onto it loses almost nothing.
    assert np.linalg.norm(m.axes @ basis.T, axis=1) == pytest.approx([1, 1], abs=0.01)
    assert m.items[0] == int(np.argmax(counts))  # best known first
    assert m.xy.shape == (len(m.items), 2) and m.xy.dtype == np.float32


def test_the_map_does_not_mirror_between_two_fits_of_the_same_films() -> None:
    Q, counts, _ = planted()
    a = build_taste_map(Q, counts)
    b = build_taste_map(-Q, counts)  # a retrain may flip every sign of a factor model
    assert np.allclose(a.xy, b.xy, atol=1e-4)


def test_a_profile_lands_on_the_side_of_the_films_it_would_score_highest() -> None:
    Q, counts, _ = planted()
    m = build_taste_map(Q, counts, user_factors=np.random.default_rng(1).normal(size=(50, 16)))
    liked = m.items[np.argmax(m.xy[:, 0])]  # the film furthest right
    row = Q[liked] * 0.2
    where = m.place(row)
    assert where[0] > 0 and abs(where[0]) > abs(where[1])
    assert np.all(m.place(None) == 0) and np.all(m.place(np.full(16, np.nan)) == 0)
    assert np.all(m.place(np.ones(3)) == 0)  # a row of another model


def test_ends_name_the_films_at_both_ends_of_each_axis() -> None:
    Q, counts, _ = planted()
    m = build_taste_map(Q, counts)
    (low, high), _ = m.ends
    x = dict(zip(m.items.tolist(), m.xy[:, 0].tolist(), strict=True))
    assert max(x[i] for i in low) < 0 < min(x[i] for i in high)


def test_films_without_learned_rows_are_not_drawn() -> None:
    Q, counts, _ = planted()
    Q[:10] = 0  # films the model never saw
    Q[10] = np.nan
    m = build_taste_map(Q, counts)
    assert not set(range(11)) & set(m.items.tolist())
    with pytest.raises(ModelError, match="train first"):
        build_taste_map(np.zeros((5, 4), np.float32), np.ones(5))


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(3, 40), st.integers(2, 6)),
        elements=st.floats(-3, 3, width=32),
    ),
    st.integers(0, 2**31 - 1),
)
def test_any_model_gives_a_finite_map_or_a_clear_error(Q: np.ndarray, seed: int) -> None:
    counts = np.random.default_rng(seed).integers(0, 100, Q.shape[0])
    try:
        m = build_taste_map(Q, counts)
    except ModelError as exc:
        assert "taste map" in str(exc)
        return
    assert np.all(np.isfinite(m.xy)) and np.isfinite(m.user_scale)
    assert np.all(np.isfinite(m.place(np.ones(Q.shape[1], np.float32))))
