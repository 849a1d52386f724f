"""Movie night (issue 15): one list for several profiles, and ranking a list one already has.

``Groups(store, live, browser, lock)`` reads the store, the Service's live model (under
``lock``) and the catalog arrays of the ``Browser``; the only thing it writes is the remembered
strategy (``set_strategy``, when a person picks one).

Each member's served score is what their own For you ranks by (model/blend.py): their ratings
and marks are folded into fresh rows with the LiveModel's own code (a ``LiveModel`` per member,
restored from the member's saved row when it is still valid, so a member's column equals what
their own profile shows), cached per member until their ratings, marks or the model change.
The current profile uses the live rows themselves. model/group.py turns the members' scores
into one list by the chosen strategy.

A member with no ratings or marks (cold start) is said so in ``GroupList.notes`` and ranks
by the popularity order their own For you would show; their stars are the model's baseline.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace

import numpy as np

from movietui.errors import MovietuiError
from movietui.model.blend import served_scores
from movietui.model.group import DEFAULT_STRATEGY, STRATEGIES, group_top_n
from movietui.model.serve import explain_list
from movietui.service.browsing import BECAUSE_N, Browser
from movietui.service.live_model import LiveModel, LoadedModel
from movietui.service.session import ROW_KEY
from movietui.service.types import MARK_NOT_INTERESTED, MARK_SEEN, Filters, MovieView, Profile
from movietui.store import Store

STRATEGY_KEY = "group_strategy"  # settings key: the movie-night strategy last picked
STRATEGY_NAMES = {
    "turns": "turns: members take turns, each adding their own best film",
    "shared": "shared turns: the least-served member's turn, the group's favourite of their next 5",
    "average": "average: the mean of the members' scores",
    "least_misery": "least misery: the lowest member's score",
}


class GroupError(MovietuiError):
    """A movie night that cannot be formed: too few members, one named twice, a bad strategy."""


@dataclass(frozen=True)
class MemberPick:
    """One member's view of a film on the group list."""

    profile: str  # the member's name
    predicted: float  # their predicted stars (the damped mean without a model)
    because: tuple[str, ...]  # their liked films that set this film apart


@dataclass(frozen=True)
class GroupPick:
    movie: MovieView  # the film (its personal fields are left empty: see ``members``)
    members: tuple[MemberPick, ...]  # in the order the members were given


@dataclass(frozen=True)
class GroupList:
    members: tuple[Profile, ...]
    strategy: str
    picks: list[GroupPick]
    notes: tuple[str, ...]  # one line each: a cold-start member, films of a list left out
    source: str = "catalog"  # "catalog", "watchlist" or the name of the list ranked


@dataclass
class _Member:
    key: tuple  # (model, catalog, ratings and marks digest): valid while the same objects
    live: LiveModel
    cold: bool  # no ratings and no marks
    settled: list[int]  # rated or marked films
    served: np.ndarray  # served score per catalog row
    stars: np.ndarray  # predicted stars per catalog row


