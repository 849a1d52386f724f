"""Offline evaluation: baselines vs the model on a fixed split, top-N over the whole catalog, cold start.

Protocol (deterministic for a seed):
- Split: a random 90/10 split of all ratings (numpy default_rng(seed).permutation; the
  first 10% are the test set). Every movie id is passed as ``all_item_ids`` so movies
  whose ratings all fell in the test set predict their baseline.
- Accuracy: RMSE and MAE of clipped predictions for the global mean, the damped bias
  baseline (b_u = sum(r - mu - b_i)/(n_u + 15), b_i = sum(r - mu - b_u)/(n_i + 10),
  alternated 10 times, as Surprise's BaselineOnly) and the model.
- Re-ranking: each test user's test items ranked by prediction; precision@10 (relevant =
  true rating >= 4, divided by min(10, items)) and NDCG@10 (gain = true rating), averaged
  over users with at least 2 test ratings. See metrics.py. This only re-orders films the
  user did rate, so it says little about the list a person is served; hence:
- Top-N over the whole catalog (topn.py): every film a user did not rate in train is
  ranked, relevant = test ratings >= 4; Recall@20, NDCG@20, HR@10, catalog coverage and
  the median train rating count of the films shown, for most popular (train counts),
  predicted stars (the rating model's clipped predictions), the ranker and the served
  score (blend.py: what "For you" ranks by). The ranker is fitted on the same 90%; each
  user's ranker row is then folded in from their training ratings, as the app folds a
  profile's, so "served" is the score the app would show that user.
- Cold start: 20% of users (seeded) are held out and the model is trained on the rest.
  Each held-out user with at least max(N)+5 ratings has the ratings shuffled once; the
  first N are revealed, and every method is scored on the ratings after position max(N),
  so all points of the curve use the same users and the same evaluation ratings. Methods:
  the bias baseline (user bias damped from the N revealed ratings), SGD fold-in, exact
  least-squares fold-in, and a full retrain on the rest plus every user's N revealed.
- Cold start in ranking terms, same users and shuffles: the N revealed films are masked
  and every other film is ranked; relevant = the evaluation ratings (after position
  max(N)) >= 4. Films at positions N..max(N) are neither shown nor scored, so every N is
  judged on the same relevant films. Methods: most popular (counts of the 80%), predicted
  stars (SGD fold-in), the ranker's fold-in, the served score of both fold-ins, and a full
  retrain of both models (served score; the ranker retrained for the epochs its 80% fit
  chose by validation).
- The neural model (neural.py, ``models`` containing "neural"): fitted on the same 90%,
  its accuracy row "neural", its whole-catalog row "neural stars" (each user's trained
  row), and on the same cold-start users and evaluation ratings "neural fold-in" (RMSE,
  NDCG@10) and "neural stars" in the ranking curve, from a fit on the same 80% of users.
  With ``models=("neural",)`` the rating model, ranker and served rows are skipped; the
  baselines (global mean, bias baseline, most popular) are always there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from movietui.errors import ModelError
from movietui.model import metrics, topn
from movietui.model.blend import OBSCURE_BELOW, served_scores
from movietui.model.foldin import fold_in, fold_in_exact
from movietui.model.hyper import Hyper
from movietui.model.mf import MFModel, jsonable
from movietui.model.neural import NeuralHyper, NeuralModel, fit_neural
from movietui.model.ranker import RankerModel, RankHyper, fit_ranker
from movietui.model.serve import predict, scores
from movietui.model.train import check_ratings, train

Scorer = Callable[[np.ndarray], np.ndarray]  # user rows -> scores over every item

COLD_NS = (1, 3, 5, 10, 20)
COLD_USERS = 0.2
ITEM_DAMPING = 10.0  # Surprise BaselineOnly's ALS defaults (reg_i=10, reg_u=15, 10 passes)
USER_DAMPING = 15.0
K = 10
MODELS = ("mf", "neural")  # what ``evaluate(models=...)`` accepts

EvalProgress = Callable[[str, int, int], None]  # (what is running, steps done, total steps)


@dataclass
class EvalReport:
    seed: int
    n_train: int
    n_test: int
    accuracy: dict[str, dict[str, float]]  # method -> rmse, mae, precision@10, ndcg@10
    cold_start: list[dict] = field(default_factory=list)  # n, method, rmse, ndcg@10, users, ratings
    hyper: dict = field(default_factory=dict)
    model_metrics: dict = field(default_factory=dict)
    seconds: float = 0.0
    # top-N over the whole catalog: method -> recall@20, ndcg@20, hr@10, coverage, median_count, users
    ranking: dict[str, dict[str, float]] = field(default_factory=dict)
    # n, method, recall@20, ndcg@20, hr@10, coverage, median_count, users
    cold_ranking: list[dict] = field(default_factory=list)
    rank_hyper: dict = field(default_factory=dict)
    ranker_metrics: dict = field(default_factory=dict)
    models: tuple[str, ...] = ("mf",)
    neural_hyper: dict = field(default_factory=dict)  # empty unless the neural model ran
    neural_metrics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-able data (NaN becomes None); the shape docs/cli-json.md documents.
        The neural keys ("models", "neural_hyper", "neural_metrics") appear only when the
        neural model was evaluated, so the default output is unchanged."""
        extra = (
            {
                "models": list(self.models),
                "neural_hyper": self.neural_hyper,
                "neural_metrics": self.neural_metrics,
            }
            if "neural" in self.models
            else {}
        )
        return jsonable(
            {
                **extra,
                "seed": self.seed,
                "n_train": self.n_train,
                "n_test": self.n_test,
                "seconds": self.seconds,
                "hyper": self.hyper,
                "rank_hyper": self.rank_hyper,
                "model_metrics": self.model_metrics,
                "ranker_metrics": self.ranker_metrics,
                "accuracy": self.accuracy,
                "cold_start": self.cold_start,
                "ranking_protocol": {
                    "k": topn.K,
                    "hit_k": topn.HIT_K,
                    "relevant_min_rating": topn.THRESHOLD,
                },
                "ranking": self.ranking,
                "cold_start_ranking": self.cold_ranking,
            }
        )


