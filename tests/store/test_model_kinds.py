"""Saved models of two kinds in one table: each kind has its own current model and keeps its
own last three; a save of one kind never touches the other."""

from __future__ import annotations

import numpy as np
import pytest

from movietui.errors import StoreError
from movietui.store import Store
from movietui.store.models import KEEP_MODELS


def _arrays(k: int) -> dict[str, np.ndarray]:
    return {"w": np.full(4, k, np.float32)}


def test_each_kind_has_its_own_current_and_keeps_its_own_last_three(store: Store) -> None:
    mf = store.save_model(_arrays(1), {"k": "mf"})
    neural = [store.save_model(_arrays(k), {"k": k}, kind="neural") for k in range(5)]
    loaded_mf = store.load_current_model("mf")
    loaded_neural = store.load_current_model("neural")
    assert loaded_mf is not None and loaded_mf[0] == mf and loaded_mf[2] == {"k": "mf"}
    assert loaded_neural is not None and loaded_neural[0] == neural[-1]
    np.testing.assert_array_equal(loaded_neural[1]["w"], _arrays(4)["w"])
    listed = store.list_models()
    assert [(m.model_id, m.kind, m.is_current) for m in listed] == [
        *[(m, "neural", m == neural[-1]) for m in reversed(neural[-KEEP_MODELS:])],
        (mf, "mf", True),
    ]
    # an MF save leaves the neural model current
    mf2 = store.save_model(_arrays(9), {})
    assert store.load_current_model("mf")[0] == mf2
    assert store.load_current_model("neural")[0] == neural[-1]
    assert store.load_current_model()[0] == mf2  # the default kind is MF, as before


def test_unknown_kind_is_a_one_line_error(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown model kind 'lstm'"):
        store.save_model(_arrays(1), {}, kind="lstm")
    with pytest.raises(StoreError, match="unknown model kind"):
        store.load_current_model("lstm")


def test_a_save_keeps_the_models_it_is_told_to_keep_beyond_the_newest(store: Store) -> None:
    first = store.save_model(_arrays(0), {})
    saved = [store.save_model(_arrays(k), {}, keep=(first,)) for k in range(1, KEEP_MODELS + 3)]
    ids = [m.model_id for m in store.list_models()]
    assert ids == [*reversed(saved[-KEEP_MODELS:]), first]
    store.save_model(_arrays(9), {})  # no longer kept: pruned as one of the oldest
    assert first not in [m.model_id for m in store.list_models()]
