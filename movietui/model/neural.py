"""The neural rating model (CollabFNet from Yannet Interian's MovieLens notebook), beside MF.

Architecture (the notebook's, as the default):

    [user embedding (d) | item embedding (d)] -> ReLU -> Dropout(p) -> Linear(2d -> H)
        -> ReLU -> Linear(H -> 1)  (+ global mean, + user and item biases if ``biases``)

with d = 100, H = 10, p = 0.1, MSE loss, Adam with weight decay. The global mean is a fixed
offset (the output bias learns the rest), so training starts from the mean rating.

Training: mini-batches in a seeded random order each epoch, forward and backward passes
written by hand in numba (neural_kernels.py, checked against finite differences in the
tests), Adam (lazy for the embedding tables: only the rows a batch touched move),
validation RMSE each epoch and early stopping with the best epoch's parameters kept.
Each mini-batch is computed as two halves with separate gradient buffers summed in a fixed
order, so ``threads=2`` runs the halves on two cores and gives the same bits as 1 thread
(it does not pay at the default batch size; see NeuralHyper.threads).

Serving: the first layer splits into a user half and an item half, so the item half
C = relu(V) W1_item^T + b1 is computed once per model (n_items x H) and a profile's scores
over every film cost O(n_items * H); fold-in moves only the profile's row (and bias) by
gradient steps through the fixed network, pulled toward the mean user row.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from movietui.errors import ModelError
from movietui.model.foldin import FoldIn
from movietui.model.hyper import EpochReport, HyperRecord, _finite, _integer
from movietui.model.lazy_kernels import _LazyKernels
from movietui.model.mf import FactorModel, saved_array, star_model_meta
from movietui.model.train import dense_ratings, fit_metrics

neural_kernels = _LazyKernels("movietui.model.neural_kernels")

FORMAT = 1
KIND = "collab-fnet"
MAX_WIDTH = 1024
MAX_HIDDEN = 1024
MAX_BATCH = 1 << 20
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
# Fold-in: the row's prior (pseudo-ratings at the mean user row) and bias prior, as in
# foldin.py; gradient steps at most, and the relative objective change that ends them.
# 5 chosen on the cold-start curve (evaluate.py, seed 7) run on the 90% training part of
# ml-latest-small: RMSE at N = 1/3/5/10/20 revealed was 0.953/0.940/0.936/0.913/0.897 with
# 5, against 0.984/0.996/0.980/0.919/0.899 with 1 and 0.957/0.950/0.945/0.932/0.914 with 20.
FOLD_PRIOR = 5.0
FOLD_BIAS_PRIOR = 5.0
FOLD_STEPS = 60
FOLD_TOL = 1e-4

NeuralCallback = Callable[[EpochReport], "bool | None"]


@dataclass(frozen=True)
class NeuralHyper(HyperRecord):
    """Hyperparameters of CollabFNet.

    The architecture is the notebook's (width 100, hidden 10, dropout 0.1, no biases).
    Training defaults were chosen on ml-latest-small without touching its test split: the
    90% training part of the seed-42 split (evaluate.split) split again 90/10 with seed 1,
    each configuration fitted with seeds 42, 1 and 2, ranked by mean RMSE on that inner 10%
    (our MF: 0.8332 there). The notebook's weight decay 1e-6 with a constant lr 0.002: 0.8477
    (seed 42); weight decay 1e-5: 0.8440 +- 0.0022; plus lr 0.004 decayed 0.7 an epoch:
    0.8434 +- 0.0007 (biases 0.8425 +- 0.0007). No better: weight decay 3e-6, 3e-5, 1e-4;
    dropout 0.2, 0.3; batch 128, 512, 1024; lr 0.001-0.006; lr_decay 0.5, 0.8, 1; init_std
    0.02, 0.1, 0.2; val_fraction 0.05. A wider hidden layer helps a little (with biases:
    hidden 20 0.8402 +- 0.0009, 32 0.8408, 64 0.8432) but is not the notebook's model.
    """

    factors: int = 100  # embedding width d of users and items
    hidden: int = 10  # H: units of the hidden layer
    dropout: float = 0.1  # on the concatenated embeddings, after the ReLU
    weight_decay: float = 1e-5  # L2 added to every gradient (PyTorch Adam's weight_decay)
    lr: float = 0.004  # Adam step size at the first epoch
    lr_decay: float = 0.7  # lr at epoch e (0-based) is lr * lr_decay**e
    batch_size: int = 256
    epochs: int = 40  # an upper bound: early stopping ends ml-latest-small near 7
    patience: int = 3  # epochs without a validation improvement before stopping
    val_fraction: float = 0.02  # held out for val RMSE and early stopping; 0 = none
    biases: bool = False  # user and item bias terms beside the network
    init_std: float = 0.05  # embeddings: uniform on [0, init_std * sqrt(12)) (mean > 0: ReLU)
    seed: int = 42
    # 1 or 2: two halves of each mini-batch (and the Adam step's users / films) on two
    # cores, same bits. 1 by default: measured on the shared 2-core machine (bench section
    # 3), two threads were slower (0.68x at batch 256, 0.93x at 1024): a half-batch is
    # ~0.2 ms of work, less than the two thread hand-offs a batch costs.
    threads: int = 1

    def validate(self) -> NeuralHyper:
        """Return self, or raise ModelError naming the first absurd value."""
        checks = [
            (
                _integer(self.factors) and 1 <= self.factors <= MAX_WIDTH,
                f"factors={self.factors!r} (embedding width) must be an integer in "
                f"1..{MAX_WIDTH}: try 100",
            ),
            (
                _integer(self.hidden) and 1 <= self.hidden <= MAX_HIDDEN,
                f"hidden={self.hidden!r} must be an integer in 1..{MAX_HIDDEN}: try 10",
            ),
            (
                _finite(self.dropout) and 0 <= self.dropout < 0.9,
                f"dropout={self.dropout!r} must be in [0, 0.9): try 0.1",
            ),
            (
                _finite(self.weight_decay) and 0 <= self.weight_decay < 1,
                f"weight_decay={self.weight_decay!r} must be in [0, 1): try 1e-5",
            ),
            (
                _finite(self.lr) and 0 < self.lr <= 1,
                f"lr={self.lr!r} must be in (0, 1]: try 0.004",
            ),
            (
                _finite(self.lr_decay) and 0 < self.lr_decay <= 1,
                f"lr_decay={self.lr_decay!r} must be in (0, 1]: try 0.7",
            ),
            (
                _integer(self.batch_size) and 1 <= self.batch_size <= MAX_BATCH,
                f"batch_size={self.batch_size!r} must be an integer in 1..{MAX_BATCH}: try 256",
            ),
            (
                _integer(self.epochs) and 1 <= self.epochs <= 100_000,
                f"epochs={self.epochs!r} must be an integer in 1..100000: try 40",
            ),
            (
                _integer(self.patience) and self.patience >= 1,
                f"patience={self.patience!r} must be an integer >= 1: try 3",
            ),
            (
                _finite(self.val_fraction) and 0 <= self.val_fraction < 0.5,
                f"val_fraction={self.val_fraction!r} must be in [0, 0.5): try 0.02",
            ),
            (
                isinstance(self.biases, (bool, np.bool_)),
                f"biases={self.biases!r} must be true or false",
            ),
            (
                _finite(self.init_std) and 0 < self.init_std <= 1,
                f"init_std={self.init_std!r} must be in (0, 1]: try 0.05",
            ),
            (
                _integer(self.seed) and 0 <= self.seed < 2**63,
                f"seed={self.seed!r} must be a non-negative integer",
            ),
            (
                _integer(self.threads) and self.threads in (1, 2),
                f"threads={self.threads!r} must be 1 or 2",
            ),
        ]
        return self._require(checks, "bad neural hyperparameter")


_ARRAYS = {
    "user_factors": np.float32,
    "item_factors": np.float32,
    "user_bias": np.float32,
    "item_bias": np.float32,
    "W1": np.float32,
    "b1": np.float32,
    "w2": np.float32,
    "out_bias": np.float32,
    "user_keys": np.int64,
    "item_ids": np.int64,
    "item_counts": np.int32,
}


@dataclass(eq=False)
class NeuralModel(FactorModel):
    """A trained CollabFNet. ``item_factors`` are the item embeddings (FactorModel's id maps
    and cosine helpers work on them); the user embedding of a profile is its ``row``."""

    mu: float
    user_factors: np.ndarray  # float32 (n_users, d)
    item_factors: np.ndarray  # float32 (n_items, d)
    user_bias: np.ndarray  # float32 (n_users,), zeros without biases
    item_bias: np.ndarray  # float32 (n_items,), zeros without biases
    W1: np.ndarray  # float32 (H, 2d): columns :d see the user, d: the item
    b1: np.ndarray  # float32 (H,)
    w2: np.ndarray  # float32 (H,)
    out_bias: float
    user_keys: np.ndarray  # int64 (n_users,), ascending
    item_ids: np.ndarray  # int64 (n_items,), ascending
    hyper: NeuralHyper
    history: list[EpochReport] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    item_counts: np.ndarray | None = None  # int32 (n_items,) ratings per item (train + val)
    _item_half: np.ndarray | None = field(default=None, init=False, repr=False)
    _prior: np.ndarray | None = field(default=None, init=False, repr=False)
    _kernel_tables: tuple[np.ndarray, np.ndarray] | None = field(
        default=None, init=False, repr=False
    )
    _unit_items: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def n_users(self) -> int:
        return int(self.user_keys.shape[0])

    @property
    def hidden(self) -> int:
        return int(self.W1.shape[0])

    def counts(self) -> np.ndarray:
        if self.item_counts is None:
            return np.zeros(self.n_items, dtype=np.int32)
        return self.item_counts

    # ------------------------------------------------------------------ serving
    def item_half(self) -> np.ndarray:
        """C = relu(V) W1_item^T + b1, float32 (n_items, H), cached: the item half of the
        first layer, fixed for every profile."""
        if self._item_half is None:
            d = self.factors
            v = np.maximum(self.item_factors, 0)
            c = v @ self.W1[:, d:].T
            c += self.b1
            self._item_half = np.ascontiguousarray(c, dtype=np.float32)
        return self._item_half

    def prior_row(self) -> np.ndarray:
        """The mean user row, cached: a new profile starts here and fold-in pulls toward it."""
        if self._prior is None:
            mean = (
                self.user_factors.mean(axis=0)
                if self.user_factors.shape[0]
                else np.zeros(self.factors)
            )
            self._prior = np.ascontiguousarray(mean, dtype=np.float32)
        return self._prior

    def _row(self, row) -> np.ndarray:
        if row is None:
            return self.prior_row()
        p = np.asarray(row, np.float32).reshape(-1)
        if p.shape != (self.factors,):
            raise ModelError(f"neural row must have {self.factors} values, got {p.size}")
        if not np.all(np.isfinite(p)):
            return self.prior_row()  # a corrupt row degrades to the mean user, never to NaN
        return p

    def scores(self, row=None, bias: float | None = 0.0) -> np.ndarray:
        """Predicted stars (clipped 0.5..5) of every film for a profile's row and bias;
        row None = a profile with no ratings (the mean user). O(n_items * hidden)."""
        p = self._row(row)
        b = float(bias) if bias is not None and np.isfinite(bias) and self.hyper.biases else 0.0
        cu = (self.W1[:, : self.factors] @ np.maximum(p, 0)).astype(np.float32)
        out = np.empty(self.n_items, np.float32)
        # one compiled pass (C + cu, ReLU, dot with w2, clip): 87k films in well under a ms,
        # where the same in numpy made four 87k x H temporaries
        neural_kernels.score_items(
            self.item_half(),
            cu,
            self.w2,
            self.item_bias,
            np.float32(self.mu + self.out_bias + b),
            out,
        )
        return out

    def predict(self, user_keys, item_ids) -> np.ndarray:
        """Clipped predictions for (user key, movie id) pairs; an unknown user is the mean
        user, an unknown film the mean film (bias 0)."""
        u = self.user_index(user_keys)
        i = self.item_index(item_ids)
        if u.size != i.size:
            raise ModelError(f"user_keys and item_ids differ in length ({u.size}, {i.size})")
        if self._kernel_tables is None:  # cached: a copy of both embedding tables
            self._kernel_tables = self._tables(extra_user=True, extra_item=True)
        E, theta = self._kernel_tables
        urow = np.where(u >= 0, u, self.n_users).astype(np.int64)
        irow = np.where(i >= 0, i, self.n_items).astype(np.int64) + self.n_users + 1
        out = np.empty(u.size, np.float32)
        neural_kernels.predict_rows(
            urow,
            irow,
            E,
            theta,
            self.hidden,
            np.float32(self.mu),
            bool(self.hyper.biases),
            True,
            out,
        )
        return out

    def _tables(self, extra_user=False, extra_item=False) -> tuple[np.ndarray, np.ndarray]:
        """The kernels' layout (E, theta); optional mean rows appended after users / items."""
        users = [self.user_factors]
        ubias = [self.user_bias]
        items = [self.item_factors]
        ibias = [self.item_bias]
        if extra_user:
            users.append(self.prior_row()[None, :])
            ubias.append(np.zeros(1, np.float32))
        if extra_item:
            mean_item = self.item_factors.mean(axis=0) if self.n_items else np.zeros(self.factors)
            items.append(np.asarray(mean_item, np.float32)[None, :])
            ibias.append(np.zeros(1, np.float32))
        emb = np.concatenate(users + items).astype(np.float32)
        bias = np.concatenate(ubias + ibias).astype(np.float32)
        E = np.ascontiguousarray(np.concatenate([emb, bias[:, None]], axis=1))
        theta = _pack(self.W1, self.b1, self.w2, self.out_bias)
        return E, theta

    # ------------------------------------------------------------------ fold-in
    def fold_in(
        self,
        item_idx,
        ratings,
        start_row=None,
        start_bias: float | None = None,
        steps: int = FOLD_STEPS,
    ) -> FoldIn:
        """The profile's row and bias for (item_idx, ratings), the network fixed.

        Gradient steps on sum_j (y_j - r_j)^2 + FOLD_PRIOR |row - mean row|^2
        (+ FOLD_BIAS_PRIOR b^2), warm-started from (start_row, start_bias), each step kept
        only if the objective falls. loss_before / loss_after: RMSE on the profile's ratings.
        A profile with no known ratings gets the mean user row and bias 0.
        """
        items, r = self._clean(item_idx, ratings)
        p = self._row(start_row).copy()
        b = 0.0
        if self.hyper.biases and start_bias is not None and np.isfinite(start_bias):
            b = float(start_bias)
        if items.size == 0:
            return FoldIn(self.prior_row().copy(), 0.0, 0.0, 0.0, 0)
        b, sse0, sse1, used = neural_kernels.fold_in_row(
            items,
            r,
            self.item_half(),
            self.item_bias,
            np.ascontiguousarray(self.W1[:, : self.factors]),
            self.w2,
            np.float32(self.mu + self.out_bias),
            p,
            np.float32(b),
            self.prior_row(),
            np.float32(FOLD_PRIOR),
            np.float32(FOLD_BIAS_PRIOR if self.hyper.biases else 0.0),
            bool(self.hyper.biases),
            int(steps),
            float(FOLD_TOL),
        )
        if not (np.isfinite(b) and np.all(np.isfinite(p))):  # never ship NaN
            return FoldIn(self.prior_row().copy(), 0.0, math.nan, math.nan, 0)
        n = items.size
        return FoldIn(p, float(b), float(np.sqrt(sse0 / n)), float(np.sqrt(sse1 / n)), int(used))

    def _clean(self, item_idx, ratings) -> tuple[np.ndarray, np.ndarray]:
        items = np.asarray(item_idx).reshape(-1)
        r = np.asarray(ratings, dtype=np.float64).reshape(-1)
        if items.size != r.size:
            raise ModelError(f"item_idx and ratings differ in length ({items.size}, {r.size})")
        if items.size and not np.issubdtype(items.dtype, np.integer):
            raise ModelError("item_idx must be integer model rows (use NeuralModel.item_index)")
        if not np.all(np.isfinite(r)):
            raise ModelError("profile ratings contain NaN/inf: fix the stored ratings")
        items = items.astype(np.int64)
        if np.any(items >= self.n_items):
            raise ModelError(f"item index out of range (model has {self.n_items} items): retrain")
        keep = items >= 0
        return (
            np.ascontiguousarray(items[keep], dtype=np.int64),
            np.ascontiguousarray(r[keep], dtype=np.float32),
        )

    # ------------------------------------------------------------------ store
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """Contiguous arrays plus JSON-able meta (kind "collab-fnet"), for Store.save_model."""
        arrays = {
            name: np.ascontiguousarray(
                self.counts()
                if name == "item_counts"
                else np.array([self.out_bias])
                if name == "out_bias"
                else getattr(self, name),
                dtype=dtype,
            )
            for name, dtype in _ARRAYS.items()
        }
        return arrays, {**star_model_meta(self, FORMAT, KIND), "hidden": self.hidden}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict) -> NeuralModel:
        """Rebuild a saved model; a missing, inconsistent or non-finite piece -> ModelError."""
        try:
            if meta.get("kind") != KIND:
                raise ModelError(
                    f"saved model is a {meta.get('kind')!r}, not a neural model: load it as such"
                )
            if int(meta.get("format", 0)) > FORMAT:
                raise ModelError(
                    f"saved neural model format {meta['format']} is newer than this movietui "
                    f"understands ({FORMAT}): upgrade movietui or retrain"
                )
            parts = {}
            for name, dtype in _ARRAYS.items():
                if name not in arrays:
                    raise ModelError(f"saved neural model lacks array {name!r}: retrain it")
                parts[name] = saved_array(arrays, name, dtype)
            out_bias = parts.pop("out_bias")
            if out_bias.shape != (1,):
                raise ModelError("saved neural model has a bad output bias: retrain it")
            model = cls(
                mu=float(meta["mu"]),
                out_bias=float(out_bias[0]),
                hyper=NeuralHyper.from_dict(meta.get("hyper", {})).validate(),
                history=[EpochReport(**r) for r in meta.get("history", [])],
                metrics=dict(meta.get("metrics", {})),
                **parts,
            )
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"saved neural model is unreadable ({exc}): retrain it") from exc
        model._check()
        return model

    def _check(self) -> None:
        nu, ni = self.n_users, self.n_items
        d = self.item_factors.shape[1] if self.item_factors.ndim == 2 else -1
        h = self.W1.shape[0] if self.W1.ndim == 2 else -1
        ok = (
            self.user_factors.shape == (nu, d)
            and self.item_factors.shape == (ni, d)
            and self.user_bias.shape == (nu,)
            and self.item_bias.shape == (ni,)
            and self.W1.shape == (h, 2 * d)
            and self.b1.shape == (h,)
            and self.w2.shape == (h,)
            and (self.item_counts is None or self.item_counts.shape == (ni,))
            and d == self.hyper.factors
            and h == self.hyper.hidden
        )
        if not ok:
            raise ModelError("saved neural model arrays have inconsistent shapes: retrain it")
        finite = math.isfinite(self.mu) and math.isfinite(self.out_bias)
        for a in (self.user_factors, self.item_factors, self.user_bias, self.item_bias):
            finite = finite and bool(np.isfinite(a).all())
        for a in (self.W1, self.b1, self.w2):
            finite = finite and bool(np.isfinite(a).all())
        if not finite:
            raise ModelError("saved neural model holds NaN/inf values: retrain it")


