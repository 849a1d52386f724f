"""Fold one profile's ratings into its own row (p_u, b_u) with the item side fixed.

Both functions minimise the same ridge objective for the row:

    sum_j (r_j - mu - b_i(j) - b - p.q_j)^2 + (n*reg + F0)*|p|^2 + (n*bias_reg + B0)*b^2

n*reg is training's per-update L2 summed over the profile's n ratings. Training also
regularises users with few ratings implicitly (few updates from a small random start);
a fold-in solved to convergence has no such brake, so the priors F0 and B0 (pseudo-ratings
at zero, as in a damped baseline) keep a profile with one or two ratings from swinging.
``fold_in`` gets there by SGD passes warm-started from the current row (per-update reg
reg + F0/n, so its fixed point is the same optimum); ``fold_in_exact`` solves the
(k+1)x(k+1) system. A profile with no ratings gets the zero row: the item baselines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from movietui.errors import ModelError
from movietui.model.lazy_kernels import kernels
from movietui.model.mf import MFModel

# F0 and B0 above, chosen on the cold-start curve (evaluate.py, seed 7) run on the 90%
# training part of ml-latest-small: 5/5 gave the best RMSE at N = 10 and 20 among 1/1,
# 5/5, 10/10, 5/15, 20/10, and 1/1 lost to the bias baseline at N = 1.
FACTOR_PRIOR = 5.0
BIAS_PRIOR = 5.0
FOLD_ETA = 0.5  # step = eta / (curvature bound), shrunk for long profiles (see _step)
FOLD_UPDATES = 20_000  # pass budget in rating updates: bounds latency for long profiles
FOLD_TOL = 3e-4


@dataclass
class FoldIn:
    factors: np.ndarray  # float32 (k,)
    bias: float
    loss_before: float  # RMSE on the profile's ratings with the starting row
    loss_after: float  # RMSE with the folded-in row
    passes: int = 0


def fold_in(
    model: MFModel,
    item_idx,
    ratings,
    start_factors=None,
    start_bias: float = 0.0,
    max_passes: int | None = None,
) -> FoldIn:
    """SGD fold-in of (item_idx, ratings); warm start from (start_factors, start_bias)."""
    items, r = _clean(model, item_idx, ratings)
    k = model.factors
    p = np.zeros(k, dtype=np.float32)
    b = 0.0
    start = None if start_factors is None else np.asarray(start_factors, np.float32).reshape(-1)
    # A row from another model (different k) or a corrupt one: start cold, as a new profile.
    if start is not None and start.shape == (k,) and np.all(np.isfinite(start)):
        p[:] = start
        if start_bias is not None and np.isfinite(start_bias):
            b = float(start_bias)
    if items.size == 0:
        zero = np.zeros(k, dtype=np.float32)
        return FoldIn(zero, 0.0, 0.0, 0.0, 0)
    mu = np.float32(model.mu)
    before, qq_max = kernels.row_fit(
        items, r, mu, model.item_factors, model.item_bias, p, np.float32(b)
    )
    n = items.size
    reg, bias_reg = _regs(model, n)
    if max_passes is None:
        max_passes = max(8, min(400, FOLD_UPDATES // n))
    b, passes = kernels.fold_in_sgd(
        items,
        r,
        mu,
        model.item_factors,
        model.item_bias,
        p,
        np.float32(b),
        _step(qq_max, n, reg, bias_reg),
        np.float32(reg),
        np.float32(bias_reg),
        max_passes,
        np.float32(FOLD_TOL),
        8.0,
    )
    b = float(b)
    if not (
        np.isfinite(b) and np.all(np.isfinite(p))
    ):  # cannot happen with sane lr; never ship NaN
        return fold_in_exact(model, items, r)
    after, _ = kernels.row_fit(items, r, mu, model.item_factors, model.item_bias, p, np.float32(b))
    return FoldIn(p, b, float(before), float(after), int(passes))


def fold_in_exact(model: MFModel, item_idx, ratings) -> FoldIn:
    """Closed-form ridge least squares for the row (bias included), same regularisation."""
    items, r = _clean(model, item_idx, ratings)
    k = model.factors
    zero = np.zeros(k, dtype=np.float32)
    before = _rmse(model, items, r, zero, 0.0)
    if items.size == 0:
        return FoldIn(zero, 0.0, before, 0.0, 0)
    n = items.size
    X = np.empty((n, k + 1), dtype=np.float64)
    X[:, :k] = model.item_factors[items]
    X[:, k] = 1.0
    y = r.astype(np.float64) - model.mu - model.item_bias[items]
    A = X.T @ X
    reg, bias_reg = _regs(model, n)
    A[np.arange(k), np.arange(k)] += n * reg
    A[k, k] += n * bias_reg
    A[np.diag_indices(k + 1)] += 1e-9  # keeps reg=0 with fewer ratings than factors solvable
    try:
        w = np.linalg.solve(A, X.T @ y)
    except np.linalg.LinAlgError:
        w = np.linalg.lstsq(A, X.T @ y, rcond=None)[0]
    p = w[:k].astype(np.float32)
    b = float(w[k])
    return FoldIn(p, b, before, _rmse(model, items, r, p, b), 0)


def _regs(model: MFModel, n: int) -> tuple[float, float]:
    """Per-update L2 for a profile of n ratings: training's plus the priors spread over n."""
    return model.hyper.reg + FACTOR_PRIOR / n, model.hyper.bias_reg + BIAS_PRIOR / n


def _step(qq_max: float, n: int, reg: float, bias_reg: float) -> np.float32:
    """A step that is stable for every rating (below 2 / curvature of one update, the
    largest |q|^2 among the profile's films + 1 for the bias) and small enough for long
    profiles that one pass does not overshoot the sum over all ratings."""
    curvature = float(qq_max) + 1.0 + max(reg, bias_reg)
    return np.float32(FOLD_ETA / curvature / (1.0 + n / 50.0))


def _clean(model: MFModel, item_idx, ratings) -> tuple[np.ndarray, np.ndarray]:
    items = np.asarray(item_idx).reshape(-1)
    r = np.asarray(ratings, dtype=np.float64).reshape(-1)
    if items.size != r.size:
        raise ModelError(f"item_idx and ratings differ in length ({items.size}, {r.size})")
    if items.size and not np.issubdtype(items.dtype, np.integer):
        raise ModelError("item_idx must be integer model rows (use MFModel.item_index)")
    if not np.all(np.isfinite(r)):
        raise ModelError("profile ratings contain NaN/inf: fix the stored ratings")
    items = items.astype(np.int64)
    if np.any(items >= model.n_items):
        raise ModelError(f"item index out of range (model has {model.n_items} items): retrain")
    keep = items >= 0  # -1: a movie the model does not know; it cannot inform the row
    return (
        np.ascontiguousarray(items[keep], dtype=np.int32),
        np.ascontiguousarray(r[keep], dtype=np.float32),
    )


def _rmse(model: MFModel, items, r, p, b) -> float:
    if items.size == 0:
        return 0.0
    pred = model.mu + model.item_bias[items] + b + model.item_factors[items] @ p
    return float(np.sqrt(np.mean((r - pred) ** 2)))
