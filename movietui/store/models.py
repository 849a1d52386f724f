"""Saved models (named numpy arrays + JSON metadata) and the log of training runs.

A model is written in one transaction and only then marked current, so a crash mid-
save leaves the previous model current. The last ``KEEP_MODELS`` are kept.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from movietui.errors import NotFoundError, StoreError

from .base import StoreBase, locked, translating
from .types import TrainingRun

KEEP_MODELS = 3


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: dict, what: str) -> str:
    try:
        return json.dumps(value, default=_json_default, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"model {what} cannot be saved as JSON ({exc}); pass plain numbers, strings, lists") from exc


def _encode(name: str, array: Any) -> tuple[str, str, str, memoryview]:
    arr = np.asarray(array)
    if arr.dtype.kind not in "biuf":
        raise StoreError(f"model array {name!r} has dtype {arr.dtype}; save numeric arrays only")
    little = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    return name, little.dtype.str, json.dumps(list(arr.shape)), memoryview(little.reshape(-1).view(np.uint8))


class ModelsMixin(StoreBase):
    @locked
    def save_model(self, arrays: dict[str, np.ndarray], meta: dict) -> int:
        """Write the model, make it current, drop all but the newest few; returns model_id."""
        encoded = [_encode(str(name), arr) for name, arr in arrays.items()]
        meta_json = to_json(meta, "meta")
        with self.transaction() as conn:
            model_id = conn.execute(
                "INSERT INTO models(created_at, meta, is_current) VALUES (?, ?, 0)", (time.time(), meta_json)
            ).lastrowid
            conn.executemany(
                "INSERT INTO model_arrays VALUES (?, ?, ?, ?, ?)", [(model_id, *row) for row in encoded]
            )
            conn.execute("UPDATE models SET is_current = (model_id = ?)", (model_id,))
            conn.execute(
                "DELETE FROM models WHERE model_id NOT IN (SELECT model_id FROM models ORDER BY model_id DESC LIMIT ?)",
                (KEEP_MODELS,),
            )
        return int(model_id)

    @translating
    def load_current_model(self) -> tuple[int, dict[str, np.ndarray], dict] | None:
        """(model_id, writeable arrays, meta) of the current model, or None if none saved.

        Reads on its own connection in one snapshot, so the lock is free meanwhile.
        """
        conn = self.reader()
        try:
            conn.execute("BEGIN")
            row = conn.execute("SELECT model_id, meta FROM models WHERE is_current = 1").fetchone()
            if row is None:
                return None
            model_id, meta_json = row
            arrays = {}
            for name, dtype, shape, data in conn.execute(
                "SELECT name, dtype, shape, data FROM model_arrays WHERE model_id = ?", (model_id,)
            ):
                arr = np.frombuffer(data, dtype=np.dtype(dtype)).reshape(json.loads(shape))
                arrays[name] = arr.astype(arr.dtype.newbyteorder("="), copy=True)
            conn.execute("COMMIT")
        finally:
            conn.close()
        return int(model_id), arrays, json.loads(meta_json)

    @locked
    def model_ids(self) -> list[int]:
        """Saved model ids, newest first."""
        return [m for (m,) in self.conn.execute("SELECT model_id FROM models ORDER BY model_id DESC")]

    @locked
    def start_training_run(self, params: dict) -> int:
        cur = self.conn.execute(
            "INSERT INTO training_runs(started_at, status, params) VALUES (?, 'running', ?)",
            (time.time(), to_json(params, "params")),
        )
        return int(cur.lastrowid)

    @locked
    def finish_training_run(self, run_id: int, status: str, metrics: dict, model_id: int | None) -> None:
        cur = self.conn.execute(
            "UPDATE training_runs SET finished_at = ?, status = ?, metrics = ?, model_id = ? WHERE run_id = ?",
            (time.time(), str(status), to_json(metrics, "metrics"), model_id, int(run_id)),
        )
        if cur.rowcount == 0:
            raise NotFoundError(f"training run {run_id} does not exist; start one with start_training_run")

    @locked
    def training_runs(self, limit: int = 20) -> list[TrainingRun]:
        """The latest runs, newest first."""
        rows = self.conn.execute(
            "SELECT run_id, started_at, finished_at, status, params, metrics, model_id FROM training_runs "
            "ORDER BY run_id DESC LIMIT ?",
            (int(limit),),
        )
        return [TrainingRun(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6]) for r in rows]