def check_strategy(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise GroupError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    return strategy


def check_members(profiles: list[Profile], minimum: int = 2) -> None:
    """Two or more distinct profiles (``minimum``: 1 when ranking a list one has)."""
    seen: set[int] = set()
    for p in profiles:
        if p.id in seen:
            raise GroupError(f"profile {p.name!r} is named twice; name each member once")
        seen.add(p.id)
    if len(profiles) < minimum:
        got = ", ".join(repr(p.name) for p in profiles) or "none"
        raise GroupError(
            f"a movie night needs two or more profiles (got {got}); add another with --profile NAME"
        )


class Groups:
    def __init__(
        self, store: Store, live: LiveModel, browser: Browser, lock: threading.RLock
    ) -> None:
        self.store = store
        self.live = live
        self.browser = browser
        self.lock = lock
        self._members: dict[int, _Member] = {}

    # --- the remembered strategy ---------------------------------------------------
    def strategy(self) -> str:
        saved = self.store.get_setting(STRATEGY_KEY)
        return saved if saved in STRATEGIES else DEFAULT_STRATEGY

    def set_strategy(self, strategy: str) -> None:
        """Remember the strategy a person picked (no write when unchanged)."""
        check_strategy(strategy)
        if self.store.get_setting(STRATEGY_KEY) != strategy:
            self.store.set_setting(STRATEGY_KEY, strategy)

    # --- the list --------------------------------------------------------------------
    def picks(
        self,
        profiles: list[Profile],
        n: int = 20,
        strategy: str | None = None,
        filters: Filters = Filters(),
        only: list[int] | None = None,
        source: str = "catalog",
    ) -> GroupList:
        """The group's ``n`` films, best first, by ``strategy`` (None: the remembered one).

        ``only``: rank just these movie ids (a watchlist or an imported list; then one member
        is enough). Films any member rated or marked are never listed.
        """
        check_members(profiles, minimum=1 if only is not None else 2)
        chosen = check_strategy(strategy) if strategy is not None else self.strategy()
        if n <= 0:
            raise GroupError(f"the list needs at least one film (got n={n})")
        self.browser.check_filters(filters)
        index = self.browser.index()
        with self.lock:
            loaded = self.live.loaded
        members = [self._member(p, loaded) for p in profiles]
        notes: list[str] = []
        if loaded is None:
            notes.append("no model yet: films are ranked by popularity (train one to personalise)")
        for p, m in zip(profiles, members, strict=True):
            if m.cold and loaded is not None:
                notes.append(
                    f"{p.name!r} has no ratings yet: their column follows popular films "
                    "(rate a few films to personalise it)"
                )
        settled = [movie for m in members for movie in m.settled]
        candidates = index.open_rows(filters, settled)
        if only is not None:
            rows = index.rows(np.asarray(only, np.int64))
            wanted = np.zeros(len(index), bool)
            wanted[rows[rows >= 0]] = True
            left_out = int(wanted.sum() - (wanted & candidates).sum())
            candidates &= wanted
            if left_out:
                notes.append(
                    f"{left_out} film{'s' if left_out != 1 else ''} of the {source} left out: "
                    "rated or marked by a member, or outside the filters"
                )
        top = group_top_n(np.stack([m.served for m in members]), n, chosen, candidates)
        views = self.browser.view_by_id(index.movie_id[top])
        why = self._because(members, [v.movie_id for v in views])
        rows = index.rows([v.movie_id for v in views])
        picks = [
            GroupPick(
                replace(v, my_rating=None, predicted=None, mark=None),
                tuple(
                    MemberPick(p.name, round(float(m.stars[row]), 4), tuple(w[k]))
                    for p, m, w in zip(profiles, members, why, strict=True)
                ),
            )
            for k, (v, row) in enumerate(zip(views, rows, strict=True))
        ]
        return GroupList(tuple(profiles), chosen, picks, tuple(notes), source)

    # --- members -----------------------------------------------------------------------
    def _member(self, profile: Profile, loaded: LoadedModel | None) -> _Member:
        """The member's rows and scores: the live ones for the current profile, else folded
        afresh (cached while their ratings, marks and the models in use are unchanged)."""
        with self.lock:
            if profile.id == self.live.profile_id and self.live.loaded is loaded:
                return self._scored(self.live, (), list(self.live.settled()))
            neural, star_kind = self.live.neural, self.live.star_kind
        ratings = {r.movie_id: r.rating for r in self.store.profile_ratings(profile.id)}
        marks = self.store.feedback(profile.id)
        hidden = [f.movie_id for f in marks if f.kind == MARK_NOT_INTERESTED]
        seen = [f.movie_id for f in marks if f.kind == MARK_SEEN]
        blob = repr((sorted(ratings.items()), sorted(hidden), sorted(seen), star_kind)).encode()
        key = (loaded, self.browser.index(), neural, hashlib.sha1(blob).hexdigest())
        cached = self._members.get(profile.id)
        if (
            cached is not None
            and all(a is b for a, b in zip(cached.key[:3], key[:3], strict=True))
            and cached.key[3] == key[3]
        ):
            return cached
        live = LiveModel()
        live.loaded = loaded
        live.neural, live.star_kind = neural, star_kind  # the same star model as the app's
        live.set_profile(
            profile.id,
            ratings,
            self.store.get_setting(ROW_KEY.format(profile.id)),
            profile.created_at,
            hidden=hidden,
            seen=seen,
        )
        member = self._scored(live, key, [*ratings, *hidden, *seen])
        self._members[profile.id] = member
        return member

    def _scored(self, live: LiveModel, key: tuple, settled: list[int]) -> _Member:
        """Served score and predicted stars per catalog row, as Browser.recommendations ranks
        (the stars from whichever model predicts them: MF or neural)."""
        index = self.browser.index()
        model, ranker, star = live.model, live.ranker, live.star_model()
        cold = not settled
        star_scores = live.scores()
        if model is None or live.factors is None or star is None or star_scores is None:
            stars = index.popularity(bonus=False)
            return _Member(key, live, cold, settled, index.popularity(), stars)
        stars = index.model_scores(star, star_scores, live.baseline())
        if cold:
            served = index.popularity()
        else:
            rank_scores = live.rank_scores()
            served = (
                stars
                if rank_scores is None or ranker is None
                else served_scores(index.model_scores(ranker, rank_scores, 0.0), stars, star.mu)
            )
        return _Member(key, live, cold, settled, np.asarray(served, np.float32), stars)

    def _because(self, members: list[_Member], movie_ids: list[int]) -> list[list[list[str]]]:
        """For each member, up to BECAUSE_N of their liked films that set each film apart
        (model/serve.py explain_list); the titles in one query for every member."""
        named: list[list[list[int]]] = []
        for member in members:
            live = member.live
            with self.lock:
                model = live.model
                rated_idx, rated_r = live.rated_model_items()
                bias = live.bias
            if model is None or not len(rated_idx) or not movie_ids:
                named.append([[] for _ in movie_ids])
                continue
            targets = model.item_index(np.asarray(movie_ids, np.int64))
            explained = explain_list(model, targets, rated_idx, rated_r, bias, n=BECAUSE_N)
            named.append([model.item_ids[idx].tolist() for idx, _ in explained])
        wanted = sorted({m for per in named for p in per for m in p})
        titles = {r.movie_id: r.display_title for r in self.store.get_movies(wanted)}
        return [[[titles[m] for m in p if m in titles] for p in per] for per in named]
