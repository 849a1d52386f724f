"""The demo: a real MovieLens user's ratings replayed, in time order, into a model that never saw them.

- ``pick_user(users, seed)``: a catalog user with enough ratings to tell a story (seeded).
- ``train_without(store, user_id, ...)``: both models trained on the catalog (and the local
  profiles) minus that user, in memory only: the saved model in use is untouched.
- ``Demo``: its own ``LiveModel`` (the app's fold-in: ``LiveModel.update`` per rating, exactly as
  a rating in the app) and its own ``Browser`` over it (the app's For you ranking). Each ``step``
  folds the next rating and says which films in the top 20 the user really went on to rate
  4 stars or more (the "hits"), beside the most-popular list's hits: the curve of the demo.

Nothing here holds or calls the Service. The catalog's popularity counts still include the
user's own ratings (one rating among thousands for the films that make the top 20).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from movietui.errors import NotFoundError
from movietui.model import Hyper
from movietui.model import train as train_model
from movietui.model.ranker import RankHyper, fit_ranker
from movietui.model.serve import top_n
from movietui.service.browsing import Browser
from movietui.service.live_model import LiveModel, LoadedModel
from movietui.service.taste_map import TasteMapData, TasteMaps, build_base
from movietui.service.training import model_info, rank_report, training_data
from movietui.service.types import Filters
from movietui.store import Store

DEMO_PROFILE = 2**31 - 1  # the replayed person's profile id in the demo's own LiveModel
TOP = 20  # the For you list and the most-popular list the curve counts hits in
LIKED = 4.0  # a rating from here up is a film they liked
MIN_RATINGS, MAX_RATINGS = 40, 400  # users the seeded pick chooses among


class DemoError(NotFoundError):
    """No user fits the demo, or the one asked for is not in the catalog."""


@dataclass(frozen=True)
class DemoPick:
    movie_id: int
    title: str
    year: int | None
    hit: bool  # the user rated it >= 4 later in the replay


@dataclass(frozen=True)
class DemoPoint:
    n: int  # ratings replayed so far
    hits: int  # of the For you top 20
    popular_hits: int  # of the most-popular top 20
    liked_left: int  # films still to come that they rated >= 4
    seconds: float  # the step's time (fold-in, both lists, hits)


@dataclass(frozen=True)
class DemoFrame:
    """What the demo screen shows after a step."""

    user_id: int
    step: int  # ratings replayed
    total: int  # ratings to replay
    last: tuple[int, str, float] | None  # (movie id, title, stars) just replayed
    for_you: tuple[DemoPick, ...]
    popular: tuple[DemoPick, ...]
    curve: tuple[DemoPoint, ...]

    @property
    def done(self) -> bool:
        return self.step >= self.total


def pick_user(users: np.ndarray, seed: int) -> int:
    """A catalog user with MIN..MAX ratings, chosen by ``seed`` (the most active in range if none)."""
    ids, counts = np.unique(np.asarray(users, np.int64), return_counts=True)
    if ids.size == 0:
        raise DemoError(
            "the catalog has no ratings; import one first (movietui import ml-latest-small)"
        )
    fit = ids[(counts >= MIN_RATINGS) & (counts <= MAX_RATINGS)]
    if fit.size == 0:
        fit = ids[counts == counts.max()]
    return int(np.random.default_rng(seed).choice(fit))


def train_without(
    store: Store,
    user_id: int,
    hyper: Hyper | None = None,
    rank_hyper: RankHyper | None = None,
    on_epoch: Callable | None = None,
    on_rank_epoch: Callable | None = None,
    cancel: threading.Event | None = None,
) -> LoadedModel:
    """Both models trained on everything but ``user_id``'s ratings; nothing is saved."""
    keys, items, values = training_data(store)
    keep = keys != int(user_id)
    keys, items, values = keys[keep], items[keep], values[keep]
    all_items = store.movie_table()["movie_id"]

    def report(epoch) -> bool:
        if on_epoch is not None and on_epoch(epoch) is False:
            return False
        return not (cancel is not None and cancel.is_set())

    model = train_model(
        keys, items, values, hyper or Hyper(), on_epoch=report, all_item_ids=all_items
    )
    ranker = fit_ranker(
        keys,
        items,
        values,
        rank_hyper or RankHyper(),
        on_epoch=rank_report(on_rank_epoch, cancel),
        all_item_ids=all_items,
    )
    meta = {"service": {"trained_at": time.time(), "n_ratings": int(values.size)}}
    return LoadedModel(model, model_info(0, model, meta, ranker), ranker)


