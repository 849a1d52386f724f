"""The trained model: parameters, id maps, and its (de)serialisation to plain arrays + JSON meta."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from movietui.errors import ModelError
from movietui.model.hyper import EpochReport, Hyper

FORMAT = 1
_ARRAYS = {  # name -> dtype; 2-D arrays are factor matrices
    "user_bias": np.float32,
    "item_bias": np.float32,
    "user_factors": np.float32,
    "item_factors": np.float32,
    "user_keys": np.int64,
    "item_ids": np.int64,
    "item_counts": np.int32,
}
KIND = "biased-mf-sgd"


class FactorModel:
    """What every factor model here shares: id maps and item rows (the rating model and the
    ranker each declare ``user_keys``, ``item_ids``, ``item_factors`` and ``_unit_items``)."""

    user_keys: np.ndarray
    item_ids: np.ndarray
    item_factors: np.ndarray
    _unit_items: np.ndarray | None

    @property
    def n_items(self) -> int:
        return int(self.item_ids.shape[0])

    @property
    def factors(self) -> int:
        return int(self.item_factors.shape[1])

    def item_index(self, movie_ids) -> np.ndarray:
        """int32 row of each movie id, -1 where the model does not know it."""
        return _lookup(self.item_ids, movie_ids)

    def user_index(self, keys) -> np.ndarray:
        """int32 row of each user key, -1 where the model does not know it."""
        return _lookup(self.user_keys, keys)

    def unit_item_factors(self) -> np.ndarray:
        """Item factor rows scaled to unit length (zero rows stay zero); cached for cosine."""
        if self._unit_items is None:
            self._unit_items = unit_rows(self.item_factors)
        return self._unit_items


@dataclass(eq=False)
class MFModel(FactorModel):
    mu: float
    user_bias: np.ndarray  # float32 (n_users,)
    item_bias: np.ndarray  # float32 (n_items,)
    user_factors: np.ndarray  # float32 (n_users, k)
    item_factors: np.ndarray  # float32 (n_items, k)
    user_keys: np.ndarray  # int64 (n_users,), ascending; local profile p is key -p
    item_ids: np.ndarray  # int64 (n_items,), ascending MovieLens ids
    hyper: Hyper
    history: list[EpochReport] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    item_counts: np.ndarray | None = None  # int32 (n_items,): training ratings per item
    _unit_items: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def n_users(self) -> int:
        return int(self.user_keys.shape[0])

    def counts(self) -> np.ndarray:
        if self.item_counts is None:
            return np.zeros(self.n_items, dtype=np.int32)
        return self.item_counts

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """Contiguous arrays plus JSON-able meta, for Store.save_model."""
        arrays = {
            name: np.ascontiguousarray(
                getattr(self, name) if name != "item_counts" else self.counts(), dtype=dtype
            )
            for name, dtype in _ARRAYS.items()
        }
        return arrays, star_model_meta(self, FORMAT, KIND)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict) -> MFModel:
        """Rebuild a saved model; a missing or inconsistent piece raises ModelError."""
        try:
            if int(meta.get("format", 0)) > FORMAT:
                raise ModelError(
                    f"saved model format {meta['format']} is newer than this "
                    f"movietui understands ({FORMAT}): upgrade movietui or retrain"
                )
            if meta.get("kind", KIND) != KIND:  # a model of another kind has MF's arrays too
                raise ModelError(
                    f"saved model is a {meta.get('kind')!r} model, not the rating model: "
                    "load it as that kind or retrain"
                )
            parts = {}
            for name, dtype in _ARRAYS.items():
                if name not in arrays:
                    if name == "item_counts":
                        continue
                    raise ModelError(f"saved model lacks array {name!r}: retrain the model")
                parts[name] = saved_array(arrays, name, dtype)
            model = cls(
                mu=float(meta["mu"]),
                hyper=Hyper.from_dict(meta.get("hyper", {})),
                history=[EpochReport(**r) for r in meta.get("history", [])],
                metrics=dict(meta.get("metrics", {})),
                **parts,
            )
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # meta is JSON from disk: any wrong shape of it (e.g. "hyper": null) lands here
            raise ModelError(f"saved model is unreadable ({exc}): retrain the model") from exc
        model._check_shapes()
        return model

    def _check_shapes(self) -> None:
        nu, ni = self.n_users, self.n_items
        ok = (
            self.user_bias.shape == (nu,)
            and self.item_bias.shape == (ni,)
            and self.user_factors.ndim == 2
            and self.item_factors.ndim == 2
            and self.user_factors.shape[0] == nu
            and self.item_factors.shape[0] == ni
            and self.user_factors.shape[1] == self.item_factors.shape[1]
            and (self.item_counts is None or self.item_counts.shape == (ni,))
            and math.isfinite(self.mu)
        )
        if not ok:
            raise ModelError("saved model arrays have inconsistent shapes: retrain the model")


def unit_rows(q: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), float32: cosine by dot product."""
    norms = np.sqrt(np.einsum("ij,ij->i", q, q))
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 1e-12)
    return np.ascontiguousarray(q * inv[:, None], dtype=np.float32)


def _lookup(sorted_ids: np.ndarray, wanted) -> np.ndarray:
    wanted = np.asarray(wanted, dtype=np.int64).reshape(-1)
    if sorted_ids.size == 0:
        return np.full(wanted.shape, -1, dtype=np.int32)
    pos = np.searchsorted(sorted_ids, wanted)
    pos_c = np.minimum(pos, sorted_ids.size - 1)
    found = sorted_ids[pos_c] == wanted
    return np.where(found, pos_c, -1).astype(np.int32)


def saved_array(arrays: dict[str, np.ndarray], name: str, dtype) -> np.ndarray:
    """One array of a saved model as ``dtype``; a complex or non-numeric one is a ModelError
    (casting would silently drop its imaginary part or fail later with a numpy message)."""
    array = np.asarray(arrays[name])
    if np.iscomplexobj(array) or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ModelError(
            f"saved model array {name!r} holds {array.dtype} values, not real numbers: retrain"
        )
    return np.ascontiguousarray(array, dtype=dtype)


def star_model_meta(model, format_version: int, kind: str) -> dict:
    """The JSON-able meta both star models (MF and neural) save beside their arrays."""
    return {
        "format": format_version,
        "kind": kind,
        "mu": float(model.mu),
        "hyper": model.hyper.to_dict(),
        "history": [jsonable(asdict(r)) for r in model.history],
        "metrics": jsonable(model.metrics),
        "n_users": model.n_users,
        "n_items": model.n_items,
        "factors": model.factors,
    }


def jsonable(obj):
    """Numpy scalars/arrays and non-finite floats made JSON-safe (NaN/inf -> None)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
