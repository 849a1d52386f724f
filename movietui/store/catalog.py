"""The catalog: movies, genres, the catalog's ratings as chunked BLOBs, and its metadata.

Ratings are stored as chunks of about a million rows, each column a contiguous
little-endian array (int32 user, int32 movie, float32 rating, int64 timestamp), so
loading 25M ratings back is a few dozen ``np.frombuffer`` copies into preallocated
arrays rather than 25M Python tuples.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from movietui.errors import StoreError
from movietui.text import fold_text, without_article

from .base import StoreBase, locked, translating
from .types import CatalogInfo, ImportCancelled, MovieRow, StoreProgress

CHUNK_ROWS = 1_000_000
MOVIE_BATCH = 10_000
NO_GENRES = "(no genres listed)"
MOVIE_COLUMNS = (
    "movie_id, title, display_title, year, genres, imdb_id, tmdb_id, rating_count, mean_rating"
)


def row_to_movie(row: Sequence[Any]) -> MovieRow:
    movie_id, title, display_title, year, genres, imdb_id, tmdb_id, count, mean = row[:9]
    return MovieRow(
        movie_id=int(movie_id),
        title=title,
        display_title=display_title,
        year=int(year) or None,
        genres=tuple(genres.split("|")) if genres else (),
        imdb_id=imdb_id or None,
        tmdb_id=int(tmdb_id) or None,
        rating_count=int(count),
        mean_rating=None if mean is None else float(mean),
    )


def fetch_movies(conn: sqlite3.Connection, ids: list[int]) -> list[MovieRow]:
    """MovieRows for ``ids`` in that order, skipping unknown ids (batched under SQLite's
    limit on bound variables)."""
    found: dict[int, MovieRow] = {}
    for start in range(0, len(ids), 30_000):
        part = ids[start : start + 30_000]
        sql = f"SELECT {MOVIE_COLUMNS} FROM movies WHERE movie_id IN ({','.join('?' * len(part))})"
        for row in conn.execute(sql, part):
            found[row[0]] = row_to_movie(row)
    return [found[m] for m in ids if m in found]


def _genre_names(raw: str | None) -> list[str]:
    if not raw or raw == NO_GENRES:
        return []
    return [g for g in raw.split("|") if g and g != NO_GENRES]


def _column(movies: dict[str, Sequence], name: str, n: int, default: Any) -> Sequence:
    values = movies.get(name)
    if values is None:
        return [default] * n
    if len(values) != n:
        raise StoreError(
            f"movies[{name!r}] has {len(values)} values but movie_id has {n}; pass equal-length columns"
        )
    return _as_list(values)  # positional, whatever sequence type (a pandas Series indexes by label)


def _whole_or_zero(value: Any) -> int:
    """Unknown (None, NaN, "") years and ids are 0, as the catalog reader writes them."""
    try:
        return int(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _as_list(values: Sequence) -> list:
    """Plain Python values: indexing a list is far cheaper than making numpy scalars."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _rating_stats(
    movie_ids: np.ndarray, rated: np.ndarray, rating: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-movie rating count and mean (NaN when unrated), aligned with ``movie_ids``."""
    if rated.size and int(rated.min()) >= 0 and int(rated.max()) < 50_000_000:
        size = int(max(rated.max(), movie_ids.max(initial=0))) + 1
        counts = np.bincount(rated, minlength=size)
        sums = np.bincount(rated, weights=rating, minlength=size)
        ok = (movie_ids >= 0) & (movie_ids < size)
        idx = np.where(ok, movie_ids, 0)
        count = np.where(ok, counts[idx], 0)
        total = np.where(ok, sums[idx], 0.0)
    else:  # unusual ids: map through the sorted movie list instead of a dense table
        order = np.argsort(movie_ids)
        sorted_ids = movie_ids[order]
        pos = np.searchsorted(sorted_ids, rated).clip(0, max(len(sorted_ids) - 1, 0))
        hit = sorted_ids[pos] == rated if len(sorted_ids) else np.zeros(rated.size, bool)
        count = np.zeros(len(movie_ids), np.int64)
        total = np.zeros(len(movie_ids), np.float64)
        count[order] = np.bincount(pos[hit], minlength=len(movie_ids))
        total[order] = np.bincount(pos[hit], weights=rating[hit], minlength=len(movie_ids))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return count.astype(np.int64), mean


def _count_users(user_id: np.ndarray) -> int:
    if user_id.size == 0:
        return 0
    if int(user_id.min()) >= 0 and int(user_id.max()) < 100_000_000:
        return int(np.count_nonzero(np.bincount(user_id)))
    return int(np.unique(user_id).size)


def _as_array(values: Any, dtype: str, name: str) -> np.ndarray:
    """``values`` as a contiguous little-endian array, refusing values the cast would change."""
    try:
        source = np.asarray(values)
        arr = np.ascontiguousarray(source, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise StoreError(
            f"catalog {name} cannot be stored as {dtype}: {exc}; pass a numeric array"
        ) from exc
    if arr.ndim != 1:
        raise StoreError(f"catalog {name} must be one-dimensional, got shape {arr.shape}")
    if (
        arr.dtype.kind == "i"
        and source.dtype != arr.dtype
        and source.size
        and not np.array_equal(source, arr)
    ):
        raise StoreError(
            f"catalog {name} has values that do not fit {dtype} (too large or not whole numbers)"
        )
    return arr


def prepare_movies(
    movies: dict[str, Sequence], rated: np.ndarray, rating: np.ndarray
) -> tuple[list[tuple], list[str]]:
    """Rows for the movies table (with stats, genre bits, folded keys) and the genre list."""
    if "movie_id" not in movies or "title" not in movies:
        raise StoreError(
            "movies needs at least 'movie_id' and 'title' columns; pass them from the catalog reader"
        )
    movie_ids = np.asarray(movies["movie_id"], dtype=np.int64)
    n = len(movie_ids)
    if len(np.unique(movie_ids)) != n:
        raise StoreError("movies has repeated movie_id values; keep one row per movie")
    if n and (movie_ids.min() < 0 or movie_ids.max() >= 2**31):
        raise StoreError("movie_id values must be between 0 and 2147483647; check the movies file")
    titles = _column(movies, "title", n, "")
    displays = _column(movies, "display_title", n, None)
    years = _column(movies, "year", n, 0)
    genre_col = _column(movies, "genres", n, "")
    imdb = _column(movies, "imdb_id", n, None)
    tmdb = _column(movies, "tmdb_id", n, 0)

    genre_lists = [_genre_names(g) for g in genre_col]
    names = sorted({g for gl in genre_lists for g in gl})
    if len(names) > 63:
        raise StoreError(
            f"the catalog has {len(names)} genres but the store keeps at most 63; check the genres column"
        )
    bit = {name: k for k, name in enumerate(names)}
    count, mean = _rating_stats(movie_ids, rated, rating)
    counts = count.tolist()
    means = [None if math.isnan(m) else m for m in mean.tolist()]  # NaN -> NULL

    rows: list[list] = []
    for k, movie in enumerate(movie_ids.tolist()):
        title = str(titles[k])
        display = str(displays[k]) if displays[k] else title
        display_key, title_key = fold_text(display), fold_text(title)
        bare_key = without_article(display_key)
        mask = 0
        for g in genre_lists[k]:
            mask |= 1 << bit[g]
        rows.append(
            [
                movie,
                title,
                display,
                _whole_or_zero(years[k]),
                "|".join(genre_lists[k]),
                _text_or_none(imdb[k]),
                _whole_or_zero(tmdb[k]),
                counts[k],
                means[k],
                mask,
                f"{display_key}\n{title_key}",
                display_key,
                bare_key,
                title_key,
            ]
        )
    # pop_rank: most rated first, then by title, then id (the relevance tie-break).
    for rank, k in enumerate(sorted(range(n), key=lambda k: (-counts[k], rows[k][12], rows[k][0]))):
        rows[k].append(rank)
    return [tuple(r) for r in rows], names


def movie_arrays(rows: Sequence[Sequence]) -> dict[str, np.ndarray]:
    """movie_table's columns (movie_id order) plus pop_order: row indices, most rated first."""
    ordered = sorted(rows, key=lambda r: r[0])
    return {
        "movie_id": np.array([r[0] for r in ordered], "<i8"),
        "year": np.array([r[3] for r in ordered], "<i4"),
        "rating_count": np.array([r[7] for r in ordered], "<i4"),
        "mean_rating": np.array([np.nan if r[8] is None else r[8] for r in ordered], "<f4"),
        "genre_mask": np.array([r[9] for r in ordered], "<i8"),
        "pop_order": np.argsort(np.array([r[14] for r in ordered], "<i8"), kind="stable").astype(
            "<i4"
        ),
    }