class Demo:
    """One replay: step through the user's ratings; read the lists, the curve and the map."""

    def __init__(
        self,
        store: Store,
        loaded: LoadedModel,
        user_id: int,
        movies: np.ndarray,
        ratings: np.ndarray,
    ) -> None:
        self.store = store
        self.user_id = int(user_id)
        self.movies = np.asarray(movies, np.int64)
        self.ratings = np.asarray(ratings, np.float32)
        self.lock = threading.RLock()
        self.live = LiveModel()
        self.live.set_model(loaded)
        self.live.set_profile(DEMO_PROFILE, {}, None)
        self.browser = Browser(store, self.live, self.lock)
        self.maps = TasteMaps()
        self._record_rows()  # the trail starts where the empty profile sits
        self.position = 0
        self._curve: list[DemoPoint] = []
        self._last: tuple[int, str, float] | None = None
        self._frame = self._measure(0.0)

    @property
    def total(self) -> int:
        return int(self.movies.size)

    def frame(self) -> DemoFrame:
        return self._frame

    def step(self) -> DemoFrame:
        """Replay the next rating (fold-in as the app does), then rank and count hits again."""
        if self.position >= self.total:
            return self._frame
        start = time.perf_counter()
        movie, stars = int(self.movies[self.position]), float(self.ratings[self.position])
        with self.lock:
            self.live.update(movie, stars)
            self._record_rows()
        self.position += 1
        row = self.store.get_movie(movie)
        self._last = (movie, row.display_title if row else f"movie {movie}", stars)
        self._frame = self._measure(start)
        return self._frame

    def _record_rows(self) -> None:
        self.maps.record("stars", DEMO_PROFILE, self.live.model, self.live.factors)
        self.maps.record("ranker", DEMO_PROFILE, self.live.ranker, self.live.rank_row)

    def run(self, steps: int | None = None) -> DemoFrame:
        """Replay ``steps`` more ratings (all that are left by default)."""
        left = self.total - self.position if steps is None else steps
        for _ in range(max(0, left)):
            self.step()
        return self._frame

    def _measure(self, start: float) -> DemoFrame:
        liked = {
            int(m)
            for m, r in zip(
                self.movies[self.position :].tolist(),
                self.ratings[self.position :].tolist(),
                strict=True,
            )
            if r >= LIKED
        }
        for_you = tuple(
            DemoPick(r.movie.movie_id, r.movie.title, r.movie.year, r.movie.movie_id in liked)
            for r in self.browser.recommendations(TOP)
        )
        index = self.browser.index()
        with self.lock:
            settled = self.live.settled()
        rows = top_n(index.popularity(), TOP, candidate_mask=index.open_rows(Filters(), settled))
        popular = tuple(
            DemoPick(v.movie_id, v.title, v.year, v.movie_id in liked)
            for v in self.browser.view_by_id(index.movie_id[rows])
        )
        seconds = time.perf_counter() - start if start else 0.0
        self._curve.append(
            DemoPoint(
                self.position,
                sum(p.hit for p in for_you),
                sum(p.hit for p in popular),
                len(liked),
                seconds,
            )
        )
        return DemoFrame(
            self.user_id,
            self.position,
            self.total,
            self._last,
            for_you,
            popular,
            tuple(self._curve),
        )

    def taste_map(self, kind: str = "ranker") -> TasteMapData:
        """The demo model's map with the replayed person's marker, trail and stars."""
        index = self.browser.index()
        with self.lock:
            model = self.live.model if kind == "stars" else self.live.ranker
            row = self.live.factors if kind == "stars" else self.live.rank_row
            ratings = dict(self.live.ratings)
        assert model is not None  # the demo trains both

        def titles_of(ids: list[int]) -> dict[int, str]:
            return {r.movie_id: r.display_title for r in self.store.get_movies(ids)}

        base = self.maps.base(
            kind,
            model,
            lambda: build_base(
                model.item_factors, model.user_factors, model.item_ids, index, titles_of
            ),
        )
        with self.lock:
            self.maps.record(kind, DEMO_PROFILE, model, row)
            return self.maps.data(kind, base, DEMO_PROFILE, model, row, ratings)


def format_curve(frame: DemoFrame, every: int = 1) -> str:
    """The demo's curve as a table: hits in the top 20 against the ratings replayed so far."""
    lines = [
        f"user {frame.user_id}: {frame.total} ratings replayed in time order "
        f"into models trained without them",
        f"{'ratings':>7}  {'for you hits@20':>15}  {'most popular hits@20':>20}  "
        f"{'liked still to come':>19}  {'step ms':>7}",
    ]
    for p in frame.curve:
        if p.n % every and p.n != frame.curve[-1].n and p.n > 10:
            continue
        ms = f"{p.seconds * 1000:7.0f}" if p.n else "      -"
        lines.append(f"{p.n:>7}  {p.hits:>15}  {p.popular_hits:>20}  {p.liked_left:>19}  {ms}")
    steps = [p.seconds for p in frame.curve if p.n]
    if steps:
        lines.append(f"step (fold-in, both lists, hits) median {np.median(steps) * 1000:.0f} ms")
    return "\n".join(lines)
