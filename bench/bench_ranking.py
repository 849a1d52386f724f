"""Ranking benchmark: whole-catalog top-20 of our ranker and served score against
most-popular, EASE and `implicit`'s ALS and BPR, side by side in one run.

    UV_PROJECT_ENVIRONMENT=.venv-bench uv run --group bench python bench/bench_ranking.py \\
        [--dataset small|synthetic|all] [--seed 42] [--quick]

Protocol (issue 10): a random 90/10 split of all ratings (movietui.model.evaluate.split:
the first 10% of default_rng(seed).permutation(n) are test). For every user with a test
rating >= 4, every film they did not rate in train is ranked; relevant = their test
ratings >= 4. Recall@20, NDCG@20, catalog coverage and the median train rating count of
the films shown come from movietui.model.topn (the product's own metrics). Every
hyperparameter a row tunes (EASE's lambda, ALS's factors/regularization/alpha) is chosen
on an inner 90/10 split of the training part (seed + 1), never on the test split.

Each method is fit(train) -> scorer(user rows) -> (rows, films) score matrix. "fit s" is
the wall clock of the final fit on the whole training part; "vs ALS" is a fit time over
implicit ALS's at the same factors on 2 threads. The synthetic set (5M ratings, taste-
driven watching, see movietui.catalog.synthetic) is cached under bench/out/. Timings are
wall clock on a shared machine: the load is printed with each table.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from movietui.catalog import synthetic
from movietui.catalog.readers import read_release
from movietui.model import Hyper, train
from movietui.model.blend import STAR_WEIGHT, served_scores
from movietui.model.evaluate import folded_rows, split
from movietui.model.ranker import RankHyper, fit_ranker
from movietui.model.topn import evaluate_top_n

ROOT = Path(__file__).resolve().parents[1]
ML_SMALL = ROOT.parent / "shared" / "datasets" / "ml-latest-small.zip"
OUT = ROOT / "bench" / "out"
SYNTH_RATINGS = 5_000_000
SYNTH_ITEMS = 10_000  # EASE's dense 10k x 10k inverse: 0.4 GB, tens of seconds on 2 cores
EASE_MAX_ITEMS = 12_000  # above this EASE is skipped (the inverse is O(items^3))
THREADS = 2

Scorer = Callable[[np.ndarray], np.ndarray]


@dataclass
class Data:
    name: str
    u: np.ndarray  # int64 dense user index
    i: np.ndarray  # int64 dense film index, 0..n_items-1 over every film of the release
    r: np.ndarray  # float32 stars
    n_users: int
    n_items: int


@dataclass
class Row:
    method: str
    recall: float = math.nan
    ndcg: float = math.nan
    coverage: float = math.nan
    median_count: float = math.nan
    fit_s: float = math.nan
    factors: int | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- data


def load_small() -> Data:
    d = read_release(ML_SMALL)
    films = np.asarray(d.movies["movie_id"], np.int64)  # every film, rated or not
    _, u = np.unique(d.user_id, return_inverse=True)
    i = np.searchsorted(films, d.movie_id)
    return Data(
        "ml-latest-small",
        u.astype(np.int64),
        i.astype(np.int64),
        d.rating,
        int(u.max()) + 1,
        films.size,
    )


def load_synthetic(n: int, n_items: int) -> Data:
    """The generator's 5M set, cached under bench/out/ keyed by the generator's source."""
    tag = hashlib.sha1(inspect.getsource(synthetic).encode()).hexdigest()[:10]
    path = OUT / f"ranking_synth_{n}_{n_items}_{tag}.npz"
    if path.exists():
        z = np.load(path)
        u, i, r, shape = z["u"], z["i"], z["r"], z["shape"]
        print(f"synthetic: read {path.name}")
    else:
        t = time.perf_counter()
        d = synthetic.generate_ratings(n, n_items=n_items, seed=0)
        u, i, r = d.users.astype(np.int64) - 1, d.items.astype(np.int64) - 1, d.ratings
        shape = np.array([d.n_users, d.n_items])
        OUT.mkdir(parents=True, exist_ok=True)
        np.savez(path, u=u, i=i, r=r, shape=shape)
        print(f"synthetic: generated in {time.perf_counter() - t:.1f} s, cached as {path.name}")
    return Data(f"synthetic {n / 1e6:g}M", u, i, r, int(shape[0]), int(shape[1]))


def subset(d: Data, rows: np.ndarray, name: str) -> Data:
    return Data(name, d.u[rows], d.i[rows], d.r[rows], d.n_users, d.n_items)


# ---------------------------------------------------------------- methods: fit(train) -> scorer


def fit_popular(tr: Data, **_) -> Scorer:
    counts = np.bincount(tr.i, minlength=tr.n_items).astype(np.float32)
    return lambda rows: np.broadcast_to(counts, (rows.size, tr.n_items))


def _binary(tr: Data) -> sp.csr_matrix:
    x = sp.csr_matrix(
        (np.ones(tr.u.size, np.float32), (tr.u, tr.i)), shape=(tr.n_users, tr.n_items)
    )
    x.sum_duplicates()
    return x


def fit_ease(tr: Data, lam: float = 100.0, **_) -> Scorer:
    """EASE (Steck 2019): B = I - P / diag(P), P = (X^T X + lam I)^-1, zero diagonal."""
    x = _binary(tr)
    p = _ridge_inverse(x, lam)
    b = p / -np.diag(p)
    np.fill_diagonal(b, 0.0)
    return lambda rows: np.asarray(x[rows] @ b)


def _ridge_inverse(x: sp.csr_matrix, lam: float) -> np.ndarray:
    """(X^T X + lam I)^-1 (items x items). With fewer users than films, by Woodbury:
    (I - X^T (lam I + X X^T)^-1 X) / lam, a users x users solve (ml-latest-small: 610 vs
    9.7k, about 100x less work); else a Cholesky inverse (a third of LU's flops)."""
    from scipy.linalg import cho_factor, cho_solve
    from scipy.linalg.lapack import spotrf, spotri

    n_users, n_items = x.shape
    if n_users < n_items:
        k = (x @ x.T).toarray().astype(np.float64)
        k[np.diag_indices_from(k)] += lam
        xd = x.toarray().astype(np.float64)
        p = -(xd.T @ cho_solve(cho_factor(k), xd))
        p[np.diag_indices_from(p)] += 1.0
        return (p / lam).astype(np.float32)
    g = (x.T @ x).toarray().astype(np.float32)
    g[np.diag_indices_from(g)] += np.float32(lam)
    c, info = spotrf(g, lower=False, overwrite_a=True)
    inv, info2 = spotri(c, lower=False, overwrite_c=True)
    if info or info2:
        raise RuntimeError(f"EASE: Cholesky failed (info {info}, {info2})")
    upper = np.triu(inv)
    return upper + np.triu(inv, 1).T


def _als(tr: Data, factors: int, reg: float, alpha: float, seed: int, iterations: int = 15):
    from implicit.cpu.als import AlternatingLeastSquares

    with threadpool_limits(1, "blas"):  # implicit warns (and slows) when BLAS threads fight its own
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=reg,
            alpha=alpha,
            iterations=iterations,
            num_threads=THREADS,
            random_state=seed,
            calculate_training_loss=False,
        )
        model.fit(_binary(tr), show_progress=False)
    return model


