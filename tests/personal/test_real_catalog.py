"""Matching against the real ml-latest-small titles (read in place from ../shared)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from movietui.catalog.matching import CatalogMovie, Matcher

_YEAR = re.compile(r"^(.*?)\s*\((\d{4})\)\s*$")


@pytest.fixture(scope="module")
def real_matcher(ml_small_zip: Path) -> Matcher:
    with zipfile.ZipFile(ml_small_zip) as archive:
        movies = pd.read_csv(archive.open("ml-latest-small/movies.csv"))
        links = pd.read_csv(archive.open("ml-latest-small/links.csv"), dtype={"imdbId": str})
        counts = pd.read_csv(archive.open("ml-latest-small/ratings.csv"), usecols=["movieId"])[
            "movieId"
        ].value_counts()
    movies = movies.merge(links, on="movieId", how="left")
    rows = []
    for movie_id, raw_title, imdb, tmdb in zip(
        movies.movieId, movies.title, movies.imdbId, movies.tmdbId
    ):
        found = _YEAR.match(raw_title)
        title, year = (found[1], int(found[2])) if found else (raw_title.strip(), None)
        rows.append(
            CatalogMovie(
                int(movie_id),
                title,
                title,
                year,
                f"tt{imdb}" if isinstance(imdb, str) else None,
                None if pd.isna(tmdb) else int(tmdb),
                int(counts.get(movie_id, 0)),
            )
        )
    return Matcher(rows)


# How Letterboxd names these films -> the MovieLens movie_id they must match, and how.
LETTERBOXD_NAMES = [
    ("Se7en", 1995, 47, "title+year"),  # "Seven (a.k.a. Se7en)"
    ("12 Monkeys", 1995, 32, "title+year"),  # "Twelve Monkeys (a.k.a. 12 Monkeys)"
    ("The Godfather", 1972, 858, "title+year"),  # "Godfather, The"
    ("The Godfather Part II", 1974, 1221, "title+year"),  # "Godfather: Part II, The"
    ("Léon: The Professional", 1994, 293, "title+year"),
    ("Amélie", 2001, 4973, "title+year"),  # "Amelie (Fabuleux destin d'Amélie Poulain, Le)"
    ("Das Boot", 1981, 1233, "title+year"),  # "Boot, Das (Boat, The)"
    ("Hamlet", 1990, 3723, "title+year"),
    ("Hamlet", 1996, 1411, "title+year"),
    ("Hamlet", 2000, 3598, "title+year"),
    ("Rocky II", 1979, 2409, "title+year"),
    ("Alien³", 1992, 1320, "title+year"),
    ("Toy Story 2", 1999, 3114, "title+year"),
    ("Spider-Man 2", 2004, 8636, "title+year"),
    ("WALL·E", 2008, 60069, "title+year"),
    ("Wallace and Gromit: A Close Shave", 1995, 745, "title+year"),
    ("Les Misérables", 1995, 73, "title+year"),
    ("Les Misérables", 1996, 73, "title+year±1"),
    ("Spirited Away", 2001, 5618, "title+year"),  # "Spirited Away (Sen to Chihiro no kamikakushi)"
    ("The Lord of the Rings: The Fellowship of the Ring", 2001, 4993, "title+year"),
    ("Star Wars", 1977, 260, "title-prefix+year"),  # "Star Wars: Episode IV - A New Hope"
]


def test_letterboxd_names_match_the_right_movielens_films(real_matcher: Matcher) -> None:
    got = []
    for title, year, _, _ in LETTERBOXD_NAMES:
        result = real_matcher.match_title(title, year)
        got.append((title, year, result.movie.movie_id if result.movie else None, result.via))
    assert got == [(t, y, mid, via) for t, y, mid, via in LETTERBOXD_NAMES]


def test_same_title_without_year_is_ambiguous_and_unknown_is_not_found(
    real_matcher: Matcher,
) -> None:
    hamlet = real_matcher.match_title("Hamlet")
    assert hamlet.kind == "ambiguous"
    assert [m.movie_id for m in hamlet.candidates] == [1411, 3723, 3598, 1941, 2820]
    assert real_matcher.match_title("A Film That Was Never Made", 2020).kind == "not_found"


def test_imdb_ids_match_exactly(real_matcher: Matcher) -> None:
    for imdb_id, movie_id in [
        ("tt0114709", 1),
        ("tt0114369", 47),
        ("tt0068646", 858),
        ("tt0211915", 4973),
    ]:
        result = real_matcher.match(imdb_id=imdb_id, title="ignored")
        assert (result.kind, result.via, result.movie.movie_id) == ("id", "imdb_id", movie_id)
