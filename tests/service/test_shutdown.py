"""The shutdown order: close() asks a running training to stop, waits for it to save its
finished epochs (as Stop does), and only then closes the store. Waits only on events."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from movietui.service import EpochReport, Hyper, Service, TrainResult
from movietui.store import open_store

DEADLOCK_GUARD_S = 300  # a broken shutdown hangs; the guard turns that into a failure


def test_close_during_training_keeps_the_finished_epochs(
    trained_template: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_template, home)
    service = Service.open(home)
    two_epochs = threading.Event()
    outcome: dict[str, object] = {}

    def on_epoch(report: EpochReport) -> None:
        if report.epoch >= 2:
            two_epochs.set()

    def work() -> None:
        try:  # no early stop, far more epochs than run before close() asks it to stop
            hyper = Hyper(factors=8, epochs=100_000, val_fraction=0.0, seed=3)
            outcome["result"] = service.train(hyper, on_epoch=on_epoch)
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    assert two_epochs.wait(DEADLOCK_GUARD_S)
    service.close()  # as quitting the app does, with the training still running
    worker.join(DEADLOCK_GUARD_S)
    assert not worker.is_alive()
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert isinstance(result, TrainResult) and result.cancelled and result.model_info is not None
    assert len(result.model_info.history) >= 2

    with Service.open(home) as again:
        info = again.model_info()
        assert info is not None and info.model_id == result.model_info.model_id
        assert len(info.history) == len(result.model_info.history)
        run = again.store.training_runs(1)[0]
        assert (run.status, run.model_id) == ("cancelled", info.model_id)  # not left "running"


def test_nothing_new_starts_once_closing(service: Service) -> None:
    service.close()
    with pytest.raises(Exception, match="closing"):
        service.train(Hyper(factors=4, epochs=1))


def test_a_model_save_does_not_wait_for_the_store_lock(tmp_path: Path) -> None:
    """The save writes on its own connection: holding the lock (as a long UI-thread read
    would) does not stop it, and a reader on the main connection sees it once committed."""
    store = open_store(tmp_path / "db.sqlite")
    arrays = {"big": np.arange(3_000_000, dtype=np.float32)}
    saved: dict[str, int] = {}
    try:
        with store._lock:  # the main connection is busy for the whole save
            saver = threading.Thread(target=lambda: saved.update(id=store.save_model(arrays, {})))
            saver.start()
            saver.join(DEADLOCK_GUARD_S)
            assert not saver.is_alive(), "the save waited for the store lock"
        loaded = store.load_current_model()
        assert loaded is not None and loaded[0] == saved["id"]
        assert np.array_equal(loaded[1]["big"], arrays["big"])
    finally:
        store.close()
