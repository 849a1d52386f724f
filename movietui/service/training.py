"""Training, evaluation and loading of the saved model: functions of the store they are given.

``train(store, current, ...)`` returns ``(new model or None, TrainResult)``; the Service swaps
the new model in itself. Nothing here holds or calls back into the Service.

A run is logged in ``training_runs`` from start to finish. The new model is written in
one transaction and swapped in only after that commit, so a crash, a divergence or a
cancel before the first epoch always leaves the previous model in use.

Cancel policy: the kernel checks ``cancel`` after each epoch. If at least one epoch
finished, the model so far (its best validation epoch) is saved and the result says
``cancelled=True`` — "Stop" in the training panel keeps what was learned, like early
stopping by hand. With no finished epoch nothing changes.

A saved run becomes current (and is returned to be swapped in) only when
``history.decide`` says so: it validates at least as well as the current model, or the data
changed, or the caller passed ``make_current``. Otherwise it stays in the history.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from movietui.catalog.progress import Progress
from movietui.errors import ModelError, MovietuiError
from movietui.model import EpochReport, Hyper, MFModel, NeuralModel
from movietui.model import train as train_model
from movietui.model.ranker import RankEpochReport, RankerModel, RankHyper, fit_ranker
from movietui.service import history
from movietui.service.history import RANKER, SERVICE_META
from movietui.service.live_model import LoadedModel
from movietui.service.types import ModelInfo, TrainResult
from movietui.store import Store


def model_info(
    model_id: int,
    model: MFModel | NeuralModel,
    meta: dict,
    ranker: RankerModel | None = None,
    kind: str = "mf",
) -> ModelInfo:
    """What the UI and CLI show of a saved star model (either kind) and its ranker."""
    extra = meta.get(SERVICE_META, {})
    val = model.metrics.get("val_rmse")
    if val is None and model.history:
        val = model.history[-1].val_rmse
    return ModelInfo(
        model_id=model_id,
        trained_at=float(extra.get("trained_at", 0.0)),
        hyper=model.hyper,
        n_users=model.n_users,
        n_items=model.n_items,
        n_ratings=int(extra.get("n_ratings", model.metrics.get("n_ratings", 0))),
        val_rmse=None if val is None else float(val),
        history=list(model.history),
        val_recall=None if ranker is None else ranker.metrics.get("val_recall"),
        ranker_history=[] if ranker is None else list(ranker.history),
        kind=kind,
    )


def load_current(store, model_id: int | None = None) -> tuple[LoadedModel | None, str | None]:
    """The saved current model (or saved model ``model_id``), or (None, why) when it cannot
    be read (retrain fixes it).

    A damaged model must never stop the app from opening: the ratings are still there
    and popularity picks work without a model.
    """
    try:
        saved = store.load_current_model() if model_id is None else store.load_model(model_id)
    except MovietuiError as exc:  # damaged array rows or metadata (StoreError)
        return None, str(exc)
    if saved is None:
        return None, None
    model_id, arrays, meta = saved
    try:
        model = MFModel.from_arrays(arrays, meta)
        info = model_info(model_id, model, meta)
    except ModelError as exc:
        return None, str(exc)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # metadata of the wrong shape
        return None, f"saved model {model_id} is unreadable ({exc}); train again to replace it"
    if RANKER not in meta:
        return LoadedModel(
            model, info
        ), "the saved model has no ranker yet: train once to rank For you by it"
    try:
        ranker = RankerModel.from_arrays(ranker_arrays(arrays), meta[RANKER])
    except ModelError as exc:  # stars still work: For you falls back to them
        return LoadedModel(model, info), str(exc)
    return LoadedModel(model, model_info(model_id, model, meta, ranker), ranker), None


def ranker_arrays(arrays: dict) -> dict:
    """The ranker's arrays inside a saved model's arrays (stored as "ranker.<name>")."""
    prefix = RANKER + "."
    return {name[len(prefix) :]: a for name, a in arrays.items() if name.startswith(prefix)}


def training_data(store) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Catalog ratings plus every profile's ratings (profile p is user key -p)."""
    users, movies, ratings = store.load_catalog_ratings()
    pids, p_movies, p_ratings = store.all_profile_ratings()
    keys = np.concatenate([users.astype(np.int64), -np.asarray(pids, np.int64)])
    items = np.concatenate([movies.astype(np.int64), np.asarray(p_movies, np.int64)])
    values = np.concatenate([ratings, np.asarray(p_ratings, np.float32)])
    return keys, items, values


def rank_report(on_rank_epoch, cancel: threading.Event | None):
    """The ranker's per-epoch callback: report, and stop when cancel is set."""

    def report(epoch: RankEpochReport) -> bool:
        if on_rank_epoch is not None and on_rank_epoch(epoch) is False:
            return False
        return not (cancel is not None and cancel.is_set())

    return report


