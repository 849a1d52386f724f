"""Saved models: round trip, current flag, keep-last-3, training runs."""

from __future__ import annotations

import numpy as np
import pytest

from movietui.errors import NotFoundError, StoreError
from movietui.store import Store


def _model_ids(store: Store) -> list[int]:
    """Saved model ids, newest first (read straight from the table: the app never lists them)."""
    return [m for (m,) in store.conn.execute("SELECT model_id FROM models ORDER BY model_id DESC")]


def _arrays(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "item_factors": rng.normal(size=(50, 8)).astype(np.float32),
        "item_bias": rng.normal(size=50).astype(np.float32),
        "item_ids": np.arange(50, dtype=np.int64) * 7,
        "user_keys": np.array([-1, 3, 4], dtype=np.int64),
        "mu": np.array(3.5, dtype=np.float64),
        "big_endian": np.arange(4, dtype=">i4"),
        "empty": np.zeros((0, 8), np.float32),
    }


def test_round_trip(store: Store) -> None:
    assert store.load_current_model() is None
    arrays = _arrays(1)
    meta = {
        "hyper": {"factors": 8, "lr": np.float32(0.01)},
        "history": [{"epoch": 1, "val_rmse": 0.9}],
    }
    model_id = store.save_model(arrays, meta)
    loaded_id, loaded, loaded_meta = store.load_current_model()
    assert loaded_id == model_id
    assert set(loaded) == set(arrays)
    for name, arr in arrays.items():
        assert loaded[name].shape == arr.shape
        assert loaded[name].dtype == arr.dtype.newbyteorder("=")
        np.testing.assert_array_equal(loaded[name], arr)
        assert loaded[name].flags.writeable
    loaded["item_factors"][0, 0] = 123.0  # writeable copy, not a view of the row
    assert loaded_meta["hyper"]["factors"] == 8
    assert loaded_meta["hyper"]["lr"] == pytest.approx(0.01)
    assert loaded_meta["history"][0]["val_rmse"] == 0.9


def test_newest_is_current_and_only_three_kept(store: Store) -> None:
    saved = [store.save_model(_arrays(k), {"k": k}) for k in range(5)]
    model_id, arrays, meta = store.load_current_model()
    assert model_id == saved[-1] and meta == {"k": 4}
    np.testing.assert_array_equal(arrays["item_factors"], _arrays(4)["item_factors"])
    assert _model_ids(store) == saved[:1:-1]
    assert (
        store.conn.execute("SELECT count(DISTINCT model_id) FROM model_arrays").fetchone()[0] == 3
    )
    assert store.conn.execute("SELECT sum(is_current) FROM models").fetchone()[0] == 1


def test_failed_save_keeps_previous_current(store: Store) -> None:
    first = store.save_model(_arrays(1), {})
    with pytest.raises(StoreError, match="numeric"):
        store.save_model({"names": np.array(["a", "b"], dtype=object)}, {})
    with pytest.raises(StoreError, match="JSON"):
        store.save_model(_arrays(2), {"bad": object()})
    assert store.load_current_model()[0] == first
    assert _model_ids(store) == [first]


def test_training_runs(store: Store) -> None:
    run = store.start_training_run({"factors": 64, "lr": np.float64(0.01)})
    model_id = store.save_model(_arrays(1), {})
    store.finish_training_run(run, "done", {"val_rmse": np.float32(0.85)}, model_id)
    failed = store.start_training_run({"lr": 10})
    store.finish_training_run(failed, "failed", {"error": "diverged"}, None)
    runs = store.training_runs()
    assert [(r.run_id, r.status, r.model_id) for r in runs] == [
        (failed, "failed", None),
        (run, "done", model_id),
    ]
    assert runs[1].params == {"factors": 64, "lr": 0.01}
    assert runs[1].metrics["val_rmse"] == pytest.approx(0.85)
    assert runs[1].finished_at >= runs[1].started_at
    with pytest.raises(NotFoundError):
        store.finish_training_run(999, "done", {}, None)
    for k in range(3):  # the run's model ages out: the run stays, its model link clears
        store.save_model(_arrays(k), {})
    assert store.training_runs()[1].model_id is None


def test_arrays_split_into_parts_round_trip(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from movietui.store import models as models_module

    monkeypatch.setattr(models_module, "PART_BYTES", 1000)
    arrays = _arrays(7)
    model_id = store.save_model(arrays, {})
    parts = store.conn.execute(
        "SELECT count(*) FROM model_arrays WHERE model_id = ? AND name = 'item_factors'",
        (model_id,),
    ).fetchone()[0]
    assert parts == 2  # 50 x 8 float32 = 1600 bytes
    _, loaded, _ = store.load_current_model()
    for name, arr in arrays.items():
        np.testing.assert_array_equal(loaded[name], arr)
    store.conn.execute(
        "DELETE FROM model_arrays WHERE model_id = ? AND name = 'item_factors' AND part = 1",
        (model_id,),
    )
    with pytest.raises(StoreError, match="damaged"):
        store.load_current_model()


@pytest.mark.parametrize(
    "damage",
    [
        "data = zeroblob(3)",
        "dtype = '<U4'",
        "dtype = 'bogus'",
        "shape = '[7, 7]'",
        "shape = 'not json'",
        "shape = '[-1]'",
        "data = 'text, not a blob'",
    ],
)
def test_damaged_model_rows_are_a_store_error(store: Store, damage: str) -> None:
    model_id = store.save_model(_arrays(1), {})
    store.conn.execute(
        f"UPDATE model_arrays SET {damage} WHERE model_id = ? AND name = 'item_bias'", (model_id,)
    )
    with pytest.raises(StoreError, match="damaged") as info:
        store.load_current_model()
    assert "\n" not in str(info.value)


def test_damaged_model_meta_is_a_store_error(store: Store) -> None:
    store.save_model(_arrays(1), {})
    store.conn.execute("UPDATE models SET meta = '{broken'")
    with pytest.raises(StoreError, match="damaged"):
        store.load_current_model()


def test_a_run_whose_process_died_reads_as_interrupted(store: Store) -> None:
    import subprocess
    import sys

    mine = store.start_training_run({"factors": 8})
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    killed = store.start_training_run({"factors": 16})
    store.conn.execute(
        "UPDATE training_runs SET metrics = ? WHERE run_id = ?", (f'{{"pid": {dead_pid}}}', killed)
    )  # as if started by that process
    status = {r.run_id: r.status for r in store.training_runs()}
    assert status == {killed: "interrupted", mine: "running"}
    store.finish_training_run(mine, "done", {}, None)
    assert store.training_runs()[1].status == "done"