def fit_als(
    tr: Data, factors: int = 64, reg: float = 0.1, alpha: float = 1.0, seed: int = 0, **_
) -> Scorer:
    m = _als(tr, factors, reg, alpha, seed)
    return lambda rows: m.user_factors[rows] @ m.item_factors.T


def fit_bpr(tr: Data, factors: int = 128, seed: int = 0, **_) -> Scorer:
    from implicit.cpu.bpr import BayesianPersonalizedRanking

    with threadpool_limits(1, "blas"):
        m = BayesianPersonalizedRanking(
            factors=factors,
            learning_rate=0.01,
            regularization=0.01,
            iterations=100,
            num_threads=THREADS,
            random_state=seed,
        )
        m.fit(_binary(tr), show_progress=False)
    return lambda rows: m.user_factors[rows] @ m.item_factors.T  # includes the item-bias column


def _fit_ranker_model(tr: Data, seed: int):
    hyper = RankHyper(threads=THREADS, seed=seed)
    return fit_ranker(tr.u, tr.i, tr.r, hyper, all_item_ids=np.arange(tr.n_items))


def _ranker_scorer(m, tr: Data) -> Scorer:
    """Each user's row folded in from their training ratings, as the app folds a profile's
    (movietui.model.evaluate.folded_rows). Folded on the first call: serving, not fit time."""
    assert np.array_equal(m.item_ids, np.arange(tr.n_items))  # dense ids in, dense ids out
    folded: list[np.ndarray] = []

    def scorer(rows):
        if not folded:
            folded.append(folded_rows(m, tr.u, tr.i, tr.r, tr.n_users))
        return folded[0][rows] @ m.item_factors.T

    return scorer


