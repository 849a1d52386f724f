"""Catalog replacement: contents, chunked ratings, and all-or-nothing under failure."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from movietui.errors import MovietuiError, StoreError
from movietui.store import ImportCancelled, Store, open_store
from movietui.store import catalog as catalog_module

from .catalog_data import SMALL_RATINGS, load_small, small_movies, small_ratings


def test_catalog_contents(catalog_store: Store) -> None:
    info = catalog_store.catalog_info()
    assert (info.release, info.source, info.n_movies, info.n_ratings, info.n_users) == (
        "small",
        "test",
        8,
        11,
        5,
    )
    assert info.db_bytes > 0 and info.imported_at > 0
    matrix = catalog_store.get_movie(1)
    assert matrix.title == "Matrix, The" and matrix.display_title == "The Matrix"
    assert (matrix.year, matrix.genres) == (1999, ("Action", "Sci-Fi"))
    assert (matrix.imdb_id, matrix.tmdb_id) == ("tt0133093", 603)
    assert (matrix.rating_count, matrix.mean_rating) == (2, 4.5)
    odd = catalog_store.get_movie(8)
    assert (odd.year, odd.genres, odd.imdb_id, odd.tmdb_id, odd.rating_count, odd.mean_rating) == (
        None,
        (),
        None,
        None,
        0,
        None,
    )
    assert catalog_store.get_movie(999) is None
    assert [m.movie_id for m in catalog_store.get_movies([7, 999, 1, 7])] == [7, 1, 7]
    assert catalog_store.genres() == [
        "Action",
        "Animation",
        "Children",
        "Comedy",
        "Horror",
        "Romance",
        "Sci-Fi",
    ]


def test_movie_table(catalog_store: Store) -> None:
    table = catalog_store.movie_table()
    assert table["movie_id"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert table["movie_id"].dtype == np.int64 and table["year"].dtype == np.int32
    assert table["rating_count"].tolist() == [2, 1, 1, 3, 1, 2, 1, 0]
    assert table["mean_rating"].dtype == np.float32
    assert table["mean_rating"][3] == pytest.approx(3.0) and np.isnan(table["mean_rating"][7])
    genres = catalog_store.genres()
    toy = table["genre_mask"][6]
    assert {g for k, g in enumerate(genres) if toy >> k & 1} == {"Animation", "Children", "Comedy"}


def test_ratings_round_trip_across_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "CHUNK_ROWS", 1000)
    rng = np.random.default_rng(1)
    n = 4321
    users = rng.integers(1, 500, n).astype(np.int32)
    movies = rng.integers(1, 9, n).astype(np.int32)
    ratings = (rng.integers(1, 11, n) / 2).astype(np.float32)
    stamps = rng.integers(0, 2**40, n).astype(np.int64)
    store.replace_catalog(
        release="r",
        source="s",
        movies=small_movies(),
        user_id=users,
        movie_id=movies,
        rating=ratings,
        timestamp=stamps,
    )
    assert store.conn.execute("SELECT count(*), sum(n) FROM catalog_rating_chunks").fetchone() == (
        5,
        n,
    )
    u, m, r = store.load_catalog_ratings()
    assert (u.dtype, m.dtype, r.dtype) == (np.int32, np.int32, np.float32)
    assert all(a.flags.c_contiguous and a.flags.writeable for a in (u, m, r))
    np.testing.assert_array_equal(u, users)
    np.testing.assert_array_equal(m, movies)
    np.testing.assert_array_equal(r, ratings)
    blob = store.conn.execute(
        "SELECT timestamp FROM catalog_rating_chunks WHERE chunk_no = 4"
    ).fetchone()[0]
    np.testing.assert_array_equal(np.frombuffer(blob, "<i8"), stamps[4000:])
    assert store.catalog_info().n_users == len(np.unique(users))


def test_empty_store_loads_empty_arrays(store: Store) -> None:
    u, m, r = store.load_catalog_ratings()
    assert u.size == m.size == r.size == 0 and r.dtype == np.float32


def _snapshot(store: Store) -> tuple:
    conn = store.conn
    return (
        conn.execute("SELECT * FROM movies ORDER BY movie_id").fetchall(),
        conn.execute("SELECT * FROM genres").fetchall(),
        conn.execute("SELECT * FROM catalog_rating_chunks").fetchall(),
        conn.execute("SELECT * FROM catalog_meta").fetchall(),
        conn.execute("SELECT * FROM profile_ratings").fetchall(),
        store.filter_movie_ids("matrix").tolist(),
    )


def _bigger_catalog() -> dict:
    n = 3_000
    movies = {"movie_id": np.arange(1, n + 1), "title": [f"Other Film {k}" for k in range(n)]}
    return {
        "movies": movies,
        "user_id": np.ones(n, np.int32),
        "movie_id": np.arange(1, n + 1, dtype=np.int32),
        "rating": np.full(n, 3.0, np.float32),
        "timestamp": np.zeros(n, np.int64),
    }


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "MOVIE_BATCH", 500)
    monkeypatch.setattr(catalog_module, "CHUNK_ROWS", 1000)


def test_cancel_midway_leaves_previous_catalog(catalog_store: Store, small_batches: None) -> None:
    profile = catalog_store.create_profile("ana")
    catalog_store.set_rating(profile.id, 1, 4.0, rated_at=50.0)
    before = _snapshot(catalog_store)
    cancel = threading.Event()
    seen = []

    def progress(stage: str, done: int, total: int | None) -> None:
        seen.append((stage, done))
        if stage == "write" and done >= 2_000:  # some new movies are already written
            cancel.set()

    with pytest.raises(ImportCancelled) as info:
        catalog_store.replace_catalog(
            release="new", source="x", progress=progress, cancel=cancel, **_bigger_catalog()
        )
    assert isinstance(info.value, MovietuiError)
    assert ("write", 2_000) in seen and ("index", 1) not in seen
    assert _snapshot(catalog_store) == before
    assert catalog_store.catalog_info().release == "small"
    assert catalog_store.conn.in_transaction is False


def test_keyboard_interrupt_midway_rolls_back(catalog_store: Store, small_batches: None) -> None:
    before = _snapshot(catalog_store)

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "index":  # movies and all three rating chunks are written by now
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        catalog_store.replace_catalog(
            release="new", source="x", progress=progress, **_bigger_catalog()
        )
    assert _snapshot(catalog_store) == before
    catalog_store.set_setting("still", "works")  # the connection is usable afterwards


def test_replace_keeps_profile_data_and_other_process_sees_one_or_other(
    catalog_store: Store, db_path
) -> None:
    profile = catalog_store.create_profile("ana")
    catalog_store.set_rating(profile.id, 2, 5.0, rated_at=10.0)
    catalog_store.set_rating(profile.id, 12345, 3.0, rated_at=11.0)  # not in any catalog
    catalog_store.add_to_watchlist(profile.id, 3)
    model_id = catalog_store.save_model({"w": np.ones(3, np.float32)}, {})
    catalog_store.replace_catalog(release="bigger", source="x", **_bigger_catalog())
    other = open_store(db_path)
    try:
        assert other.catalog_info().n_movies == 3_000
        assert other.get_movie(2).title == "Other Film 1"
        assert [(r.movie_id, r.rating) for r in other.profile_ratings(profile.id)] == [
            (12345, 3.0),
            (2, 5.0),
        ]
        assert [m for m, _ in other.watchlist(profile.id)] == [3]
        assert other.load_current_model()[0] == model_id
    finally:
        other.close()


def test_bad_catalog_input_is_store_error(store: Store) -> None:
    ratings = small_ratings()
    with pytest.raises(StoreError, match="differ in length"):
        store.replace_catalog(
            release="r",
            source="s",
            movies=small_movies(),
            **{**ratings, "rating": ratings["rating"][:3]},
        )
    bad = small_movies()
    bad["title"] = bad["title"][:2]
    with pytest.raises(StoreError, match="equal-length"):
        store.replace_catalog(release="r", source="s", movies=bad, **ratings)
    dup = small_movies()
    dup["movie_id"] = [1] * 8
    with pytest.raises(StoreError, match="repeated movie_id"):
        store.replace_catalog(release="r", source="s", movies=dup, **ratings)
    assert store.catalog_info() is None


def test_second_import_replaces_first(catalog_store: Store) -> None:
    load_small(catalog_store, release="again")
    assert catalog_store.catalog_info().release == "again"
    assert catalog_store.catalog_info().n_ratings == len(SMALL_RATINGS)
    assert catalog_store.conn.execute("SELECT count(*) FROM movies").fetchone()[0] == 8
    assert catalog_store.filter_movie_ids("amelie").tolist() == [2]


def test_rating_values_and_id_ranges_are_checked(store: Store) -> None:
    ratings = small_ratings()
    for bad in (np.float32(np.nan), 0.0, 5.5):
        stars = ratings["rating"].copy()
        stars[3] = bad
        with pytest.raises(StoreError, match=r"0.5..5"):
            store.replace_catalog(
                release="r", source="s", movies=small_movies(), **{**ratings, "rating": stars}
            )
    with pytest.raises(StoreError, match="do not fit"):
        store.replace_catalog(
            release="r",
            source="s",
            movies=small_movies(),
            **{**ratings, "user_id": ratings["user_id"].astype(np.int64) + 2**40},
        )
    big = small_movies()
    big["movie_id"] = big["movie_id"] + 2**40
    with pytest.raises(StoreError, match="movie_id values"):
        store.replace_catalog(release="r", source="s", movies=big, **ratings)
    assert store.catalog_info() is None


def test_unknown_years_and_ids_from_float_columns(store: Store) -> None:
    movies = small_movies()
    movies["year"] = np.where(movies["year"] == 0, np.nan, movies["year"]).astype(np.float64)
    movies["imdb_id"] = [float("nan") if v is None else v for v in movies["imdb_id"]]
    movies["tmdb_id"] = movies["tmdb_id"].astype(np.float64)
    movies["tmdb_id"][7] = np.nan
    store.replace_catalog(release="r", source="s", movies=movies, **small_ratings())
    odd = store.get_movie(8)
    assert (odd.year, odd.imdb_id, odd.tmdb_id) == (None, None, None)
    assert store.get_movie(1).year == 1999 and store.get_movie(1).tmdb_id == 603
