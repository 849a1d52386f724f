"""Movie night: which group strategy serves every member, measured on real people.

    uv run python bench/bench_groups.py [--zip PATH] [--groups 300] [--seed 42]

ml-latest-small, the 90/10 split of `movietui eval` (evaluate.split, seed 42); the rating
model and the ranker are fitted on the 90% with their defaults. A group is 2, 3 or 5 users
who have at least one test rating >= 4: "random" groups draw them uniformly, "similar"
groups take a random user and their nearest neighbours by cosine of their ranker rows.
Each member's served score (what their own For you ranks by) goes into the strategy
(movietui/model/group.py); the group's top 20 is drawn from films no member rated in train.
Each member's hidden test ratings are the truth: per member Recall@20 and NDCG@20 (as
topn.py defines them), then per group the mean and the minimum over members, averaged over
groups. "own list" is each member's personal top 20 (the ceiling a group list gives up).
Also prints the time of one 5-member list over 87,585 films (target <= 20 ms).
The default strategy is chosen with --validate (an inner split of the 90%), never on the test split.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from movietui.catalog.readers import read_release
from movietui.model import Hyper, train
from movietui.model.evaluate import scorers, split
from movietui.model.group import STRATEGIES, group_top_n
from movietui.model.ranker import RankHyper, fit_ranker

K = 20
SIZES = (2, 3, 5)


def member_metrics(listed: np.ndarray, relevant: set[int]) -> tuple[float, float]:
    hits = np.array([int(x) in relevant for x in listed[:K]], float)
    ideal = min(len(relevant), K)
    recall = hits.sum() / ideal
    dcg = float((hits / np.log2(np.arange(2, hits.size + 2))).sum())
    idcg = float((1 / np.log2(np.arange(2, ideal + 2))).sum())
    return recall, dcg / idcg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zip", default=str(ROOT.parent / "shared/datasets/ml-latest-small.zip"))
    ap.add_argument("--groups", type=int, default=300, help="groups per size and kind")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--validate",
        action="store_true",
        help="inner split of the 90%% (90/10, seed 1) instead of the test split: choose here",
    )
    args = ap.parse_args()
    started = time.perf_counter()
    data = read_release(args.zip)
    u, i = data.user_id.astype(np.int64), data.movie_id.astype(np.int64)
    r = data.rating.astype(np.float32)
    tr, te = split(r.size, 0.1, 42)
    if args.validate:
        inner_tr, inner_val = split(tr.size, 0.1, 1)
        tr, te = tr[inner_tr], tr[inner_val]
    all_items, users = np.unique(i), np.unique(u)
    uu, ii = np.searchsorted(users, u), np.searchsorted(all_items, i)
    model = train(u[tr], i[tr], r[tr], Hyper())
    ranker = fit_ranker(u[tr], i[tr], r[tr], RankHyper(), all_item_ids=all_items)
    served = scorers(model, ranker, all_items, users, uu[tr], i[tr], r[tr]).served
    scores = served(np.arange(users.size))
    rated = np.zeros((users.size, all_items.size), bool)
    rated[uu[tr], ii[tr]] = True
    relevant = [set() for _ in users]
    for k in te[r[te] >= 4]:
        relevant[uu[k]].add(int(ii[k]))
    eligible = np.array([k for k in range(users.size) if relevant[k]])
    print(
        f"{'inner validation split' if args.validate else 'test split'}; "
        f"ml-latest-small: {users.size} users, {all_items.size:,} films; "
        f"{eligible.size} users with a relevant test film [{time.perf_counter() - started:.0f} s]"
    )
    rows = ranker.user_factors[np.maximum(ranker.user_index(users), 0)]
    unit = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
    rng = np.random.default_rng(args.seed)
    methods = ("own list", *STRATEGIES)
    print(
        f"\n{'group':<14}{'strategy':<14}{'mean R@20':>10}{'min R@20':>10}"
        f"{'mean NDCG':>10}{'min NDCG':>10}"
    )
    for size in SIZES:
        for kind in ("random", "similar"):
            table = {m: np.zeros((args.groups, 4)) for m in methods}
            for g in range(args.groups):
                if kind == "random":
                    members = rng.choice(eligible, size, replace=False)
                else:
                    first = int(rng.choice(eligible))
                    near = eligible[np.argsort(-(unit[eligible] @ unit[first]), kind="stable")]
                    members = np.array([first, *[m for m in near if m != first][: size - 1]])
                candidates = ~rated[members].any(axis=0)
                for m in methods:
                    shared = (
                        None if m == "own list" else group_top_n(scores[members], K, m, candidates)
                    )
                    per = []
                    for member in members:
                        listed = shared
                        if listed is None:  # the member's personal For you
                            own = np.where(~rated[member], scores[member], -np.inf)
                            listed = np.lexsort((np.arange(own.size), -own))[:K]
                        per.append(member_metrics(listed, relevant[member]))
                    rec, nd = np.array(per).T
                    table[m][g] = rec.mean(), rec.min(), nd.mean(), nd.min()
            for m in methods:
                mean = table[m].mean(axis=0)
                print(
                    f"{f'{size} {kind}':<14}{m:<14}{mean[0]:>10.4f}{mean[1]:>10.4f}"
                    f"{mean[2]:>10.4f}{mean[3]:>10.4f}"
                )
            print()
    # Speed: 5 members over 87,585 films, every strategy.
    big = np.random.default_rng(0).normal(size=(5, 87_585)).astype(np.float32)
    for m in STRATEGIES:
        group_top_n(big, K, m)
        times = []
        for _ in range(50):
            t = time.perf_counter()
            group_top_n(big, K, m)
            times.append(time.perf_counter() - t)
        p50, p99 = np.percentile(np.array(times) * 1e3, [50, 99])
        print(f"5 members x 87,585 films, {m:<13} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    print(f"[{time.perf_counter() - started:.0f} s]")


if __name__ == "__main__":
    main()
