"""Numeric faults: divergence stops cleanly and keeps the old model; edge cases never give NaN."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from rel_harness import Figures

from movietui.errors import ModelError
from movietui.model import Hyper, fold_in, fold_in_exact, scores, train
from movietui.service import Service

SMALL = {"factors": 8, "epochs": 6, "seed": 5}
DIVERGE = Hyper(
    factors=16, epochs=40, lr=1.0, lr_decay=1.0, reg=0.0, bias_reg=0.0, init_std=1.0, patience=40
)


def finite_or_none(value: float | None) -> bool:
    return value is None or math.isfinite(value)


# ------------------------------------------------------------ divergence


def test_diverging_training_stops_and_keeps_previous_model(
    catalog_home: Path, figures: Figures
) -> None:
    with Service.open(catalog_home) as service:
        service.train(Hyper(factors=16, epochs=4, seed=3))
        before = service.model_info()
        recs_before = [(r.movie.movie_id, r.predicted) for r in service.recommendations(n=10)]
        epochs_seen: list[int] = []
        with pytest.raises(ModelError) as caught:
            service.train(DIVERGE, on_epoch=lambda r: epochs_seen.append(r.epoch))
        message = str(caught.value)
        assert "\n" not in message
        assert "diverge" in message and ("learning rate" in message or "lr" in message), message
        # stopped at the first bad epoch: no report was sent for it or after it
        bad_epoch = int(message.split("epoch ")[1].split()[0].strip("(:,"))
        assert epochs_seen == list(range(1, bad_epoch)), (epochs_seen, message)
        after = service.model_info()
        assert after is not None and before is not None and after.model_id == before.model_id
        assert [
            (r.movie.movie_id, r.predicted) for r in service.recommendations(n=10)
        ] == recs_before
    with Service.open(catalog_home) as service:  # and after a restart
        assert service.model_info().model_id == before.model_id  # type: ignore[union-attr]
        assert [
            (r.movie.movie_id, r.predicted) for r in service.recommendations(n=10)
        ] == recs_before
        runs = service.store.training_runs()
        assert runs[0].status == "failed" and runs[0].model_id is None
    figures.add("divergence_cases")
    figures.note("divergence_message", message)


def test_diverging_model_train_raises_model_error() -> None:
    rng = np.random.default_rng(0)
    users = rng.integers(1, 60, 3000)
    items = rng.integers(1, 200, 3000)
    ratings = rng.integers(1, 11, 3000) / 2
    with pytest.raises(ModelError, match="diverge"):
        train(users, items, ratings.astype(np.float32), DIVERGE)


# ------------------------------------------------------------ edge cases in the model


def check_model(model, extra_items: int = 0) -> None:
    for name in ("user_bias", "item_bias", "user_factors", "item_factors"):
        assert np.isfinite(getattr(model, name)).all(), name
    for u in range(model.n_users):
        s = scores(model, model.user_factors[u], float(model.user_bias[u]))
        assert np.isfinite(s).all() and s.min() >= 0.5 and s.max() <= 5


def test_model_edge_cases_are_finite(figures: Figures) -> None:
    cases = {
        "one rating": (np.array([1]), np.array([10]), np.array([4.0])),
        "one user": (np.ones(50, int), np.arange(1, 51), np.tile([1.0, 3.5, 5.0, 2.0, 4.5], 10)),
        "all ratings equal": (np.arange(200) % 20 + 1, np.arange(200) % 37 + 1, np.full(200, 3.0)),
        "all the same pair": (np.ones(5, int), np.ones(5, int), np.full(5, 5.0)),
    }
    for name, (u, i, r) in cases.items():
        model = train(u, i, r.astype(np.float32), Hyper(**SMALL), all_item_ids=np.array([999_999]))
        check_model(model)
        unrated = int(model.item_index([999_999])[0])
        assert unrated >= 0, f"{name}: the unrated catalog movie is missing"
        assert not model.item_factors[unrated].any() and model.item_bias[unrated] == 0
        for fold in (fold_in, fold_in_exact):
            for idx, rr in (([0], [5.0]), ([unrated], [0.5]), ([0, unrated], [4.0, 4.0]), ([], [])):
                f = fold(model, np.array(idx, dtype=np.int64), np.array(rr, dtype=np.float32))
                assert np.isfinite(f.factors).all() and math.isfinite(f.bias), (
                    name,
                    fold.__name__,
                    idx,
                )
                assert math.isfinite(f.loss_before) and math.isfinite(f.loss_after)
                s = scores(model, f.factors, f.bias)
                assert np.isfinite(s).all()
        figures.add("numeric_edge_cases")


# ------------------------------------------------------------ edge cases through the service


def write_edge_release(root: Path) -> Path:
    """One user who rated 40 movies, every rating 4.0; movies 41-45 rated by nobody."""
    root.mkdir(parents=True)
    titles = "\n".join(f"{m},Film {m} ({1950 + m}),Drama|Comedy" for m in range(1, 46))
    (root / "movies.csv").write_text("movieId,title,genres\n" + titles + "\n")
    rows = "\n".join(f"1,{m},4.0,{1_000_000_000 + m}" for m in range(1, 41))
    (root / "ratings.csv").write_text("userId,movieId,rating,timestamp\n" + rows + "\n")
    return root


def test_service_edge_cases_one_user_equal_ratings_unrated_movie(
    rel_home: Path, tmp_path: Path, figures: Figures
) -> None:
    release = write_edge_release(tmp_path / "ml-edge")
    with Service.open(rel_home) as service:
        service.import_catalog(release)
        service.create_profile("solo")
        result = service.rate(3, 5.0)  # a profile with one rating, before any model
        assert finite_or_none(result.loss_before) and finite_or_none(result.loss_after)
        recs = service.recommendations(n=50)
        assert recs and all(math.isfinite(r.predicted) for r in recs)
        service.train(Hyper(**SMALL))
        result = service.rate(3, 5.0)
        assert finite_or_none(result.loss_before) and finite_or_none(result.loss_after)
        recs = service.recommendations(n=50)
        assert recs and all(math.isfinite(r.predicted) and 0.5 <= r.predicted <= 5 for r in recs)
        for movie_id in (3, 41, 45):  # rated, and rated by nobody
            detail = service.movie(movie_id)
            assert finite_or_none(detail.movie.predicted) and finite_or_none(
                detail.movie.mean_rating
            )
            assert all(math.isfinite(s.score) for s in service.similar(movie_id))
        page = service.browse(sort="predicted", limit=100)
        assert page.total == 45 and all(finite_or_none(v.predicted) for v in page.items)
        assert service.undo() is not None
    figures.add("numeric_edge_cases")
