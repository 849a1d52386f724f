"""Accuracy and ranking metrics over flat (user, prediction, truth) arrays, vectorised per user.

Ranking protocol (documented in evaluate.py): each user's held-out items are ranked by
prediction; precision@k counts relevant items (truth >= threshold) in that user's top k,
divided by min(k, that user's item count); NDCG@k uses the true rating as gain, ideal
order = by true rating. Users with fewer than ``min_items`` held-out items are skipped
(one item always ranks perfectly). Scores are means over users.
"""

from __future__ import annotations

import numpy as np


def rmse(pred, true) -> float:
    d = np.asarray(pred, np.float64) - np.asarray(true, np.float64)
    return float(np.sqrt(np.mean(d * d))) if d.size else float("nan")


def mae(pred, true) -> float:
    d = np.asarray(pred, np.float64) - np.asarray(true, np.float64)
    return float(np.mean(np.abs(d))) if d.size else float("nan")


def _ranks(users: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order grouping users with key descending (stable), each row's rank in its user, and
    the group id (0..g-1) of each row in that order."""
    order = np.lexsort((-key, users))
    u = users[order]
    starts = np.flatnonzero(np.concatenate(([True], u[1:] != u[:-1])))
    group = np.cumsum(np.concatenate(([False], u[1:] != u[:-1])))
    rank = np.arange(u.size) - starts[group]
    return order, rank, group


def _kept_users(users, min_items):
    _, inverse, counts = np.unique(users, return_inverse=True, return_counts=True)
    return counts[inverse] >= min_items


def precision_at_k(
    users, pred, true, k: int = 10, threshold: float = 4.0, min_items: int = 2
) -> float:
    users, pred, true = _arrays(users, pred, true)
    keep = _kept_users(users, min_items)
    users, pred, true = users[keep], pred[keep], true[keep]
    if users.size == 0:
        return float("nan")
    order, rank, group = _ranks(users, pred)
    n_groups = group[-1] + 1
    sizes = np.bincount(group, minlength=n_groups)
    hits = np.bincount(group, weights=((rank < k) & (true[order] >= threshold)), minlength=n_groups)
    return float(np.mean(hits / np.minimum(k, sizes)))


def ndcg_at_k(users, pred, true, k: int = 10, min_items: int = 2) -> float:
    users, pred, true = _arrays(users, pred, true)
    keep = _kept_users(users, min_items)
    users, pred, true = users[keep], pred[keep], true[keep]
    if users.size == 0:
        return float("nan")
    dcg = _dcg(users, pred, true, k)
    ideal = _dcg(users, true, true, k)
    ok = ideal > 0
    return float(np.mean(np.where(ok, dcg / np.where(ok, ideal, 1.0), 0.0)))


def _dcg(users, key, gain, k):
    order, rank, group = _ranks(users, key)
    w = np.where(rank < k, gain[order] / np.log2(rank + 2.0), 0.0)
    return np.bincount(group, weights=w)


def _arrays(users, pred, true):
    return (
        np.asarray(users).reshape(-1),
        np.asarray(pred, np.float64).reshape(-1),
        np.asarray(true, np.float64).reshape(-1),
    )
