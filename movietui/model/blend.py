"""The served score: what "For you" ranks by, from "would pick" and "would enjoy".

    served = ranker score + STAR_WEIGHT * (predicted stars - mu)

The ranker finds the films a person would pick (who watches what); among those, the
predicted stars lift the ones they would love. STAR_WEIGHT was chosen by
bench/tune_ranker.py on an inner validation split of the training part (never the test
split). A film the ranker does not know (no one rated it at training time) has ranker
score 0, the score of "no evidence of a pick".
"""

from __future__ import annotations

import numpy as np

from movietui.errors import ModelError

STAR_WEIGHT = 0.05
# "Hide obscure" leaves out films with fewer catalog ratings than this. With the ranker it
# is off by default: on ml-latest-small it cost Recall@20 0.3535 -> 0.3524 and coverage
# 0.078 -> 0.072 (movietui eval), since the ranker already prefers films people pick.
OBSCURE_BELOW = 20


def served_scores(
    rank_scores, star_scores, mu: float, star_weight: float = STAR_WEIGHT
) -> np.ndarray:
    """The served ranking score per film (float32); NaN inputs rank last, never propagate."""
    rank = np.asarray(rank_scores, np.float32)
    stars = np.asarray(star_scores, np.float32)
    if rank.shape != stars.shape:
        raise ModelError(f"rank and star scores differ in shape ({rank.shape}, {stars.shape})")
    out = rank + np.float32(star_weight) * (stars - np.float32(mu))
    out[~np.isfinite(out)] = -np.inf
    return out


def served_top_n(
    rank_scores, stars_of, mu: float, n: int, candidate_mask=None, star_weight: float = STAR_WEIGHT
) -> np.ndarray:
    """Indices of the n best served scores, best first (ties by index), computing predicted
    stars only for films that can still reach the top n.

    ``stars_of(indices)`` returns predicted stars (0.5..5) for those positions. The star
    term lies in [w (0.5 - mu), w (5 - mu)], so a film whose ranker score plus the largest
    star term is below the n-th best served score found among the ranker's best can never
    enter the list: the result equals ranking every film by ``served_scores``, at the cost
    of one pass over the ranker scores instead of two full-catalog passes.
    """
    rank = np.array(rank_scores, dtype=np.float32)
    rank[~np.isfinite(rank)] = -np.inf
    if candidate_mask is not None:
        rank[~np.asarray(candidate_mask, bool)] = -np.inf
    live = np.flatnonzero(rank > -np.inf)
    if n <= 0 or live.size == 0:
        return np.empty(0, np.int64)
    lift = np.float32(star_weight) * np.float32(5.0 - mu)
    probe = (
        live[np.argpartition(-rank[live], min(4 * n, live.size) - 1)[: 4 * n]]
        if live.size > 4 * n
        else live
    )
    probe_served = served_scores(rank[probe], stars_of(probe), mu, star_weight)
    floor = (
        np.partition(probe_served, -min(n, probe.size))[-min(n, probe.size)]
        if probe.size >= n
        else -np.inf
    )
    pool = live[rank[live] + lift >= floor]
    served = served_scores(rank[pool], stars_of(pool), mu, star_weight)
    if pool.size > n:  # sort only the n best (and films tied with the n-th), not the pool
        keep = served >= np.partition(served, -n)[-n]
        pool, served = pool[keep], served[keep]
    best = np.lexsort((pool, -served))[:n]
    return pool[best].astype(np.int64)
