"""The demo: a real user replayed into models trained without them, folded as the app folds."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from movietui.cli import main
from movietui.errors import NotFoundError
from movietui.service import Hyper, RankHyper, format_curve
from movietui.service.demo import DEMO_PROFILE, LIKED, TOP, pick_user

QUICK = (Hyper(factors=16, epochs=5, seed=3), RankHyper(factors=16, epochs=3, seed=3))


def _zip_ratings(ml_small_zip) -> pd.DataFrame:
    with zipfile.ZipFile(ml_small_zip) as z:
        return pd.read_csv(z.open("ml-latest-small/ratings.csv"))


def test_user_ratings_in_time_order(service, ml_small_zip):
    movies, ratings, stamps = service.store.user_catalog_ratings(1)
    truth = _zip_ratings(ml_small_zip).query("userId == 1").sort_values(["timestamp", "movieId"])
    assert movies.tolist() == truth.movieId.tolist()
    assert np.allclose(ratings, truth.rating.to_numpy())
    assert stamps.tolist() == truth.timestamp.tolist()
    assert all(a.size == 0 for a in service.store.user_catalog_ratings(10**6))


def test_pick_user_is_seeded_and_in_range():
    users = np.repeat(np.arange(1, 6), [5, 50, 60, 500, 45])
    picks = {pick_user(users, seed) for seed in range(30)}
    assert picks == {2, 3, 5}
    assert pick_user(users, 7) == pick_user(users, 7)


def test_replay_folds_steps_and_counts_hits(service):
    saved = service.model_info()
    demo = service.demo(user=1, hyper=QUICK[0], rank_hyper=QUICK[1])
    # Trained without them: user 1 has no row in either model; the saved model is untouched.
    assert demo.live.model.user_index(np.array([1]))[0] == -1
    assert demo.live.ranker.user_index(np.array([1]))[0] == -1
    assert service.model_info() == saved
    start = demo.frame()
    assert start.step == 0 and len(start.for_you) == len(start.popular) == TOP
    frame = demo.run(5)
    assert frame.step == 5 and len(frame.curve) == 6
    replayed = demo.movies[:5].tolist()
    assert dict(demo.live.ratings) == dict(zip(replayed, demo.ratings[:5].tolist()))
    shown = {p.movie_id for p in frame.for_you} | {p.movie_id for p in frame.popular}
    assert not shown & set(replayed)  # rated films leave both lists
    liked_later = {
        m for m, r in zip(demo.movies[5:].tolist(), demo.ratings[5:].tolist()) if r >= LIKED
    }
    assert {p.movie_id for p in frame.for_you if p.hit} == {
        p.movie_id for p in frame.for_you if p.movie_id in liked_later
    }
    assert frame.curve[-1].hits == sum(p.hit for p in frame.for_you)
    assert frame.curve[-1].liked_left == len(liked_later)
    assert frame.last[0] == replayed[-1]
    # The marker moved along the trail, one point per rating plus the start.
    data = demo.taste_map("ranker")
    assert len(data.trail) == 6 and data.trail[0] != data.trail[-1]
    assert len(data.stars) <= 5 and DEMO_PROFILE > 0
    table = format_curve(frame)
    assert "for you hits@20" in table and len(table.splitlines()) == 2 + 6 + 1


def test_demo_refuses_unknown_user(service, empty_service):
    with pytest.raises(NotFoundError, match="user 999999 is not in this catalog"):
        service.demo(user=999999)
    with pytest.raises(NotFoundError, match="import one first"):
        empty_service.demo()


def test_demo_report_cli(trained_template, tmp_path, capsys):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(trained_template, home)
    code = main(
        [
            *("demo", "--home", str(home), "--report", "--user", "1", "--steps", "3"),
            *("--factors", "16", "--epochs", "3"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "user 1:" in out and "most popular hits@20" in out
    assert main(["demo", "--home", str(home), "--speed", "0"]) == 1
    assert "--speed 0.0 must be above 0" in capsys.readouterr().err
