"""The neural rating model (CollabFNet) beside MF: train, save, load; functions of the store.

``train_neural(store, hyper, on_epoch, cancel)`` returns ``(LoadedNeural or None,
TrainResult)``; the Service swaps it in. The same rules as MF's ``training.train``: the run is
logged in ``training_runs``, the model is written in one transaction (its own kind, "neural",
in the same models table) and swapped in only after that commit; a cancel after at least one
epoch keeps the best validation epoch so far (Stop keeps what was learned), a cancel before
the first epoch changes nothing, a divergence keeps the previous model.

Which model predicts the stars is a setting (``STAR_MODEL``: "mf" or "neural"); the neural
model is loaded whenever one is saved, so the Training tab can show its curve either way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from movietui.errors import ModelError, MovietuiError
from movietui.model import EpochReport
from movietui.model.neural import NeuralHyper, NeuralModel, fit_neural
from movietui.service import history
from movietui.service.history import SERVICE_META
from movietui.service.live_model import LoadedNeural
from movietui.service.training import EpochGate, model_info, training_data
from movietui.service.types import ModelInfo, TrainResult
from movietui.store import Store

KIND = "neural"  # the models table's kind of a neural model
STAR_MODEL = "star_model"  # settings key: "mf" | "neural", the model that predicts stars


def neural_info(model_id: int, model: NeuralModel, meta: dict) -> ModelInfo:
    return model_info(model_id, model, meta, kind=KIND)


def load_neural(
    store: Store, model_id: int | None = None
) -> tuple[LoadedNeural | None, str | None]:
    """The saved current neural model (or saved model ``model_id``), or (None, why) when it
    cannot be read.

    A damaged neural model never stops the app: MF keeps predicting the stars.
    """
    try:
        saved = store.load_current_model(KIND) if model_id is None else store.load_model(model_id)
    except MovietuiError as exc:  # damaged array rows or metadata (StoreError)
        return None, f"{exc}; stars come from matrix factorisation"
    if saved is None:
        return None, None
    model_id, arrays, meta = saved
    try:
        model = NeuralModel.from_arrays(arrays, meta)
        return LoadedNeural(model, neural_info(model_id, model, meta)), None
    except ModelError as exc:
        why = str(exc)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # meta of the wrong shape
        why = f"({exc})"
    return None, (
        f"saved neural model {model_id} is unreadable: {why}; train the neural model again "
        "(stars come from matrix factorisation meanwhile)"
    )


class _Cancelled(Exception):
    """Cancel was set before training started."""


def train_neural(
    store: Store,
    current: LoadedNeural | None,
    hyper: NeuralHyper | None,
    on_epoch: Callable[[EpochReport], object] | None,
    cancel: threading.Event | None,
    make_current: bool = False,
) -> tuple[LoadedNeural | None, TrainResult]:
    """Fit the neural model on the catalog and every profile's ratings; save it as kind
    "neural". Returns the saved model when it became current (``history.decide``; None when
    nothing was saved or it was kept in the history only) and the result; the result's
    model_info is the neural model now current (``current``'s when nothing changed).
    """
    hyper = (hyper or NeuralHyper()).validate()
    if store.catalog_info() is None:
        raise ModelError(
            "there is no catalog to train on; import one first (movietui import ml-latest-small)"
        )
    run_id = store.start_training_run({"kind": KIND, **hyper.to_dict()})
    gate = EpochGate(on_epoch, cancel)

    try:
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        keys, items, values = training_data(store)
        all_items = store.movie_table()["movie_id"]
        model = fit_neural(keys, items, values, hyper, on_epoch=gate, all_item_ids=all_items)
    except _Cancelled:
        store.finish_training_run(run_id, "cancelled", {"epochs_run": 0}, None)
        kept = current.info if current is not None else None
        return None, TrainResult(kept, stopped_early=False, cancelled=True)
    except BaseException as exc:  # divergence, Ctrl-C or a bug: log it, keep the old model
        store.finish_training_run(
            run_id,
            "failed",
            {"error": str(exc)[:200] or repr(exc), "epochs_run": gate.epochs_done},
            None,
        )
        raise

    arrays, meta = model.to_arrays()
    meta[SERVICE_META] = {
        "trained_at": time.time(),
        "run_id": run_id,
        **history.data_meta(store, values.size, gate.cancelled),
    }
    try:
        model_id, current_now, why = history.save(
            store, KIND, arrays, meta, current is not None, make_current
        )
    except BaseException as exc:
        store.finish_training_run(
            run_id, "failed", {"error": str(exc)[:200], "epochs_run": gate.epochs_done}, None
        )
        raise
    store.finish_training_run(
        run_id, "cancelled" if gate.cancelled else "done", {"kind": KIND, **model.metrics}, model_id
    )
    info = neural_info(model_id, model, meta)
    result = history.run_result(info, current, model.metrics, gate.cancelled, current_now, why)
    return (LoadedNeural(model, info) if current_now else None), result


def check_star_kind(kind: str, mf_loaded: bool, neural_loaded: bool) -> str:
    """``kind`` if that model can predict stars now, else a one-line error saying what to do."""
    if kind not in ("mf", KIND):
        raise MovietuiError(f"unknown model {kind!r}; choose mf or neural")
    if kind == KIND and not neural_loaded:
        raise MovietuiError(
            "there is no neural model to predict stars; train one first "
            "(movietui train --model neural, or the Training tab)"
        )
    if kind == "mf" and not mf_loaded:
        raise MovietuiError(
            "there is no matrix factorisation model to predict stars; train one first "
            "(movietui train)"
        )
    return kind
