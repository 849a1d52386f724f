"""The ranker: which films a person would pick, learned from who rated what (iALS).

Predicted stars answer "how much would you like it if you watched it"; a list ranked by
them favours films few people watched and those few loved. The ranker answers "would you
pick it": an implicit-feedback factor model (Hu, Koren and Volinsky 2008) trained on
every (user, film) that was rated, with the unrated films as weak zeros, solved by
alternating least squares with the Gramian trick and frequency-scaled regularisation
(Rendle et al. 2021, "Revisiting the performance of iALS"). The stars still matter: a
film rated low is "watched, disliked", so its target is pulled below a liked film's
(``signal``), and a film marked "not interested" is a confident zero.

A new rating moves only the profile's row (``fold_in``): the same few conjugate-gradient
steps that training runs for each user, warm-started from the current row, with the item
factors fixed. Training is deterministic per seed (rows are solved independently, so the
two-thread split does not change the result).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np

from movietui.errors import ModelError
from movietui.model import topn
from movietui.model.hyper import HyperRecord, _finite, _integer
from movietui.model.lazy_kernels import ranker_kernels
from movietui.model.mf import FactorModel, jsonable, saved_array
from movietui.model.train import dense_ratings

FORMAT = 1
FOLD_STEPS = 64  # CG steps at most for a profile's row
FOLD_TOL = 1e-5  # ... or until the residual is this small relative to the right-hand side
QUANTIZE_FROM = 50_000  # films from which scoring reads int8 item rows (RankerModel.scores)
VAL_USERS = 500  # users whose held-out watches score the per-epoch validation Recall@20
NOT_INTERESTED = -1.0  # the "rating" of a film marked not interested (see signal)
SEEN = 0.0  # the "rating" of a film marked seen with no stars


@dataclass(frozen=True)
class RankHyper(HyperRecord):
    """iALS hyperparameters.

    Defaults chosen with bench/tune_ranker.py on ml-latest-small without its test split:
    the 90% training part of the seed-42 split, split again 90/10 (seed 1), each user's row
    folded in as the app does, ranked by whole-catalog Recall@20 on the inner 10%. Of a
    72-point grid (factors 64-256, unobserved weight 0.03-0.3, reg 0.003-0.1, confidence
    0/1/3, dislike 0/0.5/1) and follow-ups, 192 factors, w0 0.1, reg 0.01, no star
    confidence and full dislike was best (0.327; 128 factors 0.322, 256 factors 0.327);
    more CG steps per sweep (8) gained 0.002 at 2.5x the time.
    """

    factors: int = 192
    epochs: int = 30  # an upper bound: early stopping on validation Recall@20
    unobserved_weight: float = 0.1  # w0: weight of the zero target on every unrated film
    reg: float = 0.01  # lam in lam * (n_row + w0 * n_other) ** reg_exponent
    reg_exponent: float = 1.0
    confidence: float = 0.0  # c = 1 + confidence * (r - 0.5) / 4.5: loved films count more
    dislike: float = 1.0  # target of a 0.5-star film is 1 - dislike (3.5 and up: 1)
    cg_steps: int = 3  # conjugate-gradient steps per row per sweep
    init_std: float = 0.1
    seed: int = 42
    val_fraction: float = 0.05  # of VAL_USERS users' ratings held out for validation Recall@20
    patience: int = 3
    threads: int = 2

    def validate(self) -> RankHyper:
        checks = [
            (
                _integer(self.factors) and 1 <= self.factors <= 1024,
                f"factors={self.factors!r} must be an integer in 1..1024",
            ),
            (
                _integer(self.epochs) and 1 <= self.epochs <= 1000,
                f"epochs={self.epochs!r} must be an integer in 1..1000",
            ),
            (
                _finite(self.unobserved_weight) and 0 < self.unobserved_weight <= 1,
                f"unobserved_weight={self.unobserved_weight!r} must be in (0, 1]",
            ),
            (_finite(self.reg) and 0 <= self.reg < 100, f"reg={self.reg!r} must be in [0, 100)"),
            (
                _finite(self.reg_exponent) and 0 <= self.reg_exponent <= 2,
                f"reg_exponent={self.reg_exponent!r} must be in [0, 2]",
            ),
            (
                _finite(self.confidence) and 0 <= self.confidence <= 100,
                f"confidence={self.confidence!r} must be in [0, 100]",
            ),
            (
                _finite(self.dislike) and 0 <= self.dislike <= 1,
                f"dislike={self.dislike!r} must be in [0, 1]",
            ),
            (
                _integer(self.cg_steps) and 1 <= self.cg_steps <= 64,
                f"cg_steps={self.cg_steps!r} must be an integer in 1..64",
            ),
            (
                _finite(self.init_std) and 0 < self.init_std <= 1,
                f"init_std={self.init_std!r} must be in (0, 1]",
            ),
            (
                _integer(self.seed) and 0 <= self.seed < 2**63,
                f"seed={self.seed!r} must be a non-negative integer",
            ),
            (
                _finite(self.val_fraction) and 0 <= self.val_fraction < 0.5,
                f"val_fraction={self.val_fraction!r} must be in [0, 0.5)",
            ),
            (
                _integer(self.patience) and self.patience >= 1,
                f"patience={self.patience!r} must be >= 1",
            ),
            (
                _integer(self.threads) and self.threads in (1, 2),
                f"threads={self.threads!r} must be 1 or 2",
            ),
        ]
        return self._require(checks, "bad ranker hyperparameter")


@dataclass
class RankEpochReport:
    epoch: int  # 1-based
    epochs: int  # planned total
    loss: float  # weighted squared loss per observed entry (training objective)
    val_recall: float | None  # Recall@20 of held-out watches (None without validation)
    seconds: float


def signal(ratings) -> tuple[np.ndarray, np.ndarray]:
    """(target, confidence) per observed entry, from stars (and the two no-star marks).

    Stars: target 1 from 3.5 up, falling linearly to 1 - dislike at 0.5 ("watched,
    disliked"); confidence 1 + confidence * (r - 0.5) / 4.5. SEEN (0): a watch, target 1,
    confidence 1. NOT_INTERESTED (-1): target 0 with the highest confidence.
    """
    return _signal(np.asarray(ratings, np.float32), RankHyper())


def _signal(r: np.ndarray, hyper: RankHyper) -> tuple[np.ndarray, np.ndarray]:
    stars = np.clip(r, 0.5, 5.0)
    target = 1.0 - hyper.dislike * np.clip((3.5 - stars) / 3.0, 0.0, 1.0)
    conf = 1.0 + hyper.confidence * (stars - 0.5) / 4.5
    seen = r == SEEN
    target[seen], conf[seen] = 1.0, 1.0
    hidden = r == NOT_INTERESTED
    target[hidden], conf[hidden] = 0.0, 1.0 + hyper.confidence
    return target.astype(np.float32), conf.astype(np.float32)


@dataclass(eq=False)
class RankerModel(FactorModel):
    user_factors: np.ndarray  # float32 (n_users, k)
    item_factors: np.ndarray  # float32 (n_items, k)
    user_keys: np.ndarray  # int64 (n_users,), ascending
    item_ids: np.ndarray  # int64 (n_items,), ascending
    hyper: RankHyper
    history: list[RankEpochReport] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    _gramian: np.ndarray | None = field(default=None, init=False, repr=False)
    _prior: np.ndarray | None = field(default=None, init=False, repr=False)
    _quantized: tuple[np.ndarray, np.ndarray] | None = field(default=None, init=False, repr=False)
    _unit_items: np.ndarray | None = field(default=None, init=False, repr=False)

    def gramian(self) -> np.ndarray:
        """Q^T Q, cached: the unrated films' share of every fold-in."""
        if self._gramian is None:
            q = self.item_factors.astype(np.float64)
            self._gramian = np.ascontiguousarray(q.T @ q, dtype=np.float32)
        return self._gramian

    def prior_row(self) -> np.ndarray:
        """The mean user row, cached: a new profile's fold-in is pulled toward it, not to 0.

        With a handful of ratings the row is "the average person, tilted toward what they
        rated", so the first picks are well-known films of that taste rather than noise.
        """
        if self._prior is None:
            mean = (
                self.user_factors.mean(axis=0) if self.user_factors.size else np.zeros(self.factors)
            )
            self._prior = np.ascontiguousarray(mean, dtype=np.float32)
        return self._prior

    def scores(self, row) -> np.ndarray:
        """How strongly the row would pick each film (a ranking score, not stars).

        From QUANTIZE_FROM films on, the pass reads int8 item rows with a scale per row
        (``quantized``): reading 87k x 192 float32 rows (67 MB) took ~5 ms a pass, the int8
        rows ~1.5 ms; the score moves by at most half a quantum per factor (see the test).
        """
        p = np.asarray(row, np.float32).reshape(-1)
        if p.shape != (self.factors,):
            raise ModelError(f"ranker row must have {self.factors} values, got {p.size}")
        if not np.all(np.isfinite(p)):
            p = np.zeros_like(p)
        out = np.empty(self.n_items, np.float32)
        if self.n_items >= QUANTIZE_FROM:
            q8, scale = self.quantized()
            ranker_kernels.score_int8(q8, scale, np.ascontiguousarray(p), out)
        else:
            np.einsum("ij,j->i", self.item_factors, p, out=out)
        return out

    def quantized(self) -> tuple[np.ndarray, np.ndarray]:
        """Item rows as int8 with one float32 scale per row (max |q| maps to 127), cached."""
        if self._quantized is None:
            top = np.abs(self.item_factors).max(axis=1)
            scale = np.where(top > 0, top / 127.0, 1.0).astype(np.float32)
            q8 = np.rint(self.item_factors / scale[:, None]).astype(np.int8)
            self._quantized = (np.ascontiguousarray(q8), scale)
        return self._quantized

    def fold_in(self, item_idx, ratings, start_row=None, steps: int = FOLD_STEPS) -> np.ndarray:
        """The profile's row for (item_idx, ratings), item factors fixed; ratings may hold
        SEEN / NOT_INTERESTED marks. Warm-started CG on the training objective."""
        idx = np.asarray(item_idx).reshape(-1)
        r = np.asarray(ratings, np.float32).reshape(-1)
        if idx.size != r.size:
            raise ModelError(f"item_idx and ratings differ in length ({idx.size}, {r.size})")
        idx = idx.astype(np.int64)
        keep = (idx >= 0) & (idx < self.n_items) & np.isfinite(r)
        idx, r = np.ascontiguousarray(idx[keep], np.int32), r[keep]
        k = self.factors
        row = np.zeros(k, np.float32)
        start = None if start_row is None else np.asarray(start_row, np.float32).reshape(-1)
        if start is not None and start.shape == (k,) and np.all(np.isfinite(start)):
            row[:] = start
        if idx.size == 0:
            return self.prior_row().copy()
        target, conf = _signal(r, self.hyper)
        h = self.hyper
        lam = h.reg * (idx.size + h.unobserved_weight * self.n_items) ** h.reg_exponent
        ranker_kernels.cg_row(
            self.gramian(),
            self.item_factors,
            idx,
            conf,
            target,
            np.float32(h.unobserved_weight),
            np.float32(lam),
            self.prior_row(),
            row,
            int(steps),
            np.float32(FOLD_TOL),
            np.empty((3, k), np.float32),
            np.empty(idx.size, np.float32),
        )
        return row if np.all(np.isfinite(row)) else np.zeros(k, np.float32)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        arrays: dict[str, np.ndarray] = {
            "user_factors": np.ascontiguousarray(self.user_factors, np.float32),
            "item_factors": np.ascontiguousarray(self.item_factors, np.float32),
            "user_keys": np.ascontiguousarray(self.user_keys, np.int64),
            "item_ids": np.ascontiguousarray(self.item_ids, np.int64),
        }
        meta = {
            "format": FORMAT,
            "kind": "ials-ranker",
            "hyper": self.hyper.to_dict(),
            "history": [jsonable(asdict(r)) for r in self.history],
            "metrics": jsonable(self.metrics),
        }
        return arrays, meta

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict) -> RankerModel:
        try:
            if int(meta.get("format", 0)) > FORMAT:
                raise ModelError(
                    f"saved ranker format {meta['format']} is newer than this movietui "
                    f"understands ({FORMAT}): upgrade movietui or retrain"
                )
            model = cls(
                user_factors=saved_array(arrays, "user_factors", np.float32),
                item_factors=saved_array(arrays, "item_factors", np.float32),
                user_keys=saved_array(arrays, "user_keys", np.int64),
                item_ids=saved_array(arrays, "item_ids", np.int64),
                hyper=RankHyper.from_dict(meta.get("hyper", {})),
                history=[RankEpochReport(**r) for r in meta.get("history", [])],
                metrics=dict(meta.get("metrics", {})),
            )
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"saved ranker is unreadable ({exc}): retrain the model") from exc
        ok = (
            model.user_factors.ndim == 2
            and model.item_factors.ndim == 2
            and model.user_factors.shape == (model.user_keys.size, model.factors)
            and model.item_factors.shape[0] == model.item_ids.size
        )
        if not ok:
            raise ModelError("saved ranker arrays have inconsistent shapes: retrain the model")
        return model