def _pack(W1, b1, w2, out_bias) -> np.ndarray:
    return np.ascontiguousarray(
        np.concatenate([W1.ravel(), b1, w2, np.array([out_bias], np.float32)]), dtype=np.float32
    )


def _unpack(theta: np.ndarray, h: int, d: int):
    n = h * 2 * d
    return (
        theta[:n].reshape(h, 2 * d).copy(),
        theta[n : n + h].copy(),
        theta[n + h : n + 2 * h].copy(),
        float(theta[n + 2 * h]),
    )


# ---------------------------------------------------------------------- training
def fit_neural(
    user_keys,
    item_ids,
    ratings,
    hyper: NeuralHyper | None = None,
    on_epoch: NeuralCallback | None = None,
    all_item_ids=None,
) -> NeuralModel:
    """Fit CollabFNet on (user key, movie id, stars); on_epoch returning False stops (the
    best validation epoch is kept). NaN/inf -> ModelError naming the fix; nothing is
    returned then, so the caller's previous model stays in use."""
    hyper = (hyper if hyper is not None else NeuralHyper()).validate()
    data = dense_ratings(user_keys, item_ids, ratings, all_item_ids)
    keys, ids, u, i, r = data.keys, data.ids, data.u, data.i, data.r
    n, n_users, n_items = r.size, keys.size, ids.size
    d, H = hyper.factors, hyper.hidden
    _check_size(n_users, n_items, d, H)

    rng = np.random.default_rng(hyper.seed)
    n_val = round(hyper.val_fraction * n) if n >= 2 else 0
    val = rng.choice(n, n_val, replace=False) if n_val else np.empty(0, np.int64)
    is_train = np.ones(n, dtype=bool)
    is_train[val] = False
    tr = np.flatnonzero(is_train)
    n_train = tr.size
    mu = float(r[tr].mean(dtype=np.float64))
    urow = u.astype(np.int64)
    irow = i.astype(np.int64) + n_users

    # parameters: embeddings uniform on [0, a) (mean a / 2 = init_std * sqrt(3): ReLU-alive);
    # dense layers as PyTorch's nn.Linear default, uniform on +-1/sqrt(fan_in)
    a = hyper.init_std * math.sqrt(12.0)
    E = np.zeros((n_users + n_items, d + 1), np.float32)
    E[:, :d] = rng.uniform(0.0, a, (n_users + n_items, d)).astype(np.float32)
    lim1, lim2 = 1.0 / math.sqrt(2 * d), 1.0 / math.sqrt(H)
    W1 = rng.uniform(-lim1, lim1, (H, 2 * d)).astype(np.float32)
    b1 = rng.uniform(-lim1, lim1, H).astype(np.float32)
    w2 = rng.uniform(-lim2, lim2, H).astype(np.float32)
    theta = _pack(W1, b1, w2, 0.0)
    mE, vE = np.zeros_like(E), np.zeros_like(E)
    m_theta, v_theta = np.zeros_like(theta), np.zeros_like(theta)

    B = min(hyper.batch_size, n_train)
    gX = np.zeros((B, 2, d + 1), np.float32)
    g_halves = np.zeros((2, theta.size), np.float32)
    stamp_of = np.full(n_users + n_items, -1, np.int64)
    slot_of = np.zeros(n_users + n_items, np.int64)
    touched = np.zeros((2, B), np.int64)  # per side (users, films): rows the batch touched
    acc = np.zeros((2, B, d + 1), np.float32)
    key = int(np.random.SeedSequence([hyper.seed, 13]).generate_state(1, np.uint64)[0])
    key_u64 = np.uint64(key)
    mu32 = np.float32(mu)
    drop = float(hyper.dropout)
    use_bias = bool(hyper.biases)
    beta1, beta2 = ADAM_BETAS

    helper = (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="movietui-neural")
        if hyper.threads == 2
        else None
    )
    history: list[EpochReport] = []
    best: tuple[float, int, tuple | None] = (math.inf, 0, None)
    stopped_early = False
    started = time.perf_counter()
    step = 0
    val_u, val_i, val_r = urow[val], irow[val], r[val]
    val_pred = np.empty(n_val, np.float32)
    try:
        for epoch in range(hyper.epochs):
            t0 = time.perf_counter()
            order = tr[rng.permutation(n_train)].astype(np.int64)
            sse = 0.0
            lr = hyper.lr * hyper.lr_decay**epoch
            for lo in range(0, n_train, B):
                hi = min(lo + B, n_train)
                mid = lo + (hi - lo + 1) // 2
                scale = 2.0 / (hi - lo)
                args = (urow, irow, r, E, theta, H, mu32, use_bias, drop, key_u64, epoch * n_train)
                if helper is not None and hi - mid > 0:
                    theirs = helper.submit(_half, order, mid, hi, lo, args, scale, gX, g_halves[1])
                    sse_a = _half(order, lo, mid, lo, args, scale, gX, g_halves[0])
                    sse_b = theirs.result()
                else:
                    sse_a = _half(order, lo, mid, lo, args, scale, gX, g_halves[0])
                    sse_b = _half(order, mid, hi, lo, args, scale, gX, g_halves[1])
                sse += sse_a + sse_b
                step += 1
                state = (order, lo, hi, urow, irow, gX, g_halves, E, mE, vE, theta, m_theta,
                         v_theta, stamp_of, slot_of, touched, acc, step, lr, beta1, beta2,
                         ADAM_EPS, hyper.weight_decay, step)  # fmt: skip
                if helper is not None:
                    # users on the helper, films and the dense layers here: disjoint rows
                    users_done = helper.submit(_apply, state, 0, 1, False)
                    _apply(state, 1, 2, True)
                    users_done.result()
                else:
                    _apply(state, 0, 2, True)
            if not (np.isfinite(sse) and np.isfinite(theta).all()):
                raise _diverged(epoch + 1, hyper)
            val_rmse = None
            if n_val:
                neural_kernels.predict_rows(
                    val_u, val_i, E, theta, H, mu32, use_bias, True, val_pred
                )
                val_rmse = float(np.sqrt(np.mean((val_pred - val_r).astype(np.float64) ** 2)))
                if not math.isfinite(val_rmse):
                    raise _diverged(epoch + 1, hyper)
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
                best = (val_rmse, epoch + 1, (E.copy(), theta.copy()))
            if on_epoch is not None and on_epoch(report) is False:
                stopped_early = True
                break
            if n_val and epoch + 1 - best[1] >= hyper.patience:
                stopped_early = True
                break
    finally:
        if helper is not None:
            helper.shutdown(wait=True)

    if best[2] is not None:
        E, theta = best[2]
    if not (np.isfinite(E).all() and np.isfinite(theta).all()):
        raise _diverged(len(history), hyper)
    user_counts = np.bincount(u[tr], minlength=n_users)
    item_counts_train = np.bincount(i[tr], minlength=n_items)
    P = np.ascontiguousarray(E[:n_users, :d])
    Q = np.ascontiguousarray(E[n_users:, :d])
    bu = np.ascontiguousarray(E[:n_users, d]) if use_bias else np.zeros(n_users, np.float32)
    bi = np.ascontiguousarray(E[n_users:, d]) if use_bias else np.zeros(n_items, np.float32)
    # Rows that never saw a training rating hold their random start: they become the mean
    # row of those that did, with bias 0 (a new user / unseen film is "average").
    seen_u, seen_i = user_counts > 0, item_counts_train > 0
    if seen_u.any():
        P[~seen_u] = P[seen_u].mean(axis=0)
    if seen_i.any():
        Q[~seen_i] = Q[seen_i].mean(axis=0)
    bu[~seen_u] = 0
    bi[~seen_i] = 0
    W1, b1, w2, b2 = _unpack(theta, H, d)
    metrics = fit_metrics(
        (n, n_train, n_val, n_users, n_items), best, history, stopped_early, started, hyper.threads
    )
    return NeuralModel(
        mu=mu,
        user_factors=P,
        item_factors=Q,
        user_bias=bu,
        item_bias=bi,
        W1=W1,
        b1=b1,
        w2=w2,
        out_bias=b2,
        user_keys=keys.astype(np.int64),
        item_ids=ids.astype(np.int64),
        hyper=hyper,
        history=history,
        metrics=metrics,
        item_counts=np.bincount(i, minlength=n_items).astype(np.int32),
    )