class CatalogMixin(StoreBase):
    @locked
    def replace_catalog(
        self,
        *,
        release: str,
        source: str,
        movies: dict[str, Sequence],
        user_id: Any,
        movie_id: Any,
        rating: Any,
        timestamp: Any,
        progress: StoreProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Swap in a whole new catalog in one transaction; profile data is never touched."""
        users = _as_array(user_id, "<i4", "user_id")
        rated = _as_array(movie_id, "<i4", "movie_id")
        stars = _as_array(rating, "<f4", "rating")
        stamps = _as_array(timestamp, "<i8", "timestamp")
        n_ratings = users.size
        if not (rated.size == stars.size == stamps.size == n_ratings):
            raise StoreError(
                "catalog rating arrays differ in length; pass user_id, movie_id, rating, timestamp together"
            )
        if n_ratings and not ((stars >= 0.5) & (stars <= 5)).all():  # also catches NaN
            raise StoreError("catalog ratings must lie in 0.5..5; check the ratings file")
        rows, genre_names = prepare_movies(movies, rated, stars)
        n_users = _count_users(users)
        total = len(rows) + n_ratings
        report = progress or (lambda stage, done, total: None)

        def step(stage: str, done: int, of: int | None) -> None:
            report(stage, done, of)
            if cancel is not None and cancel.is_set():
                raise ImportCancelled("catalog import cancelled; the previous catalog is unchanged")

        with self.transaction() as conn:
            step("write", 0, total)
            conn.execute("INSERT INTO movie_fts(movie_fts) VALUES ('delete-all')")
            for table in (
                "movies",
                "genres",
                "catalog_rating_chunks",
                "catalog_arrays",
                "catalog_meta",
            ):
                conn.execute(f"DELETE FROM {table}")
            conn.executemany(
                "INSERT INTO genres(bit, name) VALUES (?, ?)", list(enumerate(genre_names))
            )
            for start in range(0, len(rows), MOVIE_BATCH):
                batch = rows[start : start + MOVIE_BATCH]
                conn.executemany(f"INSERT INTO movies VALUES ({', '.join('?' * 15)})", batch)
                step("write", start + len(batch), total)
            for chunk_no, start in enumerate(range(0, n_ratings, CHUNK_ROWS)):
                end = min(start + CHUNK_ROWS, n_ratings)
                conn.execute(
                    "INSERT INTO catalog_rating_chunks VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        chunk_no,
                        end - start,
                        users[start:end].data,
                        rated[start:end].data,
                        stars[start:end].data,
                        stamps[start:end].data,
                    ),
                )
                step("write", len(rows) + end, total)
            conn.executemany(
                "INSERT INTO catalog_arrays VALUES (?, ?, ?)",
                [
                    (name, arr.dtype.str, np.ascontiguousarray(arr).data)
                    for name, arr in movie_arrays(rows).items()
                ],
            )
            step("index", 0, 1)
            conn.execute(
                "INSERT INTO movie_fts(rowid, display_key, bare_key, title_key) "
                "SELECT (pop_rank << 32) | movie_id, display_key, bare_key, title_key FROM movies"
            )
            conn.execute(
                "INSERT INTO catalog_meta VALUES (1, ?, ?, ?, ?, ?, ?)",
                (release, source, time.time(), len(rows), n_ratings, n_users),
            )
            step("index", 1, 1)
        # A big import leaves a WAL as large as the data; fold it in and shrink it now.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @locked
    def catalog_info(self) -> CatalogInfo | None:
        row = self.conn.execute(
            "SELECT release, source, imported_at, n_movies, n_ratings, n_users FROM catalog_meta"
        ).fetchone()
        if row is None:
            return None
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        release, source, imported_at, n_movies, n_ratings, n_users = row
        return CatalogInfo(release, source, imported_at, n_movies, n_ratings, n_users, size)

    @translating
    def load_catalog_ratings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(user_id int32, movie_id int32, rating float32), contiguous, in stored order.

        Reads on its own connection in one snapshot, so it never holds the store's lock.
        """
        conn = self.reader()
        try:
            conn.execute("BEGIN")
            total = conn.execute(
                "SELECT coalesce(sum(n), 0) FROM catalog_rating_chunks"
            ).fetchone()[0]
            users = np.empty(total, np.int32)
            movies = np.empty(total, np.int32)
            ratings = np.empty(total, np.float32)
            pos = 0
            cursor = conn.execute(
                "SELECT n, user_id, movie_id, rating FROM catalog_rating_chunks ORDER BY chunk_no"
            )
            for n, u, m, r in cursor:
                users[pos : pos + n] = np.frombuffer(u, "<i4")
                movies[pos : pos + n] = np.frombuffer(m, "<i4")
                ratings[pos : pos + n] = np.frombuffer(r, "<f4")
                pos += n
            conn.execute("COMMIT")
        finally:
            conn.close()
        if pos != total:
            raise StoreError(
                f"{self.path}: catalog ratings are inconsistent; import the catalog again"
            )
        return users, movies, ratings

    @translating
    def user_catalog_ratings(self, user_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One catalog user's ratings in time order (ties by movie id): (movie_id int32,
        rating float32, timestamp int64). Empty arrays for a user the catalog lacks.

        Reads every chunk on its own connection (no store lock), like ``load_catalog_ratings``.
        """
        conn = self.reader()
        movies, ratings, stamps = [], [], []
        try:
            conn.execute("BEGIN")
            cursor = conn.execute(
                "SELECT user_id, movie_id, rating, timestamp FROM catalog_rating_chunks "
                "ORDER BY chunk_no"
            )
            for u, m, r, t in cursor:
                mine = np.frombuffer(u, "<i4") == user_id
                if mine.any():
                    movies.append(np.frombuffer(m, "<i4")[mine])
                    ratings.append(np.frombuffer(r, "<f4")[mine])
                    stamps.append(np.frombuffer(t, "<i8")[mine])
            conn.execute("COMMIT")
        finally:
            conn.close()
        movie = np.concatenate(movies).astype(np.int32) if movies else np.zeros(0, np.int32)
        rating = np.concatenate(ratings).astype(np.float32) if ratings else np.zeros(0, np.float32)
        stamp = np.concatenate(stamps).astype(np.int64) if stamps else np.zeros(0, np.int64)
        order = np.lexsort((movie, stamp))
        return movie[order], rating[order], stamp[order]

    def _catalog_arrays(self) -> dict[str, np.ndarray]:
        rows = self.conn.execute("SELECT name, dtype, data FROM catalog_arrays")
        found = {
            name: np.frombuffer(data, dtype=np.dtype(dtype)).astype(
                np.dtype(dtype).newbyteorder("=")
            )
            for name, dtype, data in rows
        }
        if not found:
            return movie_arrays([])
        return found

    @locked
    def movie_table(self) -> dict[str, np.ndarray]:
        """Per-movie columns in movie_id order; mean_rating is NaN for unrated films."""
        arrays = self._catalog_arrays()
        arrays.pop("pop_order")
        return arrays

    @locked
    def genres(self) -> list[str]:
        return [name for (name,) in self.conn.execute("SELECT name FROM genres ORDER BY bit")]

    @locked
    def get_movies(self, movie_ids: Sequence[int]) -> list[MovieRow]:
        """Movies in the order asked; ids not in the catalog are skipped."""
        return fetch_movies(self.conn, [int(m) for m in movie_ids])

    @locked
    def get_movie(self, movie_id: int) -> MovieRow | None:
        row = self.conn.execute(
            f"SELECT {MOVIE_COLUMNS} FROM movies WHERE movie_id = ?", (int(movie_id),)
        ).fetchone()
        return None if row is None else row_to_movie(row)
