"""The small hand-written catalog the store tests share."""

from __future__ import annotations

import numpy as np

from movietui.store import Store


def small_movies() -> dict:
    return {
        "movie_id": np.array([1, 2, 3, 4, 5, 6, 7, 8], np.int64),
        "title": [
            "Matrix, The",
            "Amélie",
            "[REC]",
            "Matrix Reloaded, The",
            "Animatrix, The",
            "Up",
            "Toy Story",
            "Smörgåsbord 50% Off_Sale",
        ],
        "display_title": [
            "The Matrix",
            "Amélie",
            "[REC]",
            "The Matrix Reloaded",
            "The Animatrix",
            "Up",
            "Toy Story",
            "Smörgåsbord 50% Off_Sale",
        ],
        "year": np.array([1999, 2001, 2007, 2003, 2003, 2009, 1995, 0], np.int32),
        "genres": [
            "Action|Sci-Fi",
            "Comedy|Romance",
            "Horror",
            "Action|Sci-Fi",
            "Animation|Sci-Fi",
            "Animation|Children",
            "Animation|Children|Comedy",
            "(no genres listed)",
        ],
        "imdb_id": [
            "tt0133093",
            "tt0211915",
            None,
            "tt0234215",
            "",
            "tt1049413",
            "tt0114709",
            None,
        ],
        "tmdb_id": np.array([603, 194, 8329, 604, 55931, 14160, 862, 0], np.int64),
    }


# (user, movie, rating): Matrix Reloaded is rated by more users than The Matrix, so
# ranking by count alone would put it first; exact-title matches must still win.
SMALL_RATINGS = [
    (1, 1, 5.0),
    (2, 1, 4.0),
    (1, 4, 3.0),
    (2, 4, 2.5),
    (3, 4, 3.5),
    (1, 2, 4.5),
    (3, 3, 3.0),
    (4, 5, 4.0),
    (4, 6, 4.0),
    (5, 6, 5.0),
    (5, 7, 4.0),
]


def small_ratings() -> dict:
    u, m, r = zip(*SMALL_RATINGS)
    n = len(u)
    return {
        "user_id": np.array(u, np.int32),
        "movie_id": np.array(m, np.int32),
        "rating": np.array(r, np.float32),
        "timestamp": np.arange(1_000_000, 1_000_000 + n, dtype=np.int64),
    }


def load_small(store: Store, release: str = "small") -> None:
    store.replace_catalog(release=release, source="test", movies=small_movies(), **small_ratings())
