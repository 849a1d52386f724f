"""The neural model through the service: trained beside MF, saved as its own kind, reloaded,
made the model that predicts stars, folded per rating, switched back, shutdown and damage."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from movietui.errors import ModelError, MovietuiError
from movietui.service import EpochReport, NeuralHyper, Service, TrainResult

QUICK = NeuralHyper(factors=16, hidden=8, epochs=3, seed=7)
MATRIX, STAR_WARS, TOY_STORY, SILENCE, FARGO = 2571, 260, 1, 593, 608
PROBE = [1, 50, 318, 2571, 4993, 5952, 7153]
DEADLOCK_GUARD_S = 300


def predictions(service: Service, ids: list[int] = PROBE) -> list[float | None]:
    return [v.movie.predicted for v in map(service.movie, ids)]


def test_neural_trains_beside_mf_and_predicts_stars_once_chosen(service: Service) -> None:
    service.create_profile("alice")
    for movie_id, stars in [(MATRIX, 5), (STAR_WARS, 4.5), (TOY_STORY, 2)]:
        service.rate(movie_id, stars)
    mf = service.model_info()
    mf_predicted = predictions(service)
    seen: list[EpochReport] = []
    result = service.train_neural(QUICK, on_epoch=seen.append)

    info = result.model_info
    assert not result.cancelled and info is not None and info.kind == "neural"
    assert [r.epoch for r in seen] == [1, 2, 3] and all(np.isfinite(r.train_rmse) for r in seen)
    assert info.history == seen and info.val_rmse is not None
    assert info.n_ratings == 100_836 + 3 and info.hyper == QUICK
    assert service.neural_info() == info
    # MF is untouched and still predicts the stars until the user chooses otherwise.
    assert service.model_info() == mf and service.star_model() == "mf"
    assert predictions(service) == mf_predicted
    saved = {(m.kind, m.model_id) for m in service.saved_models() if m.is_current}
    assert saved == {("mf", mf.model_id), ("neural", info.model_id)}

    service.set_star_model("neural")
    assert service.star_model() == "neural"
    neural_predicted = predictions(service)
    assert neural_predicted != mf_predicted
    assert all(p is not None and 0.5 <= p <= 5 for p in neural_predicted)
    # the numbers shown are the neural model's scores of the profile's folded row
    live = service._live
    expected = live.neural.model.scores(live.neural_row, live.neural_bias)
    idx = live.neural.model.item_index(PROBE)
    assert neural_predicted == [round(float(expected[i]), 4) for i in idx]
    recs = service.recommendations(10)
    assert recs and all(r.predicted == r.movie.predicted for r in recs)
    # For you's list still comes from the ranker (trained with MF), only the stars moved
    assert not {r.movie.movie_id for r in recs} & {MATRIX, STAR_WARS, TOY_STORY}

    service.set_star_model("mf")
    assert service.star_model() == "mf" and predictions(service) == mf_predicted


def test_neural_model_and_star_choice_survive_a_restart(service: Service) -> None:
    service.create_profile("alice")
    service.rate(MATRIX, 5)
    info = service.train_neural(QUICK).model_info
    service.set_star_model("neural")
    service.rate(FARGO, 2)  # folded warm: the row is path-dependent, so it is saved on close
    before = predictions(service)
    recs = [(r.movie.movie_id, r.predicted) for r in service.recommendations(10)]
    home = service.paths.home
    service.close()

    with Service.open(home) as again:
        assert again.load_warning is None
        assert again.star_model() == "neural"
        assert again.neural_info().model_id == info.model_id
        assert again.neural_info().history == info.history
        assert predictions(again) == before
        assert [(r.movie.movie_id, r.predicted) for r in again.recommendations(10)] == recs
        again.warm_up()  # compiles the neural kernels; changes nothing shown
        assert predictions(again) == before


def test_a_rating_folds_into_that_profile_only(service: Service) -> None:
    service.train_neural(QUICK)
    service.set_star_model("neural")
    bob = service.create_profile("bob")
    service.rate(TOY_STORY, 4)
    bob_before = predictions(service)
    alice = service.create_profile("alice")
    service.rate(SILENCE, 4)
    alice_before = predictions(service)
    weights = service._live.neural.model.W1.copy()

    result = service.rate(MATRIX, 5)
    assert result.loss_before is not None and result.loss_after is not None
    assert result.loss_after <= result.loss_before
    alice_after = predictions(service)
    assert alice_after != alice_before
    assert alice_after[PROBE.index(MATRIX)] > alice_before[PROBE.index(MATRIX)]
    assert np.array_equal(service._live.neural.model.W1, weights)  # the network is fixed

    service.switch_profile(bob.id)
    assert predictions(service) == bob_before
    service.switch_profile(alice.id)
    assert predictions(service) == alice_after


def test_set_star_model_errors_are_one_line(service: Service, empty_service: Service) -> None:
    with pytest.raises(MovietuiError, match="no neural model") as info:
        service.set_star_model("neural")
    assert "\n" not in str(info.value)
    with pytest.raises(MovietuiError, match="choose mf or neural"):
        service.set_star_model("lstm")
    with pytest.raises(MovietuiError, match="no matrix factorisation model"):
        empty_service.set_star_model("mf")
    assert service.star_model() == "mf"


def test_damaged_neural_model_keeps_mf_predicting(service: Service) -> None:
    service.create_profile("alice")
    service.rate(MATRIX, 5)
    mf = service.model_info()
    mf_predicted = predictions(service)
    neural_id = service.train_neural(QUICK).model_info.model_id
    service.set_star_model("neural")
    home = service.paths.home
    service.close()

    conn = sqlite3.connect(home / "movietui.db")
    conn.execute(
        "UPDATE model_arrays SET data = x'00' WHERE model_id = ? AND name = 'W1'", (neural_id,)
    )
    conn.commit()
    conn.close()
    with Service.open(home) as again:
        warning = again.load_warning
        assert warning and "\n" not in warning and "neural" in warning
        assert "train" in warning and "matrix factorisation" in warning
        assert again.neural_info() is None and again.star_model() == "mf"
        assert again.model_info().model_id == mf.model_id
        assert predictions(again) == mf_predicted
        with pytest.raises(MovietuiError, match="no neural model"):
            again.set_star_model("neural")
        # training the neural model again replaces the damaged one
        assert again.train_neural(QUICK).model_info.model_id != neural_id
        again.set_star_model("neural")
        assert again.star_model() == "neural"


def test_neural_divergence_and_cancel_keep_the_previous_model(service: Service) -> None:
    first = service.train_neural(QUICK).model_info
    with pytest.raises(ModelError, match="factors"):
        service.train_neural(replace(QUICK, factors=0))
    cancel = threading.Event()
    cancel.set()
    result = service.train_neural(QUICK, cancel=cancel)
    assert result.cancelled and result.model_info == first
    assert service.store.training_runs(1)[0].status == "cancelled"

    cancel = threading.Event()
    result = service.train_neural(
        replace(QUICK, epochs=20, patience=50),
        on_epoch=lambda r: cancel.set() if r.epoch == 2 else None,
        cancel=cancel,
        make_current=True,  # else a worse stopped run only joins the history
    )
    assert result.cancelled and len(result.model_info.history) == 2
    assert service.neural_info().model_id == result.model_info.model_id != first.model_id
    run = service.store.training_runs(1)[0]
    assert (run.status, run.model_id, run.params["kind"]) == ("cancelled", run.model_id, "neural")


def test_close_during_neural_training_keeps_the_finished_epochs(service: Service) -> None:
    two_epochs = threading.Event()
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            hyper = replace(QUICK, factors=8, epochs=100_000, val_fraction=0.0)
            outcome["result"] = service.train_neural(
                hyper, on_epoch=lambda r: two_epochs.set() if r.epoch >= 2 else None
            )
        except BaseException as exc:  # pragma: no cover - reported below
            outcome["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    assert two_epochs.wait(DEADLOCK_GUARD_S)
    home = service.paths.home
    service.close()
    worker.join(DEADLOCK_GUARD_S)
    assert not worker.is_alive() and "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert isinstance(result, TrainResult) and result.cancelled
    assert result.model_info is not None and len(result.model_info.history) >= 2
    with Service.open(home) as again:
        assert again.neural_info().model_id == result.model_info.model_id
        assert again.store.training_runs(1)[0].status == "cancelled"


def test_old_databases_gain_the_kind_column(tmp_path: Path) -> None:
    """A version-3 file: its saved model reads as the current MF model after the upgrade."""
    from movietui.store import open_store
    from movietui.store.schema import MIGRATIONS, create_v1

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    create_v1(conn)
    for version, migrate in enumerate(MIGRATIONS[:2], start=2):
        conn.execute("BEGIN")
        migrate(conn)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    conn.execute("INSERT INTO models(created_at, meta, is_current) VALUES (1.0, '{\"k\": 1}', 1)")
    conn.commit()
    conn.close()
    store = open_store(path)
    try:
        loaded = store.load_current_model("mf")
        assert loaded is not None and loaded[2] == {"k": 1}
        assert store.load_current_model("neural") is None
        assert [m.kind for m in store.list_models()] == ["mf"]
    finally:
        store.close()