def split(n: int, test_fraction: float = 0.1, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows) of a seeded random split; the first test_fraction are test."""
    perm = np.random.default_rng(seed).permutation(n)
    n_test = round(test_fraction * n)
    return perm[n_test:], perm[:n_test]


@dataclass
class Baseline:
    """Damped bias baseline mu + b_u + b_i (no factors)."""

    mu: float
    user_keys: np.ndarray
    user_bias: np.ndarray
    item_ids: np.ndarray
    item_bias: np.ndarray

    def predict(self, user_keys, item_ids) -> np.ndarray:
        bu = _gather(self.user_keys, self.user_bias, user_keys)
        bi = _gather(self.item_ids, self.item_bias, item_ids)
        return np.clip(self.mu + bu + bi, 0.5, 5.0)

    def user_bias_for(self, item_ids, ratings) -> float:
        """A new user's damped bias from a few ratings, item biases fixed."""
        resid = (
            np.asarray(ratings, np.float64)
            - self.mu
            - _gather(self.item_ids, self.item_bias, item_ids)
        )
        return float(resid.sum() / (resid.size + USER_DAMPING))


def fit_baseline(user_keys, item_ids, ratings, passes: int = 10) -> Baseline:
    keys, u = np.unique(np.asarray(user_keys, np.int64), return_inverse=True)
    ids, i = np.unique(np.asarray(item_ids, np.int64), return_inverse=True)
    r = np.asarray(ratings, np.float64)
    mu = float(r.mean())
    bu = np.zeros(keys.size)
    bi = np.zeros(ids.size)
    n_u = np.bincount(u, minlength=keys.size)
    n_i = np.bincount(i, minlength=ids.size)
    for _ in range(passes):
        bu = np.bincount(u, weights=r - mu - bi[i], minlength=keys.size) / (n_u + USER_DAMPING)
        bi = np.bincount(i, weights=r - mu - bu[u], minlength=ids.size) / (n_i + ITEM_DAMPING)
    return Baseline(mu, keys, bu, ids, bi)


