"""How the model's default hyperparameters are chosen, without looking at the test split.

    uv run python bench/tune_model.py [--trials 120] [--seeds 3] [--factors 128]

ml-latest-small is split 90/10 (seed 42, movietui.model.evaluate.split) exactly as
`movietui eval` and bench_model.py do; the 10% test part is never used for choosing. The
90% training part is split again 90/10 (seed 1) and each configuration is trained on the
inner 90% and scored by RMSE on the inner 10%:

 1. a random search over the grid below, one training seed each;
 2. the best ten again with --seeds training seeds, ranked by their mean (one seed's noise,
    ~0.0014 RMSE, is as big as the differences being ranked);
 3. only then the winner and the current defaults are trained on the whole 90% and scored
    on the test 10%, over the same seeds, for the record.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from movietui.model import Hyper, predict, train
from movietui.model.evaluate import split
from movietui.model.metrics import rmse

ML_SMALL = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "ml-latest-small.zip"
)
GRID = {
    "factors": [64, 96, 128, 192, 256],
    "lr": [0.005, 0.007, 0.01, 0.014],
    "reg": [0.03, 0.04, 0.05, 0.065, 0.08, 0.1],
    "bias_reg": [0.01, 0.02, 0.05],
    "lr_decay": [0.96, 0.98, 1.0],
    "init_std": [0.01, 0.02, 0.05],
}


def load():
    import pandas as pd  # bench only: the model room never imports pandas

    with zipfile.ZipFile(ML_SMALL) as z:
        name = next(n for n in z.namelist() if n.endswith("ratings.csv"))
        df = pd.read_csv(z.open(name))
    return (
        df["userId"].to_numpy(np.int64),
        df["movieId"].to_numpy(np.int64),
        df["rating"].to_numpy(np.float32),
    )


def score(hyper: Hyper, seeds, fit_rows, eval_rows, data, all_ids) -> float:
    u, i, r = data
    errors = []
    for seed in seeds:
        model = train(
            u[fit_rows],
            i[fit_rows],
            r[fit_rows],
            dataclasses.replace(hyper, seed=seed),
            all_item_ids=all_ids,
        )
        errors.append(rmse(predict(model, u[eval_rows], i[eval_rows]), r[eval_rows]))
    return float(np.mean(errors))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=120)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument(
        "--factors",
        type=int,
        default=None,
        help="search with this factor count only (serving cost grows with it)",
    )
    args = ap.parse_args()
    if args.factors:
        GRID["factors"] = [args.factors]
    if not ML_SMALL.exists():
        print(f"{ML_SMALL} not found", file=sys.stderr)
        return 1
    data = load()
    all_ids = np.unique(data[1])
    train_rows, test_rows = split(data[2].size, 0.1, 42)
    inner_fit, inner_eval = (train_rows[rows] for rows in split(train_rows.size, 0.1, 1))
    seeds = [42, *list(range(1, args.seeds))]
    started = time.perf_counter()

    grid = list(itertools.product(*GRID.values()))
    picks = np.random.default_rng(0).choice(
        len(grid), size=min(args.trials, len(grid)), replace=False
    )
    configs = [Hyper(**dict(zip(GRID, grid[p]))) for p in picks]
    defaults = Hyper()
    configs.append(defaults)
    print(
        f"1. random search: {len(configs)} configurations (the defaults included), inner split, seed 42"
    )
    first = sorted(
        ((score(h, seeds[:1], inner_fit, inner_eval, data, all_ids), h) for h in configs),
        key=lambda pair: pair[0],
    )
    for value, h in first[:10]:
        print(f"   {value:.4f}  {_short(h)}")

    print(f"2. the best ten over seeds {seeds}, inner split")
    top = [h for _, h in first[:10]]
    if defaults not in top:
        top.append(defaults)
    second = sorted(
        ((score(h, seeds, inner_fit, inner_eval, data, all_ids), h) for h in top),
        key=lambda pair: pair[0],
    )
    for value, h in second:
        print(f"   {value:.4f}  {_short(h)}{'  <- current defaults' if h == defaults else ''}")

    best = second[0][1]
    print("3. for the record, trained on the 90% and scored on the test 10%, same seeds:")
    for label, h in (("chosen", best), ("current defaults", defaults)):
        print(
            f"   {label:<17} {score(h, seeds, train_rows, test_rows, data, all_ids):.4f}  {_short(h)}"
        )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


def _short(h: Hyper) -> str:
    return ", ".join(f"{name} {getattr(h, name)}" for name in GRID)


if __name__ == "__main__":
    raise SystemExit(main())
