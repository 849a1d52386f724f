"""class Service: the one door the UI and CLI use, made of collaborators with explicit inputs.

- ``Browser(store, live, lock)`` (browsing.py): every read of the catalog through the model.
- ``ProfileSession`` (session.py): the profile it acts for; ``Jobs``: long calls to stop on close.
- ``training.train(store, current, ...)`` returns the new model; ``_swap_model`` puts it in use.
- ``history.*`` (history.py): the saved models, the rule for which one is current, switching.
- ``datasets.import_catalog(store, cache_dir, ...)``, ``personal.*`` (ratings files in and out),
  ``titles.*`` (which film or profile a typed name means).

Rating lives here (``rate`` -> ``_apply``): the store commits, then ``LiveModel.update`` folds.

Blocking methods; the UI runs the slow ones (import_catalog, train, evaluate) on worker threads
while the UI thread keeps browsing and rating. ``self._lock`` guards the live model, the profile
session and the caches, and is never held across a slow step; the store serialises its own
calls. The full contract (threads, locks, the shutdown order) is in docs/design.md.

Settings it keeps: ``current_profile`` (the profile the app reopens on; written only when a
person picks a profile) and ``profile_row:<id>`` (that profile's folded factor row, written on
close/switch after a rating changed it, so a restart restores predictions exactly).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from movietui.catalog.matching import Matcher
from movietui.config import Paths, get_paths
from movietui.errors import MovietuiError, NotFoundError
from movietui.model import Hyper, NeuralHyper, fold_in
from movietui.service import datasets, groups, history, lists, neural, personal, titles, training
from movietui.service.browsing import Browser
from movietui.service.demo import Demo, DemoError, pick_user, train_without
from movietui.service.live_model import LiveModel, LoadedModel
from movietui.service.session import CURRENT_PROFILE, ROW_KEY, Jobs, ProfileSession
from movietui.service.taste_map import KINDS as MAP_KINDS
from movietui.service.taste_map import TasteMapData, TasteMaps, build_base
from movietui.service.types import (
    MARK_NOT_INTERESTED,
    MARK_SEEN,
    CatalogInfo,
    Filters,
    ImportReport,
    ModelInfo,
    ModelRecord,
    MovieDetail,
    MovieView,
    Page,
    Profile,
    RatedMovie,
    RateResult,
    Recommendation,
    Similar,
    TrainResult,
)
from movietui.stars import HALF_STARS, half_stars
from movietui.store import SavedModel, Store, open_store
from movietui.store.lists import FilmList

VIEW_FILTERS = "view_filters"  # settings key: the app's list filters, as JSON
UNDO_DEPTH = 200  # rating and mark changes `undo` can walk back
CLOSE_WAIT_S = 60.0  # how long close() waits for a training run to save its finished epochs


class RatingError(MovietuiError):
    """A rating value outside 0.5..5 in half stars, or a rating with no profile."""


def check_rating(rating: object) -> float:
    try:
        return half_stars(rating)
    except ValueError as exc:
        raise RatingError(str(exc)) from None


class Service:
    def __init__(self, paths: Paths, store: Store) -> None:
        self.paths = paths
        self.store = store
        self.load_warning: str | None = None  # why the saved model could not be loaded
        self._lock = threading.RLock()
        self._live = LiveModel()
        self._session = ProfileSession()
        self._browser = Browser(store, self._live, self._lock)
        self._groups = groups.Groups(store, self._live, self._browser, self._lock)
        self._jobs = Jobs()
        self._matcher: tuple[float, Matcher] | None = None  # (catalog imported_at, matcher)
        self._undo: list[tuple[int, float | None, str | None]] = []  # (movie, rating, mark) before
        self._saved_row: str | None = None  # the row as last read/written in settings
        self._row_changed = False  # a rating or mark moved the row since it was loaded or saved
        self._row_refolded = False  # the rows were folded at open, not restored from settings
        self._keep_refolds = False  # save such rows too (the app, after warm_up): faster next start
        self._closed = False
        self._maps = TasteMaps()  # taste map planes per model, the session's trails

    @classmethod
    def open(cls, home: str | Path | None = None) -> Service:
        """Open the home's store and act for the profile the app remembers (writes nothing)."""
        paths = get_paths(home)
        store = open_store(paths.db)
        try:
            service = cls(paths, store)
            service._live.loaded, service.load_warning = training.load_current(store)
            service._open_neural()
            chosen = ProfileSession.remembered(
                store.get_setting(CURRENT_PROFILE), store.list_profiles()
            )
            service._act_as(chosen)
        except BaseException:
            store.close()
            raise
        return service

    def close(self, wait: float = CLOSE_WAIT_S) -> None:
        """Shut down in order: ask running jobs to stop (a training run saves its finished
        epochs, as Stop does; an import rolls back), wait up to ``wait`` seconds for them,
        save the profile's row, then close the store."""
        if self._closed:
            return
        self._closed = True
        self._jobs.stop_all(wait)
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
        with self._jobs.running(cancel) as stop:
            try:
                return datasets.import_catalog(self.store, self.paths.cache, source, progress, stop)
            finally:
                self._browser.forget_catalog()  # the movie table may have changed
                self._maps.forget()

    def genres(self) -> list[str]:
        return list(self._browser.index().genres)

    # --- browsing (browsing.Browser) -----------------------------------------------
    def browse(
        self,
        query: str = "",
        filters: Filters = Filters(),
        sort: str = "relevance",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Page:
        return self._browser.browse(query, filters, sort, descending, limit, offset)

    def movie(self, movie_id: int) -> MovieDetail:
        return self._browser.movie(movie_id)

    def similar(self, movie_id: int, n: int = 10) -> list[Similar]:
        return self._browser.similar(movie_id, n)

    def find_titles(self, query: str, year: int | None = None, n: int = 10) -> list[MovieView]:
        return self._browser.find_titles(query, year, n)

    def resolve_title(self, query: str, year: int | None = None) -> MovieView:
        """The one film a typed title means; AmbiguousTitleError lists the candidates."""
        query = titles.check_title_query(query)
        found = self.find_titles(query, year=year, n=titles.TITLE_CANDIDATES)
        return titles.pick_title(found, query, year)

    def recommendations(self, n: int = 20, filters: Filters = Filters()) -> list[Recommendation]:
        return self._browser.recommendations(n, filters)

    def onboarding(self, n: int = 20) -> list[MovieView]:
        return self._browser.onboarding(n)

    # --- profiles ------------------------------------------------------------------
    def profiles(self) -> list[Profile]:
        return self.store.list_profiles()

    @property
    def current_profile(self) -> Profile | None:
        """The profile the service acts for (no query: the session holds it)."""
        with self._lock:
            return self._session.current(len(self._live.ratings))

    def profile_named(self, name: str | None) -> Profile:
        """A profile by name; None means the current one."""
        if name is None:
            current = self.current_profile
            if current is None:
                raise NotFoundError(
                    "no profile yet; create one with `movietui profiles create NAME`"
                )
            return current
        return titles.pick_profile(self.store.list_profiles(), name)

    def create_profile(self, name: str) -> Profile:
        profile = self.store.create_profile(name)
        return self.switch_profile(profile.id)

    def switch_profile(self, profile_id: int) -> Profile:
        """Act for this profile and remember it as the one the app reopens on."""
        profile = self.use_profile(profile_id)
        self._remember(profile)
        return profile

    def use_profile(self, profile_id: int) -> Profile:
        """Act for this profile in this session only: the remembered profile is unchanged."""
        profile = self._profile(profile_id)
        if profile.id != self._session.profile_id:
            self._act_as(profile)
        return profile

    def rename_profile(self, profile_id: int, name: str) -> None:
        self.store.rename_profile(profile_id, name)
        if profile_id == self._session.profile_id:
            renamed = self._profile(profile_id)  # the name as the store cleaned it
            with self._lock:
                self._session.profile = renamed

    def delete_profile(self, profile_id: int) -> None:
        self.store.delete_profile(profile_id)
        self.store.set_setting(ROW_KEY.format(profile_id), "")  # ids can be reused: drop its row
        if profile_id == self._session.profile_id:
            with self._lock:
                self._session.profile = None  # nothing to save for a deleted profile
                self._live.profile_id = None
            rest = self.store.list_profiles()
            self._act_as(rest[0] if rest else None)
            self._remember(rest[0] if rest else None)

    def reload_profile(self) -> None:
        """Re-read the current profile's ratings and watchlist after a bulk write."""
        pid = self._session.profile_id
        self._act_as(None if pid is None else self._profile(pid), refold=True)

    def _profile(self, profile_id: int) -> Profile:
        profile = next((p for p in self.store.list_profiles() if p.id == profile_id), None)
        if profile is None:
            raise NotFoundError(
                f"profile {profile_id} does not exist; list profiles with `movietui profiles`"
            )
        return profile

    def _remember(self, profile: Profile | None) -> None:
        """Make ``profile`` the one the app reopens on (only when a person picked it)."""
        value = "" if profile is None else str(profile.id)
        if self.store.get_setting(CURRENT_PROFILE) != value:  # no write when nothing changed
            self.store.set_setting(CURRENT_PROFILE, value)

    def _act_as(self, profile: Profile | None, refold: bool = False) -> None:
        """Load ``profile``'s ratings, marks and saved row into the live model. Writes nothing
        but the previous profile's row, when a rating changed it."""
        if profile is None or profile.id != self._session.profile_id:
            self._save_row()
        ratings, saved, marks = {}, None, []
        if profile is not None:
            ratings = {r.movie_id: r.rating for r in self.store.profile_ratings(profile.id)}
            saved = None if refold else self.store.get_setting(ROW_KEY.format(profile.id))
            marks = self.store.feedback(profile.id)
        with self._lock:
            self._session.profile = profile
            restored = self._live.set_profile(
                None if profile is None else profile.id,
                ratings,
                saved,
                0.0 if profile is None else profile.created_at,
                hidden=[f.movie_id for f in marks if f.kind == MARK_NOT_INTERESTED],
                seen=[f.movie_id for f in marks if f.kind == MARK_SEEN],
            )
            self._saved_row = saved
            self._row_changed = False
            self._row_refolded = profile is not None and not restored
            self._undo.clear()
        self._browser.forget_watchlist()

    def _save_row(self) -> None:
        """Keep the profile's folded rows when they differ from the saved ones."""
        with self._lock:
            pid, row = self._live.profile_id, self._live.saved_row()
            moved = self._row_changed or (self._keep_refolds and self._row_refolded)
            changed = moved and row != self._saved_row
        if pid is not None and row is not None and changed:
            self.store.set_setting(ROW_KEY.format(pid), row)
            with self._lock:
                self._saved_row = row
                self._row_changed = self._row_refolded = False

    def _require_profile(self) -> int:
        pid = self._session.profile_id
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
            self._row_changed = True
            self._record_map_rows()
            if record:
                self._undo.append((movie_id, previous, previous_mark))
                del self._undo[:-UNDO_DEPTH]
        return RateResult(
            movie_id, rating, previous, fold.loss_before, fold.loss_after, mark, previous_mark
        )

    def my_ratings(self) -> list[RatedMovie]:
        pid = self._require_profile()
        rated = self.store.profile_ratings(pid)
        views = {v.movie_id: v for v in self._browser.view_by_id([r.movie_id for r in rated])}
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
        return self._browser.view_by_id([m for m, _ in self.store.watchlist(pid)])

    def toggle_watchlist(self, movie_id: int) -> bool:
        movie_id = int(movie_id)
        pid = self._require_profile()
        if movie_id in self._browser.watch_ids():
            self.store.remove_from_watchlist(pid, movie_id)
            on = False
        else:
            if self.store.get_movie(movie_id) is None:
                raise NotFoundError(
                    f"movie {movie_id} is not in the catalog; search for it by title"
                )
            self.store.add_to_watchlist(pid, movie_id)
            on = True
        self._browser.forget_watchlist()
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
        (training loads the kernels anyway). From then on a profile's rows folded at open are
        saved at close or switch like moved ones: the next start restores them and pays no
        kernel load before its first paint (~1 s). Read-only commands never call this, so
        they write nothing.
        """
        self._keep_refolds = True
        from movietui.model import similar_items

        model, ranker = self._live.model, self._live.ranker
        if model is not None and model.n_items:
            fold_in(model, np.zeros(1, np.int32), np.full(1, 4.0, np.float32))
            similar_items(model, 0, 1)
            if ranker is not None:  # its fold-in kernel, Gramian, mean row and scoring pass
                ranker.scores(ranker.fold_in(np.zeros(1, np.int32), np.full(1, 4.0, np.float32)))
        self._warm_neural()
        if model is not None and model.n_items:
            with self._lock:
                self._live.scores()

    def prepare_kernels(self) -> None:
        """Compile (first run, ~4 s) or load (~0.5 s) numba's training, fold-in and ranker
        kernels on a tiny made-up data set (``model/warm.py``), so neither the first training
        nor the first rating pays it. Blocking: the app calls it from a worker thread while
        the welcome screen waits. A no-op once done in this process."""
        from movietui.model.warm import prepare_kernels

        prepare_kernels(self.default_hyper())

    def kernels_ready(self) -> bool:
        """Whether ``prepare_kernels`` has finished in this process."""
        from movietui.model.warm import kernels_ready

        return kernels_ready()

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

    def update_filters(self, values: dict[str, str]) -> None:
        """Remember these filter controls' values and keep every other's (each screen of the
        app writes only its own controls, so two screens never undo each other's)."""
        self.save_filters({**self.saved_filters(), **values})

    def default_hyper(self) -> Hyper:
        return Hyper()

    def train(
        self,
        hyper: Hyper | None = None,
        on_epoch=None,
        cancel: threading.Event | None = None,
        rank_hyper=None,
        on_rank_epoch=None,
        make_current: bool = False,
    ) -> TrainResult:
        """Train the rating model (on_epoch per epoch), then the ranker (on_rank_epoch); the
        saved model is swapped in before this returns when it validates at least as well as
        the current one (or the data changed, or ``make_current``: history.py), else it is
        kept in the history only (``result.made_current`` False, ``result.decision`` says
        why). ``close()`` stops it like ``cancel``."""
        with self._jobs.running(cancel) as stop:
            with self._lock:
                current = self._live.loaded
            loaded, result = training.train(
                self.store, current, hyper, on_epoch, stop, rank_hyper, on_rank_epoch, make_current
            )
            if loaded is not None:
                self._swap_model(loaded)
        return result

    def live_ranker(self):
        """The ranker in use (None before the first training with one)."""
        with self._lock:
            return self._live.ranker

    def evaluate(
        self,
        hyper: Hyper | None = None,
        seed: int = 42,
        progress=None,
        models: tuple[str, ...] = ("mf",),
        neural_hyper=None,
    ):
        """Offline evaluation; ``models``: ("mf",), ("neural",) or ("mf", "neural")."""
        return training.evaluate(self.store, hyper, seed, progress, models, neural_hyper)

    def _swap_model(self, loaded: LoadedModel) -> None:
        """Make a freshly trained model current and refold the profile onto it."""
        with self._lock:
            self._live.set_model(loaded)

    # --- personal ratings in/out (personal.py) -------------------------------------
    def import_ratings(
        self,
        path,
        profile: str | None = None,
        dry_run: bool = False,
        partial: bool = False,
        data: bytes | None = None,
    ) -> personal.RatingsImportReport:
        """Import a ratings export into ``profile`` (default: the current one); ``data`` holds
        the export's bytes when it comes from standard input (``path`` then names it)."""
        target = self.profile_named(profile)
        try:
            return personal.import_ratings(
                self.store,
                self._ratings_matcher(),
                path,
                target,
                dry_run=dry_run,
                partial=partial,
                data=data,
            )
        finally:
            if not dry_run and target.id == self._session.profile_id:
                self.reload_profile()  # bulk writes bypass rate(): refold from what was stored

    def export_ratings(self, path, fmt: str, profile: str | None = None) -> int:
        """Write ``profile``'s ratings (default: the current one); returns how many."""
        return personal.export_ratings(self.store, path, fmt, self.profile_named(profile))

    def render_ratings(self, fmt: str, profile: str | None = None) -> tuple[str, int]:
        """``profile``'s ratings export as text (for standard output), and how many ratings."""
        return personal.render_ratings(self.store, fmt, self.profile_named(profile))

    def render_recommendations(self, recommendations: list[Recommendation], fmt: str) -> str:
        """Recommendations as CSV or JSON text (shapes in personal.py)."""
        current = self.current_profile
        return personal.render_recommendations(
            recommendations, fmt, current.name if current else None, self.model_info() is not None
        )

    def save_recommendations(self, path, fmt: str, recommendations: list[Recommendation]) -> int:
        """Write recommendations already computed; returns how many were written."""
        personal.check_recommendation_format(fmt)
        personal.write_text(path, self.render_recommendations(recommendations, fmt))
        return len(recommendations)

    def export_recommendations(
        self, path, fmt: str, n: int = 20, filters: Filters = Filters()
    ) -> int:
        """Write the current profile's top ``n`` recommendations; returns how many."""
        personal.check_recommendation_format(fmt)
        return self.save_recommendations(path, fmt, self.recommendations(n=n, filters=filters))

    def _ratings_matcher(self) -> Matcher:
        """Title matching over the whole catalog, built once per imported catalog."""
        info = self.store.catalog_info()
        stamp = info.imported_at if info else None
        with self._lock:
            cached = self._matcher
        if cached is not None and cached[0] == stamp:
            return cached[1]
        matcher = personal.build_matcher(self.store)
        with self._lock:
            self._matcher = (stamp, matcher) if stamp is not None else None
        return matcher

    # --- taste map (taste_map.py) --------------------------------------------------
    def taste_map(self, kind: str = "ranker") -> TasteMapData:
        """The films of the rating model ("stars") or the ranker ("ranker") in their factor
        plane, the current profile's marker and its trail this session, its rated films."""
        if kind not in MAP_KINDS:
            raise MovietuiError(f"unknown map {kind!r}; use one of {', '.join(MAP_KINDS)}")
        index = self._browser.index()
        with self._lock:
            live = self._live
            model = live.model if kind == "stars" else live.ranker
            row = live.factors if kind == "stars" else live.rank_row
            pid, ratings = live.profile_id, dict(live.ratings)
        if model is None:
            what = "a model" if kind == "stars" else "a ranker"
            raise NotFoundError(
                f"the taste map needs {what}; train one first (T, or `movietui train`)"
            )

        def titles_of(ids: list[int]) -> dict[int, str]:
            return {r.movie_id: r.display_title for r in self.store.get_movies(ids)}

        base = self._maps.base(
            kind,
            model,
            lambda: build_base(
                model.item_factors, model.user_factors, model.item_ids, index, titles_of
            ),
        )
        with self._lock:
            self._maps.record(kind, pid, model, row)  # where the trail starts this session
            return self._maps.data(kind, base, pid, model, row, ratings)

    def _record_map_rows(self) -> None:
        """After a rating or mark (under the lock): the trail's next point on both maps."""
        live = self._live
        self._maps.record("stars", live.profile_id, live.model, live.factors)
        self._maps.record("ranker", live.profile_id, live.ranker, live.rank_row)

    # --- demo (demo.py) -------------------------------------------------------------
    def demo(
        self,
        user: int | None = None,
        seed: int = 0,
        hyper: Hyper | None = None,
        rank_hyper=None,
        on_epoch=None,
        on_rank_epoch=None,
        cancel: threading.Event | None = None,
    ) -> Demo:
        """A replay of a real catalog user (``user``, else one picked by ``seed``): both models
        trained without them (in memory; the saved model is untouched), ready to ``step``."""
        if self.store.catalog_info() is None:
            raise DemoError(
                "the demo needs a catalog; import one first (movietui import ml-latest-small)"
            )
        with self._jobs.running(cancel) as stop:
            if user is None:
                user = pick_user(self.store.load_catalog_ratings()[0], seed)
            movies, ratings, _ = self.store.user_catalog_ratings(int(user))
            if movies.size < 2:
                what = "is not in" if movies.size == 0 else "has only 1 rating in"
                raise DemoError(
                    f"user {user} {what} this catalog; pick another with --user, "
                    "or leave it out to pick one"
                )
            loaded = train_without(
                self.store, int(user), hyper, rank_hyper, on_epoch, on_rank_epoch, stop
            )
        return Demo(self.store, loaded, int(user), movies, ratings)

    # --- the neural model (service/neural.py) and which model predicts stars -----------
    def default_neural_hyper(self) -> NeuralHyper:
        return NeuralHyper()

    def train_neural(
        self,
        hyper: NeuralHyper | None = None,
        on_epoch=None,
        cancel: threading.Event | None = None,
        make_current: bool = False,
    ) -> TrainResult:
        """Train the neural model (on_epoch per epoch) on the catalog and every profile; saved
        as the current neural model and swapped in before this returns (it predicts stars
        only once chosen: ``set_star_model``). ``close()`` stops it like ``cancel``."""
        with self._jobs.running(cancel) as stop:
            with self._lock:
                current = self._live.neural
            loaded, result = neural.train_neural(
                self.store, current, hyper, on_epoch, stop, make_current
            )
            if loaded is not None:
                with self._lock:
                    self._live.set_neural(loaded)
                    self._row_changed = True
        return result

    def neural_info(self) -> ModelInfo | None:
        """The current neural model (None before the first neural training)."""
        with self._lock:
            return self._live.neural.info if self._live.neural else None

    def star_model(self) -> str:
        """Which model predicts the stars shown everywhere: "mf" or "neural"."""
        with self._lock:
            return "neural" if self._live.stars_neural else "mf"

    def set_star_model(self, kind: str) -> None:
        """Make "mf" or "neural" the model that predicts stars (remembered for the next start);
        the profile's row in that model is folded from its ratings now."""
        with self._lock:
            live = self._live
            neural.check_star_kind(kind, live.loaded is not None, live.neural is not None)
            live.set_star_kind(kind)
            self._row_changed = True
        if self.store.get_setting(neural.STAR_MODEL) != kind:
            self.store.set_setting(neural.STAR_MODEL, kind)

    def saved_models(self) -> list[SavedModel]:
        """Every saved model of both kinds, newest first (id, kind, when, current)."""
        return self.store.list_models()

    # --- model history (history.py) ---------------------------------------------------
    def model_history(self, kind: str | None = None) -> list[ModelRecord]:
        """Every saved model (of ``kind``: "mf" | "neural", or both), newest first: when, on
        what data, hyperparameters, validation figures, whether current."""
        return history.records(self.store, kind)

    def use_model(self, model_id: int) -> ModelRecord:
        """Make saved model ``model_id`` the current one of its kind: loaded, marked current
        in the store and swapped in live, exactly as after a training run (the profile's rows
        are refolded onto it). Returns its history row."""
        kind, loaded, warning = history.make_current(
            self.store,
            model_id,
            {"mf": training.load_current, "neural": neural.load_neural},
        )
        if kind == "mf":
            self._swap_model(loaded)
            self.load_warning = warning
        else:
            with self._lock:
                self._live.set_neural(loaded)
                self._row_changed = True
        return next(r for r in self.model_history(kind) if r.model_id == loaded.info.model_id)

    def _open_neural(self) -> None:
        """At open: load the current neural model and the remembered star model."""
        loaded, warning = neural.load_neural(self.store)
        if warning:
            self.load_warning = f"{self.load_warning}; {warning}" if self.load_warning else warning
        self._live.neural = loaded
        if self.store.get_setting(neural.STAR_MODEL) == "neural" and loaded is not None:
            self._live.star_kind = "neural"

    def _warm_neural(self) -> None:
        """Compile the neural kernels (scores, fold-in) and cache its item half, when a neural
        model is loaded."""
        with self._lock:
            loaded = self._live.neural
        if loaded is not None and loaded.model.n_items:
            model = loaded.model
            model.scores(model.fold_in(np.zeros(1, np.int64), np.full(1, 4.0, np.float32)).factors)

    # --- movie night and lists (groups.py) --------------------------------------------
    def group_strategies(self) -> dict[str, str]:
        """Strategy name -> what it does, in the order to offer them."""
        return dict(groups.STRATEGY_NAMES)

    def group_strategy(self) -> str:
        """The movie-night strategy last picked (the default until one is)."""
        return self._groups.strategy()

    def set_group_strategy(self, strategy: str) -> None:
        self._groups.set_strategy(strategy)

    def members(self, names: Sequence[str | int]) -> list[Profile]:
        """Profiles by name (str) or id (int), in the order given."""
        known = self.store.list_profiles()
        return [
            self._profile(m) if isinstance(m, int) else titles.pick_profile(known, m) for m in names
        ]

    def group_picks(
        self,
        members: Sequence[str | int],
        n: int = 20,
        strategy: str | None = None,
        filters: Filters = Filters(),
    ) -> groups.GroupList:
        """The movie-night list for two or more profiles (names or ids); writes nothing."""
        return self._groups.picks(self.members(members), n, strategy, filters)

    def watchlist_picks(
        self,
        members: Sequence[str | int],
        n: int = 20,
        strategy: str | None = None,
        filters: Filters = Filters(),
    ) -> groups.GroupList:
        """The members' watchlists (together) ranked for one profile or a group."""
        profiles = self.members(members)
        groups.check_members(profiles, minimum=1)
        ids = sorted({m for p in profiles for m, _ in self.store.watchlist(p.id)})
        if not ids:
            whose = " and ".join(repr(p.name) for p in profiles)
            raise NotFoundError(
                f"the watchlist of {whose} is empty; add films to it first "
                "(w in the app on a film, or rank an imported list with --from FILE)"
            )
        return self._groups.picks(profiles, n, strategy, filters, only=ids, source="watchlist")

    def list_picks(
        self,
        members: Sequence[str | int],
        source: str,
        n: int = 20,
        strategy: str | None = None,
        filters: Filters = Filters(),
        partial: bool = False,
    ) -> groups.GroupList:
        """A stored list (by name) or a list file, ranked for one profile or a group.
        A file with films the catalog lacks raises ListMatchError (its report attached)
        unless ``partial``; nothing is written either way."""
        profiles = self.members(members)
        groups.check_members(profiles, minimum=1)
        if Path(source).is_file():
            report = lists.match_list(self._ratings_matcher(), source, partial)
            if report.blocked:
                raise lists.ListMatchError(report)
            ids, label = report.movie_ids, f"list {report.name!r}"
        else:
            stored = self.store.film_list(source)
            ids, label = self.store.list_movie_ids(stored.id), f"list {stored.name!r}"
            if not ids:
                raise NotFoundError(f"{label} is empty; import films into it again")
        return self._groups.picks(profiles, n, strategy, filters, only=ids, source=label)

    def film_lists(self) -> list[FilmList]:
        return self.store.film_lists()

    def import_list(
        self, path, name: str | None = None, partial: bool = False, dry_run: bool = False
    ) -> lists.ListMatch:
        """Store a Letterboxd list export or plain CSV as a named list (see lists.py)."""
        return lists.import_list(
            self.store, self._ratings_matcher(), path, name, partial=partial, dry_run=dry_run
        )

    def rename_list(self, name: str, new_name: str) -> None:
        self.store.rename_film_list(self.store.film_list(name).id, new_name)

    def delete_list(self, name: str) -> None:
        self.store.delete_film_list(self.store.film_list(name).id)

    def list_films(self, name: str) -> list[MovieView]:
        return self._browser.view_by_id(self.store.list_movie_ids(self.store.film_list(name).id))