RankCallback = Callable[[RankEpochReport], "bool | None"]


def fit_ranker(
    user_keys,
    item_ids,
    ratings,
    hyper: RankHyper | None = None,
    on_epoch: RankCallback | None = None,
    all_item_ids=None,
) -> RankerModel:
    """Fit the iALS ranker on (user, film, stars); on_epoch returning False stops (best kept)."""
    hyper = (hyper if hyper is not None else RankHyper()).validate()
    data = dense_ratings(user_keys, item_ids, ratings, all_item_ids)
    keys, ids, u, i, r = data.keys, data.ids, data.u, data.i, data.r
    n_users, n_items, k = keys.size, ids.size, hyper.factors
    rng = np.random.default_rng(hyper.seed)

    val_rows = _validation_rows(rng, u, r, n_users, hyper.val_fraction)
    train_rows = np.ones(r.size, bool)
    train_rows[val_rows] = False
    target, conf = _signal(r[train_rows], hyper)
    by_user = _csr(u[train_rows], i[train_rows], target, conf, n_users)
    by_item = _csr(i[train_rows], u[train_rows], target, conf, n_items)

    scale = np.float32(hyper.init_std / math.sqrt(k))
    P = rng.standard_normal((n_users, k), dtype=np.float32) * scale
    Q = rng.standard_normal((n_items, k), dtype=np.float32) * scale
    w0, lam, lam_exp = (
        np.float32(hyper.unobserved_weight),
        np.float32(hyper.reg),
        np.float32(hyper.reg_exponent),
    )
    validator = (
        _Validator(u[val_rows], i[val_rows], r[val_rows], by_user, n_items)
        if val_rows.size
        else None
    )

    history: list[RankEpochReport] = []
    best = (-1.0, 0, P.copy(), Q.copy())
    pool = (
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="ranker")
        if hyper.threads == 2
        else None
    )
    try:
        for epoch in range(1, hyper.epochs + 1):
            started = time.perf_counter()
            for X, Y, csr, n_other in ((P, Q, by_user, n_items), (Q, P, by_item, n_users)):
                G = _gram(Y)
                _over_rows(
                    pool,
                    ranker_kernels.solve_rows,
                    csr,
                    X,
                    Y,
                    G,
                    w0,
                    lam,
                    lam_exp,
                    np.float32(n_other),
                    hyper.cg_steps,
                )
            if not (np.isfinite(P).all() and np.isfinite(Q).all()):
                raise ModelError(
                    f"ranker training diverged at epoch {epoch}: lower unobserved_weight "
                    f"or raise reg"
                )
            loss = _loss(pool, by_user, P, Q, w0) / max(by_user.nnz, 1)
            val = validator.recall(P, Q) if validator is not None else None
            report = RankEpochReport(
                epoch, hyper.epochs, float(loss), val, time.perf_counter() - started
            )
            history.append(report)
            score = val if val is not None else float(epoch)  # no validation: keep the last
            if score > best[0]:
                best = (score, epoch, P.copy(), Q.copy())
            stop = on_epoch is not None and on_epoch(report) is False
            if stop or (val is not None and epoch - best[1] >= hyper.patience):
                break
    finally:
        if pool is not None:
            pool.shutdown()
    _, best_epoch, P, Q = best
    metrics = {
        "best_epoch": best_epoch,
        "epochs_run": len(history),
        "n_ratings": int(r.size),
        "val_recall": None if validator is None else best[0],
        "stopped_early": len(history) < hyper.epochs,
    }
    return RankerModel(P, Q, keys, ids, hyper, history, metrics)