def evaluate(
    user_keys,
    item_ids,
    ratings,
    hyper: Hyper | None = None,
    seed: int = 42,
    progress: EvalProgress | None = None,
    cold_ns=COLD_NS,
    rank_hyper: RankHyper | None = None,
    models: tuple[str, ...] = ("mf",),
    neural_hyper: NeuralHyper | None = None,
) -> EvalReport:
    """Run the whole protocol above; progress(step, done, total) is called between trainings.

    models: which rating models to evaluate, "mf" (the default: today's report) and/or
    "neural"; both run on the same split, cold-start users and evaluation ratings.
    """
    models = tuple(models)
    if not models or any(m not in MODELS for m in models):
        raise ModelError(f"models={models!r}: choose from {', '.join(MODELS)} (one or both)")
    with_mf, with_neural = "mf" in models, "neural" in models
    hyper = (hyper if hyper is not None else Hyper()).validate()
    rank_hyper = (rank_hyper if rank_hyper is not None else RankHyper()).validate()
    neural_hyper = (neural_hyper if neural_hyper is not None else NeuralHyper()).validate()
    u, i, r = check_ratings(user_keys, item_ids, ratings)
    if r.size < 20:
        raise ModelError(f"only {r.size} ratings: evaluation needs at least 20")
    started = time.perf_counter()
    total = (4 + len(cold_ns) if with_mf else 0) + (2 if with_neural else 0)
    step = _Stepper(progress, total)
    all_items = np.unique(i)

    tr, te = split(r.size, 0.1, seed)
    model = None
    if with_mf:
        step("train on 90% of ratings")
        model = train(u[tr], i[tr], r[tr], hyper, all_item_ids=all_items)
    neural = None
    if with_neural:
        step("neural model on 90% of ratings")
        neural = fit_neural(u[tr], i[tr], r[tr], neural_hyper, all_item_ids=all_items)
    base = fit_baseline(u[tr], i[tr], r[tr])
    mu = float(r[tr].mean())
    preds = {
        "global mean": np.full(te.size, np.clip(mu, 0.5, 5.0)),
        "bias baseline": base.predict(u[te], i[te]),
    }
    if model is not None:
        preds["model"] = predict(model, u[te], i[te])
    if neural is not None:
        preds["neural"] = neural.predict(u[te], i[te])
    accuracy = {}
    for name, p in preds.items():
        row = {"rmse": metrics.rmse(p, r[te]), "mae": metrics.mae(p, r[te])}
        if name != "global mean":  # a constant has no ranking
            row[f"precision@{K}"] = metrics.precision_at_k(u[te], p, r[te], K)
            row[f"ndcg@{K}"] = metrics.ndcg_at_k(u[te], p, r[te], K)
        accuracy[name] = row
    ranker = None
    ranking: dict = {}
    cold: list[dict] = []
    cold_ranking: list[dict] = []
    if model is not None:
        step("ranker on 90% of ratings")
        ranker = fit_ranker(u[tr], i[tr], r[tr], rank_hyper, all_item_ids=all_items)
        ranking = _ranking(u, i, r, tr, te, all_items, model, ranker)
        cold, cold_ranking = (
            _cold_start(u, i, r, hyper, rank_hyper, seed, cold_ns, all_items, step)
            if cold_ns
            else ([], [])
        )
    if neural is not None:
        ranking.update(
            _neural_ranking(u, i, r, tr, te, all_items, neural, with_baseline=not with_mf)
        )
        if cold_ns:
            more, more_rank = _neural_cold_start(
                u, i, r, neural_hyper, seed, cold_ns, all_items, step, with_baseline=not with_mf
            )
            cold, cold_ranking = _merge_by_n(cold, more), _merge_by_n(cold_ranking, more_rank)
    if progress is not None:
        progress("done", total, total)
    return EvalReport(
        seed=seed,
        n_train=int(tr.size),
        n_test=int(te.size),
        accuracy=accuracy,
        cold_start=cold,
        hyper=hyper.to_dict() if with_mf else {},
        model_metrics=dict(model.metrics) if model is not None else {},
        seconds=time.perf_counter() - started,
        ranking=ranking,
        cold_ranking=cold_ranking,
        rank_hyper=rank_hyper.to_dict() if with_mf else {},
        ranker_metrics=dict(ranker.metrics) if ranker is not None else {},
        models=models,
        neural_hyper=neural_hyper.to_dict() if with_neural else {},
        neural_metrics=dict(neural.metrics) if neural is not None else {},
    )


