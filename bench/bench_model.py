"""Model benchmark: accuracy and speed against Surprise's SVD and LIBMF, fold-in and serving.

    UV_PROJECT_ENVIRONMENT=.venv-bench uv run --group bench python bench/bench_model.py [--quick]

Sections, all in one run:
 1. accuracy on ml-latest-small (random 90/10 split, seed 42, movietui.model.evaluate.split):
    our defaults vs Surprise SVD tuned (150 factors, 60 epochs, lr 0.01, reg 0.1) and defaults;
 2. speed with Surprise's default hyperparameters (100 factors, 20 epochs, lr 0.005,
    reg 0.02, no early stopping) on ml-latest-small and on synthetic ratings (5M; 1M with
    --quick). On ml-latest-small each side is fitted --repeats times and the best runs are
    compared; on the synthetic set one fit each, and Surprise is timed for ONE epoch and
    extrapolated to 20 unless --surprise-full. Surprise is timed on fit() alone (its
    trainset is built before the clock starts); our time includes building the id maps;
 3. LIBMF (libmf 0.9.2, 2 threads, same factors/epochs), each fit in a child process with
    a watchdog because the binding deadlocks now and then with more than one thread;
 4. fold-in p99 (one new rating, 1,000-rating profile) and serving at 87k movies x 64 factors.
Timings are wall clock on a shared machine: quote them with the load (printed at the start).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import multiprocessing as mp
import os
import sys
import time
import zipfile
from pathlib import Path
from queue import Empty

import numpy as np

from movietui.catalog.synthetic import generate_ratings
from movietui.model import Hyper, MFModel, fold_in, scores, similar_items, top_n, train
from movietui.model.blend import served_top_n
from movietui.model.evaluate import fit_baseline, split
from movietui.model.metrics import rmse
from movietui.model.ranker import RankHyper, fit_ranker
from movietui.model.serve import explain, predict

ML_SMALL = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "ml-latest-small.zip"
)
SURPRISE_DEFAULTS = dict(
    factors=100,
    epochs=20,
    lr=0.005,
    reg=0.02,
    bias_reg=0.02,
    lr_decay=1.0,
    init_std=0.1,
    val_fraction=0.0,
)
LIBMF_TIMEOUT_S = 180


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true", help="1M synthetic ratings, skip tuned Surprise"
    )
    ap.add_argument("--synthetic", type=int, default=None, help="synthetic ratings (default 5M)")
    ap.add_argument(
        "--surprise-full",
        action="store_true",
        help="run Surprise's 20 epochs on the synthetic set too (RMSE at scale; ~4 min at 5M)",
    )
    ap.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="fits per side on ml-latest-small; the best is compared (default 5)",
    )
    ap.add_argument(
        "--skip", default="", help="comma list of sections to skip: acc,speed,libmf,serve"
    )
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    n_synth = args.synthetic or (1_000_000 if args.quick else 5_000_000)
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; numpy {np.__version__}"
    )
    warm_up()
    small = load_ml_small()
    if "acc" not in skip:
        accuracy(small, args.quick)
    if "speed" not in skip or "libmf" not in skip:
        synth = synthetic(n_synth)
        for name, data in (("ml-latest-small", small), (f"synthetic {n_synth / 1e6:g}M", synth)):
            if "speed" not in skip:
                small_set = name == "ml-latest-small"
                speed(
                    name,
                    data,
                    full_surprise=small_set or args.surprise_full,
                    repeats=args.repeats if small_set else 1,
                )
            if "libmf" not in skip:
                libmf(name, data)
        if "acc" not in skip:
            accuracy_at_scale(synth)
    if "serve" not in skip:
        serving(reps=200 if args.quick else 1000)


# ---------------------------------------------------------------- data


def load_ml_small():
    import pandas as pd  # bench only: the model room never imports pandas

    with zipfile.ZipFile(ML_SMALL) as z:
        name = next(n for n in z.namelist() if n.endswith("ratings.csv"))
        df = pd.read_csv(z.open(name))
    u = df["userId"].to_numpy(np.int64)
    i = df["movieId"].to_numpy(np.int64)
    r = df["rating"].to_numpy(np.float32)
    tr, te = split(r.size, 0.1, 42)
    return u, i, r, tr, te


def synthetic(n: int):
    t = time.perf_counter()
    d = generate_ratings(n, seed=0)
    u, i, r = d.users.astype(np.int64), d.items.astype(np.int64), d.ratings
    tr, te = split(r.size, 0.1, 42)
    print(
        f"\nsynthetic: {n:,} ratings, {d.n_users:,} users, {d.n_items:,} movies "
        f"(generated in {time.perf_counter() - t:.1f} s)"
    )
    return u, i, r, tr, te


def warm_up() -> None:
    """Compile (or load cached) numba kernels so no timing below includes compilation."""
    d = generate_ratings(3000, n_users=60, n_items=100, seed=1)
    for threads in (1, 2):
        m = train(d.users, d.items, d.ratings, Hyper(factors=4, epochs=2, threads=threads))
    fold_in(m, [0, 1], [4.0, 3.0])
    predict(m, d.users[:5], d.items[:5])


# ---------------------------------------------------------------- 1. accuracy


def accuracy(data, quick: bool) -> None:
    u, i, r, tr, te = data
    print("\n== 1. accuracy: ml-latest-small, random 90/10 split (seed 42), test RMSE ==")
    rows = []
    base = fit_baseline(u[tr], i[tr], r[tr])
    rows.append(("damped bias baseline (ours)", rmse(base.predict(u[te], i[te]), r[te]), None))
    t = time.perf_counter()
    model = train(u[tr], i[tr], r[tr], Hyper(), all_item_ids=np.unique(i))
    secs = time.perf_counter() - t
    ours = rmse(predict(model, u[te], i[te]), r[te])
    rows.append((f"movietui defaults (stopped at epoch {model.metrics['best_epoch']})", ours, secs))
    for label, kw in [
        ("Surprise SVD defaults", {}),
        (
            "Surprise SVD tuned (150 f, 60 ep, lr .01, reg .1)",
            dict(n_factors=150, n_epochs=60, lr_all=0.01, reg_all=0.1),
        ),
    ]:
        if quick and kw:
            rows.append((label + " [skipped: --quick]", math.nan, None))
            continue
        res = surprise_fit(u[tr], i[tr], r[tr], u[te], i[te], r[te], **kw)
        rows.append(
            (label, res[1], res[0]) if res else (label + " [not installed]", math.nan, None)
        )
    for label, value, secs in rows:
        extra = f"{secs:7.2f} s" if secs is not None else ""
        print(f"  {label:<56} {value:7.4f}  {extra}")
    tuned = rows[-1][1]
    if np.isfinite(tuned):
        print(f"  ours - tuned Surprise: {ours - tuned:+.4f} RMSE (negative = better)")


def accuracy_at_scale(data) -> None:
    """Our defaults (early stopping) on the synthetic split; LensKit's ALS: bench_lenskit.py."""
    u, i, r, tr, te = data
    base = fit_baseline(u[tr], i[tr], r[tr])
    t = time.perf_counter()
    model = train(u[tr], i[tr], r[tr], Hyper(), all_item_ids=np.unique(i))
    secs = time.perf_counter() - t
    print(
        f"\n== 1b. accuracy at scale: synthetic {r.size / 1e6:g}M, random 90/10 split, test RMSE =="
    )
    print(f"  {'damped bias baseline (ours)':<56} {rmse(base.predict(u[te], i[te]), r[te]):7.4f}")
    print(
        f"  {'movietui defaults (stopped at epoch ' + str(model.metrics['best_epoch']) + ')':<56} "
        f"{rmse(predict(model, u[te], i[te]), r[te]):7.4f} {secs:7.2f} s"
    )
    print("  (Surprise: section 2 with --surprise-full; LensKit ALS: bench/bench_lenskit.py)")