def _stars_scorer(mf, n_items: int) -> Scorer:
    """Predicted stars for every film, as movietui.model.serve.scores computes per row."""
    assert np.array_equal(mf.item_ids, np.arange(n_items))

    def scorer(rows):
        idx = mf.user_index(rows)
        ok = idx >= 0
        p = np.where(ok[:, None], mf.user_factors[np.maximum(idx, 0)], 0.0)
        b = np.where(ok, mf.user_bias[np.maximum(idx, 0)], 0.0)
        s = p @ mf.item_factors.T + mf.item_bias + (mf.mu + b)[:, None]
        return np.clip(s, 0.5, 5.0).astype(np.float32)

    return scorer


def fit_ranker_row(tr: Data, seed: int = 0, **_) -> Scorer:
    return _ranker_scorer(_fit_ranker_model(tr, seed), tr)


def fit_stars(tr: Data, seed: int = 0, **_) -> Scorer:
    mf = train(
        tr.u, tr.i, tr.r, Hyper(threads=THREADS, seed=seed), all_item_ids=np.arange(tr.n_items)
    )
    return _stars_scorer(mf, tr.n_items)


def fit_served(tr: Data, seed: int = 0, **_) -> Scorer:
    """What "For you" ranks by: ranker + STAR_WEIGHT x (predicted stars - mu), movietui.model.blend."""
    rank = _ranker_scorer(_fit_ranker_model(tr, seed), tr)
    mf = train(
        tr.u, tr.i, tr.r, Hyper(threads=THREADS, seed=seed), all_item_ids=np.arange(tr.n_items)
    )
    stars = _stars_scorer(mf, tr.n_items)
    return lambda rows: served_scores(rank(rows), stars(rows), mf.mu, STAR_WEIGHT)


# ---------------------------------------------------------------- evaluation


def evaluate(fit, tr: Data, te: Data, **kw) -> tuple[object, float]:
    t = time.perf_counter()
    scorer = fit(tr, **kw)
    secs = time.perf_counter() - t
    res = evaluate_top_n(scorer, tr.n_items, tr.u, tr.i, te.u, te.i, te.r)
    return res, secs


def inner_split(tr: Data, seed: int) -> tuple[Data, Data]:
    a, b = split(tr.r.size, 0.1, seed + 1)
    return subset(tr, a, "inner train"), subset(tr, b, "inner validation")


def tune(name: str, fit, grid: list[dict], inner: tuple[Data, Data]) -> list[tuple[float, dict]]:
    """(inner-validation Recall@20, grid point) for every point; the test split is never read."""
    out = []
    for kw in grid:
        res, secs = evaluate(fit, *inner, **kw)
        print(f"    {name} {kw}: inner Recall@20 {res.recall:.4f} ({secs:.1f} s)", flush=True)
        out.append((res.recall, kw))
    return out


def best(results: list[tuple[float, dict]], **where) -> dict | None:
    ok = [(r, kw) for r, kw in results if all(kw.get(k) == v for k, v in where.items())]
    return max(ok, key=lambda t: t[0])[1] if ok else None


def ease_grid(quick: bool) -> list[dict]:
    return [{"lam": x} for x in ((100.0, 400.0) if quick else (50.0, 100.0, 200.0, 400.0, 800.0))]


def als_grid(quick: bool, big: bool) -> list[dict]:
    if quick:
        return [{"factors": 64, "reg": 0.1, "alpha": a} for a in (1.0, 10.0)]
    factors = (64, 128)
    regs = (0.1, 1.0) if big else (0.01, 0.1, 1.0)
    alphas = (2.0, 10.0) if big else (1.0, 5.0, 20.0)
    return [{"factors": f, "reg": r, "alpha": a} for f in factors for r in regs for a in alphas]


