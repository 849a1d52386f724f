"""Training: biased MF by SGD, seeded, with validation early stopping and a 2-thread block schedule.

Two cores without races (DSGD): users and items are each split into two halves of about
equal rating mass. An epoch is two sub-epochs; in sub-epoch s thread t owns half t of the
bigger matrix and half (t+s) % 2 of the other. The two blocks of a sub-epoch share no user
row and no item row, so no parameter is touched by both threads and the result does not
depend on thread timing: a seed gives the same model every run. Inside a block, ratings are cut into
LIBMF-style tiles of items whose factor rows fit in L2, sorted by user within a tile,
and the tiles run in a fresh random order each epoch. On 3M synthetic ratings this ran
about 1.6x faster than user-grouped blocks with the same training RMSE, and on
ml-latest-small the test RMSE stayed within seed noise (0.8410 tiles, 0.8419 user-grouped,
with the earlier defaults).

After early stopping the parameters of the best validation epoch are kept rather than
retraining on all ratings: a retrain would double the time to add back 2% of the data
(the default val_fraction); on ml-latest-small, 2% held out instead of 5% gained 0.001
RMSE, so the remaining gain from refitting is too small to pay for a second run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from movietui.errors import ModelError
from movietui.model.hyper import EpochReport, Hyper
from movietui.model.lazy_kernels import kernels
from movietui.model.mf import MFModel

EpochCallback = Callable[[EpochReport], "bool | None"]


def train(
    user_keys,
    item_ids,
    ratings,
    hyper: Hyper | None = None,
    on_epoch: EpochCallback | None = None,
    all_item_ids: np.ndarray | None = None,
) -> MFModel:
    """Fit r = mu + b_u + b_i + p_u.q_i; on_epoch returning False stops (best epoch kept)."""
    hyper = (hyper if hyper is not None else Hyper()).validate()
    data = dense_ratings(user_keys, item_ids, ratings, all_item_ids)
    keys, ids, u, i, r = data.keys, data.ids, data.u, data.i, data.r
    n, n_users, n_items, k = r.size, keys.size, ids.size, hyper.factors

    rng = np.random.default_rng(hyper.seed)
    n_val = round(hyper.val_fraction * n) if n >= 2 else 0
    val = rng.choice(n, n_val, replace=False) if n_val else np.empty(0, np.int64)
    is_train = np.ones(n, dtype=bool)
    is_train[val] = False
    n_train = n - n_val
    vu, vi, vr = u[val], i[val], r[val]
    mu = float((r.sum(dtype=np.float64) - vr.sum(dtype=np.float64)) / n_train)
    all_user_counts = np.bincount(u, minlength=n_users)
    all_item_counts = np.bincount(i, minlength=n_items)
    user_counts = all_user_counts - np.bincount(vu, minlength=n_users)  # training ratings
    item_counts = all_item_counts - np.bincount(vi, minlength=n_items)

    helper = (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="movietui-sgd")
        if hyper.threads == 2
        else None
    )
    history: list[EpochReport] = []
    best: tuple[float, int, tuple[np.ndarray, ...] | None] = (
        np.inf,
        0,
        None,
    )  # (val rmse, epoch, copies of params)
    stopped_early = False
    started = time.perf_counter()
    try:
        user_key, item_key = np.random.SeedSequence([hyper.seed, 1]).generate_state(2, np.uint64)
        P = _initial_factors(user_key, n_users, k, hyper.init_std)
        Q = _initial_factors(item_key, n_items, k, hyper.init_std)
        run_epoch = _schedule(hyper, rng, (u, i, r, is_train), user_counts, item_counts, helper)
        bu = np.zeros(n_users, dtype=np.float32)
        bi = np.zeros(n_items, dtype=np.float32)
        params = (P, Q, bu, bi)
        for epoch in range(hyper.epochs):
            t0 = time.perf_counter()
            lr = hyper.lr * hyper.lr_decay**epoch
            sse = run_epoch(lr, (mu, *params))
            # An inf/NaN factor poisons the next epoch's errors, so checking the errors and the
            # (small) bias vectors each epoch catches divergence; factors are checked at the end.
            if not (
                np.isfinite(sse)
                and np.isfinite(bu.sum(dtype=np.float64))
                and np.isfinite(bi.sum(dtype=np.float64))
            ):
                raise _diverged(epoch + 1, hyper)
            val_rmse = None
            if n_val:
                val_rmse = float(
                    np.sqrt(kernels.squared_error(vu, vi, vr, mu, P, Q, bu, bi) / n_val)
                )
            seconds = time.perf_counter() - t0
            report = EpochReport(
                epoch + 1,
                hyper.epochs,
                float(np.sqrt(sse / n_train)),
                val_rmse,
                seconds,
                n_train / max(seconds, 1e-9),
            )
            history.append(report)
            if val_rmse is not None and val_rmse < best[0]:
                best = (val_rmse, epoch + 1, tuple(p.copy() for p in params))
            if on_epoch is not None and on_epoch(report) is False:
                stopped_early = True
                break
            if n_val and epoch + 1 - best[1] >= hyper.patience:
                stopped_early = True
                break
    finally:
        if helper is not None:
            helper.shutdown(wait=True)

    if not all(np.isfinite(p.sum(dtype=np.float64)) for p in params):
        raise _diverged(len(history), hyper)
    if best[2] is not None:
        P, Q, bu, bi = best[2]
    P, Q = np.ascontiguousarray(P[:, :k]), np.ascontiguousarray(Q[:, :k])
    # Rows that never saw a training rating predict the baseline: zero factors and bias.
    Q[item_counts == 0] = 0
    bi[item_counts == 0] = 0
    P[user_counts == 0] = 0
    bu[user_counts == 0] = 0
    metrics = fit_metrics(
        (n, n_train, n_val, n_users, n_items), best, history, stopped_early, started, hyper.threads
    )
    return MFModel(
        mu=mu,
        user_bias=bu,
        item_bias=bi,
        user_factors=P,
        item_factors=Q,
        user_keys=keys.astype(np.int64),
        item_ids=ids.astype(np.int64),
        hyper=hyper,
        history=history,
        metrics=metrics,
        item_counts=all_item_counts.astype(np.int32),
    )


def _initial_factors(key, n: int, k: int, std: float) -> np.ndarray:
    """Random factor rows with standard deviation std, zero-padded to a multiple of 32
    floats for training (see below), drawn by kernels.fill_uniform from key.

    Uniform on [-a, a) with a = std * sqrt(3), not normal: uniform draws are cheaper, and
    SGD forgets the shape of a small initial spread (over seeds 42, 1, 2, 3 the test RMSE
    on ml-latest-small was 0.8413 uniform vs 0.8415 normal at our defaults).

    The padding: LLVM's vectorised loops step 32 floats at a time and finish a remainder
    one float at a time, so at 100 factors the 4 trailing floats cost more than 28 zeros
    (37 -> 26 ns an update). The zeros stay zero (each step scales them and adds le * 0)
    and are cut off after training.
    """
    out = np.empty((n, -(-k // 32) * 32), dtype=np.float32)
    kernels.fill_uniform(out, k, key, np.float32(std * np.sqrt(3)))
    return out


def _diverged(epoch: int, hyper: Hyper) -> ModelError:
    return ModelError(
        f"training diverged at epoch {epoch} (NaN/inf in the model): learning rate "
        f"too high: try --lr {hyper.lr / 2:.3g}; the previous model stays in use"
    )


def _schedule(hyper, rng, data, user_counts, item_counts, helper):
    """A function (lr, (mu, P, Q, bu, bi)) -> epoch SSE running one epoch in the chosen
    schedule; data is (users, items, ratings, is_train) over all ratings."""
    if helper is None:
        users, items, ratings, is_train = data
        tu, ti, tr_r = users[is_train], items[is_train], ratings[is_train]
        one_per_segment = np.arange(tu.size + 1, dtype=np.int64)  # every rating its own segment

        def plain(lr, args):
            order = rng.permutation(tu.size)  # fully shuffled ratings
            return kernels.sgd_segments(
                order, one_per_segment, tu, ti, tr_r, *args, lr, hyper.reg, hyper.bias_reg
            )

        return plain
    return _BlockSchedule(hyper, rng, data, user_counts, item_counts, helper)


TILE_BYTES = 256 * 1024  # item-factor rows per tile: fits a 512 KiB L2 with room for P


class _BlockSchedule:
    """2x2 DSGD: two threads on diagonal blocks that share no rows (see module docstring).

    Each block is cut into tiles of items (Q rows fit in L2); inside a tile ratings are
    sorted by user, so P rows are read in address order. Tiles run in a fresh random order
    each epoch, and the rating order inside a user was randomised once.
    """

    def __init__(self, hyper, rng, data, user_counts, item_counts, helper):
        self.hyper, self.rng, self.helper = hyper, rng, helper
        n_users, n_items = user_counts.size, item_counts.size
        self.keep_users = n_users >= n_items
        user_half = _halves(rng, user_counts)
        item_half = _halves(rng, item_counts)
        rows_per_tile = max(64, TILE_BYTES // (4 * hyper.factors))
        # tile id of each item: items of each half, in index order, cut every rows_per_tile
        tile_of = np.empty(n_items, dtype=np.int64)
        for h in (0, 1):
            members = np.flatnonzero(item_half == h)
            tile_of[members] = np.arange(members.size) // rows_per_tile
        # The training ratings ordered by (block, tile, user) in O(n) compiled passes, each
        # user's run in a random order. Group g = block * n_tiles + tile.
        n_tiles = int(tile_of.max()) + 1 if n_items else 1
        user_group = user_half.astype(np.int64) * (2 * n_tiles)
        item_group = item_half.astype(np.int64) * n_tiles + tile_of
        jitter = rng.random(int(user_counts.sum()), dtype=np.float32)
        users, items, ratings, group_ptr = kernels.group_layout(
            *data, user_group, item_group, 4 * n_tiles, n_users, jitter
        )
        self.blocks = {}
        for a in (0, 1):
            for b in (0, 1):
                first = (2 * a + b) * n_tiles
                seg_ptr = group_ptr[first : first + n_tiles + 1]
                lo, hi = seg_ptr[0], seg_ptr[-1]
                self.blocks[a, b] = (seg_ptr - lo, users[lo:hi], items[lo:hi], ratings[lo:hi])

    def _run(self, order, block, lr, args):
        seg_ptr, users, items, ratings = block
        return kernels.sgd_segments(
            order, seg_ptr, users, items, ratings, *args, lr, self.hyper.reg, self.hyper.bias_reg
        )

    def __call__(self, lr: float, args) -> float:
        sse = 0.0
        for s in (0, 1):
            jobs = []
            for t in (0, 1):
                # Thread t keeps half t of the bigger matrix and the other matrix's halves
                # rotate, so the bigger rows stay in the caches of the core that updates
                # them: 4.6 s vs 5.3 s at 5M (32k users, 20k items) with users kept.
                rotating = (t + s) % 2
                block = self.blocks[t, rotating] if self.keep_users else self.blocks[rotating, t]
                order = self.rng.permutation(block[0].size - 1).astype(np.int64)
                jobs.append((order, block))
            # The calling thread runs one block itself: one hand-off per sub-epoch, not two.
            theirs = self.helper.submit(self._run, *jobs[1], lr, args)
            mine = self._run(*jobs[0], lr, args)
            sse += mine + theirs.result()  # summed in a fixed order: deterministic
        return sse


def _halves(rng, counts: np.ndarray) -> np.ndarray:
    """Assign each row to half 0 or 1, random but with about equal rating mass per half."""
    order = rng.permutation(counts.size)
    cum = np.cumsum(counts[order])
    half = np.zeros(counts.size, dtype=np.int8)
    if cum.size:
        half[order[cum > cum[-1] / 2]] = 1
    return half


def _dense_index(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique values, int32 index of each value): np.unique(return_inverse=True)
    in O(n) through a lookup table when the id range is compact, as MovieLens ids are."""
    if values.size == 0:
        return values.astype(np.int64), np.empty(0, np.int32)
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > 8 * values.size + 1_000_000:  # sparse ids: a table would waste memory
        uniq, index = np.unique(values, return_inverse=True)
        return uniq.astype(np.int64), index.astype(np.int32)
    present = np.zeros(hi - lo + 1, dtype=bool)
    present[values - lo] = True
    position = np.cumsum(present, dtype=np.int32) - 1
    return np.flatnonzero(present).astype(np.int64) + lo, position[values - lo]


