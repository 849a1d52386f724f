"""Model history: every saved model with what it was trained on and how it validated, the rule
that decides whether a new run becomes current, and making an older model current again.

Functions of the store they are given (and, for ``make_current``, the loaders of each kind);
nothing here holds or calls back into the Service, which swaps a model in itself.

**The rule** (``decide``). A finished or stopped run becomes the current model of its kind
only when it validates at least as well as the current one: its validation RMSE, rounded to
the four places shown, is no higher. Otherwise it is saved in the history, not used, and the
caller says so with the figures. The comparison is skipped (the new run becomes current) when:

- the user said so (``train --make-current``, or the Service's ``make_current=True``);
- there is no current model of that kind (the first run, or the current one cannot be read);
- the data changed since the current model was trained: a different catalog import, or the
  number of ratings moved by more than ``RATINGS_CHANGE`` (10%). A validation RMSE measured on
  other data is not comparable, and a model that does not know the new films or ratings is
  worse for the user whatever its figure;
- either model has no validation figure (``val_fraction`` 0), so there is nothing to compare.

A model saved before the history recorded its data (no ``catalog`` in its meta) is compared
by RMSE: most likely it was trained on the same catalog.

**What is kept** (``save``). The store keeps the newest few models of a kind and its current
one; ``save`` also keeps the best-validated one, so runs that became current without a figure
to compare (no validation split) cannot push the best model out of the history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from movietui.errors import MovietuiError, NotFoundError
from movietui.service.types import ModelInfo, ModelRecord, TrainResult
from movietui.store import SavedModel, Store

SERVICE_META = "service"  # our keys inside a model's meta (training.py writes them)
RANKER = "ranker"  # the ranker's meta inside an MF model's meta
RATINGS_CHANGE = 0.10  # relative change in the ratings count that makes RMSEs incomparable
KIND_NAMES = {"mf": "MF", "neural": "neural"}


def data_meta(store: Store, n_ratings: int, stopped: bool) -> dict[str, Any]:
    """What a new model records about its data (beside trained_at, n_ratings, run_id)."""
    info = store.catalog_info()
    return {
        "n_ratings": int(n_ratings),
        "catalog": None if info is None else info.release,
        "catalog_imported_at": None if info is None else info.imported_at,
        "stopped": bool(stopped),
    }


def val_rmse(meta: dict) -> float | None:
    """The validation RMSE a saved model's meta records (its best epoch), None if none."""
    value = (meta.get("metrics") or {}).get("val_rmse")
    if value is None:
        history = meta.get("history") or []
        value = history[-1].get("val_rmse") if history else None
    return None if value is None else float(value)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def decide(
    saved: list[tuple[SavedModel, dict]], has_current: bool, new_meta: dict, force: bool
) -> tuple[bool, str]:
    """Whether a new model with ``new_meta`` becomes current, and one line saying why.
    ``saved``: the saved models of its kind with their metas; ``has_current``: a current model
    of that kind is loaded and in use (False when none was saved or it could not be read)."""
    new_val = val_rmse(new_meta)
    if force:
        return True, f"made current as asked (validation RMSE {_fmt(new_val)})"
    current = next((meta for m, meta in saved if m.is_current), None)
    if not has_current or current is None:
        return True, f"the first model of its kind (validation RMSE {_fmt(new_val)})"
    old_val = val_rmse(current)
    old, new = current.get(SERVICE_META) or {}, new_meta.get(SERVICE_META) or {}
    if old.get("catalog") is not None and (
        old.get("catalog"),
        old.get("catalog_imported_at"),
    ) != (new.get("catalog"), new.get("catalog_imported_at")):
        return True, (
            "the catalog changed since the current model was trained, so validation figures "
            f"are not comparable: the new run is current (validation RMSE {_fmt(new_val)})"
        )
    old_n, new_n = int(old.get("n_ratings") or 0), int(new.get("n_ratings") or 0)
    if old_n and abs(new_n - old_n) > RATINGS_CHANGE * old_n:
        return True, (
            f"the ratings changed ({old_n:,} -> {new_n:,}) since the current model was trained: "
            f"the new run is current (validation RMSE {_fmt(new_val)})"
        )
    if old_val is None or new_val is None:
        return True, f"no validation figure to compare: the new run is current ({_fmt(new_val)})"
    if round(new_val, 4) <= round(old_val, 4):
        return True, f"validates at least as well ({_fmt(new_val)} vs {_fmt(old_val)})"
    return False, f"kept the current model (validation RMSE {_fmt(old_val)})"


