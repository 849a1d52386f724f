"""Saved models (named numpy arrays + JSON metadata) and the log of training runs.

A model is written in one transaction and only then marked current, so a crash mid-
save leaves the previous model current. Models are tagged by kind ("mf", "neural"): each
kind has its own current model and keeps its own last ``KEEP_MODELS``, its current one however
old, and any the caller names (the service keeps its best-validated model: a run that
validated worse is saved without becoming current, and any kept model can be made current
again with ``set_current_model``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np

from movietui.errors import NotFoundError, StoreError

from .base import StoreBase, _row_id, locked, translating
from .types import SavedModel, TrainingRun

KEEP_MODELS = 3
MODEL_KINDS = ("mf", "neural")


def _kind(kind: str) -> str:
    if kind not in MODEL_KINDS:
        raise StoreError(f"unknown model kind {kind!r}; use one of {', '.join(MODEL_KINDS)}")
    return kind


# Arrays are stored in parts of this many bytes: reading one 40 MB BLOB costs several
# times more than ten 4 MB ones (fresh memory for each huge buffer is page-faulted in).
PART_BYTES = 4 * 2**20


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
        raise StoreError(
            f"model {what} cannot be saved as JSON ({exc}); pass plain numbers, strings, lists"
        ) from exc


def _encode(name: str, array: Any) -> list[tuple[str, int, str, str, memoryview]]:
    """Rows (name, part, dtype, shape, bytes) for one array, little-endian, in parts."""
    arr = np.asarray(array)
    if arr.dtype.kind not in "biuf":
        raise StoreError(f"model array {name!r} has dtype {arr.dtype}; save numeric arrays only")
    little = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    raw = little.reshape(-1).view(np.uint8).data
    shape = json.dumps(list(arr.shape))
    starts = range(0, max(len(raw), 1), PART_BYTES)
    return [
        (name, k, little.dtype.str, shape, raw[s : s + PART_BYTES]) for k, s in enumerate(starts)
    ]


class _Assembler:
    """Copies an array's parts, as they stream in, into one preallocated buffer."""

    def __init__(self, dtype: str, shape: str) -> None:
        self.dtype = np.dtype(dtype)  # TypeError for a name numpy does not know
        self.shape = json.loads(shape)
        if self.dtype.kind not in "biuf":
            raise ValueError(f"dtype {dtype!r} is not numeric")
        if not isinstance(self.shape, list) or not all(
            isinstance(d, int) and d >= 0 for d in self.shape
        ):
            raise ValueError(f"shape {shape!r} is not a list of sizes")
        self.flat = np.empty(
            int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize, np.uint8
        )
        self.pos = 0

    def add(self, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise ValueError("model array data is not a BLOB")
        if self.pos + len(data) > self.flat.size:
            raise ValueError("model array has more bytes than its shape")
        self.flat[self.pos : self.pos + len(data)] = np.frombuffer(data, np.uint8)
        self.pos += len(data)

    def array(self) -> np.ndarray:
        if self.pos != self.flat.size:
            raise ValueError("model array has fewer bytes than its shape")
        arr = self.flat.view(self.dtype).reshape(self.shape)
        return arr.astype(arr.dtype.newbyteorder("="), copy=False)  # writeable: we own flat


class ModelsMixin(StoreBase):
    @translating
    def save_model(
        self,
        arrays: dict[str, np.ndarray],
        meta: dict,
        kind: str = "mf",
        make_current: bool = True,
        keep: tuple[int, ...] = (),
    ) -> int:
        """Write the model, make it the current one of its kind (unless ``make_current`` is
        False), drop all of that kind but the newest few, its current one and the ``keep``
        ids; returns model_id.

        On its own connection, in one transaction, without the store lock: a 100+ MB save at
        ml-32m must not make the UI thread's reads wait.
        """
        kind = _kind(kind)
        encoded = [row for name, arr in arrays.items() for row in _encode(str(name), arr)]
        meta_json = to_json(meta, "meta")
        _ = self.conn  # StoreError once the store is closed, as for every other method
        conn = self.writer()
        try:
            conn.execute("BEGIN IMMEDIATE")
            model_id = conn.execute(
                "INSERT INTO models(created_at, meta, is_current, kind) VALUES (?, ?, 0, ?)",
                (time.time(), meta_json, kind),
            ).lastrowid
            conn.executemany(
                "INSERT INTO model_arrays VALUES (?, ?, ?, ?, ?, ?)",
                [(model_id, *row) for row in encoded],
            )
            if make_current:
                conn.execute(
                    "UPDATE models SET is_current = (model_id = ?) WHERE kind = ?",
                    (model_id, kind),
                )
            kept = ",".join("?" * len(keep))  # SQLite accepts an empty NOT IN ()
            conn.execute(
                f"DELETE FROM models WHERE kind = ? AND is_current = 0 AND model_id NOT IN ({kept})"
                " AND model_id NOT IN "
                "(SELECT model_id FROM models WHERE kind = ? ORDER BY model_id DESC LIMIT ?)",
                (kind, *map(int, keep), kind, KEEP_MODELS),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        return int(model_id or 0)

    @translating
    def load_current_model(
        self, kind: str = "mf"
    ) -> tuple[int, dict[str, np.ndarray], dict] | None:
        """(model_id, writeable arrays, meta) of the current model of ``kind``, or None if
        none saved.

        Reads on its own connection in one snapshot, so the lock is free meanwhile.
        """
        kind = _kind(kind)
        return self._load_model("is_current = 1 AND kind = ?", (kind,))

    @translating
    def load_model(self, model_id: int) -> tuple[int, dict[str, np.ndarray], dict] | None:
        """(model_id, writeable arrays, meta) of any saved model, or None when there is no such
        model (it was never saved, or dropped as one of the oldest)."""
        return self._load_model("model_id = ?", (int(model_id),))

    def _load_model(
        self, where: str, params: tuple
    ) -> tuple[int, dict[str, np.ndarray], dict] | None:
        conn = self.reader()
        try:
            conn.execute("BEGIN")
            row = conn.execute(
                f"SELECT model_id, meta FROM models WHERE {where}", params
            ).fetchone()
            if row is None:
                return None
            model_id, meta_json = row
            parts: dict[str, _Assembler] = {}
            try:
                for name, dtype, shape, data in conn.execute(
                    "SELECT name, dtype, shape, data FROM model_arrays WHERE model_id = ? ORDER BY name, part",
                    (model_id,),
                ):
                    if name not in parts:
                        parts[name] = _Assembler(dtype, shape)
                    parts[name].add(data)
                arrays = {name: part.array() for name, part in parts.items()}
                saved_meta = json.loads(meta_json)
            except (TypeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
                raise StoreError(
                    f"{self.path}: saved model {model_id} is damaged ({exc}); train again"
                ) from exc
            conn.execute("COMMIT")
        finally:
            conn.close()
        return int(model_id), arrays, saved_meta

    @locked
    def list_models(self) -> list[SavedModel]:
        """Every saved model, newest first: id, kind, when, whether current for its kind."""
        rows = self.conn.execute(
            "SELECT model_id, kind, created_at, is_current FROM models ORDER BY model_id DESC"
        )
        return [SavedModel(int(m), str(k), float(t), bool(c)) for m, k, t, c in rows]

    @locked
    def model_metas(self, kind: str | None = None) -> list[tuple[SavedModel, dict]]:
        """Every saved model (of ``kind``, or all), newest first, with its metadata (no arrays).
        A model whose metadata cannot be read comes with ``{}``."""
        rows = self.conn.execute(
            "SELECT model_id, kind, created_at, is_current, meta FROM models "
            "WHERE ? IS NULL OR kind = ? ORDER BY model_id DESC",
            (kind, kind),
        )
        out = []
        for m, k, t, c, meta_json in rows:
            try:
                meta = json.loads(meta_json)
            except ValueError:
                meta = {}
            out.append(
                (
                    SavedModel(int(m), str(k), float(t), bool(c)),
                    meta if isinstance(meta, dict) else {},
                )
            )
        return out

    @locked
    def set_current_model(self, model_id: int) -> SavedModel:
        """Make a saved model the current one of its kind (one transaction); returns it."""
        row = self.conn.execute(
            "SELECT kind, created_at FROM models WHERE model_id = ?", (int(model_id),)
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"there is no saved model #{model_id}; list them with `movietui models`"
            )
        kind, created_at = row
        with self.transaction() as conn:
            conn.execute(
                "UPDATE models SET is_current = (model_id = ?) WHERE kind = ?",
                (int(model_id), kind),
            )
        return SavedModel(int(model_id), str(kind), float(created_at), True)

    @locked
    def start_training_run(self, params: dict) -> int:
        # The pid lets a later reader tell a run still going in some process from one whose
        # process was killed (finish_training_run replaces these metrics).
        cur = self.conn.execute(
            "INSERT INTO training_runs(started_at, status, params, metrics) VALUES (?, 'running', ?, ?)",
            (time.time(), to_json(params, "params"), to_json({"pid": os.getpid()}, "metrics")),
        )
        return _row_id(cur)

    @locked
    def finish_training_run(
        self, run_id: int, status: str, metrics: dict, model_id: int | None
    ) -> None:
        cur = self.conn.execute(
            "UPDATE training_runs SET finished_at = ?, status = ?, metrics = ?, model_id = ? WHERE run_id = ?",
            (time.time(), str(status), to_json(metrics, "metrics"), model_id, int(run_id)),
        )
        if cur.rowcount == 0:
            raise NotFoundError(
                f"training run {run_id} does not exist; start one with start_training_run"
            )

    @locked
    def training_runs(self, limit: int = 20) -> list[TrainingRun]:
        """The latest runs, newest first."""
        rows = self.conn.execute(
            "SELECT run_id, started_at, finished_at, status, params, metrics, model_id FROM training_runs "
            "ORDER BY run_id DESC LIMIT ?",
            (int(limit),),
        )
        runs = []
        for run_id, started, finished, status, params, metrics_json, model_id in rows:
            metrics = json.loads(metrics_json)
            if status == "running" and not _alive(metrics.get("pid")):
                status = "interrupted"  # its process died before it could say how it ended
            runs.append(
                TrainingRun(
                    run_id, started, finished, status, json.loads(params), metrics, model_id
                )
            )
        return runs


def _alive(pid: object) -> bool:
    """Whether process pid exists; True when unknown (no pid, or not POSIX: os.kill(pid, 0)
    would terminate the process on Windows)."""
    if not isinstance(pid, int) or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists but belongs to someone else
    return True
