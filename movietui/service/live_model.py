"""The model in memory and the current profile's live factor row.

One object, guarded by the Service's lock: the loaded MFModel (swapped whole after a
retrain), the current profile's ratings, its factor row and bias (refreshed by fold-in
after every change), and the score vector over all items, cached until the row moves.

The star model: either the MF model or the neural model (``star_kind``) predicts the stars
shown everywhere (``scores``, ``predict``, ``star_scorer``). With the neural model chosen,
each rating also folds into the profile's neural row (warm-started ``NeuralModel.fold_in``);
the MF row is still folded (the "because you liked" titles and the ranker's served list use
its factors) and the ranker row as always.

The row is path-dependent (each fold-in warm-starts from the previous row), so the
Service saves it in settings on close/switch; reopening restores it when the model and
the ratings are unchanged, which makes predictions identical across restarts.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from movietui.model import MFModel, NeuralModel, fold_in, scores
from movietui.model.ranker import NOT_INTERESTED, SEEN, RankerModel
from movietui.service.types import MARK_NOT_INTERESTED, MARK_SEEN, ModelInfo


@dataclass
class LoadedModel:
    model: MFModel
    info: ModelInfo
    ranker: RankerModel | None = None  # None: a model saved before the ranker existed


@dataclass
class LoadedNeural:
    model: NeuralModel
    info: ModelInfo


STAR_KINDS = ("mf", "neural")


@dataclass
class FoldResult:
    loss_before: float | None
    loss_after: float | None


class LiveModel:
    def __init__(self) -> None:
        self.loaded: LoadedModel | None = None
        self.profile_id: int | None = None
        self.profile_created = 0.0  # a model row for -id is this profile's only if trained later
        self.ratings: dict[int, float] = {}  # the current profile's ratings
        self.factors: np.ndarray | None = None  # its row (None without a model)
        self.bias: float = 0.0
        self._scores: np.ndarray | None = None
        # Feedback without stars (kept apart from ratings): films the profile marked
        # "not interested" (hidden from lists, a negative signal for the ranker) and films
        # marked "seen it, no rating" (hidden from For you, a watch for the ranker).
        self.hidden: set[int] = set()
        self.seen: set[int] = set()
        self.rank_row: np.ndarray | None = None  # the profile's ranker row (None without a ranker)
        self._rank_scores: np.ndarray | None = None
        self.neural: LoadedNeural | None = None  # the current neural model, if any
        self.star_kind = "mf"  # which model predicts the stars (neural only when loaded)
        self.neural_row: np.ndarray | None = None  # the profile's neural row (star kind neural)
        self.neural_bias = 0.0
        self._neural_scores: np.ndarray | None = None

    @property
    def model(self) -> MFModel | None:
        return self.loaded.model if self.loaded else None

    @property
    def ranker(self) -> RankerModel | None:
        return self.loaded.ranker if self.loaded else None

    @property
    def stars_neural(self) -> bool:
        """Whether the neural model predicts the stars (chosen and loaded)."""
        return self.star_kind == "neural" and self.neural is not None

    # --- state changes -------------------------------------------------------------
    def set_model(self, loaded: LoadedModel | None) -> None:
        self.loaded = loaded
        self.refold()

    def set_neural(self, loaded: LoadedNeural | None) -> None:
        """Swap in a neural model (after training or at open); refolds its row if it serves."""
        self.neural = loaded
        self._refold_neural()

    def set_star_kind(self, kind: str) -> None:
        """Make "mf" or "neural" the model that predicts stars; refolds the neural row."""
        if kind not in STAR_KINDS:
            raise ValueError(f"unknown star model {kind!r}")
        self.star_kind = kind
        self._refold_neural()

    def set_profile(
        self,
        profile_id: int | None,
        ratings: dict[int, float],
        saved_row: str | None,
        created_at: float = 0.0,
        hidden: Iterable[int] = (),
        seen: Iterable[int] = (),
    ) -> bool:
        """Switch to a profile with its ratings and marks: restore its saved rows when still
        valid, else refold; True when every row was restored. Restoring needs no compiled
        kernel, so opening the app on a profile whose rows were saved costs no numba start-up
        (~1 s) before the first paint."""
        self.profile_id = profile_id
        self.profile_created = created_at
        self.ratings = dict(ratings)
        self.hidden, self.seen = set(map(int, hidden)), set(map(int, seen))
        if not (saved_row and self._restore(saved_row)):
            self.refold()
            return False
        restored = True
        if not self._restore_rank(saved_row):
            self._fold_rank(cold=True)
            restored = False
        if not self._restore_neural(saved_row):
            self._refold_neural()
            restored = False
        return restored

    def set_feedback(self, hidden, seen) -> None:
        """Replace the profile's no-star feedback (on profile switch or after a bulk import)."""
        self.hidden, self.seen = set(map(int, hidden)), set(map(int, seen))
        self._fold_rank()  # a mark moves only the ranker's row: no-star feedback says nothing of stars

    def settled(self) -> list[int]:
        """Films the profile rated or marked: never recommended or offered again."""
        return [*self.ratings, *self.hidden, *self.seen]

    def marks(self) -> dict[int, str]:
        """movie id -> "not_interested" | "seen" for the profile's marked films."""
        return {
            **{m: MARK_SEEN for m in self.seen},
            **{m: MARK_NOT_INTERESTED for m in self.hidden},
        }

    def _fold_rank(self, cold: bool = False) -> None:
        """Fold ratings and marks into the ranker row, warm-started from the current row
        (``cold``: from scratch, after a new model or a profile switch)."""
        ranker = self.ranker
        self._rank_scores = None
        if cold:
            self.rank_row = None
        if ranker is None or self.profile_id is None:
            self.rank_row = None
            return
        ids, values = self._signals()
        self.rank_row = ranker.fold_in(ranker.item_index(ids), values, start_row=self.rank_row)

    def _signals(self) -> tuple[np.ndarray, np.ndarray]:
        """(movie ids, values) the ranker learns from: a film's stars, else its mark."""
        values: dict[int, float] = {m: SEEN for m in self.seen}
        values.update({m: NOT_INTERESTED for m in self.hidden})
        values.update(self.ratings)
        ids = np.fromiter(values.keys(), np.int64, len(values))
        return ids, np.fromiter(values.values(), np.float32, len(values))

    def refold(self) -> FoldResult:
        """Fold every rating in, starting from the model's own row for this profile."""
        # One after the other: on two threads the median was 0.1 ms lower but the p99 2.3x
        # higher (thread wake-up), bench_model.py on a quiet machine, 2026-12-02.
        self._fold_rank(cold=True)
        return self._refold_all_stars()

    def _refold_all_stars(self) -> FoldResult:
        result = self._refold_stars()
        neural = self._refold_neural()
        return neural if self.stars_neural else result

    def _refold_neural(self) -> FoldResult:
        """Fold every rating into the neural row, from the model's own row for the profile
        (trained after it was created) or from the mean user row."""
        self._neural_scores = None
        self.neural_row, self.neural_bias = None, 0.0
        if not self.stars_neural or self.profile_id is None:
            return FoldResult(None, None)
        assert self.neural is not None
        model = self.neural.model
        uidx = int(np.asarray(model.user_index(np.array([-self.profile_id], np.int64)))[0])
        trained_at = self.neural.info.trained_at
        if uidx >= 0 and (not trained_at or self.profile_created <= trained_at):
            start, bias = model.user_factors[uidx].copy(), float(model.user_bias[uidx])
        else:
            start, bias = model.prior_row().copy(), 0.0
        return self._fold_neural(start, bias)

    def _fold_neural(self, start: np.ndarray, bias: float) -> FoldResult:
        assert self.neural is not None
        model = self.neural.model
        self._neural_scores = None
        ids = np.fromiter(self.ratings.keys(), np.int64, len(self.ratings))
        values = np.fromiter(self.ratings.values(), np.float32, len(self.ratings))
        idx = np.asarray(model.item_index(ids), dtype=np.int64)
        known = idx >= 0
        result = model.fold_in(idx[known], values[known], start_row=start, start_bias=bias)
        self.neural_row = np.asarray(result.factors, np.float32)
        self.neural_bias = float(result.bias)
        if not known.any():
            return FoldResult(None, None)
        return FoldResult(float(result.loss_before), float(result.loss_after))

    def _fold_all_stars(self, start: np.ndarray, bias: float) -> FoldResult:
        """The warm fold of one change: the MF row, then the neural row when it serves."""
        result = self._fold(start, bias)
        if not self.stars_neural:
            return result
        if self.neural_row is None:
            return self._refold_neural()
        return self._fold_neural(self.neural_row, self.neural_bias)

    def _refold_stars(self) -> FoldResult:
        model = self.model
        if model is None or self.profile_id is None:
            self.factors, self.bias = None, 0.0
            self._scores = None
            return FoldResult(None, None)
        uidx = int(np.asarray(model.user_index(np.array([-self.profile_id], np.int64)))[0])
        # SQLite may reuse a deleted profile's id: only a model trained after this profile
        # was created can hold its row (a model saved without a date is trusted).
        trained_at = self.loaded.info.trained_at if self.loaded else 0.0
        if uidx >= 0 and (not trained_at or self.profile_created <= trained_at):
            start, bias = model.user_factors[uidx].copy(), float(model.user_bias[uidx])
        else:
            start, bias = np.zeros(model.item_factors.shape[1], np.float32), 0.0
        return self._fold(start, bias)

    def update(self, movie_id: int, rating: float | None, mark: str | None = None) -> FoldResult:
        """Give one film its new state (a rating, a mark, or neither; at most one of them) and
        fold it in once, warm-started: the ranker row always, the star row when the film had or
        gets stars (a mark says nothing of stars)."""
        movie_id = int(movie_id)
        had_stars = movie_id in self.ratings
        if rating is None:
            self.ratings.pop(movie_id, None)
        else:
            self.ratings[movie_id] = rating
        self.hidden.discard(movie_id)
        self.seen.discard(movie_id)
        if mark == MARK_NOT_INTERESTED:
            self.hidden.add(movie_id)
        elif mark == MARK_SEEN:
            self.seen.add(movie_id)
        elif mark is not None:
            raise ValueError(f"unknown mark {mark!r}")
        if rating is None and not had_stars:
            self._fold_rank()
            return FoldResult(None, None)
        if self.model is None or self.factors is None:
            self._fold_rank()
            return self._refold_all_stars()
        start, bias = self.factors, self.bias
        self._fold_rank()
        return self._fold_all_stars(start, bias)

    def _fold(self, start: np.ndarray, bias: float) -> FoldResult:
        model = self.model
        assert model is not None
        self._scores = None
        ids = np.fromiter(self.ratings.keys(), np.int64, len(self.ratings))
        values = np.fromiter(self.ratings.values(), np.float32, len(self.ratings))
        idx = np.asarray(model.item_index(ids), dtype=np.int64)
        known = idx >= 0
        if not known.any():
            # Nothing the model knows: the profile is the zero row, predictions = item baselines.
            self.factors = np.zeros(model.item_factors.shape[1], np.float32)
            self.bias = 0.0
            return FoldResult(None, None)
        result = fold_in(
            model,
            idx[known].astype(np.int32),
            values[known],
            start_factors=np.asarray(start, np.float32),
            start_bias=float(bias),
        )
        self.factors = np.asarray(result.factors, np.float32)
        self.bias = float(result.bias)
        return FoldResult(float(result.loss_before), float(result.loss_after))

    # --- reads ---------------------------------------------------------------------
    def scores(self) -> np.ndarray | None:
        """Predicted rating of every item of the star model for the current profile (cached)."""
        if self.stars_neural:
            return self._neural_all()
        model = self.model
        if model is None or self.factors is None:
            return None
        if self._scores is None:
            self._scores = np.asarray(scores(model, self.factors, self.bias), dtype=np.float32)
        return self._scores

    def rank_scores(self) -> np.ndarray | None:
        """The ranker's score of every ranker item for the current profile (cached)."""
        ranker = self.ranker
        if ranker is None or self.rank_row is None:
            return None
        if self._rank_scores is None:
            self._rank_scores = ranker.scores(self.rank_row)
        return self._rank_scores

    def _neural_all(self) -> np.ndarray | None:
        if self.neural is None or self.neural_row is None:
            return None
        if self._neural_scores is None:
            self._neural_scores = self.neural.model.scores(self.neural_row, self.neural_bias)
        return self._neural_scores

    def star_model(self) -> MFModel | NeuralModel | None:
        """The model whose item indices ``scores`` and ``star_scorer`` use."""
        return self.neural.model if self.stars_neural and self.neural else self.model

    def baseline(self) -> float:
        """The star prediction for a film the star model lacks."""
        if self.stars_neural and self.neural is not None:
            net = self.neural.model
            return float(np.clip(net.mu + net.out_bias + self.neural_bias, 0.5, 5.0))
        model = self.model
        return 0.0 if model is None else float(np.clip(model.mu + self.bias, 0.5, 5.0))

    def star_scorer(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """A snapshot of the profile's star predictions: star-model item indices -> stars
        (call it outside the lock; the row it uses is copied now)."""
        if self.stars_neural:
            everything = self._neural_all()
            if everything is None:
                return None
            return lambda idx: everything[np.asarray(idx, np.int64)]
        model = self.model
        if model is None or self.factors is None:
            return None
        row, bias = self.factors, self.bias
        return lambda idx: scores(model, row, bias, items=np.asarray(idx, np.int64))

    def predict(self, movie_ids) -> np.ndarray | None:
        """Predictions for movie ids; movies the model lacks get the profile's baseline."""
        if self.stars_neural:
            assert self.neural is not None
            everything = self._neural_all()
            if everything is None:
                return None
            idx = np.asarray(self.neural.model.item_index(np.asarray(movie_ids, np.int64)))
            idx = idx.astype(np.int64)
            return np.where(idx >= 0, everything[np.maximum(idx, 0)], self.baseline())
        model = self.model
        if model is None or self.factors is None:
            return None
        idx = np.asarray(model.item_index(np.asarray(movie_ids, np.int64)), dtype=np.int64)
        if self._scores is None:  # right after a rating: score just these films
            return scores(model, self.factors, self.bias, items=idx)
        all_scores = self.scores()
        assert all_scores is not None  # model and factors are set (checked above)
        baseline = float(np.clip(model.mu + self.bias, 0.5, 5.0))
        return np.where(idx >= 0, all_scores[np.maximum(idx, 0)], baseline)

    def rated_model_items(self) -> tuple[np.ndarray, np.ndarray]:
        """(model item index, rating) of the profile's ratings the model knows."""
        model = self.model
        if model is None or not self.ratings:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        ids = np.fromiter(self.ratings.keys(), np.int64, len(self.ratings))
        values = np.fromiter(self.ratings.values(), np.float32, len(self.ratings))
        idx = np.asarray(model.item_index(ids), dtype=np.int64)
        known = idx >= 0
        return idx[known].astype(np.int32), values[known]

    # --- persistence of the row ----------------------------------------------------
    def _digest(self, model_id: int | None = None) -> str:
        pairs = sorted(self.ratings.items())
        blob = np.array(pairs, dtype=np.float64).tobytes() if pairs else b""
        if model_id is None:
            model_id = self.loaded.info.model_id if self.loaded else 0
        return hashlib.sha1(f"{model_id}:".encode() + blob).hexdigest()

    def _rank_digest(self) -> str:
        ids, values = self._signals()
        order = np.argsort(ids, kind="stable")
        model_id = self.loaded.info.model_id if self.loaded else 0
        blob = ids[order].tobytes() + values[order].tobytes()
        return hashlib.sha1(f"rank {model_id}:".encode() + blob).hexdigest()

    def saved_row(self) -> str | None:
        """The row as a settings value, or None when there is nothing worth keeping."""
        if self.factors is None or self.profile_id is None:
            return None
        data = base64.b64encode(np.asarray(self.factors, "<f4").tobytes()).decode()
        saved: dict = {"digest": self._digest(), "bias": self.bias, "factors": data}
        if self.neural is not None and self.neural_row is not None:
            saved["neural"] = {
                "digest": self._digest(self.neural.info.model_id),
                "bias": self.neural_bias,
                "factors": base64.b64encode(np.asarray(self.neural_row, "<f4").tobytes()).decode(),
            }
        if self.rank_row is not None:
            saved["ranker"] = {
                "digest": self._rank_digest(),
                "factors": base64.b64encode(np.asarray(self.rank_row, "<f4").tobytes()).decode(),
            }
        return json.dumps(saved)

    def _restore_rank(self, text: str) -> bool:
        """Restore the ranker row saved beside the MF row, when the ranker and the profile's
        ratings and marks are those it was folded from."""
        ranker = self.ranker
        self._rank_scores = None
        if ranker is None or self.profile_id is None:
            self.rank_row = None
            return True
        try:
            saved = json.loads(text)["ranker"]
            row = np.frombuffer(base64.b64decode(saved["factors"]), "<f4").copy()
        except (ValueError, KeyError, TypeError):
            return False
        if saved.get("digest") != self._rank_digest() or row.shape != (
            ranker.item_factors.shape[1],
        ):
            return False
        if not np.isfinite(row).all():
            return False
        self.rank_row = row
        return True

    def _restore_neural(self, text: str) -> bool:
        """Restore the neural row saved beside the MF row (when the neural model serves)."""
        if not self.stars_neural:
            return True  # nothing to restore: the row is folded when neural is chosen
        assert self.neural is not None
        try:
            saved = json.loads(text)["neural"]
            row = np.frombuffer(base64.b64decode(saved["factors"]), "<f4").copy()
            if saved["digest"] != self._digest(self.neural.info.model_id) or row.shape != (
                self.neural.model.factors,
            ):
                return False
            if not np.isfinite(row).all():
                return False
            self.neural_row, self.neural_bias = row, float(saved["bias"])
            self._neural_scores = None
            return True
        except (ValueError, KeyError, TypeError):
            return False

    def _restore(self, text: str) -> bool:
        model = self.model
        if model is None:
            return False
        try:
            saved = json.loads(text)
            factors = np.frombuffer(base64.b64decode(saved["factors"]), "<f4").copy()
            if saved["digest"] != self._digest() or factors.shape != (model.item_factors.shape[1],):
                return False
            self.factors, self.bias, self._scores = factors, float(saved["bias"]), None
            return bool(np.isfinite(factors).all())
        except (ValueError, KeyError, TypeError):
            return False
