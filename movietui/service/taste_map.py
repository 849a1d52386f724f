"""The taste map for the UI: a model's films in their factor plane, the profile's marker and trail.

``TasteMaps`` is a small collaborator with explicit inputs (a model's item and user rows, its
movie ids, the ``CatalogIndex``, a title lookup): nothing here holds or calls the Service.

- The plane (``model.taste_map.build_taste_map``) is built once per loaded model and kind
  ("stars": the rating model; "ranker": the ranker) and cached until that model object changes.
- A redraw after a rating costs one projection of the profile's row (k multiply-adds), the
  projection of the trail rows, and a dict of the rated films' rows: well under a millisecond.
- The trail is the profile's row after each rating or mark, kept in memory for the session
  (``record``), per profile and model; it restarts on a new model (old rows mean nothing in a
  new model's space) and keeps the last ``TRAIL_MAX`` positions.

Main genre of a film: MovieLens lists a film's genres alphabetically, so its first genre says
nothing. A film takes the first of its genres in ``GENRE_PRIORITY``, most specific first (an
animated comedy is Animation, a crime drama is Crime, a war drama is War); films with none of
these are "other". Twelve genres, one per colour of the widget's palette.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from movietui.model.taste_map import MAP_FILMS, TasteMap, build_taste_map
from movietui.service.catalog_index import CatalogIndex

KINDS = ("stars", "ranker")  # the rating model's map, the ranker's map
GENRE_PRIORITY = (
    "Animation",
    "Documentary",
    "Horror",
    "Sci-Fi",
    "War",
    "Western",
    "Crime",
    "Thriller",
    "Romance",
    "Comedy",
    "Action",
    "Drama",
)
TRAIL_MAX = 200  # positions kept per profile and model (the last ones)


@dataclass(frozen=True)
class TasteMapData:
    """What the taste map shows: the widget's ``MapData`` fields plus the axes' meaning.

    Rows are films, best known first. ``ends[a]`` = (titles at the low end, titles at the high
    end) of axis a (0 = across, 1 = up).
    """

    kind: str  # "stars" | "ranker"
    xy: np.ndarray  # float32 (n, 2)
    genre: np.ndarray  # int (n,): index into genre_names, -1 = other
    genre_names: tuple[str, ...]
    titles: tuple[str, ...]
    movie_ids: np.ndarray  # int64 (n,)
    stars: dict[int, float] = field(default_factory=dict)  # row -> the profile's rating
    trail: tuple[tuple[float, float], ...] = ()  # oldest first; the last is the profile now
    ends: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def widget_fields(self) -> dict:
        """The fields the UI's map widget takes (its ``MapData``)."""
        return {
            "xy": self.xy,
            "genre": self.genre,
            "genre_names": self.genre_names,
            "titles": self.titles,
            "movie_ids": self.movie_ids,
            "stars": self.stars,
            "trail": self.trail,
        }


@dataclass(frozen=True)
class MapBase:
    """The part of a map that depends on the model only (built once per model)."""

    plane: TasteMap
    movie_ids: np.ndarray  # int64 per drawn film
    genre: np.ndarray
    genre_names: tuple[str, ...]
    titles: tuple[str, ...]
    ends: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    row_of: dict[int, int]  # movie id -> drawn row


def main_genres(index: CatalogIndex, rows: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each catalog row's main genre (index into the returned names; -1 = other)."""
    names = tuple(g for g in GENRE_PRIORITY if g in index.genre_bits)
    masks = index.genre_mask[np.asarray(rows, np.int64)] if len(rows) else np.zeros(0, np.int64)
    out = np.full(len(masks), -1, np.int64)
    for k in range(len(names) - 1, -1, -1):  # the highest priority written last wins
        has = (masks >> index.genre_bits[names[k]]) & 1
        out[has.astype(bool)] = k
    return out, names


def build_base(
    item_factors: np.ndarray,
    user_factors: np.ndarray | None,
    item_ids: np.ndarray,
    index: CatalogIndex,
    titles_of: Callable[[list[int]], dict[int, str]],
    n_points: int = MAP_FILMS,
) -> MapBase:
    """A model's map: its rows placed, their main genres, titles and the axes' end films."""
    item_ids = np.asarray(item_ids, np.int64)
    cat_rows = index.rows(item_ids)
    counts = np.where(cat_rows >= 0, index.rating_count[np.maximum(cat_rows, 0)], 0)
    plane = build_taste_map(item_factors, counts, user_factors, n_points=n_points)
    movie_ids = item_ids[plane.items]
    genre, names = main_genres(index, np.maximum(cat_rows[plane.items], 0))
    genre = np.where(cat_rows[plane.items] >= 0, genre, -1)
    end_ids = [int(m) for axis in plane.ends for side in axis for m in item_ids[side]]
    titles = titles_of([*movie_ids.tolist(), *end_ids])
    ends = tuple(
        tuple(tuple(titles.get(int(m), f"movie {int(m)}") for m in item_ids[side]) for side in axis)
        for axis in plane.ends
    )
    return MapBase(
        plane=plane,
        movie_ids=movie_ids,
        genre=genre,
        genre_names=names,
        titles=tuple(titles.get(int(m), f"movie {int(m)}") for m in movie_ids),
        ends=ends,  # type: ignore[arg-type]
        row_of={int(m): k for k, m in enumerate(movie_ids.tolist())},
    )


class TasteMaps:
    """Cached map bases per (kind, model object) and the session's trails of profile rows."""

    def __init__(self) -> None:
        self._bases: dict[str, tuple[object, MapBase]] = {}
        self._trails: dict[tuple[str, int | None, int], list[np.ndarray]] = {}

    def base(self, kind: str, model: object, build: Callable[[], MapBase]) -> MapBase:
        cached = self._bases.get(kind)
        if cached is not None and cached[0] is model:
            return cached[1]
        built = build()
        self._bases[kind] = (model, built)
        return built

    def forget(self) -> None:
        """A new catalog: titles and genres may have changed."""
        self._bases.clear()

    def record(self, kind: str, profile_id: int | None, model: object, row) -> None:
        """Keep the profile's row after a rating (a copy; only when it moved)."""
        if row is None or model is None:
            return
        key = (kind, profile_id, id(model))
        trail = self._trails.setdefault(key, [])
        r = np.array(row, np.float32).reshape(-1)
        if trail and trail[-1].shape == r.shape and np.array_equal(trail[-1], r):
            return
        trail.append(r)
        del trail[:-TRAIL_MAX]
        # Trails of other models (a retrain) mean nothing now: keep this model's only.
        for other in [k for k in self._trails if k[0] == kind and k[2] != id(model)]:
            del self._trails[other]

    def data(
        self,
        kind: str,
        base: MapBase,
        profile_id: int | None,
        model: object,
        row,
        ratings: dict[int, float],
    ) -> TasteMapData:
        """The map now: the base, the profile's marker (its live row) and trail, its stars."""
        rows = list(self._trails.get((kind, profile_id, id(model)), []))
        if row is not None and (not rows or not np.array_equal(rows[-1], np.asarray(row))):
            rows.append(np.asarray(row, np.float32))
        trail = tuple((float(x), float(y)) for x, y in (base.plane.place(r).tolist() for r in rows))
        stars = {base.row_of[m]: float(v) for m, v in ratings.items() if m in base.row_of}
        return TasteMapData(
            kind=kind,
            xy=base.plane.xy,
            genre=base.genre,
            genre_names=base.genre_names,
            titles=base.titles,
            movie_ids=base.movie_ids,
            stars=stars,
            trail=trail,
            ends=base.ends,
        )
