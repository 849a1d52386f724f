"""The service's taste map: both models' planes, main genres, the marker and trail after ratings."""

from __future__ import annotations

import numpy as np
import pytest

from movietui.errors import MovietuiError, NotFoundError
from movietui.service import TasteMapData
from movietui.service.catalog_index import CatalogIndex
from movietui.service.taste_map import GENRE_PRIORITY, main_genres


def _profile(service):
    if service.current_profile is None:
        service.create_profile("mapper")


@pytest.mark.parametrize("kind", ["stars", "ranker"])
def test_map_of_each_model(service, kind):
    _profile(service)
    data = service.taste_map(kind)
    assert isinstance(data, TasteMapData) and data.kind == kind
    n = len(data.titles)
    assert n > 1000 and data.xy.shape == (n, 2) and len(data.movie_ids) == n
    assert np.isfinite(data.xy).all()
    assert len(data.ends) == 2 and all(len(low) == len(high) == 3 for low, high in data.ends)
    assert set(data.genre_names) <= set(GENRE_PRIORITY)
    # Best known first: Forrest Gump (356) is ml-latest-small's most-rated film.
    assert int(data.movie_ids[0]) == 356


def test_main_genre_is_the_most_specific_not_the_first_listed(service):
    _profile(service)
    data = service.taste_map("stars")
    row = {int(m): k for k, m in enumerate(data.movie_ids)}
    # Toy Story: Adventure|Animation|Children|Comedy|Fantasy (alphabetical) -> Animation.
    assert data.genre_names[data.genre[row[1]]] == "Animation"
    # The Godfather: Crime|Drama -> Crime; Saving Private Ryan: Action|Drama|War -> War.
    assert data.genre_names[data.genre[row[858]]] == "Crime"
    assert data.genre_names[data.genre[row[2028]]] == "War"


def test_main_genres_priority_and_other():
    genres = ["Action", "Adventure", "Drama", "Musical"]
    bits = {g: k for k, g in enumerate(genres)}
    table = {
        "movie_id": np.array([1, 2, 3], np.int64),
        "year": np.zeros(3, np.int32),
        "rating_count": np.ones(3, np.int32),
        "mean_rating": np.ones(3, np.float32),
        "genre_mask": np.array(
            [(1 << bits["Action"]) | (1 << bits["Drama"]), 1 << bits["Musical"], 0], np.int64
        ),
    }
    genre, names = main_genres(CatalogIndex(table, genres), np.arange(3))
    assert names == ("Action", "Drama")  # only priority genres the catalog has, in order
    assert genre.tolist() == [0, -1, -1]


@pytest.mark.parametrize("kind", ["stars", "ranker"])
def test_a_rating_moves_the_marker_and_grows_the_trail(service, kind):
    _profile(service)
    before = service.taste_map(kind)
    assert len(before.trail) == 1 and before.stars == {}
    for movie in (1, 260, 1196):  # Toy Story, two Star Wars films
        service.rate(movie, 5.0)
    after = service.taste_map(kind)
    assert len(after.trail) == 4
    assert after.trail[0] == before.trail[0]
    assert after.trail[-1] != before.trail[-1]
    row = {int(m): k for k, m in enumerate(after.movie_ids)}
    assert after.stars == {row[1]: 5.0, row[260]: 5.0, row[1196]: 5.0}
    assert after.xy is before.xy  # the plane is cached per model: only the marker moved


def test_bad_kind_and_no_model(service, empty_service):
    with pytest.raises(MovietuiError, match="unknown map"):
        service.taste_map("pca")
    with pytest.raises(NotFoundError, match="train"):
        empty_service.taste_map("stars")