# ---------------------------------------------------------------- 2. speed


def speed(name: str, data, full_surprise: bool, repeats: int) -> None:
    """`repeats` rounds, each fitting movietui (1 and 2 threads) and Surprise one after the
    other, so both sides see the same spells of load on a shared machine; the best run of
    each is compared (min, as timeit does) and the medians are printed in brackets."""
    u, i, r, tr, te = data
    print(
        f"\n== 2. speed, Surprise's default hyperparameters (100 f, 20 ep, lr .005, reg .02): {name} =="
    )
    print(f"  {repeats} round{'s' if repeats > 1 else ''}, best run of each (median in brackets)")
    catalog_ids = np.unique(i)  # the catalog's movie list: known before training, as in the app
    train_u, train_i, train_r = u[tr], i[tr], r[tr]
    epochs = 20 if full_surprise else 1
    runs = {1: [], 2: [], "surprise": []}
    errors = {}
    for _ in range(repeats):
        for threads in (1, 2):
            model = None  # let the previous fit's arrays go, as a fresh process would have
            t = time.perf_counter()
            model = train(
                train_u,
                train_i,
                train_r,
                Hyper(**SURPRISE_DEFAULTS, threads=threads),
                all_item_ids=catalog_ids,
            )
            runs[threads].append(time.perf_counter() - t)
            errors[threads] = rmse(predict(model, u[te], i[te]), r[te])
        res = surprise_fit(
            train_u,
            train_i,
            train_r,
            u[te],
            i[te],
            r[te],
            n_epochs=epochs,
            time_only=not full_surprise,
        )
        if res is not None:
            runs["surprise"].append(res[0] * 20 / epochs)
            runs.setdefault("build", []).append(res[2])
            errors["surprise"] = res[1]
    for threads in (1, 2):
        secs = min(runs[threads])
        label = "1 thread, shuffled" if threads == 1 else "2 threads, 2x2 blocks, L2 tiles"
        print(
            f"  movietui {label:<34} {secs:7.3f} s ({np.median(runs[threads]):.3f})  "
            f"{tr.size * 20 / secs / 1e6:6.2f} M upd/s  epoch {secs / 20 * 1e3:7.1f} ms  "
            f"RMSE {errors[threads]:.4f}"
        )
    print(
        f"  2 threads vs 1: {min(runs[1]) / min(runs[2]):.2f}x faster, "
        f"RMSE {errors[2] - errors[1]:+.4f}"
    )
    if not runs["surprise"]:
        print("  Surprise: not installed (see the bench group in pyproject.toml)")
        return
    s20 = min(runs["surprise"])
    note = "" if full_surprise else f" (timed {epochs} epoch, extrapolated x20)"
    err_txt = f"RMSE {errors['surprise']:.4f}" if full_surprise else "RMSE not measured (1 epoch)"
    print(
        f"  Surprise SVD, fit only{'':<21} {s20:7.3f} s ({np.median(runs['surprise']):.3f})  "
        f"{tr.size * 20 / s20 / 1e6:6.2f} M upd/s  epoch {s20 / 20 * 1e3:7.1f} ms  {err_txt}{note}"
    )
    build = min(runs["build"])
    print(
        f"  Surprise trainset build (Dataset.load_from_df + build_full_trainset): {build:.3f} s; "
        f"with it, Surprise / movietui 2 threads = {(s20 + build) / min(runs[2]):.1f}x"
    )
    for threads in (1, 2):
        line = (
            f"  ratio Surprise/movietui ({threads} thread{'s' if threads > 1 else ''}): "
            f"{s20 / min(runs[threads]):6.1f}x faster (target >= 20x); medians "
            f"{np.median(runs['surprise']) / np.median(runs[threads]):.1f}x"
        )
        if full_surprise:
            line += f", RMSE {errors[threads] - errors['surprise']:+.4f} (target within 0.005)"
        print(line)


