"""class Service: the one facade the UI and CLI call (read paths in browsing.BrowseMixin).

Blocking methods; the UI runs the slow ones (import_catalog, train, evaluate) in worker
threads while the UI thread keeps browsing and rating. The store serialises its own
calls; ``self._lock`` guards the in-memory state (live model, profile row, caches), and
is never held across a slow step (training, reading a release) — only while swapping.

Settings it keeps: ``current_profile`` (the profile the app reopens on) and
``profile_row:<id>`` (that profile's folded factor row, written on close/switch, so a
restart restores predictions exactly; without it the row is refolded from the ratings).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from movietui.config import Paths, get_paths
from movietui.errors import MovietuiError, NotFoundError
from movietui.model import Hyper, fold_in
from movietui.service import datasets, training
from movietui.service.browsing import BrowseMixin
from movietui.service.catalog_index import CatalogIndex
from movietui.service.live_model import LiveModel, LoadedModel
from movietui.service.types import (
    MARK_NOT_INTERESTED,
    MARK_SEEN,
    CatalogInfo,
    Filters,
    ImportReport,
    ModelInfo,
    MovieView,
    Profile,
    RatedMovie,
    RateResult,
    TrainResult,
)
from movietui.stars import HALF_STARS, half_stars
from movietui.store import open_store

CURRENT_PROFILE = "current_profile"
VIEW_FILTERS = "view_filters"  # settings key: the app's list filters, as JSON
ROW_KEY = "profile_row:{}"  # settings key of a profile's saved factor row
UNDO_DEPTH = 200  # rating and mark changes `undo` can walk back


class RatingError(MovietuiError):
    """A rating value outside 0.5..5 in half stars, or a rating with no profile."""


def check_rating(rating: object) -> float:
    try:
        return half_stars(rating)
    except ValueError as exc:
        raise RatingError(str(exc)) from None


class Service(BrowseMixin):
    def __init__(self, paths: Paths, store) -> None:
        self.paths = paths
        self.store = store
        self.load_warning: str | None = None  # why the saved model could not be loaded
        self._lock = threading.RLock()
        self._live = LiveModel()
        self._catalog: CatalogIndex | None = None
        self._undo: list[tuple[int, float | None, str | None]] = []  # (movie, rating, mark) before
        self._watch: set[int] | None = None
        self._saved_row: str | None = None  # the row as last read/written in settings
        self._closed = False

    @classmethod
    def open(cls, home: str | Path | None = None) -> Service:
        paths = get_paths(home)
        store = open_store(paths.db)
        try:
            service = cls(paths, store)
            service._live.loaded, service.load_warning = training.load_current(store)
            profiles = store.list_profiles()
            remembered = store.get_setting(CURRENT_PROFILE)
            chosen = next(
                (p for p in profiles if str(p.id) == remembered), profiles[0] if profiles else None
            )
            service._activate(chosen.id if chosen else None)
        except BaseException:
            store.close()
            raise
        return service

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._save_row()
        except MovietuiError:
            pass  # only the exact row is lost: the next open refolds it from the ratings
        finally:
            self.store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- catalog -------------------------------------------------------------------
    def has_catalog(self) -> bool:
        return self.store.catalog_info() is not None

    def catalog_info(self) -> CatalogInfo | None:
        return self.store.catalog_info()

    def releases(self) -> list:
        from movietui.catalog.download import load_manifest

        return load_manifest()

    def find_local_datasets(self, extra_dirs=()) -> list[Path]:
        return datasets.find_local_datasets(extra_dirs)

    def import_catalog(
        self, source: str | Path, progress=None, cancel: threading.Event | None = None
    ) -> ImportReport:
        report = datasets.import_catalog(self, source, progress, cancel)
        with self._lock:
            self._catalog = None  # the movie table changed; rebuilt on next use
        return report

    def genres(self) -> list[str]:
        return list(self._index().genres)

    # --- profiles ------------------------------------------------------------------
    def profiles(self) -> list[Profile]:
        return self.store.list_profiles()

    @property
    def current_profile(self) -> Profile | None:
        pid = self._live.profile_id
        return (
            None
            if pid is None
            else next((p for p in self.store.list_profiles() if p.id == pid), None)
        )

    def create_profile(self, name: str) -> Profile:
        profile = self.store.create_profile(name)
        return self.switch_profile(profile.id)

    def switch_profile(self, profile_id: int) -> Profile:
        profile = next((p for p in self.store.list_profiles() if p.id == profile_id), None)
        if profile is None:
            raise NotFoundError(
                f"profile {profile_id} does not exist; list profiles with `movietui profiles`"
            )
        self._activate(profile.id)
        return profile

    def rename_profile(self, profile_id: int, name: str) -> None:
        self.store.rename_profile(profile_id, name)

    def delete_profile(self, profile_id: int) -> None:
        self.store.delete_profile(profile_id)
        self.store.set_setting(ROW_KEY.format(profile_id), "")  # ids can be reused: drop its row
        if profile_id == self._live.profile_id:
            with self._lock:
                self._live.profile_id = None  # nothing to save for a deleted profile
            rest = self.store.list_profiles()
            self._activate(rest[0].id if rest else None)

    def reload_profile(self) -> None:
        """Re-read the current profile's ratings and watchlist after a bulk write."""
        self._activate(self._live.profile_id, save=False, refold=True)

    def _activate(self, profile_id: int | None, save: bool = True, refold: bool = False) -> None:
        if save and profile_id != self._live.profile_id:
            self._save_row()
        ratings, saved, created, marks = {}, None, 0.0, []
        if profile_id is not None:
            ratings = {r.movie_id: r.rating for r in self.store.profile_ratings(profile_id)}
            saved = None if refold else self.store.get_setting(ROW_KEY.format(profile_id))
            created = next(
                (p.created_at for p in self.store.list_profiles() if p.id == profile_id), 0.0
            )
            marks = self.store.feedback(profile_id)
        with self._lock:
            self._live.set_profile(profile_id, ratings, saved, created)
            self._live.set_feedback(
                [f.movie_id for f in marks if f.kind == MARK_NOT_INTERESTED],
                [f.movie_id for f in marks if f.kind == MARK_SEEN],
            )
            self._saved_row = saved
            self._undo.clear()
            self._watch = None
        remembered = "" if profile_id is None else str(profile_id)
        if self.store.get_setting(CURRENT_PROFILE) != remembered:  # no write when nothing changed
            self.store.set_setting(CURRENT_PROFILE, remembered)

    def _save_row(self) -> None:
        with self._lock:
            pid, row = self._live.profile_id, self._live.saved_row()
        if pid is not None and row is not None and row != self._saved_row:
            self.store.set_setting(ROW_KEY.format(pid), row)
            self._saved_row = row

    def _require_profile(self) -> int:
        pid = self._live.profile_id
        if pid is None:
            raise NotFoundError(
                "no profile is selected; create one first (in the app, or `movietui profiles`)"
            )
        return pid

    # --- rating --------------------------------------------------------------------
    def rate(self, movie_id: int, rating: float) -> RateResult:
        movie_id = int(movie_id)
        value = check_rating(rating)
        pid = self._require_profile()
        if self.store.get_movie(movie_id) is None:
            raise NotFoundError(
                f"movie {movie_id} is not in the catalog; search for it by title and rate that"
            )
        return self._apply(pid, movie_id, value, record=True)

    def unrate(self, movie_id: int) -> RateResult:
        movie_id = int(movie_id)
        pid = self._require_profile()
        if movie_id not in self._live.ratings:
            return RateResult(movie_id, None, None, None, None)
        return self._apply(pid, movie_id, None, record=True)

    def undo(self) -> RateResult | None:
        """Walk back the last rating or mark change: the film gets back its rating and mark."""
        pid = self._require_profile()
        with self._lock:
            if not self._undo:
                return None
            movie_id, previous, previous_mark = self._undo.pop()
        return self._apply(pid, movie_id, previous, record=False, mark=previous_mark)

    def _apply(
        self, pid: int, movie_id: int, rating: float | None, record: bool, mark: str | None = None
    ) -> RateResult:
        """Give a film its new state: a rating, a mark, or neither (the store keeps at most
        one). Committed to the store first, then folded into the live model."""
        previous = self.store.get_rating(pid, movie_id)
        previous_mark = self.store.get_feedback(pid, movie_id)
        if rating is not None:
            self.store.set_rating(pid, movie_id, rating)  # drops the mark in the same commit
        elif mark is not None:
            self.store.set_feedback(pid, movie_id, mark)  # drops the rating in the same commit
        else:
            if previous is not None:
                self.store.delete_rating(pid, movie_id)
            if previous_mark is not None:
                self.store.clear_feedback(pid, movie_id)
        with self._lock:
            fold = self._live.update(movie_id, rating, mark)
            if record:
                self._undo.append((movie_id, previous, previous_mark))
                del self._undo[:-UNDO_DEPTH]
        return RateResult(
            movie_id, rating, previous, fold.loss_before, fold.loss_after, mark, previous_mark
        )

    def my_ratings(self) -> list[RatedMovie]:
        pid = self._require_profile()
        rated = self.store.profile_ratings(pid)
        views = {v.movie_id: v for v in self._view_by_id([r.movie_id for r in rated])}
        out = []
        for r in rated:
            view = views.get(r.movie_id) or MovieView(
                r.movie_id,
                f"movie {r.movie_id} (not in this catalog)",
                None,
                (),
                0,
                None,
                r.rating,
                None,
                False,
            )
            out.append(RatedMovie(view, r.rating, r.rated_at))
        return out

    def rating_histogram(self) -> dict[float, int]:
        with self._lock:
            values = list(self._live.ratings.values())
        return {star: sum(1 for v in values if v == star) for star in HALF_STARS}

    # --- watchlist -----------------------------------------------------------------
    def watchlist(self) -> list[MovieView]:
        pid = self._require_profile()
        return self._view_by_id([m for m, _ in self.store.watchlist(pid)])

    def toggle_watchlist(self, movie_id: int) -> bool:
        movie_id = int(movie_id)
        pid = self._require_profile()
        if movie_id in self._watch_ids():
            self.store.remove_from_watchlist(pid, movie_id)
            on = False
        else:
            if self.store.get_movie(movie_id) is None:
                raise NotFoundError(
                    f"movie {movie_id} is not in the catalog; search for it by title"
                )
            self.store.add_to_watchlist(pid, movie_id)
            on = True
        with self._lock:
            self._watch = None
        return on

    # --- feedback without stars (not interested, seen) -------------------------------
    # One state per film: a rating, "not interested", "seen", or nothing. A mark drops the
    # film's rating and a rating drops its mark; undo walks either back (docs/design.md).
    def mark_not_interested(self, movie_id: int) -> RateResult:
        """Hide a film from the lists that recommend; a negative signal for the ranker."""
        return self._mark(movie_id, MARK_NOT_INTERESTED)

    def mark_seen(self, movie_id: int) -> RateResult:
        """A watch without stars: gone from For you, still listed in Browse."""
        return self._mark(movie_id, MARK_SEEN)

    def clear_mark(self, movie_id: int) -> RateResult:
        """Remove a film's mark (no-op without one; a rating is never touched)."""
        movie_id = int(movie_id)
        pid = self._require_profile()
        if movie_id not in self.marks():
            rating = self._live.ratings.get(movie_id)
            return RateResult(movie_id, rating, rating, None, None)
        return self._apply(pid, movie_id, None, record=True)

    def marks(self) -> dict[int, str]:
        """The current profile's marks: movie id -> "not_interested" | "seen"."""
        with self._lock:
            return self._live.marks()

    def _mark(self, movie_id: int, kind: str) -> RateResult:
        movie_id = int(movie_id)
        pid = self._require_profile()
        if self.store.get_movie(movie_id) is None:
            raise NotFoundError(
                f"movie {movie_id} is not in the catalog; search for it by title and mark that"
            )
        return self._apply(pid, movie_id, None, record=True, mark=kind)

    # --- model ---------------------------------------------------------------------
    def model_info(self) -> ModelInfo | None:
        loaded = self._live.loaded
        return loaded.info if loaded else None

    def warm_up(self) -> None:
        """Pay the one-time costs now instead of on the first rating or detail view.

        numba's import and its compiled fold-in kernels (~0.5 s the first time in a process),
        the ranker's Gramian and mean row, the unit item factors behind "similar movies", the
        profile's score vector. The app
        runs this in a worker thread after its first paint; a no-op without a model
        (training loads the kernels anyway).
        """
        from movietui.model import similar_items

        model, ranker = self._live.model, self._live.ranker
        if model is not None and model.n_items:
            fold_in(model, np.zeros(1, np.int32), np.full(1, 4.0, np.float32))
            similar_items(model, 0, 1)
            if ranker is not None:  # its fold-in kernel, Gramian, mean row and scoring pass
                ranker.scores(ranker.fold_in(np.zeros(1, np.int32), np.full(1, 4.0, np.float32)))
            with self._lock:
                self._live.scores()

    def saved_filters(self) -> dict[str, str]:
        """The list filters the app last showed (control name -> value), {} if none or damaged."""
        try:
            saved = json.loads(self.store.get_setting(VIEW_FILTERS) or "{}")
        except ValueError:
            return {}
        if not isinstance(saved, dict):
            return {}
        return {str(k): str(v) for k, v in saved.items() if isinstance(v, (str, int, float, bool))}

    def save_filters(self, values: dict[str, str]) -> None:
        """Remember the app's list filters for the next start (view state, not data)."""
        self.store.set_setting(VIEW_FILTERS, json.dumps(values, sort_keys=True))

    def default_hyper(self) -> Hyper:
        return Hyper()

    def train(
        self,
        hyper: Hyper | None = None,
        on_epoch=None,
        cancel: threading.Event | None = None,
        rank_hyper=None,
        on_rank_epoch=None,
    ) -> TrainResult:
        """Train the rating model (on_epoch per epoch), then the ranker (on_rank_epoch)."""
        return training.train(self, hyper, on_epoch, cancel, rank_hyper, on_rank_epoch)

    def live_ranker(self):
        """The ranker in use (None before the first training with one)."""
        with self._lock:
            return self._live.ranker

    def evaluate(self, hyper: Hyper | None = None, seed: int = 42, progress=None):
        return training.evaluate(self, hyper, seed, progress)

    def _swap_model(self, loaded: LoadedModel) -> None:
        """Make a freshly trained model current and refold the profile onto it."""
        with self._lock:
            self._live.set_model(loaded)

    # --- personal ratings in/out (issue 5: movietui/service/personal.py) -----------
    def import_ratings(
        self, path, profile: str | None = None, dry_run: bool = False, partial: bool = False
    ):
        from movietui.service import personal

        try:
            return personal.import_ratings(
                self, path, profile=profile, dry_run=dry_run, partial=partial
            )
        finally:
            if not dry_run:
                self.reload_profile()  # bulk writes bypass rate(): refold from what was stored

    def export_ratings(self, path, fmt: str) -> int:
        from movietui.service import personal

        return personal.export_ratings(self, path, fmt)

    def export_recommendations(
        self, path, fmt: str, n: int = 20, filters: Filters = Filters()
    ) -> int:
        from movietui.service import personal

        return personal.export_recommendations(self, path, fmt, n=n, filters=filters)
