"""Reading the catalog through the live model: browse, details, similar films, picks.

``Browser(store, live, lock)``: it reads the store, and the live model under ``lock`` (the
Service's, which also guards every change to ``live``); it writes nothing. It caches the
catalog as arrays (``CatalogIndex``, dropped by ``forget_catalog`` after an import) and the
profile's watchlist ids (dropped by ``forget_watchlist`` after a change).
"""

from __future__ import annotations

import threading

import numpy as np

from movietui.errors import MovietuiError, NotFoundError
from movietui.model import similar_items, top_n
from movietui.model.blend import served_top_n
from movietui.model.itemsim import similar_items_blend
from movietui.model.serve import explain_list
from movietui.service.catalog_index import CatalogIndex
from movietui.service.live_model import LiveModel
from movietui.service.types import (
    SORTS,
    Filters,
    MovieDetail,
    MovieView,
    Page,
    Recommendation,
    Similar,
)
from movietui.store import MovieRow, Store
from movietui.store.filters import mean_bound

BECAUSE_N = 2  # titles in a "because you liked ..." line


class Browser:
    def __init__(self, store: Store, live: LiveModel, lock: threading.RLock) -> None:
        self.store = store
        self.live = live
        self.lock = lock
        self._catalog: CatalogIndex | None = None
        self._watch: tuple[int | None, set[int]] | None = None  # (profile id, its watchlist)

    def forget_catalog(self) -> None:
        """The movie table changed (an import): rebuild the arrays on next use."""
        with self.lock:
            self._catalog = None

    def forget_watchlist(self) -> None:
        with self.lock:
            self._watch = None

    def index(self) -> CatalogIndex:
        """The movie table as arrays, built on first use after each catalog import."""
        with self.lock:
            if self._catalog is None:
                self._catalog = CatalogIndex(self.store.movie_table(), self.store.genres())
            return self._catalog

    # --- views ---------------------------------------------------------------------
    def watch_ids(self) -> set[int]:
        """The current profile's watchlist (cached until ``forget_watchlist`` or a switch)."""
        with self.lock:
            pid = self.live.profile_id
            if self._watch is None or self._watch[0] != pid:
                ids = set() if pid is None else {m for m, _ in self.store.watchlist(pid)}
                self._watch = (pid, ids)
            return self._watch[1]

    def views(self, rows: list[MovieRow]) -> list[MovieView]:
        with self.lock:
            predicted = self.live.predict([r.movie_id for r in rows]) if rows else None
            mine = dict(self.live.ratings)
            marks = self.live.marks()
        watch = self.watch_ids()
        return [
            MovieView(
                movie_id=r.movie_id,
                title=r.display_title,
                year=r.year,
                genres=r.genres,
                rating_count=r.rating_count,
                mean_rating=r.mean_rating,
                my_rating=mine.get(r.movie_id),
                predicted=None if predicted is None else round(float(predicted[k]), 4),
                on_watchlist=r.movie_id in watch,
                mark=marks.get(r.movie_id),
            )
            for k, r in enumerate(rows)
        ]

    def view_by_id(self, movie_ids) -> list[MovieView]:
        return self.views(self.store.get_movies([int(m) for m in movie_ids]))

    def check_filters(self, filters: Filters) -> None:
        if filters.genres or filters.exclude_genres:  # NotFoundError naming the genres on offer
            self.index().check_genres((*filters.genres, *filters.exclude_genres))
        mean_bound(filters.min_mean)  # one clear error for a bad mean

    # --- browse and details --------------------------------------------------------
    def browse(
        self,
        query: str = "",
        filters: Filters = Filters(),
        sort: str = "relevance",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Page:
        if sort not in SORTS:
            raise MovietuiError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        if limit < 0 or offset < 0:
            raise MovietuiError(f"limit and offset must not be negative (got {limit}, {offset})")
        self.check_filters(filters)
        f = filters
        if sort == "predicted" and self.live.profile_id is not None:
            # Without a text query the cached movie table answers in numpy, no SQL pass.
            ids = (
                self.store.filter_movie_ids(query, filters=f)
                if query.strip()
                else self.index().movie_id[self.index().mask(filters)]
            )
            with self.lock:
                pred = self.live.predict(ids)
            if pred is not None:  # None: no model yet (or not since a swap)
                key = -pred if descending else pred
                page = ids[np.argsort(key, kind="stable")][offset : offset + limit]
                return Page(self.view_by_id(page), len(ids))
        store_sort = "popularity" if sort == "predicted" else sort  # no model: most rated first
        rows, total = self.store.search_movies(
            query,
            filters=f,
            sort=store_sort,
            descending=descending,
            limit=limit,
            offset=offset,
        )
        return Page(self.views(rows), total)

    def movie(self, movie_id: int) -> MovieDetail:
        row = self.store.get_movie(movie_id)
        if row is None:
            raise NotFoundError(f"movie {movie_id} is not in the catalog; search for it by title")
        view = self.views([row])[0]
        imdb_url = f"https://www.imdb.com/title/{row.imdb_id}/" if row.imdb_id else None
        tmdb_url = f"https://www.themoviedb.org/movie/{row.tmdb_id}" if row.tmdb_id else None
        because = self._because([movie_id])[0] if view.my_rating is None else []
        return MovieDetail(
            view, row.imdb_id, row.tmdb_id, imdb_url, tmdb_url, because, self.similar(movie_id)
        )

    def similar(self, movie_id: int, n: int = 10) -> list[Similar]:
        """Films most like movie_id: the mean of both models' factor cosines (model/itemsim.py:
        it finds more of the films that people who liked one go on to like), shrunk for films
        with few ratings. A model saved before the ranker existed uses its own cosine only."""
        with self.lock:
            model = self.live.model
            ranker = self.live.ranker
        if model is None:
            return []
        item = int(model.item_index([movie_id])[0])
        if item < 0:
            if self.store.get_movie(movie_id) is None:
                raise NotFoundError(
                    f"movie {movie_id} is not in the catalog; search for it by title"
                )
            return []  # in the catalog but newer than the model: retrain to place it
        idx, sims = (
            similar_items(model, item, n, model.counts())
            if ranker is None
            else similar_items_blend(model, ranker, item, n, model.counts())
        )
        views = {v.movie_id: v for v in self.view_by_id(model.item_ids[idx])}
        return [
            Similar(views[int(m)], float(s))
            for m, s in zip(model.item_ids[idx], sims, strict=True)
            if int(m) in views
        ]

    def find_titles(self, query: str, year: int | None = None, n: int = 10) -> list[MovieView]:
        rows, _ = self.store.search_movies(query, year_min=year, year_max=year, limit=n)
        return self.views(rows)

    def _because(self, movie_ids) -> list[list[str]]:
        """For each movie of a list shown together, up to BECAUSE_N titles of the profile's
        liked films that set it apart (model/serve.py explain_list).

        The rating model's factors, not the ranker's: bench/check_item_factors.py found its
        named films co-liked with the target more often than the ranker's (held-out lift
        2.10 vs 1.97, random liked film 1.84), though the iALS decomposition varies more.
        """
        with self.lock:
            model = self.live.model
            rated_idx, rated_r = self.live.rated_model_items()
            bias = self.live.bias
        if model is None or not len(rated_idx):
            return [[] for _ in movie_ids]
        targets = model.item_index(np.asarray(movie_ids, np.int64))
        picks: list[list[int]] = [
            list(named)
            for named, _ in explain_list(model, targets, rated_idx, rated_r, bias, n=BECAUSE_N)
        ]
        wanted = {int(model.item_ids[i]) for p in picks for i in p}
        titles = {r.movie_id: r.display_title for r in self.store.get_movies(sorted(wanted))}
        return [
            [titles[m] for m in (int(model.item_ids[i]) for i in p) if m in titles] for p in picks
        ]

    # --- recommendations -----------------------------------------------------------
    def recommendations(self, n: int = 20, filters: Filters = Filters()) -> list[Recommendation]:
        """Top n films for the profile, ranked by the served score (model/blend.py).

        Films rated, marked "not interested" or marked seen are left out. With no rating or
        mark yet: the damped popularity ranking. Without a ranker (a model saved before it
        existed): predicted stars. The number shown is always the predicted stars.
        """
        self.check_filters(filters)
        index = self.index()
        with self.lock:
            live = self.live
            model, ranker = live.model, live.ranker
            excluded = live.settled()
            personal = model is not None and live.factors is not None and bool(excluded)
            rank_scores = live.rank_scores() if personal else None
            star_scores = live.scores() if personal and rank_scores is None else None
            row = live.factors
            # the model that predicts stars (MF or neural) and a snapshot of its predictions
            star, stars_of, baseline = live.star_model(), live.star_scorer(), live.baseline()
        candidates = index.open_rows(filters, excluded)
        if not personal or model is None or row is None or star is None or stars_of is None:
            top = top_n(index.popularity(), n, candidate_mask=candidates)
        elif rank_scores is None or ranker is None:  # a model saved before the ranker: stars
            assert star_scores is not None
            top = top_n(
                index.model_scores(star, star_scores, baseline), n, candidate_mask=candidates
            )
        else:
            star_rows = index.model_rows(star)
            top = served_top_n(
                index.model_scores(ranker, rank_scores, 0.0),
                lambda rows: np.where(
                    star_rows[rows] >= 0, stars_of(np.maximum(star_rows[rows], 0)), baseline
                ).astype(np.float32),
                star.mu,
                n,
                candidate_mask=candidates,
            )
        views = self.view_by_id(index.movie_id[top])
        because = self._because([v.movie_id for v in views]) if personal else [[] for _ in views]
        # Without a model, show the damped mean (the ranking adds a popularity bonus).
        damped = index.popularity(bonus=False)
        by_id = dict(zip(index.movie_id[top].tolist(), damped[top].tolist(), strict=True))
        return [
            Recommendation(
                v, float(v.predicted if v.predicted is not None else by_id[v.movie_id]), b
            )
            for v, b in zip(views, because, strict=True)
        ]

    def onboarding(self, n: int = 20) -> list[MovieView]:
        """Well-known but divisive films the profile has neither rated nor marked: they teach the model most.

        Among the most-rated films, rank by log(count) x spread, where spread is the
        item-factor norm when a model is loaded (how strongly a rating of the film moves
        the profile's row) and else the standard deviation of the film's catalog ratings
        (computed once per catalog). Kept over a ranker-based choice (its factor norms, or a
        greedy pick of what teaches the ranker's fold-in most): bench/check_item_factors.py
        measured this rule's picks giving better lists after 10 ratings (Recall@20 0.20 vs 0.16-0.18).
        """
        index = self.index()
        with self.lock:
            model = self.live.model
            rated = self.live.settled()
        spread = (
            index.factor_spread(model)
            if model is not None
            else index.spread(self.store.load_catalog_ratings)
        )
        return self.view_by_id(index.movie_id[index.onboarding_rows(spread, rated, n)])