def surprise_fit(u, i, r, tu, ti, tr, time_only=False, **kw):
    """(fit seconds, test RMSE, trainset build seconds) of Surprise SVD, or None when
    Surprise is not installed. The build (its id maps) is what our timed call includes."""
    try:
        import pandas as pd
        from surprise import SVD, Dataset, Reader
    except ImportError:
        return None
    t = time.perf_counter()
    df = pd.DataFrame({"u": u, "i": i, "r": r})
    trainset = Dataset.load_from_df(df, Reader(rating_scale=(0.5, 5.0))).build_full_trainset()
    build = time.perf_counter() - t
    algo = SVD(random_state=0, **kw)
    t = time.perf_counter()
    algo.fit(trainset)
    secs = time.perf_counter() - t
    if time_only:
        return secs, math.nan, build
    pred = np.array([algo.predict(a, b).est for a, b in zip(tu.tolist(), ti.tolist())])
    return secs, rmse(pred, tr), build


# ---------------------------------------------------------------- 3. LIBMF


def libmf(name: str, data) -> None:
    u, i, r, tr, te = data
    print(f"\n== 3. LIBMF 0.9.2, 2 threads, 100 factors, 20 iterations: {name} ==")
    _, uu = np.unique(u, return_inverse=True)
    _, ii = np.unique(i, return_inverse=True)
    train_x = np.column_stack([uu[tr], ii[tr], r[tr]]).astype(np.float32)
    test_x = np.asfortranarray(np.column_stack([uu[te], ii[te]]).astype(np.float32))
    ctx = mp.get_context("spawn")
    for attempt in range(1, 4):
        queue = ctx.Queue()
        proc = ctx.Process(target=_libmf_child, args=(train_x, test_x, queue), daemon=True)
        proc.start()
        try:  # read before join: a child blocked on a full pipe never exits
            result = queue.get(timeout=LIBMF_TIMEOUT_S)
        except Empty:
            alive = proc.is_alive()
            proc.kill()
            proc.join()
            if not alive:
                print(f"  LIBMF failed (exit code {proc.exitcode}); is `libmf` in the bench env?")
                return
            print(f"  attempt {attempt}: no result after {LIBMF_TIMEOUT_S} s (deadlock): killed")
            continue
        proc.join()
        if "error" in result:
            print(f"  LIBMF failed: {result['error']}")
            return
        pred = np.clip(result["pred"], 0.5, 5.0)
        secs = result["seconds"]
        print(
            f"  LIBMF 2 threads{'':<28} {secs:7.2f} s  {tr.size * 20 / secs / 1e6:6.2f} M upd/s  "
            f"epoch {secs / 20 * 1e3:7.1f} ms  RMSE {rmse(pred, r[te]):.4f}"
        )
        return
    print("  LIBMF deadlocked three times: no figure")