@dataclass
class _CSR:
    indptr: np.ndarray  # int64 (n_rows + 1,)
    indices: np.ndarray  # int32
    target: np.ndarray  # float32
    conf: np.ndarray  # float32

    @property
    def nnz(self) -> int:
        return int(self.indices.size)

    @property
    def n_rows(self) -> int:
        return int(self.indptr.size - 1)


def _csr(rows: np.ndarray, cols: np.ndarray, target, conf, n_rows: int) -> _CSR:
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return _CSR(
        indptr,
        np.ascontiguousarray(cols[order], np.int32),
        np.ascontiguousarray(target[order], np.float32),
        np.ascontiguousarray(conf[order], np.float32),
    )


def _gram(Y: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(Y.T @ Y, dtype=np.float32)


def _halves(csr: _CSR) -> list[tuple[int, int]]:
    """Two row ranges of about equal work (entries plus a fixed cost per row)."""
    work = csr.indptr + np.arange(csr.n_rows + 1) * 8
    mid = int(np.searchsorted(work, work[-1] / 2))
    return [(0, mid), (mid, csr.n_rows)]


def _over_rows(pool, kernel, csr: _CSR, *args) -> list:
    """kernel(lo, hi, CSR arrays, *args) over all rows: one call, or two halves of equal work
    on the pool's two threads. Returns each call's result."""
    arrays = (csr.indptr, csr.indices, csr.conf, csr.target)
    if pool is None:
        return [kernel(0, csr.n_rows, *arrays, *args)]
    jobs = [pool.submit(kernel, lo, hi, *arrays, *args) for lo, hi in _halves(csr)]
    return [job.result() for job in jobs]


def _loss(pool, csr: _CSR, P, Q, w0) -> float:
    """The weighted squared loss: observed part by kernel, unobserved by the Gramians."""
    observed = sum(_over_rows(pool, ranker_kernels.observed_loss, csr, P, Q, w0))
    everything = float(w0) * float(np.sum(_gram(P).astype(np.float64) * _gram(Q)))
    return observed + everything


def _validation_rows(rng, u, r, n_users: int, fraction: float) -> np.ndarray:
    """Rows held out for validation: a fraction of the liked ratings of up to VAL_USERS users."""
    if fraction <= 0 or r.size < 20:
        return np.empty(0, np.int64)
    users = rng.choice(n_users, size=min(VAL_USERS, n_users), replace=False)
    candidates = np.flatnonzero(np.isin(u, users))
    pick = rng.random(candidates.size) < fraction
    return np.sort(candidates[pick])


class _Validator:
    """Recall@20 of held-out liked watches, ranking every film the user has not rated
    (movietui.model.topn, the same protocol as `movietui eval`)."""

    def __init__(self, vu, vi, vr, train: _CSR, n_items: int) -> None:
        self.val = (vu, vi, vr)
        self.n_items = n_items
        # Only the validation users' training films need masking.
        users = np.unique(vu)
        counts = train.indptr[users + 1] - train.indptr[users]
        self.train_users = np.repeat(users, counts)
        self.train_items = np.concatenate(
            [train.indices[train.indptr[u] : train.indptr[u + 1]] for u in users]
        )

    def recall(self, P: np.ndarray, Q: np.ndarray) -> float | None:
        result = topn.evaluate_top_n(
            lambda rows: P[rows] @ Q.T, self.n_items, self.train_users, self.train_items, *self.val
        )
        return None if result.users == 0 else result.recall
