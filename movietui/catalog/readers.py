"""Read any GroupLens MovieLens release, zip or folder, into plain arrays for the store.

``read_release`` detects the layout from the files present (see ``layouts``), reads
the ratings with pandas' C parser straight out of the zip, checks them and returns a
``CatalogData``. Every problem with the input is a one-line ``DataError`` naming the
file (and line) and what to do; ratings of unknown movies are dropped and duplicate
(user, movie) rows keep the latest rating, each with a note (see ``ratings``).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from movietui.catalog.layouts import read_layout
from movietui.catalog.progress import Progress, ProgressFn
from movietui.catalog.ratings import check_ratings, drop_unknown_movies, keep_latest
from movietui.catalog.sources import damaged_zip, open_source
from movietui.errors import DataError

__all__ = ["CatalogData", "read_release"]


@dataclass
class CatalogData:
    release: str  # "ml-latest-small", "ml-1m", ... or the folder name for an unknown release
    movies: dict[str, Sequence]  # movie_id, title, display_title, year, genres, imdb_id, tmdb_id
    user_id: np.ndarray  # int32
    movie_id: np.ndarray  # int32
    rating: np.ndarray  # float32, 0.5..5
    timestamp: np.ndarray  # int64
    notes: list[str] = field(default_factory=list)

    @property
    def n_movies(self) -> int:
        return len(self.movies["movie_id"])

    @property
    def n_ratings(self) -> int:
        return int(self.rating.size)

    @property
    def n_users(self) -> int:
        return int(np.unique(self.user_id).size)


def read_release(path: str | Path, progress: ProgressFn | None = None) -> CatalogData:
    """Read a release zip, its unpacked folder, or a folder holding the release folder.

    Raises DataError (one line: file, line where it applies, what to do) on bad input.
    Ratings of movies missing from the movie list are dropped, and duplicate (user,
    movie) rows keep the latest by timestamp; both are reported in ``notes``.
    """
    notes: list[str] = []
    path = Path(path).expanduser()
    try:
        with open_source(path) as src:
            raw = read_layout(src, notes, progress)
            release = src.name
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:  # damage found mid-read
        raise damaged_zip(path, exc) from None
    except MemoryError:
        raise DataError(
            f"Not enough memory to read {path}: close other programs or import a smaller release"
        ) from None
    cols = raw.ratings
    check_ratings(cols, raw.ratings_where, raw.first_line)
    cols = drop_unknown_movies(
        cols, np.asarray(raw.movies["movie_id"]), raw.ratings_where, raw.movies_where, notes
    )
    cols = keep_latest(cols, raw.ratings_where, notes)
    if progress is not None:
        n = int(cols["rating"].size)
        progress(
            Progress("read", n, n, f"read {n:,} ratings of {len(raw.movies['movie_id']):,} movies")
        )
    return CatalogData(
        release=release,
        movies=raw.movies,
        user_id=np.ascontiguousarray(cols["user_id"], dtype=np.int32),
        movie_id=np.ascontiguousarray(cols["movie_id"], dtype=np.int32),
        rating=np.ascontiguousarray(cols["rating"], dtype=np.float32),
        timestamp=np.ascontiguousarray(cols["timestamp"], dtype=np.int64),
        notes=notes,
    )
