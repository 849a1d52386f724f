"""Model history: a worse or stopped run never silently replaces a better model; any saved
model can be made current again (issue 12, item 4)."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from movietui.errors import MovietuiError, NotFoundError
from movietui.model.ranker import RankHyper
from movietui.service import Hyper, Service
from movietui.service.history import RATINGS_CHANGE
from movietui.store.models import KEEP_MODELS

# Two epochs of 2 factors at a tiny learning rate: far worse than the template's model.
WORSE = Hyper(factors=2, epochs=2, lr=0.0005, seed=3)
PROBE = [1, 50, 318, 2571, 4993, 5952]
RANK = RankHyper(factors=8, epochs=2, seed=3)  # the ranker trains after each run: keep it tiny


def train(service: Service, hyper: Hyper, **kwargs):
    return service.train(hyper, rank_hyper=RANK, **kwargs)


def predictions(service: Service) -> list[float | None]:
    return [service.movie(m).movie.predicted for m in PROBE]


def with_profile(service: Service) -> None:
    service.create_profile("alice")
    for movie_id, stars in [(2571, 5), (260, 4.5), (1, 2), (593, 4)]:
        service.rate(movie_id, stars)


def test_a_worse_finished_run_does_not_replace_the_better_model(service: Service) -> None:
    with_profile(service)
    good = service.model_info()
    before = predictions(service)
    result = train(service, WORSE)
    assert not result.cancelled and not result.made_current
    assert result.new_model is not None and result.new_model.model_id != good.model_id
    assert result.new_model.val_rmse > good.val_rmse
    # The better model stays in use, in memory and in the store (a restart keeps it).
    assert service.model_info().model_id == good.model_id
    assert result.model_info.model_id == good.model_id
    assert predictions(service) == before
    assert f"{good.val_rmse:.4f}" in result.decision and "kept" in result.decision
    rows = {r.model_id: r for r in service.model_history("mf")}
    assert rows[good.model_id].current and not rows[result.new_model.model_id].current
    home = service.paths.home
    service.close()
    with Service.open(home) as again:
        assert again.model_info().model_id == good.model_id


def test_a_stopped_run_that_validates_worse_is_kept_in_the_history(service: Service) -> None:
    good = service.model_info()
    # Stop after the first epoch of a default-sized run: what Stop (x) does mid-run.
    result = train(service, replace(Hyper(), epochs=50, seed=5), on_epoch=lambda report: False)
    assert result.cancelled and not result.made_current
    assert service.model_info().model_id == good.model_id
    row = next(r for r in service.model_history() if r.model_id == result.new_model.model_id)
    assert row.stopped and row.epochs == 1 and not row.current


def test_a_better_run_becomes_current(service: Service) -> None:
    worse = train(service, WORSE, make_current=True)
    assert worse.made_current and "as asked" in worse.decision
    assert service.model_info().model_id == worse.new_model.model_id
    better = train(service, Hyper(factors=16, epochs=10, seed=7))
    assert better.made_current and "at least as well" in better.decision
    assert service.model_info().model_id == better.new_model.model_id


def test_making_an_old_model_current_serves_its_predictions(service: Service) -> None:
    with_profile(service)
    good = service.model_info()
    good_predictions = predictions(service)
    worse = train(service, WORSE, make_current=True).new_model
    assert service.model_info().model_id == worse.model_id
    worse_predictions = predictions(service)
    assert worse_predictions != good_predictions

    row = service.use_model(good.model_id)
    assert row.current and row.model_id == good.model_id
    assert service.model_info().model_id == good.model_id
    assert predictions(service) == pytest.approx(good_predictions, abs=1e-5)
    assert service.use_model(worse.model_id).current
    assert predictions(service) == pytest.approx(worse_predictions, abs=1e-5)
    # The choice is the store's current model: a restart opens on it.
    home = service.paths.home
    service.close()
    with Service.open(home) as again:
        assert again.model_info().model_id == worse.model_id


def test_history_rows_say_when_what_data_hyperparameters_and_figures(service: Service) -> None:
    started = time.time()
    result = train(service, WORSE)
    rows = service.model_history()
    assert [r.model_id for r in rows] == sorted((r.model_id for r in rows), reverse=True)
    new = rows[0]
    assert new.model_id == result.new_model.model_id and new.kind == "mf"
    assert new.trained_at >= started - 1
    assert new.catalog == "ml-latest-small" and new.n_ratings == 100_836
    assert new.n_movies == 9742 and new.epochs == 2 and not new.stopped
    assert new.hyper["factors"] == 2 and new.hyper_text().startswith("2 factors")
    assert new.data_text() == "ml-latest-small · 100,836 ratings"
    assert replace(new, catalog=None).data_text() == "catalog not recorded · 100,836 ratings"
    assert new.val_rmse == pytest.approx(result.new_model.val_rmse)
    assert new.val_recall is not None and 0 <= new.val_recall <= 1  # the ranker trained with it
    assert sum(r.current for r in rows if r.kind == "mf") == 1
    json.dumps([r.to_dict() for r in rows])  # JSON-able as it stands


def test_unknown_model_ids_are_one_line_errors(service: Service) -> None:
    with pytest.raises(NotFoundError) as info:
        service.use_model(999)
    assert "\n" not in str(info.value) and "movietui models" in str(info.value)
    with pytest.raises(MovietuiError):
        service.model_history("bogus")


def test_the_current_model_is_never_dropped_as_one_of_the_oldest(service: Service) -> None:
    good = service.model_info()
    for seed in range(KEEP_MODELS + 1):
        assert not train(service, replace(WORSE, seed=seed)).made_current
    ids = [r.model_id for r in service.model_history("mf")]
    assert good.model_id in ids and len(ids) == KEEP_MODELS + 1
    assert service.model_info().model_id == good.model_id


def test_runs_without_a_validation_figure_never_push_out_the_best_validated_model(
    service: Service,
) -> None:
    """Each such run becomes current (nothing to compare), and the pruning keeps the newest
    few; the validated model stays in the history, so there is a way back to it."""
    good = service.model_info()
    for seed in range(KEEP_MODELS + 1):
        result = train(service, replace(WORSE, val_fraction=0.0, seed=seed))
        assert result.made_current and "no validation figure" in result.decision
    rows = {r.model_id: r for r in service.model_history("mf")}
    assert good.model_id in rows and rows[good.model_id].val_rmse == pytest.approx(good.val_rmse)
    assert len(rows) == KEEP_MODELS + 1
    assert service.use_model(good.model_id).current


def test_new_data_makes_the_new_run_current(service: Service) -> None:
    """RMSEs on different data are not comparable: many new ratings (over RATINGS_CHANGE)
    make the new run current even when its figure is worse."""
    service.create_profile("many")
    ids = [m.movie_id for m in service.browse(sort="popularity", limit=2000).items]
    wanted = int(100_836 * RATINGS_CHANGE) + 1
    profiles = [service.create_profile(f"p{k}") for k in range(wanted // len(ids) + 1)]
    left = wanted
    for profile in profiles:
        rows = [(m, 4.0, 1.0) for m in ids[: min(left, len(ids))]]
        left -= service.store.set_ratings_bulk(profile.id, rows)
    result = train(service, WORSE)
    assert result.made_current and "ratings changed" in result.decision