def run_dataset(d: Data, seed: int, quick: bool) -> list[Row]:
    tr_rows, te_rows = split(d.r.size, 0.1, seed)
    tr, te = subset(d, tr_rows, "train"), subset(d, te_rows, "test")
    inner = inner_split(tr, seed)
    print(
        f"\n== {d.name}: {d.r.size:,} ratings, {d.n_users:,} users, {d.n_items:,} films; "
        f"split seed {seed}; load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores ==",
        flush=True,
    )
    rows: list[Row] = []

    def add(label: str, fit, shown_factors=None, note="", **kw) -> Row:
        res, secs = evaluate(fit, tr, te, seed=seed, **kw)
        row = Row(
            label, res.recall, res.ndcg, res.coverage, res.median_count, secs, shown_factors, note
        )
        print(
            f"  {label}: Recall@20 {res.recall:.4f}  NDCG@20 {res.ndcg:.4f}  fit {secs:.1f} s  "
            f"(load {os.getloadavg()[0]:.2f})",
            flush=True,
        )
        rows.append(row)
        return row

    add("most popular (train counts)", fit_popular)
    if d.n_items <= EASE_MAX_ITEMS:
        kw = best(tune("EASE", fit_ease, ease_grid(quick), inner))
        add(f"EASE, lambda {kw['lam']:g} (inner split)", fit_ease, **kw)
    else:
        rows.append(
            Row(
                "EASE",
                note=f"skipped: {d.n_items:,} films, a dense {d.n_items:,}^2 inverse "
                f"is too slow here (limit {EASE_MAX_ITEMS:,})",
            )
        )
    big = d.r.size > 1_000_000
    results = tune("ALS", fit_als, als_grid(quick, big), inner)
    kw = best(results)
    als = {
        kw["factors"]: add(
            f"implicit ALS, {kw['factors']} f, reg {kw['reg']:g}, alpha {kw['alpha']:g} "
            f"(best of the grid, inner split)",
            fit_als,
            shown_factors=kw["factors"],
            **kw,
        )
    }
    ours = RankHyper().factors
    if ours not in als:  # the speed target compares ALS at the ranker's own factors
        kw2 = best(results, factors=ours)
        how = (
            "best at this size, inner split" if kw2 else f"reg/alpha of the {kw['factors']} f best"
        )
        kw2 = kw2 or dict(kw, factors=ours)
        als[ours] = add(
            f"implicit ALS, {ours} f, reg {kw2['reg']:g}, alpha {kw2['alpha']:g} ({how})",
            fit_als,
            shown_factors=ours,
            **kw2,
        )
    add("implicit BPR, 128 f (lr .01, reg .01, 100 it; untuned)", fit_bpr, shown_factors=128)
    add("predicted stars (rating model, defaults)", fit_stars)
    add(f"movietui ranker (iALS, {ours} f, defaults)", fit_ranker_row, shown_factors=ours)
    add(
        f"served: ranker + {STAR_WEIGHT:g} x (stars - mu)",
        fit_served,
        shown_factors=ours,
        note="fit = ranker + rating model",
    )
    for row in rows:
        ref = als.get(row.factors)
        if row.method.startswith(("movietui", "served")) and ref is not None:
            row.extra["vs_als"] = row.fit_s / ref.fit_s
    return rows


def table(name: str, rows: list[Row]) -> str:
    lines = [
        f"\n### {name} (load {os.getloadavg()[0]:.2f} at the end)\n",
        "| method | Recall@20 | NDCG@20 | coverage | median count | fit s | fit vs ALS same f |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if math.isnan(r.recall):
            lines.append(f"| {r.method} | {r.note} | | | | | |")
            continue
        ratio = f"{r.extra['vs_als']:.2f}x" if "vs_als" in r.extra else ""
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.method}{note} | {r.recall:.4f} | {r.ndcg:.4f} | {r.coverage:.3f} | "
            f"{r.median_count:.0f} | {r.fit_s:.2f} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=("small", "synthetic", "all"), default="all")
    ap.add_argument("--seed", type=int, default=42, help="the outer split's seed (inner: seed + 1)")
    ap.add_argument("--quick", action="store_true", help="small tuning grids")
    ap.add_argument("--synthetic-ratings", type=int, default=SYNTH_RATINGS)
    ap.add_argument(
        "--synthetic-items",
        type=int,
        default=SYNTH_ITEMS,
        help=f"films in the synthetic set (default {SYNTH_ITEMS:,}, so EASE fits; "
        f"0 = the generator's default shape)",
    )
    args = ap.parse_args()
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; numpy {np.__version__}; "
        f"{THREADS} threads for every trained method"
    )
    out = []
    if args.dataset in ("small", "all"):
        d = load_small()
        out.append(table(d.name, run_dataset(d, args.seed, args.quick)))
        print(out[-1], flush=True)
    if args.dataset in ("synthetic", "all"):
        d = load_synthetic(args.synthetic_ratings, args.synthetic_items or None)
        out.append(table(d.name, run_dataset(d, args.seed, args.quick)))
        print(out[-1], flush=True)
    if len(out) > 1:
        print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
