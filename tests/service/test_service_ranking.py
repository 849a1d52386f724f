"""For you through the Service: ranked by the served score, fed by ratings and marks."""

from __future__ import annotations

import numpy as np

from movietui.model.blend import served_scores
from movietui.service import Service
from movietui.service.session import ROW_KEY
from movietui.service.training import RANKER

TOY_STORY, MATRIX, SHAWSHANK, PULP_FICTION, ALIEN = 1, 2571, 318, 296, 1214


def served_by_hand(service: Service, movie_ids: list[int]) -> np.ndarray:
    """The served score of each film, recomputed from the live rows the profile has now."""
    live = service._live
    ranker, model = live.ranker, live.model
    rank = ranker.scores(live.rank_row)[ranker.item_index(movie_ids)]
    stars = live.predict(movie_ids)
    return served_scores(rank, stars, model.mu)


def test_for_you_is_in_served_order_and_shows_predicted_stars(service: Service) -> None:
    service.create_profile("ada")
    for movie_id, stars in ((MATRIX, 5), (ALIEN, 4.5), (TOY_STORY, 2)):
        service.rate(movie_id, stars)
    recs = service.recommendations(20)
    ids = [r.movie.movie_id for r in recs]
    assert len(ids) == 20 and not {MATRIX, ALIEN, TOY_STORY} & set(ids)
    served = served_by_hand(service, ids)
    assert np.all(np.diff(served) <= 1e-6)  # what ranks is what the list shows
    assert [r.predicted for r in recs] == [r.movie.predicted for r in recs]  # the number is stars


def test_not_interested_is_a_negative_signal_not_only_a_filter(service: Service) -> None:
    service.create_profile("bea")
    for movie_id in (MATRIX, ALIEN, PULP_FICTION):
        service.rate(movie_id, 5)
    before = service._live.rank_row.copy()
    first = service.recommendations(1)[0].movie.movie_id
    service.mark_not_interested(first)
    assert not np.allclose(service._live.rank_row, before)  # the ranker row moved
    ranker = service._live.ranker
    film = ranker.item_index([first])[0]
    assert ranker.scores(service._live.rank_row)[film] < ranker.scores(before)[film]
    service.undo()
    assert np.allclose(service._live.rank_row, before, atol=1e-5)


def test_a_profile_of_one_star_ratings_gets_a_sound_list(service: Service) -> None:
    service.create_profile("cal")
    disliked = [MATRIX, ALIEN, PULP_FICTION, SHAWSHANK, TOY_STORY]
    for movie_id in disliked:
        service.rate(movie_id, 1)
    recs = service.recommendations(20)
    assert len(recs) == 20 and not set(disliked) & {r.movie.movie_id for r in recs}
    assert all(np.isfinite(r.predicted) for r in recs)


def test_a_profile_that_hides_every_film_gets_an_empty_list_not_a_crash(service: Service) -> None:
    profile = service.create_profile("dan")
    every = service._browser.index().movie_id.tolist()
    keep = every[:3]
    service.store.set_feedback_bulk(profile.id, [(m, "not_interested", 1.0) for m in every[3:]])
    service.reload_profile()
    assert np.isfinite(service._live.rank_row).all()
    assert sorted(r.movie.movie_id for r in service.recommendations(20)) == sorted(keep)
    service.store.set_feedback_bulk(profile.id, [(m, "not_interested", 2.0) for m in keep])
    service.reload_profile()
    assert service.recommendations(20) == []


def test_a_model_saved_before_the_ranker_still_opens_and_ranks_by_stars(service: Service) -> None:
    saved = service.store.load_current_model()
    assert saved is not None and RANKER in saved[2]
    _, arrays, meta = saved
    old_arrays = {name: a for name, a in arrays.items() if not name.startswith(RANKER + ".")}
    old_meta = {k: v for k, v in meta.items() if k != RANKER}
    service.store.save_model(old_arrays, old_meta)
    home = service.paths.home
    service.close()
    with Service.open(home) as reopened:
        assert reopened.live_ranker() is None
        assert reopened.load_warning and "ranker" in reopened.load_warning
        reopened.create_profile("eli")
        reopened.rate(MATRIX, 5)
        recs = reopened.recommendations(10)
        assert len(recs) == 10
        stars = [r.predicted for r in recs]
        assert stars == sorted(stars, reverse=True)  # no ranker: predicted stars order the list


def test_onboarding_never_offers_a_rated_or_marked_film(service: Service) -> None:
    service.create_profile("fay")
    offered = [m.movie_id for m in service.onboarding(10)]
    service.rate(offered[0], 4)
    service.mark_not_interested(offered[1])
    service.mark_seen(offered[2])
    again = [m.movie_id for m in service.onboarding(10)]
    assert not set(offered[:3]) & set(again)
    assert again[:7] == offered[3:10]


def test_the_app_keeps_folded_rows_so_the_next_start_folds_nothing(
    service: Service, monkeypatch
) -> None:
    """Opening on a profile restores its rows from settings (no compiled kernel before the
    first paint); rows folded at open are kept once the app has warmed up."""
    from movietui.model.ranker import RankerModel

    service.create_profile("fay")
    service.rate(MATRIX, 5)
    service.mark_not_interested(TOY_STORY)
    listed = [r.movie.movie_id for r in service.recommendations(20)]
    home = service.paths.home
    service.close()  # a rating moved the rows: saved
    folds: list[int] = []
    real_fold = RankerModel.fold_in

    def counting_fold(self, *args, **kwargs):
        folds.append(1)
        return real_fold(self, *args, **kwargs)

    monkeypatch.setattr(RankerModel, "fold_in", counting_fold)
    with Service.open(home) as reopened:
        assert folds == []  # restored, not folded
        assert [r.movie.movie_id for r in reopened.recommendations(20)] == listed
        reopened.store.set_setting(ROW_KEY.format(reopened.current_profile.id), "")
    with Service.open(home) as cli_like:  # no saved row: folded, and a read-only user
        assert folds == [1]  # one fold with ratings and marks together
        assert [r.movie.movie_id for r in cli_like.recommendations(20)] == listed
    with Service.open(home) as app_like:  # still folds (nothing was written above)...
        assert folds == [1, 1]
        app_like.warm_up()  # ...and the app keeps the row it folded
    folds.clear()
    with Service.open(home):
        assert folds == []