def _libmf_child(train_x, test_x, queue) -> None:
    import contextlib
    import io
    import warnings

    warnings.filterwarnings("ignore", category=SyntaxWarning)  # libmf 0.9.2 uses `is "k"`
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the binding prints its .so path
            from libmf import mf
        model = mf.MF(
            k=100,
            nr_threads=2,
            nr_iters=20,
            eta=0.1,
            lambda_p2=0.05,
            lambda_q2=0.05,
            lambda_p1=0.0,
            lambda_q1=0.0,
            quiet=True,
        )
        t = time.perf_counter()
        model.fit(train_x)
        secs = time.perf_counter() - t
        queue.put({"seconds": secs, "pred": model.predict(test_x)})
    except Exception as exc:  # report any failure to the parent instead of hanging
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


# ---------------------------------------------------------------- 4. fold-in and serving


def serving(reps: int) -> None:
    n_items, k, n_rated = 87_585, 64, 1000
    print(
        f"\n== 4. fold-in and serving: {n_items:,} movies x {k} factors, profile of {n_rated:,} ratings =="
    )
    rng = np.random.default_rng(0)
    model = MFModel(
        mu=3.5,
        user_bias=np.zeros(1, np.float32),
        item_bias=rng.normal(0, 0.3, n_items).astype(np.float32),
        user_factors=np.zeros((1, k), np.float32),
        item_factors=rng.normal(0, 0.1, (n_items, k)).astype(np.float32),
        user_keys=np.array([-1], np.int64),
        item_ids=np.arange(1, n_items + 1, dtype=np.int64),
        hyper=dataclasses.replace(Hyper(), factors=k),
        item_counts=rng.zipf(1.6, n_items).clip(0, 100_000).astype(np.int32),
    )
    rated = rng.choice(n_items, n_rated, replace=False).astype(np.int32)
    stars = (rng.integers(1, 11, n_rated) / 2).astype(np.float32)
    base = fold_in(model, rated[:-1], stars[:-1])

    def timed(fn) -> np.ndarray:
        fn()
        out = np.empty(reps)
        for j in range(reps):
            t = time.perf_counter()
            fn()
            out[j] = time.perf_counter() - t
        return out * 1e3

    res = {}
    res["fold-in: 1 new rating (warm start)"] = (
        timed(
            lambda: fold_in(model, rated, stars, start_factors=base.factors, start_bias=base.bias)
        ),
        2.0,
    )
    warm = fold_in(model, rated, stars, start_factors=base.factors, start_bias=base.bias)
    res["top-20 (scores + exclude 1,000 rated)"] = (
        timed(lambda: top_n(scores(model, warm.factors, warm.bias), 20, exclude_idx=rated)),
        5.0,
    )
    res["similar movies (top-10)"] = (timed(lambda: similar_items(model, int(rated[0]), 10)), 5.0)
    res["explain (3 of 1,000 rated)"] = (
        timed(lambda: explain(model, int(rated[1]), rated, stars, warm.bias)),
        5.0,
    )
    # A ranker trained on a taste-driven synthetic set of the same 87k films (1M ratings,
    # 5 epochs): its score spread decides how few films need predicted stars.
    synth = generate_ratings(1_000_000, n_items=n_items, seed=1)
    ranker = fit_ranker(
        synth.users.astype(np.int64),
        synth.items.astype(np.int64),
        synth.ratings,
        RankHyper(epochs=5, val_fraction=0.0),
        all_item_ids=model.item_ids,
    )
    ranker.gramian(), ranker.prior_row()  # cached once per loaded model, as in the app
    rank_row = ranker.fold_in(rated[:-1], stars[:-1])
    res[f"ranker fold-in: 1 new rating ({ranker.factors} factors)"] = (
        timed(lambda: ranker.fold_in(rated, stars, start_row=rank_row)),
        2.0,
    )
    res["both rows: 1 new rating (as the app: one after the other)"] = (
        timed(
            lambda: (
                fold_in(model, rated, stars, start_factors=base.factors, start_bias=base.bias),
                ranker.fold_in(rated, stars, start_row=rank_row),
            )
        ),
        2.0,
    )
    unrated = np.ones(n_items, bool)
    unrated[rated] = False
    res["served top-20 (as For you after a rating)"] = (
        timed(
            lambda: served_top_n(
                ranker.scores(rank_row),
                lambda idx: scores(model, warm.factors, warm.bias, items=idx),
                model.mu,
                20,
                candidate_mask=unrated,
            )
        ),
        5.0,
    )
    arrays, meta = model.to_arrays()
    res["from_arrays (load)"] = (timed(lambda: MFModel.from_arrays(arrays, meta)), 500.0)
    print(
        f"  passes in the warm fold-in: {warm.passes}; first similar call (unit rows, cached): "
        f"{_first_similar_ms(model):.1f} ms"
    )
    for label, (ms, target) in res.items():
        p50, p99 = np.percentile(ms, [50, 99])
        print(
            f"  {label:<44} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  target {target:g} ms  "
            f"ratio p99/target {p99 / target:5.2f}"
        )


def _first_similar_ms(model: MFModel) -> float:
    model._unit_items = None
    t = time.perf_counter()
    similar_items(model, 0, 10)
    return (time.perf_counter() - t) * 1e3


if __name__ == "__main__":
    sys.exit(main())
