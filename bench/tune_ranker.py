"""Choose the ranker's defaults and the served score's star weight without the test split.

The 90% training part of the seed-42 split (evaluate.split) is split again 90/10 with
seed 1; every configuration is ranked by whole-catalog Recall@20 on that inner 10%
(rank every film the user has not rated, relevant = inner ratings >= 4). The test split
is never read here.

    uv run python bench/tune_ranker.py [--zip PATH] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from movietui.catalog.readers import read_release
from movietui.model import (
    Hyper,
    scores,
    topn,
    train,
)
from movietui.model.evaluate import folded_rows, split
from movietui.model.ranker import RankHyper, fit_ranker


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zip", default=str(ROOT.parent / "shared/datasets/ml-latest-small.zip"))
    ap.add_argument("--quick", action="store_true", help="a small grid")
    ap.add_argument(
        "--grid", help="JSON object of lists replacing the grid, e.g. '{\"factors\": [64, 128]}'"
    )
    args = ap.parse_args()
    data = read_release(args.zip)
    outer, _ = split(data.rating.size, 0.1, 42)
    u_all, i_all, r_all = (
        data.user_id[outer].astype(np.int64),
        data.movie_id[outer].astype(np.int64),
        data.rating[outer],
    )
    inner_tr, inner_te = split(r_all.size, 0.1, 1)
    all_items = np.unique(data.movie_id).astype(np.int64)
    users = np.unique(u_all)
    u_row = np.searchsorted(users, u_all)
    i_col = np.searchsorted(all_items, i_all)

    # Each user's row folded in from their inner-training ratings, as the app folds a profile's.
    def app_rows(model):
        return folded_rows(model, u_row[inner_tr], i_all[inner_tr], r_all[inner_tr], users.size)

    def evaluate(S: np.ndarray) -> tuple[float, float]:
        """Whole-catalog Recall@20 / NDCG@20 of a score matrix (users x films) on the inner 10%."""
        res = topn.evaluate_top_n(
            lambda rows: S[rows],
            all_items.size,
            u_row[inner_tr],
            i_col[inner_tr],
            u_row[inner_te],
            i_col[inner_te],
            r_all[inner_te],
        )
        return res.recall, res.ndcg

    grid = dict(
        factors=[64, 128],
        unobserved_weight=[0.03, 0.1, 0.3],
        reg=[0.003, 0.01, 0.03],
        confidence=[0.0, 1.0, 3.0],
        dislike=[0.0, 0.5, 1.0],
    )
    if args.quick:
        grid = dict(
            factors=[64],
            unobserved_weight=[0.1],
            reg=[0.01],
            confidence=[0.0, 1.0, 3.0],
            dislike=[0.0, 0.5],
        )
    if args.grid:
        grid = {name: list(values) for name, values in json.loads(args.grid).items()}
    results = []
    started = time.perf_counter()
    for values in itertools.product(*grid.values()):
        config = dict(zip(grid, values))
        model = fit_ranker(
            u_all[inner_tr],
            i_all[inner_tr],
            r_all[inner_tr],
            RankHyper(**config),
            all_item_ids=all_items,
        )
        S = app_rows(model) @ model.item_factors[model.item_index(all_items)].T
        rec, ndcg = evaluate(S)
        results.append((rec, ndcg, config, model.metrics["best_epoch"]))
        print(f"{rec:.4f} {ndcg:.4f} epoch {model.metrics['best_epoch']:>2} {config}", flush=True)
    results.sort(key=lambda x: -x[0])
    print(f"\n{len(results)} configurations in {time.perf_counter() - started:.0f} s; best five:")
    for rec, ndcg, config, epoch in results[:5]:
        print(f"  Recall@20 {rec:.4f}  NDCG@20 {ndcg:.4f}  epoch {epoch}  {config}")

    best = results[0][2]
    print(f"\nserved = ranker + beta * (stars - mu), with {best}")
    ranker = fit_ranker(
        u_all[inner_tr], i_all[inner_tr], r_all[inner_tr], RankHyper(**best), all_item_ids=all_items
    )
    mf = train(u_all[inner_tr], i_all[inner_tr], r_all[inner_tr], Hyper(), all_item_ids=all_items)
    R = app_rows(ranker) @ ranker.item_factors[ranker.item_index(all_items)].T
    ui = mf.user_index(users)
    items = mf.item_index(all_items)
    stars = np.stack([scores(mf, mf.user_factors[k], mf.user_bias[k])[items] for k in ui]) - mf.mu
    for beta in (0.0, 0.01, 0.02, 0.05, 0.1, 0.2):
        rec, ndcg = evaluate(R + beta * stars)
        print(f"  beta {beta:<5} Recall@20 {rec:.4f}  NDCG@20 {ndcg:.4f}")


if __name__ == "__main__":
    main()
