"""Plain records the store hands out; no behaviour, safe to pass between threads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from movietui.errors import MovietuiError

# (stage, done, total or None). The service adapts this to catalog.progress.Progress,
# which keeps the store free of catalog imports.
StoreProgress = Callable[[str, int, "int | None"], None]


class ImportCancelled(MovietuiError):
    """A catalog replacement was cancelled; the previous catalog is left as it was."""


@dataclass(frozen=True)
class MovieRow:
    movie_id: int
    title: str
    display_title: str
    year: int | None
    genres: tuple[str, ...]
    imdb_id: str | None
    tmdb_id: int | None
    rating_count: int
    mean_rating: float | None


@dataclass(frozen=True)
class CatalogInfo:
    release: str
    source: str
    imported_at: float
    n_movies: int
    n_ratings: int
    n_users: int
    db_bytes: int


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    created_at: float
    n_ratings: int


@dataclass(frozen=True)
class ProfileRating:
    movie_id: int
    rating: float
    rated_at: float


@dataclass(frozen=True)
class ProfileFeedback:
    movie_id: int
    kind: str  # "not_interested" | "seen"
    marked_at: float


@dataclass(frozen=True)
class SavedModel:
    model_id: int
    kind: str  # "mf" (the rating model and its ranker) | "neural"
    created_at: float
    is_current: bool  # the current model of its kind


@dataclass(frozen=True)
class TrainingRun:
    run_id: int
    started_at: float
    finished_at: float | None
    status: str
    params: dict
    metrics: dict
    model_id: int | None