class _Stars:
    """Scorer: the rating model's predicted stars (clipped 0.5..5, as served) of given rows."""

    def __init__(
        self, model: MFModel, all_items: np.ndarray, factors: np.ndarray, bias: np.ndarray
    ):
        cols = model.item_index(all_items)
        known = cols >= 0  # a film the model lacks predicts the user's baseline
        self.q = np.where(known[:, None], model.item_factors[cols], 0).astype(np.float32).T.copy()
        self.bi = np.where(known, model.item_bias[cols], 0).astype(np.float32)
        self.p, self.b, self.mu = (
            factors.astype(np.float32),
            bias.astype(np.float32),
            np.float32(model.mu),
        )

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        out = self.p[rows] @ self.q
        out += self.bi
        out += (self.mu + self.b[rows])[:, None]
        return np.clip(out, 0.5, 5.0, out=out)


class _Picks:
    """Scorer: the ranker's score of given rows (a film it lacks scores 0, as in blend.py)."""

    def __init__(self, ranker: RankerModel, all_items: np.ndarray, rows: np.ndarray):
        cols = ranker.item_index(all_items)
        self.q = (
            np.where((cols >= 0)[:, None], ranker.item_factors[cols], 0).astype(np.float32).T.copy()
        )
        self.p = rows.astype(np.float32)

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        return self.p[rows] @ self.q


def _served(picks: _Picks, stars: _Stars, mu: float) -> topn.Scorer:
    return lambda rows: served_scores(picks(rows), stars(rows), mu)


@dataclass(frozen=True)
class Scorers:
    """Scores of every film in ``all_items`` for given user rows, as the app computes them."""

    stars: topn.Scorer  # the rating model's predicted stars
    picks: topn.Scorer  # the ranker's score (rows folded in from the user's train ratings)
    served: topn.Scorer  # what For you ranks by


def scorers(
    model: MFModel, ranker: RankerModel, all_items: np.ndarray, users, uu_train, i_train, r_train
) -> Scorers:
    """The three scorers for ``users`` (sorted keys; ``uu_train`` are positions in them)."""
    mf_rows = model.user_index(users)
    stars = _Stars(
        model,
        all_items,
        _rows(mf_rows, model.user_factors),
        np.where(mf_rows >= 0, model.user_bias[np.maximum(mf_rows, 0)], 0),
    )
    picks = _Picks(ranker, all_items, folded_rows(ranker, uu_train, i_train, r_train, users.size))
    return Scorers(stars, picks, _served(picks, stars, model.mu))


def _hide_obscure(
    scorer: topn.Scorer, counts: np.ndarray, below: int = OBSCURE_BELOW
) -> topn.Scorer:
    """The app's "hide obscure" filter on a scorer: films with fewer ratings never shown."""
    hidden = counts < below

    def scored(rows: np.ndarray) -> np.ndarray:
        out = np.array(scorer(rows), dtype=np.float32)
        out[:, hidden] = -np.inf
        return out

    return scored


def _popular(counts: np.ndarray) -> topn.Scorer:
    c = counts.astype(np.float32)
    return lambda rows: np.broadcast_to(c, (rows.size, c.size))


