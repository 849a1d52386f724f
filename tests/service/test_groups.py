"""Movie night through the Service: every member's stars and why, strategies, bad input."""

from __future__ import annotations

import pytest

from movietui.errors import NotFoundError
from movietui.service import GroupError, Service

# Opposite tastes: animation and family films vs crime dramas.
ANN = {1: 5.0, 2355: 5.0, 3114: 5.0, 4886: 4.5, 6377: 5.0, 8961: 4.5, 858: 1.0, 1221: 1.0}
BOB = {858: 5.0, 1221: 5.0, 296: 5.0, 2959: 5.0, 1213: 5.0, 1: 1.0, 2355: 1.0, 6377: 1.0}


@pytest.fixture
def night(service: Service) -> Service:
    for name, ratings in (("ann", ANN), ("bob", BOB)):
        service.create_profile(name)
        for movie, stars in ratings.items():
            service.rate(movie, stars)
    service.create_profile("cat")  # no ratings
    service.switch_profile(service.profile_named("ann").id)
    return service


def test_every_film_shows_both_members_and_none_was_rated(night: Service) -> None:
    result = night.group_picks(["ann", "bob"], n=15)
    assert result.strategy == "turns" and len(result.picks) == 15 and not result.notes
    for pick in result.picks:
        assert [m.profile for m in pick.members] == ["ann", "bob"]
        assert all(0.5 <= m.predicted <= 5.0 for m in pick.members)
        assert pick.movie.movie_id not in ANN and pick.movie.movie_id not in BOB
    assert any(m.because for pick in result.picks for m in pick.members)


def test_least_misery_orders_differently_from_the_average(night: Service) -> None:
    average = [p.movie.movie_id for p in night.group_picks(["ann", "bob"], 20, "average").picks]
    misery = [p.movie.movie_id for p in night.group_picks(["ann", "bob"], 20, "least_misery").picks]
    assert average != misery


def test_a_member_column_is_what_their_own_profile_predicts(night: Service) -> None:
    result = night.group_picks(["ann", "bob"], n=10)  # ann is current: bob is folded afresh
    night.use_profile(night.profile_named("bob").id)
    own = {
        v.movie_id: v.predicted
        for v in night._browser.view_by_id([p.movie.movie_id for p in result.picks])
    }
    for pick in result.picks:
        assert pick.members[1].predicted == pytest.approx(own[pick.movie.movie_id], abs=1e-3)


def test_a_new_rating_of_a_member_changes_their_column(night: Service) -> None:
    before = night.group_picks(["ann", "bob"], n=5)
    film = before.picks[0].movie.movie_id
    night.switch_profile(night.profile_named("bob").id)
    night.rate(film, 0.5)
    night.switch_profile(night.profile_named("ann").id)
    after = night.group_picks(["ann", "bob"], n=5)
    assert film not in {p.movie.movie_id for p in after.picks}


def test_a_cold_member_is_named_and_gets_the_popular_order(night: Service) -> None:
    result = night.group_picks(["ann", "cat"], n=6)
    assert len(result.notes) == 1 and "'cat' has no ratings yet" in result.notes[0]
    assert len(result.picks) == 6


def test_bad_groups_say_what_is_wrong_and_write_nothing(night: Service) -> None:
    before = night.store.get_setting("group_strategy")
    with pytest.raises(GroupError, match="two or more profiles"):
        night.group_picks(["ann"])
    with pytest.raises(GroupError, match="named twice"):
        night.group_picks(["ann", "bob", "ann"])
    with pytest.raises(GroupError, match="unknown strategy 'best'"):
        night.group_picks(["ann", "bob"], strategy="best")
    with pytest.raises(NotFoundError, match="no profile named 'zed'"):
        night.group_picks(["ann", "zed"])
    with pytest.raises(NotFoundError, match="watchlist of 'ann' and 'bob' is empty"):
        night.watchlist_picks(["ann", "bob"])
    assert night.store.get_setting("group_strategy") == before is None


def test_the_strategy_is_remembered(night: Service) -> None:
    assert night.group_strategy() == "turns"
    night.set_group_strategy("least_misery")
    assert night.group_picks(["ann", "bob"], n=3).strategy == "least_misery"
    with pytest.raises(GroupError):
        night.set_group_strategy("nope")
    assert night.group_strategy() == "least_misery"


def test_the_watchlist_is_ranked_for_one_profile_or_the_group(night: Service) -> None:
    for movie in (260, 1196, 858, 4993):  # 858: bob rated it, so it is left out for the group
        night.toggle_watchlist(movie)
    alone = night.watchlist_picks(["ann"], n=10)
    assert {p.movie.movie_id for p in alone.picks} == {260, 1196, 4993}  # ann rated 858
    together = night.watchlist_picks(["ann", "bob"], n=10)
    assert {p.movie.movie_id for p in together.picks} == {260, 1196, 4993}
    assert (
        together.source == "watchlist" and "1 film of the watchlist left out" in together.notes[0]
    )
