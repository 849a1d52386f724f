"""Title keys and the matcher, checked exactly against a small hand-built catalog."""

from __future__ import annotations

import pytest

from movietui.catalog.matching import (
    Matcher,
    imdb_number,
    split_alternatives,
    title_key,
    title_keys,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Godfather, The", "The Godfather"),
        ("Misérables, Les", "les miserables"),
        ("Boot, Das", "Das Boot"),
        ("Avventura, L'", "L'Avventura"),
        ("Wallace & Gromit: A Close Shave", "Wallace and Gromit - A Close Shave"),
        ("Rocky II", "Rocky 2"),
        ("Alien³", "Alien 3"),
        ("Spider-Man", "Spiderman"),
        ("Schindler's List", "Schindlers List"),
        (
            "Lord of the Rings: The Fellowship of the Ring, The",
            "The Lord of the Rings: The Fellowship of the Ring",
        ),
        ("AMÉLIE", "amelie"),
    ],
)
def test_equivalent_titles_share_a_key(a: str, b: str) -> None:
    assert title_key(a) == title_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Toy Story", "Toy Story 2"),
        ("Rocky", "Rocky II"),
        ("Alien", "Aliens"),
        ("Hamlet", "Hamlet 2"),
    ],
)
def test_sequels_and_near_titles_differ(a: str, b: str) -> None:
    assert title_key(a) != title_key(b)


def test_alternative_titles_in_parentheses() -> None:
    assert split_alternatives("Léon: The Professional (a.k.a. The Professional) (Léon)") == [
        "Léon: The Professional",
        "Léon",
        "The Professional",
    ]
    assert split_alternatives("Seven (a.k.a. Se7en) (1995)") == ["Seven", "Se7en"]
    assert split_alternatives("(500) Days of Summer") == ["(500) Days of Summer"]
    assert {"seven", "se7en"} <= title_keys("Seven (a.k.a. Se7en)")
    assert {"amelie", "fabuleuxdestindameliepoulain"} <= title_keys(
        "Amelie (Fabuleux destin d'Amélie Poulain, Le)"
    )


def test_imdb_numbers() -> None:
    assert imdb_number("tt0114709") == imdb_number("0114709") == imdb_number(114709) == 114709
    assert imdb_number("TT10872600") == 10872600
    for bad in (None, "", "tt", "nm0000123", "tt0", "12a"):
        assert imdb_number(bad) is None


# (title, year) -> (kind, via, movie_id)
TITLE_CASES = [
    (("Toy Story", 1995), ("title", "title+year", 1)),
    (("Toy Story 2", 1999), ("title", "title+year", 3114)),
    (("Se7en", 1995), ("title", "title+year", 47)),
    (("Seven", 1995), ("title", "title+year", 47)),
    (("The Godfather", 1972), ("title", "title+year", 858)),
    (("The Godfather: Part II", 1974), ("title", "title+year", 1221)),
    (("The Godfather Part 2", 1974), ("title", "title+year", 1221)),
    (("Rocky II", 1979), ("title", "title+year", 2409)),
    (("Rocky", 1976), ("title", "title+year", 1954)),
    (("Das Boot", 1981), ("title", "title+year", 1233)),
    (("The Boat", 1981), ("title", "title+year", 1233)),
    (("Amélie", 2001), ("title", "title+year", 4973)),
    (("Le Fabuleux Destin d'Amélie Poulain", 2001), ("title", "title+year", 4973)),
    (("Les Misérables", 1996), ("title", "title+year±1", 73)),
    (("Hamlet", 1990), ("title", "title+year", 3723)),
    (("Hamlet", 1996), ("title", "title+year", 1411)),
    (("Hamlet", 1997), ("title", "title+year±1", 1411)),
    (("Hamlet", 2000), ("title", "title+year", 3598)),
    (("Wallace and Gromit: A Close Shave", 1995), ("title", "title+year", 745)),
    (("Alien 3", 1992), ("title", "title+year", 1320)),
    (("Crash", 2004), ("title", "title+year", 9101)),  # exact year beats the more popular 2005
    (("Crash", 2005), ("title", "title+year", 9102)),
    (("Crash", 2003), ("title", "title+year±1", 9101)),
    (("Toy Story", 1990), ("not_found", "", None)),  # five years off
    (("Toy Story 3", 2010), ("not_found", "", None)),
    (("Rocky", None), ("title", "title", 1954)),  # one candidate, no year needed
]