def _rows(model_keys_index: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Rows of ``matrix`` for each user (zeros where the model does not know the user)."""
    known = model_keys_index >= 0
    return np.where(known[:, None], matrix[np.maximum(model_keys_index, 0)], 0)


def folded_rows(ranker: RankerModel, users, movie_ids, ratings, n_users: int) -> np.ndarray:
    """Each user's ranker row folded in from their training ratings, exactly as the app folds
    a profile's (pulled toward the mean user row), rather than the row training left."""
    order = np.argsort(users, kind="stable")
    bounds = np.searchsorted(users[order], np.arange(n_users + 1))
    items = ranker.item_index(movie_ids)
    rows = np.zeros((n_users, ranker.factors), np.float32)
    for user in range(n_users):
        mine = order[bounds[user] : bounds[user + 1]]
        rows[user] = ranker.fold_in(items[mine], ratings[mine])
    return rows


def _ranking(u, i, r, tr, te, all_items, model: MFModel, ranker: RankerModel) -> dict:
    """Top-N over the whole catalog on the 90/10 split, for every method (data-driven)."""
    users = np.unique(u)
    uu, ii = np.searchsorted(users, u), np.searchsorted(all_items, i)
    mf_rows = model.user_index(users)
    stars = _Stars(
        model,
        all_items,
        _rows(mf_rows, model.user_factors),
        np.where(mf_rows >= 0, model.user_bias[np.maximum(mf_rows, 0)], 0),
    )
    picks = _Picks(ranker, all_items, folded_rows(ranker, uu[tr], i[tr], r[tr], users.size))
    counts = np.bincount(ii[tr], minlength=all_items.size)
    served = _served(picks, stars, model.mu)
    methods: dict[str, Scorer] = {
        "most popular": _popular(counts),
        "predicted stars": stars,
        "ranker": picks,
        "served": served,
        "served, hide obscure": _hide_obscure(served, counts),
    }
    return {
        name: topn.evaluate_top_n(
            scorer, all_items.size, uu[tr], ii[tr], uu[te], ii[te], r[te]
        ).as_dict()
        for name, scorer in methods.items()
    }


def _cold_start(
    u, i, r, hyper, rank_hyper, seed, ns, all_items, step
) -> tuple[list[dict], list[dict]]:
    rng = np.random.default_rng(seed + 1)
    keys, counts = np.unique(u, return_counts=True)
    held = rng.choice(keys, size=max(1, round(COLD_USERS * keys.size)), replace=False)
    held_rows = np.isin(u, held)
    rest = ~held_rows
    if not rest.any():
        return [], []
    step("cold start: train on 80% of users")
    model = train(u[rest], i[rest], r[rest], hyper, all_item_ids=all_items)
    base = fit_baseline(u[rest], i[rest], r[rest])
    step("cold start: ranker on 80% of users")
    ranker = fit_ranker(u[rest], i[rest], r[rest], rank_hyper, all_item_ids=all_items)
    # Retrains run the epochs the 80% fit chose, without validation: on ml-latest-small the
    # validation Recall@20 costs about as much as an epoch, and patience adds epochs past the
    # best; five retrains of the full procedure would double the evaluation time.
    retrain_hyper = replace(
        rank_hyper,
        epochs=max(1, int(ranker.metrics.get("best_epoch") or rank_hyper.epochs)),
        val_fraction=0.0,
    )
    max_n = max(ns)
    users = [k for k in np.sort(held) if counts[np.searchsorted(keys, k)] >= max_n + 5]
    if not users:
        return [], []
    rows_of = {k: rng.permutation(np.flatnonzero(u == k)) for k in users}
    ev = np.concatenate([rows_of[k][max_n:] for k in users])  # same eval ratings for every N
    ev_items = model.item_index(i[ev])
    # the ranking curve: users as local rows 0..len(users)-1, films as catalog indices
    ii = np.searchsorted(all_items, i)
    local = {k: j for j, k in enumerate(users)}
    ev_local = np.concatenate([np.full(rows_of[k].size - max_n, local[k]) for k in users])
    rest_counts = np.bincount(ii[rest], minlength=all_items.size)  # obscurity: the 80%'s counts
    popular = _popular(rest_counts)
    out, out_rank = [], []
    for n in ns:
        shown = np.concatenate([rows_of[k][:n] for k in users])
        preds = {
            name: np.empty(ev.size, np.float32)
            for name in ("bias baseline", "SGD fold-in", "exact fold-in")
        }
        sgd_rows = np.zeros((len(users), model.factors), np.float32)
        sgd_bias = np.zeros(len(users), np.float32)
        rank_rows = np.zeros((len(users), ranker.factors), np.float32)
        pos = 0
        for j, k in enumerate(users):
            rev, evk = rows_of[k][:n], rows_of[k][max_n:]
            sl = slice(pos, pos + evk.size)
            pos += evk.size
            b_u = base.user_bias_for(i[rev], r[rev])
            preds["bias baseline"][sl] = (
                base.mu + _gather(base.item_ids, base.item_bias, i[evk]) + b_u
            )
            idx = model.item_index(i[rev])
            for name, fn in (("SGD fold-in", fold_in), ("exact fold-in", fold_in_exact)):
                res = fn(model, idx, r[rev])
                preds[name][sl] = scores(model, res.factors, res.bias)[ev_items[sl]]
                if fn is fold_in:
                    sgd_rows[j], sgd_bias[j] = res.factors, res.bias
            rank_rows[j] = ranker.fold_in(ranker.item_index(i[rev]), r[rev])
        preds["bias baseline"] = np.clip(preds["bias baseline"], 0.5, 5.0)
        step(f"cold start: retrain with {n} revealed")
        keep = np.concatenate([np.flatnonzero(rest), shown])
        retrained = train(u[keep], i[keep], r[keep], hyper, all_item_ids=all_items)
        preds["full retrain"] = predict(retrained, u[ev], i[ev])
        for name, p in preds.items():
            out.append(
                {
                    "n": n,
                    "method": name,
                    "rmse": metrics.rmse(p, r[ev]),
                    f"ndcg@{K}": metrics.ndcg_at_k(u[ev], p, r[ev], K),
                    "users": len(users),
                    "ratings": int(ev.size),
                }
            )

        re_ranker = fit_ranker(u[keep], i[keep], r[keep], retrain_hyper, all_item_ids=all_items)
        held_keys = np.asarray(users, np.int64)
        re_mf = retrained.user_index(held_keys)
        stars = _Stars(model, all_items, sgd_rows, sgd_bias)
        picks = _Picks(ranker, all_items, rank_rows)
        re_stars = _Stars(
            retrained,
            all_items,
            _rows(re_mf, retrained.user_factors),
            np.where(re_mf >= 0, retrained.user_bias[np.maximum(re_mf, 0)], 0),
        )
        re_picks = _Picks(
            re_ranker, all_items, _rows(re_ranker.user_index(held_keys), re_ranker.user_factors)
        )
        methods: dict[str, Scorer] = {
            "most popular": popular,
            "predicted stars": stars,
            "ranker": picks,
            "served": _served(picks, stars, model.mu),
            "full retrain": _served(re_picks, re_stars, retrained.mu),
        }
        out_rank += _revealed_ranking(
            methods, n, max_n, users, local, rows_of, (shown, ev, ev_local), ii, r, rest_counts
        )
    return out, out_rank


class _NeuralStars:
    """Scorer: the neural model's predicted stars (clipped 0.5..5) of given rows."""

    def __init__(self, model: NeuralModel, all_items: np.ndarray, rows, bias):
        self.model, self.rows, self.bias = model, rows, bias
        cols = model.item_index(all_items)
        self.cols, self.known = np.maximum(cols, 0), cols >= 0

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((rows.size, self.cols.size), np.float32)
        for j, row in enumerate(rows):
            s = self.model.scores(self.rows[row], float(self.bias[row]))
            # a film the model lacks: the mean film's score for this row
            out[j] = np.where(self.known, s[self.cols], np.mean(s))
        return out


def _neural_ranking(u, i, r, tr, te, all_items, model: NeuralModel, with_baseline: bool) -> dict:
    """Whole-catalog top-N of the neural model's stars on the 90/10 split (trained rows)."""
    users = np.unique(u)
    uu, ii = np.searchsorted(users, u), np.searchsorted(all_items, i)
    idx = model.user_index(users)
    known = idx >= 0
    rows = np.where(known[:, None], model.user_factors[np.maximum(idx, 0)], model.prior_row())
    bias = np.where(known, model.user_bias[np.maximum(idx, 0)], 0)
    methods: dict[str, topn.Scorer] = {}
    if with_baseline:
        methods["most popular"] = _popular(np.bincount(ii[tr], minlength=all_items.size))
    methods["neural stars"] = _NeuralStars(model, all_items, rows, bias)
    return {
        name: topn.evaluate_top_n(
            scorer, all_items.size, uu[tr], ii[tr], uu[te], ii[te], r[te]
        ).as_dict()
        for name, scorer in methods.items()
    }


def _neural_cold_start(
    u, i, r, neural_hyper, seed, ns, all_items, step, with_baseline: bool
) -> tuple[list[dict], list[dict]]:
    """The cold-start curves of the neural model: the same held-out users, shuffles and
    evaluation ratings as _cold_start (the same random draws), fold-in from N revealed."""
    rng = np.random.default_rng(seed + 1)
    keys, counts = np.unique(u, return_counts=True)
    held = rng.choice(keys, size=max(1, round(COLD_USERS * keys.size)), replace=False)
    rest = ~np.isin(u, held)
    if not rest.any():
        return [], []
    max_n = max(ns)
    users = [k for k in np.sort(held) if counts[np.searchsorted(keys, k)] >= max_n + 5]
    if not users:
        return [], []
    rows_of = {k: rng.permutation(np.flatnonzero(u == k)) for k in users}
    step("cold start: neural model on 80% of users")
    model = fit_neural(u[rest], i[rest], r[rest], neural_hyper, all_item_ids=all_items)
    base = fit_baseline(u[rest], i[rest], r[rest]) if with_baseline else None
    ev = np.concatenate([rows_of[k][max_n:] for k in users])
    ev_items = model.item_index(i[ev])
    ii = np.searchsorted(all_items, i)
    local = {k: j for j, k in enumerate(users)}
    ev_local = np.concatenate([np.full(rows_of[k].size - max_n, local[k]) for k in users])
    rest_counts = np.bincount(ii[rest], minlength=all_items.size)
    out, out_rank = [], []
    for n in ns:
        shown = np.concatenate([rows_of[k][:n] for k in users])
        preds = {"neural fold-in": np.empty(ev.size, np.float32)}
        if base is not None:
            preds = {"bias baseline": np.empty(ev.size, np.float32), **preds}
        rows = np.zeros((len(users), model.factors), np.float32)
        bias = np.zeros(len(users), np.float32)
        pos = 0
        for j, k in enumerate(users):
            rev, evk = rows_of[k][:n], rows_of[k][max_n:]
            sl = slice(pos, pos + evk.size)
            pos += evk.size
            if base is not None:
                b_u = base.user_bias_for(i[rev], r[rev])
                preds["bias baseline"][sl] = (
                    base.mu + _gather(base.item_ids, base.item_bias, i[evk]) + b_u
                )
            res = model.fold_in(model.item_index(i[rev]), r[rev])
            rows[j], bias[j] = res.factors, res.bias
            preds["neural fold-in"][sl] = model.scores(res.factors, res.bias)[ev_items[sl]]
        if base is not None:
            preds["bias baseline"] = np.clip(preds["bias baseline"], 0.5, 5.0)
        for name, p in preds.items():
            out.append(
                {
                    "n": n,
                    "method": name,
                    "rmse": metrics.rmse(p, r[ev]),
                    f"ndcg@{K}": metrics.ndcg_at_k(u[ev], p, r[ev], K),
                    "users": len(users),
                    "ratings": int(ev.size),
                }
            )
        methods: dict[str, topn.Scorer] = {}
        if base is not None:
            methods["most popular"] = _popular(rest_counts)
        methods["neural stars"] = _NeuralStars(model, all_items, rows, bias)
        out_rank += _revealed_ranking(
            methods, n, max_n, users, local, rows_of, (shown, ev, ev_local), ii, r, rest_counts
        )
    return out, out_rank


def _revealed_ranking(
    methods: dict[str, topn.Scorer],
    n: int,
    max_n: int,
    users,
    local,
    rows_of,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    ii: np.ndarray,
    r: np.ndarray,
    rest_counts: np.ndarray,
) -> list[dict]:
    """Top-N rows of the cold-start curve at N revealed: each method ranks every film the user
    has not revealed; the ratings revealed later than N (``rows_of[k][n:max_n]``) are never
    shown and never count. ``rows`` = (revealed, evaluation, evaluation users' local index)."""
    shown, ev, ev_local = rows
    shown_local = np.concatenate([np.full(n, local[k]) for k in users])
    between = np.concatenate([rows_of[k][n:max_n] for k in users])
    between_local = np.concatenate([np.full(max_n - n, local[k]) for k in users])
    out = []
    for name, scorer in methods.items():
        top = topn.evaluate_top_n(
            scorer,
            rest_counts.size,
            shown_local,
            ii[shown],
            ev_local,
            ii[ev],
            r[ev],
            item_counts=rest_counts,
            exclude_users=between_local,
            exclude_items=ii[between],
        )
        out.append({"n": n, "method": name, **top.as_dict()})
    return out


def _merge_by_n(first: list[dict], more: list[dict]) -> list[dict]:
    """Rows of both curves, grouped by N (first's methods first within each N)."""
    order = {n: j for j, n in enumerate(dict.fromkeys([c["n"] for c in first + more]))}
    return sorted(first + more, key=lambda c: order[c["n"]])


def format_table(report: EvalReport) -> str:
    """Plain-text tables of the report, for the CLI and the README."""
    lines = [
        f"split: random 90/10 of all ratings, seed {report.seed}: "
        f"{report.n_train:,} train / {report.n_test:,} test ratings"
        + (
            f"; model stopped at epoch {report.model_metrics.get('best_epoch', '?')}"
            if "mf" in report.models
            else ""
        )
        + (
            f"; neural model at epoch {report.neural_metrics.get('best_epoch', '?')}"
            if "neural" in report.models
            else ""
        ),
        "",
        f"{'method':<16}{'RMSE':>8}{'MAE':>8}{'P@10':>8}{'NDCG@10':>9}",
    ]
    for name, row in report.accuracy.items():
        lines.append(
            f"{name:<16}{row['rmse']:>8.4f}{row['mae']:>8.4f}"
            f"{_cell(row.get(f'precision@{K}')):>8}{_cell(row.get(f'ndcg@{K}')):>9}"
        )
    if report.cold_start:
        methods = list(dict.fromkeys(c["method"] for c in report.cold_start))
        ns = sorted({c["n"] for c in report.cold_start})
        first = report.cold_start[0]
        lines += [
            "",
            f"cold start: {first['users']} held-out users, {first['ratings']:,} "
            f"evaluation ratings; RMSE / NDCG@10 after N revealed ratings",
            f"{'N':>4}  " + "".join(f"{m:>22}" for m in methods),
        ]
        cell = {(c["n"], c["method"]): c for c in report.cold_start}
        for n in ns:
            parts = [f"{cell[n, m]['rmse']:.4f} / {cell[n, m][f'ndcg@{K}']:.4f}" for m in methods]
            lines.append(f"{n:>4}  " + "".join(f"{p:>22}" for p in parts))
    if report.ranking:
        first = next(iter(report.ranking.values()))
        lines += [
            "",
            f"top-{topn.K} over every film a user has not rated ({first['users']} users with a "
            f"test rating >= {topn.THRESHOLD:g})",
            f"{'method':<22}{'Recall@20':>10}{'NDCG@20':>9}{'HR@10':>8}{'coverage':>10}{'median count':>14}",
        ]
        for name, row in report.ranking.items():
            lines.append(
                f"{name:<22}{_cell(row['recall@20']):>10}{_cell(row['ndcg@20']):>9}"
                f"{_cell(row['hr@10']):>8}{_cell(row['coverage']):>10}{_count(row['median_count']):>14}"
            )
    if report.cold_ranking:
        methods = list(dict.fromkeys(c["method"] for c in report.cold_ranking))
        ns = sorted({c["n"] for c in report.cold_ranking})
        lines += [
            "",
            f"cold start, ranking: {report.cold_ranking[0]['users']} held-out users with a rating "
            f">= {topn.THRESHOLD:g} after position {max(ns)}; Recall@20 / NDCG@20 after N revealed",
            f"{'N':>4}  " + "".join(f"{m:>18}" for m in methods),
        ]
        cell = {(c["n"], c["method"]): c for c in report.cold_ranking}
        for n in ns:
            parts = [
                f"{_cell(cell[n, m]['recall@20'])} / {_cell(cell[n, m]['ndcg@20'])}"
                for m in methods
            ]
            lines.append(f"{n:>4}  " + "".join(f"{p:>18}" for p in parts))
    lines.append(f"\n({report.seconds:.1f} s)")
    return "\n".join(lines)


def _count(x) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:g}"


def _cell(x) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.4f}"


def _gather(sorted_keys: np.ndarray, values: np.ndarray, wanted) -> np.ndarray:
    wanted = np.asarray(wanted, np.int64)
    if sorted_keys.size == 0:
        return np.zeros(wanted.shape)
    pos = np.minimum(np.searchsorted(sorted_keys, wanted), sorted_keys.size - 1)
    return np.where(sorted_keys[pos] == wanted, values[pos], 0.0)


class _Stepper:
    def __init__(self, progress: EvalProgress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, what: str) -> None:
        if self.progress is not None:
            self.progress(what, self.done, self.total)
        self.done += 1
