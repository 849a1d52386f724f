"""What each browse filter means, written once: the SQL clause and the numpy mask come from here.

- ``genres``: a film must carry every genre listed. Names match case-insensitively ("comedy"
  is "Comedy"); a name the catalog lacks matches no film (the service turns that into an error
  naming the genres on offer).
- ``year_min`` / ``year_max``: inclusive bounds. A film with no known year (stored as 0) never
  passes a year bound, whatever the bound (``year_min=0`` included).
- ``min_count``: at least this many catalog ratings; 0 or less means no bound.
- ``exclude_genres``: a film carrying any genre listed is left out (names as for ``genres``;
  a name the catalog lacks excludes nothing, and the service reports it).
- ``min_mean``: at least this community mean rating (None or 0 or less: no bound). A film no
  one rated never passes a mean bound. Means are compared with a tolerance of MEAN_SLACK
  (the arrays keep single-precision means, SQL double: both sides agree on ml-latest-small
  and every half-star threshold).

A decade is a year range (``decade(1990)`` -> 1990..1999).

The store's SQL (store/search.py), its array path for queries without text, and the service's
cached movie table (service/catalog_index.py) all call ``resolve`` and then ``sql`` or
``mask``; tests/test_filter_paths.py runs every path on the same inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from movietui.errors import StoreError


@dataclass(frozen=True)
class Filters:
    genres: tuple[str, ...] = ()  # a movie must carry every genre listed (any letter case)
    year_min: int | None = None  # inclusive; films without a year never pass a year bound
    year_max: int | None = None
    min_count: int = 0  # minimum number of catalog ratings ("hide obscure")
    exclude_genres: tuple[str, ...] = ()  # a film carrying any of these is left out
    min_mean: float | None = None  # minimum community mean rating (None: no bound)


MEAN_SLACK = 1e-4  # a mean this far below min_mean still passes (float32 arrays vs SQL double)


def decade(year: object) -> tuple[int, int]:
    """The year range of the decade a year falls in (1994 -> (1990, 1999))."""
    start = whole(year, "decade") // 10 * 10
    return start, start + 9


def mean_bound(value: object) -> float | None:
    """A minimum mean as a number, None for no bound; bad input is one clear error."""
    if value is None or value == "":
        return None
    try:
        mean = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StoreError(f"min_mean must be a number of stars 0..5, got {value!r}") from None
    if not 0 <= mean <= 5:  # also NaN
        raise StoreError(f"min_mean must be a number of stars 0..5, got {value!r}")
    return mean if mean > 0 else None


def whole(value: object, name: str) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise StoreError(f"{name} must be a whole number, got {value!r}") from None


def genre_lookup(genre_bits: Mapping[str, int]) -> dict[str, int]:
    """Case-folded genre name -> its bit in ``genre_mask``."""
    return {name.casefold(): bit for name, bit in genre_bits.items()}


def unknown_genres(names: Iterable[str], genre_bits: Mapping[str, int]) -> list[str]:
    lookup = genre_lookup(genre_bits)
    return [n for n in names if n and n.casefold() not in lookup]


@dataclass(frozen=True)
class Bounds:
    """Filters resolved against one catalog: a genre bit mask and checked whole numbers."""

    genre_mask: int  # bits every film must carry (0: no genre bound)
    year_min: int | None
    year_max: int | None
    min_count: int  # 0: no bound
    matches_nothing: bool  # a genre the catalog lacks
    exclude_mask: int = 0  # bits no film may carry
    min_mean: float | None = None

    def sql(self) -> tuple[list[str], dict[str, Any]]:
        """WHERE terms over the ``movies`` table and their named parameters."""
        terms: list[str] = []
        params: dict[str, Any] = {}
        if self.genre_mask:
            terms.append("(genre_mask & :mask) = :mask")
            params["mask"] = self.genre_mask
        if self.year_min is not None or self.year_max is not None:
            terms.append("year > 0")
        if self.year_min is not None:
            terms.append("year >= :ymin")
            params["ymin"] = self.year_min
        if self.year_max is not None:
            terms.append("year <= :ymax")
            params["ymax"] = self.year_max
        if self.min_count > 0:
            terms.append("rating_count >= :min_count")
            params["min_count"] = self.min_count
        if self.exclude_mask:
            terms.append("(genre_mask & :xmask) = 0")
            params["xmask"] = self.exclude_mask
        if self.min_mean is not None:
            terms.append("mean_rating IS NOT NULL AND mean_rating >= :min_mean")
            params["min_mean"] = self.min_mean - MEAN_SLACK
        if self.matches_nothing:
            terms.append("0")
        return terms, params

    def mask(
        self,
        year: np.ndarray,
        genre_mask: np.ndarray,
        rating_count: np.ndarray,
        mean_rating: np.ndarray | None = None,
    ) -> np.ndarray:
        """The same rule over per-movie arrays: True where a film passes (``mean_rating``:
        NaN or 0 for films no one rated; needed only with a mean bound)."""
        keep = np.full(len(year), not self.matches_nothing, dtype=bool)
        if self.genre_mask:
            keep &= (genre_mask & self.genre_mask) == self.genre_mask
        if self.year_min is not None or self.year_max is not None:
            keep &= year > 0
        if self.year_min is not None:
            keep &= year >= self.year_min
        if self.year_max is not None:
            keep &= year <= self.year_max
        if self.min_count > 0:
            keep &= rating_count >= self.min_count
        if self.exclude_mask:
            keep &= (genre_mask & self.exclude_mask) == 0
        if self.min_mean is not None:
            if mean_rating is None:
                raise StoreError("a mean bound needs the films' mean ratings")
            mean = np.nan_to_num(np.asarray(mean_rating, np.float64), nan=0.0)
            keep &= (mean > 0) & (mean >= self.min_mean - MEAN_SLACK)
        return keep


def resolve(filters: Filters, genre_bits: Mapping[str, int]) -> Bounds:
    """``filters`` against a catalog whose genre ``name -> bit`` map is ``genre_bits``."""
    lookup = genre_lookup(genre_bits)
    wanted = {g.casefold() for g in filters.genres if g}
    return Bounds(
        genre_mask=sum(1 << lookup[g] for g in wanted if g in lookup),
        year_min=None if filters.year_min is None else whole(filters.year_min, "year_min"),
        year_max=None if filters.year_max is None else whole(filters.year_max, "year_max"),
        min_count=whole(filters.min_count or 0, "min_count"),
        matches_nothing=any(g not in lookup for g in wanted),
        exclude_mask=sum(
            1 << lookup[g]
            for g in {x.casefold() for x in filters.exclude_genres if x}
            if g in lookup
        ),
        min_mean=mean_bound(filters.min_mean),
    )