class EpochGate:
    """The per-epoch callback of a training run: counts epochs, passes each report on, and
    says stop once the caller's callback returns False or the cancel event is set (Stop)."""

    def __init__(self, on_epoch, cancel: threading.Event | None) -> None:
        self.on_epoch = on_epoch
        self.cancel = cancel
        self.epochs_done = 0
        self.cancelled = False

    def __call__(self, epoch: EpochReport) -> bool:
        self.epochs_done += 1
        if self.on_epoch is not None and self.on_epoch(epoch) is False:
            self.cancelled = True
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
        return not self.cancelled


class _Cancelled(Exception):
    """Cancel was set before training started."""


def train(
    store: Store,
    current: LoadedModel | None,
    hyper: Hyper | None,
    on_epoch: Callable[[EpochReport], object] | None,
    cancel: threading.Event | None,
    rank_hyper: RankHyper | None = None,
    on_rank_epoch: Callable[[RankEpochReport], object] | None = None,
    make_current: bool = False,
) -> tuple[LoadedModel | None, TrainResult]:
    """Train the rating model, then the ranker on the same data; save both as one model.

    Returns the saved model when it became current (None when nothing was saved or it was
    kept in the history only: ``history.decide``) for the caller to swap in, and the result. ``current`` is the model in use: a cancel during the rating model keeps its best
    epoch and carries the current ranker over (it has its own id maps); a cancel during the
    ranker keeps the ranker's best epoch.
    """
    hyper = (hyper or Hyper()).validate()
    rank_hyper = (rank_hyper or RankHyper()).validate()
    if store.catalog_info() is None:
        raise ModelError(
            "there is no catalog to train on; import one first (movietui import ml-latest-small)"
        )
    run_id = store.start_training_run(hyper.to_dict())
    gate = EpochGate(on_epoch, cancel)

    try:
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        keys, items, values = training_data(store)
        all_items = store.movie_table()["movie_id"]
        model = train_model(keys, items, values, hyper, on_epoch=gate, all_item_ids=all_items)
        if gate.cancelled:  # stopped during the rating model: keep the ranker in use
            ranker = current.ranker if current is not None else None
        else:
            ranker = fit_ranker(
                keys,
                items,
                values,
                rank_hyper,
                on_epoch=rank_report(on_rank_epoch, cancel),
                all_item_ids=all_items,
            )
            gate.cancelled = cancel is not None and cancel.is_set()
    except _Cancelled:
        store.finish_training_run(run_id, "cancelled", {"epochs_run": 0}, None)
        kept = current.info if current is not None else None
        return None, TrainResult(kept, stopped_early=False, cancelled=True)
    except MovietuiError as exc:
        store.finish_training_run(
            run_id, "failed", {"error": str(exc), "epochs_run": gate.epochs_done}, None
        )
        raise
    except BaseException as exc:  # Ctrl-C or a bug: log the run, keep the old model, re-raise
        store.finish_training_run(
            run_id, "failed", {"error": repr(exc)[:200], "epochs_run": gate.epochs_done}, None
        )
        raise

    arrays, meta = model.to_arrays()
    meta[SERVICE_META] = {
        "trained_at": time.time(),
        "run_id": run_id,
        **history.data_meta(store, values.size, gate.cancelled),
    }
    if ranker is not None:
        rank_arrays, meta[RANKER] = ranker.to_arrays()
        arrays.update({f"{RANKER}.{name}": a for name, a in rank_arrays.items()})
    try:
        model_id, current_now, why = history.save(
            store, "mf", arrays, meta, current is not None, make_current
        )
    except BaseException as exc:
        store.finish_training_run(
            run_id, "failed", {"error": str(exc)[:200], "epochs_run": gate.epochs_done}, None
        )
        raise
    status = "cancelled" if gate.cancelled else "done"
    store.finish_training_run(run_id, status, model.metrics, model_id)
    info = model_info(model_id, model, meta, ranker)
    result = history.run_result(info, current, model.metrics, gate.cancelled, current_now, why)
    return (LoadedModel(model, info, ranker) if current_now else None), result


def evaluate(
    store: Store,
    hyper: Hyper | None,
    seed: int,
    progress,
    models: tuple[str, ...] = ("mf",),
    neural_hyper=None,
):
    """The model room's offline evaluation on the catalog's ratings (profiles left out);
    ``models``: "mf" and/or "neural", on the same split.

    ``progress`` gets a Progress("train", step, steps, what is running) between trainings.
    """
    from movietui.model.evaluate import evaluate as run_evaluation

    if store.catalog_info() is None:
        raise ModelError(
            "there is no catalog to evaluate on; import one first (movietui import ml-latest-small)"
        )
    users, movies, ratings = store.load_catalog_ratings()

    def step(what: str, done: int, total: int) -> None:
        if progress is not None:
            progress(Progress("train", done, total, what))

    return run_evaluation(
        users.astype(np.int64),
        movies.astype(np.int64),
        ratings,
        hyper or Hyper(),
        seed=seed,
        progress=step,
        models=models,
        neural_hyper=neural_hyper,
    )
