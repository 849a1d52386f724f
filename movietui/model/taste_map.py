"""A 2-D map of taste: films as points in the plane of their factors' two main directions.

The plane is the principal-component plane of the best-known films' item rows (their
factors minus their mean; the two right singular vectors with the largest singular values).
Well-known films fix it because their rows are learned from many ratings; obscure films'
rows are mostly noise and would tilt it. A profile's row is placed by the same projection:
in a dot-product model p.q grows as q points along p, so the marker's direction is where
the films it would rate highest lie (in these two dimensions), and it moves after every
fold-in. ``ends`` names the films at both ends of each axis, which is what the axis means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from movietui.errors import ModelError

BASIS_FILMS = 500  # the best-known films fix the plane
MAP_FILMS = 3000  # films drawn: enough to see the shape, few enough to redraw in a few ms
END_FILMS = 3  # films named at each end of an axis


@dataclass(frozen=True)
class TasteMap:
    items: np.ndarray  # int64 model rows drawn, best known first
    xy: np.ndarray  # float32 (n, 2) their positions
    axes: np.ndarray  # float32 (2, k) unit principal directions
    center: np.ndarray  # float32 (k,) mean row of the basis films
    user_scale: float  # a projected profile row times this lands among the films
    ends: tuple[tuple[np.ndarray, np.ndarray], ...]  # per axis: (low-end rows, high-end rows)

    def place(self, row) -> np.ndarray:
        """Where a profile's row sits on the map, float32 (2,); the centre for no row."""
        if row is None:
            return np.zeros(2, np.float32)
        r = np.asarray(row, np.float32).reshape(-1)
        if r.shape != self.center.shape or not np.all(np.isfinite(r)):
            return np.zeros(2, np.float32)
        return (self.axes @ r * self.user_scale).astype(np.float32)


def build_taste_map(
    item_factors: np.ndarray,
    counts: np.ndarray,
    user_factors: np.ndarray | None = None,
    n_points: int = MAP_FILMS,
    n_basis: int = BASIS_FILMS,
) -> TasteMap:
    """The map of a model's item rows, ``counts`` (ratings per film) choosing which to draw."""
    Q = np.asarray(item_factors, np.float32)
    n = np.asarray(counts).reshape(-1)
    if Q.ndim != 2 or Q.shape[0] != n.size or Q.shape[1] < 2:
        raise ModelError("a taste map needs item rows of 2+ factors and one count per film")
    by_count = np.lexsort((np.arange(n.size), -n))  # best known first, ties by row
    usable = by_count[np.all(np.isfinite(Q[by_count]), axis=1) & Q[by_count].any(axis=1)]
    if usable.size < 3:
        raise ModelError("a taste map needs at least 3 films with learned factors: train first")
    basis = usable[:n_basis]
    center = Q[basis].mean(axis=0)
    _, _, vt = np.linalg.svd((Q[basis] - center).astype(np.float64), full_matrices=False)
    axes = vt[:2].astype(np.float32)
    # SVD's signs are arbitrary: point each axis so the best-known film is on its + side
    # (or, if it sits at 0, the larger half of the mass), so a retrain does not mirror the map.
    top = (Q[basis] - center) @ axes.T
    for a in range(2):
        lead = top[0, a] if abs(top[0, a]) > 1e-6 else np.sum(np.sign(top[:, a]))
        if lead < 0:
            axes[a] = -axes[a]
    items = usable[:n_points].astype(np.int64)
    xy = ((Q[items] - center) @ axes.T).astype(np.float32)
    basis_xy = xy[: basis.size]
    ends = tuple(
        (
            basis[np.argsort(basis_xy[:, a])[:END_FILMS]],
            basis[np.argsort(-basis_xy[:, a])[:END_FILMS]],
        )
        for a in range(2)
    )
    return TasteMap(items, xy, axes, center, _user_scale(xy, axes, user_factors), ends)


def _user_scale(xy: np.ndarray, axes: np.ndarray, user_factors: np.ndarray | None) -> float:
    """Scale that puts a typical trained profile at the films' typical distance from the centre
    (profile rows and film rows have different norms in a factor model)."""
    film_radius = float(np.median(np.hypot(xy[:, 0], xy[:, 1])))
    if user_factors is None or len(user_factors) == 0:
        return 1.0
    P = np.asarray(user_factors, np.float32)
    P = P[np.all(np.isfinite(P), axis=1) & P.any(axis=1)]
    if P.size == 0:
        return 1.0
    projected = P @ axes.T
    user_radius = float(np.median(np.hypot(projected[:, 0], projected[:, 1])))
    return film_radius / user_radius if user_radius > 0 and film_radius > 0 else 1.0
