"""SIGKILL during training and during model saves: the last saved model survives whole.

Mid-epoch: a worker trains through the Service and is killed as soon as it prints
``epoch 1`` (or a little later); on reopen the previous model is current and predicts
exactly what it predicted before (arrays compared bit for bit, recommendations equal).

Mid-save: a worker saves ~1.6 MB models in a loop and is killed at random moments; on
reopen the current model is the last confirmed one or the one in flight, and it is always
complete: every array equals the deterministic model of its sequence number.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rel_harness import WORKERS, Figures, integrity

from movietui.config import get_paths
from movietui.model import Hyper, MFModel, scores
from movietui.service import Service
from movietui.store import open_store

sys.path.insert(0, str(WORKERS))
from det_models import make_model, payload

SEED = 4242


def snapshot(home: Path) -> tuple[int, dict[str, np.ndarray], np.ndarray, list[tuple[int, float]]]:
    """(model_id, arrays, predicted ratings of every user for every item, recommendations)."""
    with Service.open(home) as service:
        recs = [(r.movie.movie_id, r.predicted) for r in service.recommendations(n=15)]
    with open_store(get_paths(home).db) as store:
        saved = store.load_current_model()
    assert saved is not None
    model_id, arrays, meta = saved
    model = MFModel.from_arrays(arrays, meta)
    preds = np.stack(
        [
            scores(model, model.user_factors[u], float(model.user_bias[u]))
            for u in range(model.n_users)
        ]
    )
    assert np.isfinite(preds).all()
    return model_id, arrays, preds, recs


@pytest.mark.slow
def test_kill_mid_epoch_keeps_previous_model(spawn, catalog_home: Path, figures: Figures) -> None:
    with Service.open(catalog_home) as service:
        service.train(Hyper(factors=16, epochs=4, lr=0.01, seed=3))
    before_id, before_arrays, before_preds, before_recs = snapshot(catalog_home)
    rng = random.Random(SEED)
    for round_no in range(2):
        child = spawn("trainer.py", catalog_home, 100_000)
        child.wait_for("epoch 1", timeout=180)
        time.sleep(rng.uniform(0, 0.3))  # sometimes a few epochs later
        child.kill()
        epochs_seen = sum(line.startswith("epoch") for line in child.seen + child.drain())
        assert not any(line.startswith("done") for line in child.seen), (
            "training finished before the kill"
        )
        assert integrity(get_paths(catalog_home).db) == "ok"
        model_id, arrays, preds, recs = snapshot(catalog_home)
        assert model_id == before_id, f"round {round_no}: current model changed to {model_id}"
        assert arrays.keys() == before_arrays.keys()
        for name in arrays:
            assert np.array_equal(arrays[name], before_arrays[name]), f"array {name} changed"
        assert np.array_equal(preds, before_preds)
        assert recs == before_recs
        figures.add("train_kills_mid_epoch")
        figures.add("train_epochs_done_before_kill", epochs_seen)
    with open_store(get_paths(catalog_home).db) as store:
        runs = store.training_runs()
    # The first run finished; the two killed ones read as interrupted, not as still running.
    assert [r.status for r in runs] == ["interrupted", "interrupted", "done"]
    figures.note("train_runs_left_by_kills", sorted({r.status for r in runs}))


def meta_template(tmp_path: Path) -> tuple[Path, dict]:
    """The model room's own meta layout; the saver fills in mu and seq per model."""
    arrays, meta = make_model(0).to_arrays()
    ours, _ = payload(0, meta)
    assert ours.keys() == arrays.keys() and all(np.array_equal(ours[k], arrays[k]) for k in arrays)
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(meta))
    return path, meta


@pytest.mark.slow
def test_kill_mid_save_never_loads_half_a_model(
    spawn, rel_home: Path, tmp_path: Path, figures: Figures
) -> None:
    db = get_paths(rel_home).db
    meta_file, template = meta_template(tmp_path)
    with open_store(db) as store:
        store.save_model(*payload(0, template))
    confirmed = 0
    rng = random.Random(SEED + 1)
    probe_users = np.array([0, 17, 1999])
    for round_no in range(8):
        child = spawn("saver.py", db, confirmed + 1, meta_file)
        child.wait_for("saved")  # one save done, so the kill lands among saves
        time.sleep(rng.uniform(0.0, 0.3))
        child.kill()
        for line in child.seen + child.drain():
            if line.startswith("saved"):
                confirmed = max(confirmed, int(line.split()[1]))
        assert integrity(db) == "ok", f"round {round_no}: integrity_check failed"
        with open_store(db) as store:
            saved = store.load_current_model()
        assert saved is not None
        _, arrays, meta = saved
        seq = int(meta["seq"])
        assert seq in (confirmed, confirmed + 1), (
            f"current model is {seq}, last confirmed {confirmed}"
        )
        want_arrays, _ = payload(seq, template)
        assert arrays.keys() == want_arrays.keys()
        for name, want in want_arrays.items():
            assert np.array_equal(arrays[name], want), (
                f"round {round_no}: model {seq} array {name} is not whole"
            )
        loaded, expect = MFModel.from_arrays(arrays, meta), make_model(seq)
        for u in probe_users:
            got = scores(loaded, loaded.user_factors[u], float(loaded.user_bias[u]))
            assert np.array_equal(
                got, scores(expect, expect.user_factors[u], float(expect.user_bias[u]))
            )
        if seq == confirmed + 1:
            figures.add("save_inflight_landed")
        confirmed = seq
        figures.add("save_kills")
    assert confirmed >= 8, "the saver confirmed fewer saves than there were kills"
    figures.add("models_saved_and_checked", confirmed)