def _ids(values, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        if (
            arr.ndim == 1
            and np.issubdtype(arr.dtype, np.floating)
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        ):
            return arr.astype(np.int64)
        raise ModelError(
            f"{name} must be a 1-D array of integer ids (got {arr.dtype}, "
            f"shape {arr.shape}): pass int ids"
        )
    return arr.astype(np.int64)


@dataclass(frozen=True)
class DenseRatings:
    """Checked ratings with dense rows: ``keys[u[j]]`` rated ``ids[i[j]]`` with ``r[j]`` stars."""

    keys: np.ndarray  # int64 user keys, sorted
    ids: np.ndarray  # int64 movie ids, sorted (every id of all_item_ids included)
    u: np.ndarray  # int32 user row of each rating
    i: np.ndarray  # int32 film row of each rating
    r: np.ndarray  # float32 stars


def dense_ratings(user_keys, item_ids, ratings, all_item_ids=None) -> DenseRatings:
    """The one way every model's fit turns (user, film, stars) into rows: checked (ModelError
    saying what is wrong), then indexed; ``all_item_ids`` gives rows to films nobody rated."""
    keys_raw, ids_raw, r = check_ratings(user_keys, item_ids, ratings)
    keys, u = _dense_index(keys_raw)
    ids, item_index = _dense_index(
        ids_raw
        if all_item_ids is None
        else np.concatenate([ids_raw, _ids(all_item_ids, "all_item_ids")])
    )
    return DenseRatings(keys, ids, u, item_index[: ids_raw.size], r)  # rated ids come first


def check_ratings(user_keys, item_ids, ratings):
    """Aligned (int64 keys, int64 ids, float32 ratings), or ModelError saying what is wrong."""
    keys = _ids(user_keys, "user_keys")
    ids = _ids(item_ids, "item_ids")
    r = np.asarray(ratings)
    if r.ndim != 1 or not (np.issubdtype(r.dtype, np.number) or r.size == 0) or r.dtype == bool:
        raise ModelError(f"ratings must be a 1-D numeric array (got {r.dtype}, shape {r.shape})")
    if not (keys.size == ids.size == r.size):
        raise ModelError(
            f"user_keys, item_ids and ratings differ in length "
            f"({keys.size}, {ids.size}, {r.size}): pass aligned arrays"
        )
    if r.size == 0:
        raise ModelError("no ratings to train on: import a catalog or rate some movies first")
    r = np.ascontiguousarray(r, dtype=np.float32)
    bad = ~np.isfinite(r)
    if bad.any():
        raise ModelError(
            f"ratings contain {int(bad.sum())} NaN/inf values (first at position "
            f"{int(np.argmax(bad))}): clean the input ratings"
        )
    return keys, ids, r


def fit_metrics(
    sizes: tuple[int, int, int, int, int],
    best: tuple,
    history: list,
    stopped_early: bool,
    started: float,
    threads: int,
) -> dict:
    """The metrics a fitted star model records (rating model and neural model alike):
    ``sizes`` = (ratings, train, validation, users, films); ``best`` = (val RMSE, epoch,
    parameters or None when no epoch validated)."""
    n, n_train, n_val, n_users, n_items = sizes
    validated = best[2] is not None
    return {
        "n_ratings": int(n),
        "n_train": int(n_train),
        "n_val": int(n_val),
        "n_users": int(n_users),
        "n_items": int(n_items),
        "best_epoch": int(best[1]) if validated else len(history),
        "epochs_run": len(history),
        "val_rmse": best[0] if validated else None,
        "stopped_early": stopped_early,
        "seconds": time.perf_counter() - started,
        "threads": threads,
    }