def _half(order, lo: int, hi: int, batch_lo: int, args: tuple, scale: float, gX, out) -> float:
    """Forward and backward of order[lo:hi] (one half of a mini-batch), GIL released."""
    return float(neural_kernels.grad_half(order, lo, hi, batch_lo, *args, scale, gX, out))


def _apply(state: tuple, side_lo: int, side_hi: int, dense: bool) -> None:
    """The Adam step for the embedding rows of the given sides (and the dense layers)."""
    neural_kernels.apply_step(*state, side_lo, side_hi, dense)


MAX_PARAMS = 2_000_000_000 // 16  # E plus Adam's two moments and the copy of the best: ~2 GB


def _check_size(n_users: int, n_items: int, d: int, h: int) -> None:
    n_params = (n_users + n_items) * (d + 1) + h * (2 * d + 2) + 1
    if n_params > MAX_PARAMS:
        raise ModelError(
            f"a neural model of width {d} over {n_users:,} users and {n_items:,} films "
            f"needs {n_params * 16 / 1e9:.1f} GB: lower factors (try 100)"
        )


def _diverged(epoch: int, hyper: NeuralHyper) -> ModelError:
    return ModelError(
        f"neural training diverged at epoch {epoch} (NaN/inf in the model): learning rate "
        f"too high: try lr {hyper.lr / 4:.3g}; the previous model stays in use"
    )


def is_neural(meta: dict) -> bool:
    """Whether saved meta belongs to a neural model (the store holds both kinds)."""
    return isinstance(meta, dict) and meta.get("kind") == KIND


__all__ = [
    "KIND",
    "NeuralHyper",
    "NeuralModel",
    "fit_neural",
    "is_neural",
]
