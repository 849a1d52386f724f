"""The catalog's movie table as numpy arrays, for filtering and ranking without SQL.

Built once per imported catalog (``Store.movie_table()`` is a single query) and
dropped when the catalog is replaced. Row order is movie_id ascending, so a movie's
row is found by binary search.
"""

from __future__ import annotations

import numpy as np

from movietui.errors import NotFoundError
from movietui.model import popularity_scores
from movietui.store.filters import Filters, resolve, unknown_genres

ONBOARDING_POOL = 300  # onboarding picks among at least this many of the most-rated films


class CatalogIndex:
    def __init__(self, table: dict[str, np.ndarray], genres: list[str]) -> None:
        self.movie_id = np.asarray(table["movie_id"], dtype=np.int64)
        self.year = np.asarray(table["year"], dtype=np.int32)
        self.rating_count = np.asarray(table["rating_count"], dtype=np.int64)
        means = np.asarray(table["mean_rating"], dtype=np.float64)
        self.mean_rating = np.nan_to_num(means, nan=0.0)
        self.genre_mask = np.asarray(table["genre_mask"], dtype=np.int64)
        self.genres = list(genres)
        self.genre_bits = {
            name: bit for bit, name in enumerate(self.genres)
        }  # store: bits by order
        total = int(self.rating_count.sum())
        # Ratings-weighted mean of the movie means == the catalog's global mean rating.
        self.global_mean = (
            float((self.mean_rating * self.rating_count).sum() / total) if total else 3.5
        )
        self._model_rows: dict[int, tuple[object, np.ndarray]] = {}
        self._spread: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.movie_id)

    def rows(self, movie_ids: np.ndarray | list[int]) -> np.ndarray:
        """Row of each movie id, -1 where the catalog lacks it."""
        ids = np.asarray(movie_ids, dtype=np.int64)
        pos = np.searchsorted(self.movie_id, ids)
        pos = np.minimum(pos, max(len(self.movie_id) - 1, 0))
        found = (self.movie_id[pos] == ids) if len(self.movie_id) else np.zeros(len(ids), bool)
        return np.where(found, pos, -1)

    def check_genres(self, names: tuple[str, ...]) -> None:
        """NotFoundError naming the genres on offer when a name is not one of them."""
        unknown = unknown_genres(names, self.genre_bits)
        if unknown:
            raise NotFoundError(
                f"unknown genre {unknown[0]!r}; choose one of: "
                f"{', '.join(self.genres) or '(no catalog)'}"
            )

    def mask(self, filters: Filters) -> np.ndarray:
        """Rows passing ``filters``, as store/filters.py defines them."""
        bounds = resolve(filters, self.genre_bits)
        return bounds.mask(self.year, self.genre_mask, self.rating_count, self.mean_rating)

    def open_rows(self, filters: Filters, rated_ids) -> np.ndarray:
        """Rows passing ``filters`` that the profile has not rated."""
        keep = self.mask(filters)
        rows = self.rows(rated_ids)
        keep[rows[rows >= 0]] = False
        return keep

    def model_scores(self, model, item_scores: np.ndarray, missing: float) -> np.ndarray:
        """A model's per-item scores laid out per catalog row; ``missing`` where it lacks the movie."""
        model_rows = self.model_rows(model)
        return np.where(model_rows >= 0, item_scores[np.maximum(model_rows, 0)], missing)

    def popularity(self, bonus: bool = True) -> np.ndarray:
        """Damped mean rating per row, plus a log-count bonus for ranking when ``bonus``."""
        kwargs = {} if bonus else {"weight": 0.0}
        return popularity_scores(self.rating_count, self.mean_rating, self.global_mean, **kwargs)

    def factor_spread(self, model) -> np.ndarray:
        """Item-factor norm per row (0 where the model lacks the film)."""
        model_rows = self.model_rows(model)
        norms = np.linalg.norm(model.item_factors, axis=1)
        return np.where(model_rows >= 0, norms[np.maximum(model_rows, 0)], 0.0)

    def onboarding_rows(self, spread: np.ndarray, rated_ids, n: int) -> np.ndarray:
        """Well-known, divisive, unrated rows: the most-rated pool ranked by log(count) x spread."""
        candidates = np.flatnonzero(self.open_rows(Filters(min_count=1), rated_ids))
        by_count = np.argsort(-self.rating_count[candidates], kind="stable")
        pool = candidates[by_count[: max(15 * n, ONBOARDING_POOL)]]
        score = np.log1p(self.rating_count[pool]) * spread[pool]
        return pool[np.argsort(-score, kind="stable")[:n]]

    def model_rows(self, model) -> np.ndarray:
        """Model item index of every catalog row (-1 where the model lacks the movie).

        Cached per model object (the rating model and the ranker each have one); a
        retrain or a new catalog rebuilds it.
        """
        cached = self._model_rows.get(id(model))
        if cached is not None and cached[0] is model:
            return cached[1]
        index = np.asarray(model.item_index(self.movie_id), dtype=np.int64)
        self._model_rows.pop(id(model), None)
        while (
            len(self._model_rows) >= 3
        ):  # the models in use (MF, ranker, neural), not every retrain's
            self._model_rows.pop(next(iter(self._model_rows)))
        self._model_rows[id(model)] = (model, index)
        return index

    def spread(self, load_ratings) -> np.ndarray:
        """Per-row standard deviation of the catalog's ratings (how divisive a film is).

        ``load_ratings`` returns (user_id, movie_id, rating) arrays; called once per catalog.
        """
        if self._spread is None:
            _, movie_ids, ratings = load_ratings()
            rows = self.rows(movie_ids)
            ok = rows >= 0
            rows, r = rows[ok], np.asarray(ratings, dtype=np.float64)[ok]
            n = np.bincount(rows, minlength=len(self)).astype(np.float64)
            s1 = np.bincount(rows, weights=r, minlength=len(self))
            s2 = np.bincount(rows, weights=r * r, minlength=len(self))
            with np.errstate(invalid="ignore", divide="ignore"):
                var = np.where(n > 1, s2 / np.maximum(n, 1) - (s1 / np.maximum(n, 1)) ** 2, 0.0)
            self._spread = np.sqrt(np.maximum(var, 0.0))
        return self._spread
