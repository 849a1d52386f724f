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


def served_scores(rank_scores, star_scores, mu: float, star_weight: float = STAR_WEIGHT) -> np.ndarray:
    """The served ranking score per film (float32); NaN inputs rank last, never propagate."""
    rank = np.asarray(rank_scores, np.float32)
    stars = np.asarray(star_scores, np.float32)
    if rank.shape != stars.shape:
        raise ModelError(f"rank and star scores differ in shape ({rank.shape}, {stars.shape})")
    out = rank + np.float32(star_weight) * (stars - np.float32(mu))
    out[~np.isfinite(out)] = -np.inf
    return out
