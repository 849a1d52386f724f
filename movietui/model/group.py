"""Movie night: one list for several people, from each member's own served scores.

Every strategy starts from each member's served score (what their own For you ranks by)
over the same candidates (films no member has rated or marked). Members' raw scores differ
in scale and only a member's top matters to them, so each member's scores are rescaled:
their best candidate is 1 and their TOP_OF_EACH-th best is 0 (``rel``). Strategies:

- ``turns`` (the default): members take turns, each adding their own best film not yet
  listed: everyone is served from the top of their own list;
- ``shared``: turns too, the least served so far first ("served" sums the rel of the films
  already listed); on a member's turn their SHARED_CHOICE best remaining films compete and
  the one the whole group likes most is taken;
- ``average``: the mean of the members' rel (the utilitarian choice);
- ``least_misery``: the smallest rel among members (nobody hates the pick).

bench/bench_groups.py chose the default on an inner validation split of ml-latest-small
(groups of 2, 3 and 5 real users, their hidden ratings as truth): ``turns`` served the
least-served member best in random groups (2 users: min Recall@20 0.092 vs shared 0.086,
average 0.073, least misery 0.041) at the best or near-best mean; ``shared`` tied it for
similar tastes. Averaging scores favours films everyone finds fine over films someone loves,
and these lists are judged by the films people loved.
"""

from __future__ import annotations

import numpy as np

from movietui.errors import ModelError

STRATEGIES = ("turns", "shared", "average", "least_misery")
DEFAULT_STRATEGY = "turns"
TOP_OF_EACH = 200  # a member's films beyond their 200th best get no weight
SHARED_CHOICE = 5  # films competing on a member's turn in "shared"


def group_top_n(
    member_scores: np.ndarray, n: int, strategy: str = DEFAULT_STRATEGY, candidate_mask=None
) -> np.ndarray:
    """Indices of the group's n films, best first, from (members, films) served scores."""
    scores = np.array(member_scores, dtype=np.float32, ndmin=2)
    if scores.ndim != 2 or scores.shape[0] < 1:
        raise ModelError("a group list needs one row of scores per member")
    scores[~np.isfinite(scores)] = -np.inf
    if candidate_mask is not None:
        scores[:, ~np.asarray(candidate_mask, bool)] = -np.inf
    live = np.flatnonzero(np.any(scores > -np.inf, axis=0))
    if n <= 0 or live.size == 0:
        return np.empty(0, np.int64)
    pool, ranks = _pools(scores[:, live])
    if strategy == "turns":
        return live[pool[_interleave(ranks, n)]].astype(np.int64)
    rel = _rescaled(scores[:, live][:, pool])
    if strategy == "shared":
        return live[pool[_shared_turns(rel.clip(0, 1), ranks, n)]].astype(np.int64)
    if strategy == "average":
        value = rel.mean(axis=0)
    elif strategy == "least_misery":
        value = rel.min(axis=0)
    else:
        raise ModelError(f"unknown group strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    order = np.lexsort((live[pool], -value))[:n]
    return live[pool[order]].astype(np.int64)


def _pools(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate columns worth ranking: the union of every member's top TOP_OF_EACH,
    each member's 0-based rank of each of them (TOP_OF_EACH and beyond: out of their top))."""
    m, n = scores.shape
    k = min(TOP_OF_EACH, n)
    tops = []
    for row in scores:
        part = np.argpartition(-row, k - 1)[:k] if n > k else np.arange(n)
        tops.append(part[np.lexsort((part, -row[part]))])
    pool = np.unique(np.concatenate(tops))
    ranks = np.full((m, pool.size), TOP_OF_EACH, np.int64)
    where = {int(c): k for k, c in enumerate(pool)}
    for member, top in enumerate(tops):
        valid = [pos for pos, c in enumerate(top) if scores[member, c] > -np.inf]
        ranks[member, [where[int(top[p])] for p in valid]] = valid
    return pool, ranks


def _rescaled(scores: np.ndarray) -> np.ndarray:
    """Each member's scores mapped so their best candidate is 1 and their TOP_OF_EACH-th is 0."""
    rel = np.zeros(scores.shape, np.float64)
    for m, row in enumerate(scores):
        finite = row[row > -np.inf]
        if finite.size == 0:
            continue
        best = finite.max()
        floor = np.sort(finite)[::-1][min(TOP_OF_EACH, finite.size) - 1]
        span = best - floor if best > floor else 1.0
        rel[m] = np.where(row > -np.inf, (row - floor) / span, -1.0)
    return rel


def _shared_turns(rel: np.ndarray, ranks: np.ndarray, n: int) -> np.ndarray:
    """Members take turns, the least served so far first (ties: member order); on their turn
    a member's next SHARED_CHOICE best films compete and the one the group likes most is taken."""
    members, films = rel.shape
    served = np.zeros(members)
    taken = np.zeros(films, bool)
    order = [np.argsort(ranks[m], kind="stable") for m in range(members)]
    chosen: list[int] = []
    while len(chosen) < min(n, films):
        m = int(np.argmin(served))
        mine = [int(f) for f in order[m] if not taken[f] and ranks[m, f] < TOP_OF_EACH][
            :SHARED_CHOICE
        ]
        if not mine:
            served[m] = np.inf  # nothing left this member wants: the others take the turns
            if np.all(np.isinf(served)):
                break
            continue
        best = max(mine, key=lambda f: (rel[:, f].sum(), -f))
        chosen.append(best)
        taken[best] = True
        served += rel[:, best]
    return np.array(chosen, np.int64)


def _interleave(ranks: np.ndarray, n: int) -> np.ndarray:
    """Round-robin over the members' own lists (pool positions), skipping films taken."""
    own = [np.argsort(row, kind="stable")[: int((row < TOP_OF_EACH).sum())] for row in ranks]
    out: list[int] = []
    for depth in range(TOP_OF_EACH):
        for films in own:
            if depth < films.size and int(films[depth]) not in out:
                out.append(int(films[depth]))
            if len(out) == n:
                return np.array(out, np.int64)
    return np.array(out, np.int64)
