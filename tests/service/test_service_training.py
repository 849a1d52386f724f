"""Training through the service: swap-in, persistence across restarts, divergence, cancel."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from movietui.errors import ModelError
from movietui.service import EpochReport, Hyper, Service

QUICK = Hyper(factors=16, epochs=5, seed=7)  # retrains in tests: speed over quality

MATRIX, STAR_WARS, TOY_STORY, SILENCE, FARGO = 2571, 260, 1, 593, 608


def predictions(service: Service, ids: list[int]) -> list[float | None]:
    return [service.movie(m).movie.predicted for m in ids]


def test_restart_keeps_profile_ratings_model_and_identical_predictions(service: Service) -> None:
    alice = service.create_profile("alice")
    for movie_id, stars in [(MATRIX, 5), (STAR_WARS, 4.5), (TOY_STORY, 2), (SILENCE, 4)]:
        service.rate(movie_id, stars)
    service.create_profile("bob")
    service.switch_profile(alice.id)
    service.rate(FARGO, 3.5)
    info = service.model_info()
    recs = [(r.movie.movie_id, r.predicted) for r in service.recommendations(20)]
    probe = [1, 50, 318, 4993, 5952]
    before = predictions(service, probe)
    home = service.paths.home
    service.close()

    with Service.open(home) as again:
        assert again.current_profile.id == alice.id
        assert {r.movie.movie_id: r.rating for r in again.my_ratings()} == {
            MATRIX: 5.0,
            STAR_WARS: 4.5,
            TOY_STORY: 2.0,
            SILENCE: 4.0,
            FARGO: 3.5,
        }
        assert again.model_info().model_id == info.model_id
        assert again.model_info().hyper == info.hyper
        assert predictions(again, probe) == before
        assert [(r.movie.movie_id, r.predicted) for r in again.recommendations(20)] == recs


def test_train_includes_profiles_and_swaps_in_the_new_model(service: Service) -> None:
    profile = service.create_profile("alice")
    service.rate(MATRIX, 5)
    service.rate(TOY_STORY, 1)
    old = service.model_info()
    seen: list[EpochReport] = []
    result = service.train(replace(QUICK, epochs=3), on_epoch=seen.append, make_current=True)
    assert not result.cancelled
    info = result.model_info
    assert info.model_id != old.model_id and service.model_info() == info
    assert [r.epoch for r in seen] == [1, 2, 3] and all(np.isfinite(r.train_rmse) for r in seen)
    assert info.n_ratings == 100_836 + 2
    assert info.n_items == 9742 and info.n_users == 610 + 1
    # The profile is a user of the model (key -profile_id) and stays personal after the swap.
    model = service._live.model
    assert int(model.user_index([-profile.id])[0]) >= 0
    assert service.movie(MATRIX).movie.my_rating == 5.0
    assert service.recommendations(5)[0].because or service.recommendations(20)


def test_divergence_keeps_the_previous_model(service: Service) -> None:
    service.create_profile("alice")
    service.rate(MATRIX, 5)
    old = service.model_info()
    before = predictions(service, [1, 318])
    with pytest.raises(ModelError) as info:
        service.train(replace(QUICK, lr=1.0, reg=0.0, init_std=1.0, factors=64, epochs=3))
    assert "\n" not in str(info.value) and "learning rate" in str(info.value)
    assert service.model_info() == old
    assert predictions(service, [1, 318]) == before
    runs = service.store.training_runs(5)
    assert runs[0].status == "failed" and runs[0].model_id is None
    # A restart still finds the old model current.
    home = service.paths.home
    service.close()
    with Service.open(home) as again:
        assert again.model_info().model_id == old.model_id


def test_cancel_before_training_changes_nothing(service: Service) -> None:
    old = service.model_info()
    cancel = threading.Event()
    cancel.set()
    result = service.train(QUICK, cancel=cancel)
    assert result.cancelled and result.model_info == old
    assert service.store.training_runs(1)[0].status == "cancelled"


def test_cancel_after_an_epoch_keeps_what_was_learned(service: Service) -> None:
    old = service.model_info()
    cancel = threading.Event()
    result = service.train(
        replace(QUICK, epochs=20),
        on_epoch=lambda r: cancel.set() if r.epoch == 2 else None,
        cancel=cancel,
    )
    assert result.cancelled and not result.stopped_early
    assert len(result.new_model.history) == 2  # saved in the model history
    # ...but it validates worse than the model in use, which stays (tests/service/test_model_history.py)
    assert not result.made_current and service.model_info().model_id == old.model_id


def test_bad_hyperparameters_are_one_line_errors(service: Service) -> None:
    with pytest.raises(ModelError, match="factors"):
        service.train(replace(QUICK, factors=0))


def test_training_in_a_thread_while_rating(service: Service) -> None:
    """The UI rates on its thread while a worker trains; the swap refolds the live row."""
    service.create_profile("alice")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            service.train(replace(QUICK, epochs=4))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    ids = [MATRIX, STAR_WARS, TOY_STORY, SILENCE, FARGO, 1196, 1210, 2959]
    for k, movie_id in enumerate(ids):
        service.rate(movie_id, 1 + (k % 5))
        assert service.recommendations(5)
    worker.join(60)
    assert not worker.is_alive() and not errors
    # After the swap, the live row reflects every rating, including those made mid-training.
    assert len(service.my_ratings()) == len(ids)
    after = [r.movie.movie_id for r in service.recommendations(10)]
    assert not set(after) & set(ids)


def test_corrupt_saved_model_opens_without_a_model(service: Service, tmp_path: Path) -> None:
    home = service.paths.home
    model_id = service.model_info().model_id
    service.close()
    import sqlite3

    conn = sqlite3.connect(home / "movietui.db")
    conn.execute(
        "DELETE FROM model_arrays WHERE model_id = ? AND name = 'item_factors'", (model_id,)
    )
    conn.commit()
    conn.close()
    with Service.open(home) as again:
        assert again.model_info() is None
        assert again.load_warning and "retrain" in again.load_warning
        assert again.recommendations(3)  # popularity still works


def test_warm_up_runs_with_and_without_a_model(service: Service, empty_service: Service) -> None:
    empty_service.warm_up()  # no model: nothing to load, no error
    service.warm_up()
    service.create_profile("after-warm-up")
    assert service.rate(MATRIX, 4).loss_after is not None