@pytest.mark.parametrize(
    ("query", "expected"), TITLE_CASES, ids=[f"{t}-{y}" for (t, y), _ in TITLE_CASES]
)
def test_title_matches_exactly(hand_matcher: Matcher, query, expected) -> None:
    result = hand_matcher.match_title(*query)
    assert (result.kind, result.via, result.movie.movie_id if result.movie else None) == expected


def test_equally_good_candidates_are_ambiguous(hand_matcher: Matcher) -> None:
    result = hand_matcher.match_title("Twins", 2005)
    assert result.kind == "ambiguous" and result.movie is None
    assert [m.movie_id for m in result.candidates] == [9001, 9002]
    # Without a year several same-titled films cannot be told apart: most rated first.
    result = hand_matcher.match_title("Hamlet")
    assert result.kind == "ambiguous"
    assert [m.movie_id for m in result.candidates] == [1411, 3723, 3598]


def test_ids_win_over_titles(hand_matcher: Matcher) -> None:
    by_imdb = hand_matcher.match(title="Something Else", year=1950, imdb_id="tt0114709")
    assert (by_imdb.kind, by_imdb.via, by_imdb.movie.movie_id) == ("id", "imdb_id", 1)
    by_movie_id = hand_matcher.match(title="Hamlet", movie_id=3598, imdb_id="tt0114709")
    assert (by_movie_id.via, by_movie_id.movie.movie_id) == ("movie_id", 3598)
    by_tmdb = hand_matcher.match(title="", tmdb_id=238)
    assert (by_tmdb.via, by_tmdb.movie.movie_id) == ("tmdb_id", 858)
    # Unknown ids fall back to the title.
    fallback = hand_matcher.match(title="Se7en", year=1995, movie_id=999999, imdb_id="tt9999999")
    assert (fallback.kind, fallback.via, fallback.movie.movie_id) == ("title", "title+year", 47)


def test_from_columns_matches_like_rows() -> None:
    matcher = Matcher.from_columns(
        {
            "movie_id": [5, 6],
            "title": ["Matrix, The", "Matrix Reloaded, The"],
            "display_title": ["The Matrix", "The Matrix Reloaded"],
            "year": [1999, 2003],
            "imdb_id": ["tt0133093", None],
            "tmdb_id": [603, 0],
        },
        rating_count=[10, 5],
    )
    assert len(matcher) == 2
    assert matcher.match_title("The Matrix", 1999).movie.movie_id == 5
    assert matcher.match(imdb_id="tt0133093").movie.movie_id == 5
    assert matcher.match_title("The Matrix Reloaded", 2003).movie.movie_id == 6


def test_title_before_a_colon_matches_only_as_a_last_resort() -> None:
    matcher = Matcher.from_columns(
        {
            "movie_id": [260, 1196, 2628, 99],
            "year": [1977, 1980, 1999, 1999],
            "title": [
                "Star Wars: Episode IV - A New Hope",
                "Star Wars: Episode V - The Empire Strikes Back",
                "Star Wars: Episode I - The Phantom Menace",
                "Star Wars: Making Of",
            ],
        }
    )
    star_wars = matcher.match_title("Star Wars", 1977)
    assert (star_wars.kind, star_wars.via, star_wars.movie.movie_id) == (
        "title",
        "title-prefix+year",
        260,
    )
    assert matcher.match_title("Star Wars", 1978).kind == "not_found"  # exact year only
    assert [m.movie_id for m in matcher.match_title("Star Wars", 1999).candidates] == [99, 2628]