def best_validated(saved: list[tuple[SavedModel, dict]]) -> int | None:
    """The saved model with the lowest validation RMSE (None: none has one)."""
    scored = [(v, m.model_id) for m, meta in saved if (v := val_rmse(meta)) is not None]
    return min(scored)[1] if scored else None


def save(
    store: Store, kind: str, arrays: dict, meta: dict, has_current: bool, force: bool
) -> tuple[int, bool, str]:
    """Save a finished or stopped run in one transaction, current or not by ``decide``, and
    keep the best-validated model of its kind: (model_id, made current, why)."""
    saved = store.model_metas(kind)  # read once, for both
    current_now, why = decide(saved, has_current, meta, force)
    best = best_validated(saved)
    keep = () if best is None else (best,)
    model_id = store.save_model(arrays, meta, kind=kind, make_current=current_now, keep=keep)
    return model_id, current_now, why


def run_result(
    info: ModelInfo,
    current: Any,
    metrics: dict,
    cancelled: bool,
    current_now: bool,
    why: str,
) -> TrainResult:
    """What a finished or stopped run of either kind reports; ``current`` is the loaded model
    that was in use (None: none), whose info stays the model in use when the run is kept."""
    return TrainResult(
        info if current_now else (current.info if current is not None else None),
        stopped_early=bool(metrics.get("stopped_early")) and not cancelled,
        cancelled=cancelled,
        new_model=info,
        made_current=current_now,
        decision=why,
    )


def record(saved, meta: dict) -> ModelRecord:
    """One history row from the store's SavedModel and its meta."""
    extra = meta.get(SERVICE_META) or {}
    history = meta.get("history") or []
    metrics = meta.get("metrics") or {}
    ranker = meta.get(RANKER) or {}
    recall = (ranker.get("metrics") or {}).get("val_recall") if ranker else None
    return ModelRecord(
        model_id=saved.model_id,
        kind=saved.kind,
        trained_at=float(extra.get("trained_at", saved.created_at)),
        current=saved.is_current,
        catalog=extra.get("catalog"),
        n_users=int(meta.get("n_users") or 0),
        n_movies=int(meta.get("n_items") or 0),
        n_ratings=int(extra.get("n_ratings", metrics.get("n_ratings", 0)) or 0),
        hyper=dict(meta.get("hyper") or {}),
        epochs=len(history),
        stopped=bool(extra.get("stopped", False)),
        val_rmse=val_rmse(meta),
        val_recall=None if recall is None else float(recall),
        has_ranker=bool(ranker),
    )


def records(store: Store, kind: str | None = None) -> list[ModelRecord]:
    """Every saved model (of ``kind``, or both kinds), newest first."""
    if kind is not None and kind not in KIND_NAMES:
        raise MovietuiError(f"unknown model kind {kind!r}; use mf or neural")
    return [record(saved, meta) for saved, meta in store.model_metas(kind)]


Loader = Callable[[Store, int], tuple[Any, str | None]]


def make_current(
    store: Store, model_id: int, loaders: dict[str, Loader]
) -> tuple[str, Any, str | None]:
    """Load saved model ``model_id`` (with the loader of its kind) and mark it current in the
    store: (kind, loaded model for the caller to swap in, warning or None). Nothing changes
    when it cannot be loaded (a one-line error says why)."""
    saved = next((m for m in store.list_models() if m.model_id == int(model_id)), None)
    if saved is None:
        raise NotFoundError(
            f"there is no saved model #{model_id}; list them with `movietui models`"
        )
    loaded, warning = loaders[saved.kind](store, saved.model_id)
    if loaded is None:
        raise MovietuiError(warning or f"saved model #{model_id} could not be loaded; train again")
    store.set_current_model(saved.model_id)
    return saved.kind, loaded, warning
