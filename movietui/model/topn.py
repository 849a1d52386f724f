"""Top-N evaluation over the whole catalog: the list a person is actually served.

Protocol (Cremonesi et al. 2010, the issue-10 table): for every user with at least one
relevant test film (test rating >= threshold), rank every film the user did not rate in
train (train films and any extra exclusions are never shown), keep the top k, and score

- Recall@k: hits / min(#relevant, k), so a perfect list scores 1 even when #relevant > k;
- NDCG@k: binary gains, 1 / log2(rank + 2), ideal DCG over min(#relevant, k) hits;
- HR@hit_k: share of users with at least one hit in their first hit_k films;
- coverage: distinct films in any top-k / n_items;
- median count: median train rating count of the films shown (every top-k slot pooled),
  the obscurity of what people are served.

Users are processed in chunks so that only chunk x n_items scores exist at once (87k films
x 100k users would be 35 GB in one matrix). Ties are broken by the lower item index, so a
result depends only on the scores, never on numpy's partition order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from movietui.errors import ModelError

K = 20
HIT_K = 10
THRESHOLD = 4.0
CHUNK_CELLS = 4_000_000  # scores held at once: 16 MB of float32 plus partition scratch

Scorer = Callable[[np.ndarray], np.ndarray]  # user rows -> float32 (len(rows), n_items)


@dataclass(frozen=True)
class TopNResult:
    recall: float  # Recall@k
    ndcg: float  # NDCG@k
    hit_rate: float  # HR@hit_k
    coverage: float  # distinct films shown / n_items
    median_count: float  # median train rating count of the films shown
    users: int  # users scored (>= 1 relevant test film)
    k: int = K
    hit_k: int = HIT_K

    def as_dict(self) -> dict[str, float]:
        return {
            f"recall@{self.k}": self.recall,
            f"ndcg@{self.k}": self.ndcg,
            f"hr@{self.hit_k}": self.hit_rate,
            "coverage": self.coverage,
            "median_count": self.median_count,
            "users": self.users,
        }


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """(m, k) int64 item indices of each row's k best scores, best first, ties by lower
    index; -inf and NaN are never shown, their slots are -1."""
    s = np.asarray(scores, dtype=np.float32)
    if s.ndim != 2:
        raise ModelError(f"scores must be 2-D (users, items), got shape {s.shape}")
    m, n = s.shape
    out = np.full((m, max(k, 0)), -1, dtype=np.int64)
    kk = min(k, n)
    if kk <= 0 or m == 0:
        return out
    if np.isnan(s).any():
        s = np.where(np.isnan(s), np.float32(-np.inf), s)
    if kk < n:
        cand = np.argpartition(s, n - kk, axis=1)[:, n - kk :]
        kth = np.take_along_axis(s, cand, 1).min(axis=1)
        above = np.count_nonzero(s > kth[:, None], axis=1)
        tied = np.count_nonzero(s == kth[:, None], axis=1)
        bad = np.flatnonzero(
            above + tied > kk
        )  # ties straddle the cut: partition chose arbitrarily
        if bad.size:
            sb, tb = s[bad], kth[bad, None]
            eq = sb == tb
            take = (sb > tb) | (
                eq & (np.cumsum(eq, axis=1, dtype=np.int32) <= (kk - above[bad])[:, None])
            )
            cand[bad] = np.nonzero(take)[1].reshape(bad.size, kk)  # row-major: ascending index
    else:
        cand = np.broadcast_to(np.arange(n, dtype=np.int64), (m, n))
    vals = np.take_along_axis(s, cand, 1)
    order = np.lexsort((cand, -vals), axis=1)
    cand = np.take_along_axis(cand, order, 1)
    vals = np.take_along_axis(vals, order, 1)
    out[:, :kk] = np.where(vals > -np.inf, cand, -1)
    return out


def evaluate_top_n(
    scorer: Scorer,
    n_items: int,
    train_users,
    train_items,
    test_users,
    test_items,
    test_ratings,
    *,
    k: int = K,
    hit_k: int = HIT_K,
    threshold: float = THRESHOLD,
    item_counts=None,
    exclude_users=None,
    exclude_items=None,
    chunk_cells: int = CHUNK_CELLS,
) -> TopNResult:
    """Score ``scorer``'s top-k lists against the test ratings (see the module docstring).

    Users and items are dense indices (items 0..n_items-1); ``scorer(rows)`` gets the
    scored users' indices, ascending, a chunk at a time. ``item_counts`` (default: the
    train pairs' counts) feeds the obscurity figure; ``exclude_*`` pairs are masked like
    train pairs but are not counted.
    """
    if not 1 <= hit_k <= k:
        raise ModelError(f"need 1 <= hit_k <= k, got hit_k={hit_k}, k={k}")
    n_items = int(n_items)
    tr_u, tr_i = _pairs(train_users, train_items, n_items, "train")
    te_u, te_i = _pairs(test_users, test_items, n_items, "test")
    te_r = np.asarray(test_ratings, dtype=np.float64).reshape(-1)
    if te_r.size != te_u.size:
        raise ModelError(
            f"test ratings ({te_r.size}) and test pairs ({te_u.size}) differ in length"
        )
    ex_u, ex_i = _pairs(
        exclude_users if exclude_users is not None else [],
        exclude_items if exclude_items is not None else [],
        n_items,
        "exclude",
    )
    counts = (
        np.bincount(tr_i, minlength=n_items)
        if item_counts is None
        else np.asarray(item_counts).reshape(-1)
    )
    if counts.size != n_items:
        raise ModelError(f"item_counts has {counts.size} entries for {n_items} items")

    rel = np.unique(te_u[te_r >= threshold] * n_items + te_i[te_r >= threshold])  # sorted, deduped
    users, n_rel = np.unique(rel // n_items, return_counts=True)
    if users.size == 0:
        nan = float("nan")
        return TopNResult(nan, nan, nan, nan, nan, 0, k, hit_k)

    mask_u = np.concatenate([tr_u, ex_u])
    mask_i = np.concatenate([tr_i, ex_i])
    keep = np.isin(mask_u, users)
    order = np.argsort(mask_u[keep], kind="stable")
    mask_u, mask_i = mask_u[keep][order], mask_i[keep][order]

    disc = 1.0 / np.log2(np.arange(k) + 2.0)
    ideal = np.cumsum(disc)
    sums = np.zeros(3)  # recall, ndcg, hit
    seen = np.zeros(n_items, dtype=bool)
    shown_counts = []
    chunk = max(1, int(chunk_cells) // max(n_items, 1))
    for a in range(0, users.size, chunk):
        rows = users[a : a + chunk]
        s = np.array(
            scorer(rows), dtype=np.float32
        )  # a copy: masking never touches the scorer's arrays
        if s.shape != (rows.size, n_items):
            raise ModelError(f"scorer returned shape {s.shape}, expected {(rows.size, n_items)}")
        lo, hi = np.searchsorted(mask_u, [rows[0], rows[-1] + 1])
        s[np.searchsorted(rows, mask_u[lo:hi]), mask_i[lo:hi]] = -np.inf
        top = top_k(s, k)
        shown = top >= 0
        keys = rows[:, None] * n_items + np.where(shown, top, 0)
        pos = np.minimum(np.searchsorted(rel, keys), rel.size - 1)
        hits = shown & (rel[pos] == keys)
        m = np.minimum(n_rel[a : a + chunk], k)
        sums[0] += (hits.sum(axis=1) / m).sum()
        sums[1] += ((hits @ disc) / ideal[m - 1]).sum()
        sums[2] += hits[:, :hit_k].any(axis=1).sum()
        seen[top[shown]] = True
        shown_counts.append(counts[top[shown]])
    pooled = np.concatenate(shown_counts)
    recall, ndcg, hit = sums / users.size
    return TopNResult(
        float(recall),
        float(ndcg),
        float(hit),
        float(seen.sum() / n_items),
        float(np.median(pooled)) if pooled.size else float("nan"),
        int(users.size),
        k,
        hit_k,
    )


def _pairs(users, items, n_items: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    u = np.asarray(users, dtype=np.int64).reshape(-1)
    i = np.asarray(items, dtype=np.int64).reshape(-1)
    if u.size != i.size:
        raise ModelError(f"{what} users ({u.size}) and items ({i.size}) differ in length")
    if i.size and (i.min() < 0 or i.max() >= n_items):
        raise ModelError(f"{what} items must be indices 0..{n_items - 1}")
    if u.size and u.min() < 0:
        raise ModelError(f"{what} users must be indices >= 0")
    return u, i
