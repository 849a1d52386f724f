"""One meaning per browse filter (store/filters.py), whichever path applies it.

Every path gets the same filters and must return the same films: the store's SQL for each
sort order, its array path (no text), the service's cached movie table (For you, onboarding),
and browse() by predicted stars. A plain reading of the rule over the movie records is the
oracle. Before one home, "comedy" matched 0 films by popularity and 3,756 by prediction.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movietui.errors import NotFoundError
from movietui.service import SORTS, Filters, Service

EVERYTHING = 100_000


def expected(service: Service, filters: Filters) -> set[int]:
    """The rule as docs/design.md states it, over the movie records."""
    wanted = {g.casefold() for g in filters.genres}
    unwanted = {g.casefold() for g in filters.exclude_genres}
    bounded = filters.year_min is not None or filters.year_max is not None
    keep = set()
    for movie in service.store.get_movies(service._browser.index().movie_id.tolist()):
        year = movie.year or 0
        if not wanted <= {g.casefold() for g in movie.genres}:
            continue
        if bounded and year <= 0:
            continue  # a film without a year never passes a year bound
        if filters.year_min is not None and year < filters.year_min:
            continue
        if filters.year_max is not None and year > filters.year_max:
            continue
        if movie.rating_count < filters.min_count:
            continue
        if unwanted & {g.casefold() for g in movie.genres}:
            continue  # a film carrying an excluded genre is left out
        if filters.min_mean and (movie.mean_rating is None or movie.mean_rating < filters.min_mean):
            continue  # a film no one rated never passes a mean bound
        keep.add(movie.movie_id)
    return keep


def paths(service: Service, query: str, filters: Filters) -> dict[str, set[int]]:
    """The films each filter path returns for the same query and filters."""
    found: dict[str, set[int]] = {}
    for sort in SORTS:
        for descending in (True, False):
            page = service.browse(query, filters, sort, descending, limit=EVERYTHING)
            ids = {v.movie_id for v in page.items}
            assert page.total == len(ids)
            found[f"browse {sort} {'desc' if descending else 'asc'}"] = ids
    found["store filter_movie_ids"] = set(
        service.store.filter_movie_ids(query, filters=filters).tolist()
    )
    if not query:
        index = service._browser.index()
        found["catalog index"] = set(index.movie_id[index.mask(filters)].tolist())
    return found


@pytest.fixture
def rated(service: Service) -> Service:
    """A profile with ratings, so "predicted" ranks by the model rather than falling back."""
    service.create_profile("filters")
    for movie_id, stars in ((1, 4.0), (260, 5.0), (296, 2.0)):
        service.rate(movie_id, stars)
    return service


genre_names = st.sampled_from(
    ["Comedy", "comedy", "DRAMA", "Action", "sci-fi", "Film-Noir", "imax", "western"]
)
years = st.one_of(st.none(), st.integers(-3, 2030), st.sampled_from([0, 1, 1995, 2018]))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.sampled_from(["", "", "the", "st", "toy story", "love"]),
    genres=st.lists(genre_names, max_size=2, unique=True),
    year_min=years,
    year_max=years,
    min_count=st.sampled_from([-1, 0, 1, 5, 50]),
    exclude=st.lists(genre_names, max_size=2, unique=True),
    min_mean=st.sampled_from([None, 0.0, 2.75, 3.0, 3.5, 4.0, 4.5, 5.0]),
)
def test_every_filter_path_returns_the_same_films(
    rated: Service,
    query: str,
    genres: list[str],
    year_min: int | None,
    year_max: int | None,
    min_count: int,
    exclude: list[str],
    min_mean: float | None,
) -> None:
    filters = Filters(tuple(genres), year_min, year_max, min_count, tuple(exclude), min_mean)
    found = paths(rated, query, filters)
    first = next(iter(found.values()))
    assert all(ids == first for ids in found.values()), {k: len(v) for k, v in found.items()}
    if not query:
        assert first == expected(rated, filters)


def test_the_numbers_from_the_issue(rated: Service) -> None:
    comedies = paths(rated, "", Filters(genres=("comedy",)))
    assert {len(ids) for ids in comedies.values()} == {3756}
    since_zero = paths(rated, "", Filters(year_min=0))
    assert {len(ids) for ids in since_zero.values()} == {9730}  # 12 films have no year


def test_an_unknown_genre_is_an_error_on_every_service_path(rated: Service) -> None:
    unknown = Filters(genres=("Westerns",))
    for sort in SORTS:
        with pytest.raises(NotFoundError, match="unknown genre 'Westerns'; choose one of"):
            rated.browse("", unknown, sort)
    with pytest.raises(NotFoundError, match="unknown genre"):
        rated.recommendations(filters=unknown)
    assert rated.store.filter_movie_ids("", genres=("Westerns",)).size == 0  # the store: none


def test_recommendations_draw_only_from_the_filtered_films(rated: Service) -> None:
    filters = Filters(genres=("sci-fi",), year_min=1990, year_max=1999, min_count=10)
    allowed = expected(rated, filters)
    picks = {r.movie.movie_id for r in rated.recommendations(n=50, filters=filters)}
    assert picks and picks <= allowed
    assert not picks & {1, 260, 296}
    assert np.isin(list(picks), list(allowed)).all()


def test_excluded_genres_and_a_mean_bound_on_every_threshold(rated: Service) -> None:
    """Every half-star mean bound, with genres left out: all paths agree with the rule."""
    for stars in np.arange(0.5, 5.01, 0.5):
        filters = Filters(exclude_genres=("Drama", "horror"), min_mean=float(stars))
        found = paths(rated, "", filters)
        want = expected(rated, filters)
        assert all(ids == want for ids in found.values()), stars


def test_bad_exclusions_and_means_are_one_clear_error(rated: Service) -> None:
    from movietui.errors import StoreError

    with pytest.raises(NotFoundError, match="unknown genre 'Westerns'"):
        rated.browse("", Filters(exclude_genres=("Westerns",)))
    with pytest.raises(StoreError, match="min_mean must be a number of stars"):
        rated.recommendations(filters=Filters(min_mean=7))
    picks = rated.recommendations(n=30, filters=Filters(exclude_genres=("Drama",), min_mean=3.5))
    assert picks and all("Drama" not in r.movie.genres for r in picks)
    assert all((r.movie.mean_rating or 0) >= 3.5 for r in picks)
