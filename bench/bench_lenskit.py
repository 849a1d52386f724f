"""Accuracy at scale: LensKit's biased ALS beside movietui and Surprise on the same splits.

LensKit needs torch, which the project never depends on, so this script runs in its own
virtual environment with the CPU wheel of torch (never the CUDA build):

    python3 -m venv /tmp/lkvenv
    /tmp/lkvenv/bin/pip install torch==2.13.0 lenskit      # the CPU wheel this machine offers
    /tmp/lkvenv/bin/python bench/bench_lenskit.py [--synthetic 5000000]

It reads the same data as bench/bench_model.py (ml-latest-small, and synthetic ratings from
movietui.catalog.synthetic with seed 0) and the same random 90/10 split (seed 42), and prints
test RMSE for a few LensKit BiasedMF settings. movietui's and Surprise's figures come from
bench/bench_model.py (`--surprise-full` for Surprise's RMSE on the synthetic set).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from movietui.catalog.synthetic import generate_ratings

ML_SMALL = REPO.parent / "shared" / "datasets" / "ml-latest-small.zip"
SETTINGS = [
    dict(embedding_size=50, epochs=10, regularization=0.1, damping=5.0),
    dict(embedding_size=100, epochs=20, regularization=0.1, damping=5.0),
]


def split(n: int, test_fraction: float = 0.1, seed: int = 42):
    """The same split as movietui.model.evaluate.split (kept here: no numba in this env)."""
    perm = np.random.default_rng(seed).permutation(n)
    n_test = round(test_fraction * n)
    return perm[n_test:], perm[:n_test]


def ml_small() -> pd.DataFrame:
    with zipfile.ZipFile(ML_SMALL) as z:
        name = next(n for n in z.namelist() if n.endswith("ratings.csv"))
        df = pd.read_csv(z.open(name))
    return pd.DataFrame(
        {
            "user_id": df["userId"],
            "item_id": df["movieId"],
            "rating": df["rating"].astype(np.float32),
        }
    )


def synthetic(n: int) -> pd.DataFrame:
    d = generate_ratings(n, seed=0)
    return pd.DataFrame(
        {
            "user_id": d.users.astype(np.int64),
            "item_id": d.items.astype(np.int64),
            "rating": d.ratings,
        }
    )


def lenskit_rmse(df: pd.DataFrame, settings: dict) -> tuple[float, float]:
    from lenskit.als import BiasedMFScorer
    from lenskit.data import from_interactions_df

    tr, te = split(len(df))
    train, test = df.iloc[tr], df.iloc[te]
    started = time.perf_counter()
    scorer = BiasedMFScorer(**settings)
    scorer.train(from_interactions_df(train))
    secs = time.perf_counter() - started
    bias = scorer.bias
    u = scorer.users.numbers(test["user_id"].to_numpy(), missing="negative")
    i = scorer.items.numbers(test["item_id"].to_numpy(), missing="negative")
    bu = bias.users.numbers(test["user_id"].to_numpy(), missing="negative")
    bi = bias.items.numbers(test["item_id"].to_numpy(), missing="negative")
    pred = np.full(len(test), bias.global_bias, dtype=np.float64)
    if bias.user_biases is not None:
        pred[bu >= 0] += bias.user_biases[bu[bu >= 0]]
    if bias.item_biases is not None:
        pred[bi >= 0] += bias.item_biases[bi[bi >= 0]]
    both = (u >= 0) & (i >= 0)
    P = np.asarray(scorer.user_embeddings)
    Q = np.asarray(scorer.item_embeddings)
    pred[both] += np.einsum("ij,ij->i", P[u[both]], Q[i[both]])
    pred = np.clip(pred, 0.5, 5.0)
    return float(np.sqrt(np.mean((pred - test["rating"].to_numpy()) ** 2))), secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=5_000_000)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for name, df in (
        ("ml-latest-small", ml_small()),
        (f"synthetic {args.synthetic / 1e6:g}M", synthetic(args.synthetic)),
    ):
        print(f"\n== LensKit BiasedMF (ALS), {name}: random 90/10 split (seed 42), test RMSE ==")
        for settings in SETTINGS:
            err, secs = lenskit_rmse(df, settings)
            label = ", ".join(f"{k} {v}" for k, v in settings.items())
            print(f"  {label:<70} {err:.4f}  {secs:7.1f} s")


if __name__ == "__main__":
    main()
