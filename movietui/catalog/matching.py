"""Match a person's rated films to catalog movies: ids first, then normalised title + year.

Exports from Letterboxd carry no ids, so their rows are matched by a *title key*: the title
folded to lower-case ASCII without accents or punctuation, with a leading or MovieLens-style
trailing article dropped ("Godfather, The" and "The Godfather" both give ``godfather``),
``&`` read as "and", simple roman numerals read as digits ("Rocky II" == "Rocky 2"), and all
spaces removed (so "Spider Man", "Spider-Man" and "Spiderman" agree). A MovieLens title also
yields one key per alternative title in trailing parentheses: "Seven (a.k.a. Se7en)" gives
``seven`` and ``se7en``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from movietui.text import fold_text

# Articles dropped from the front of a title (after MovieLens' trailing ones were moved back).
_ARTICLES = frozenset(
    [
        "the",
        "a",
        "an",
        "le",
        "la",
        "les",
        "l",
        "il",
        "lo",
        "gli",
        "el",
        "los",
        "las",
        "die",
        "der",
        "das",
        "un",
        "une",
        "una",
        "ein",
        "eine",
    ]
)
_TRAILING_ARTICLE = re.compile(
    r"^(?P<body>.+?),\s*(?P<article>the|a|an|le|la|les|l'|il|lo|gli|i|el|los|las|die|der|das|"
    r"un|une|una|ein|eine|den|det|de|het|o|os|as)$",
    re.IGNORECASE,
)
# Only the unambiguous sequel numerals; "i" is left alone (it is also a word).
_ROMAN = {
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}
_TRAILING_GROUP = re.compile(r"\s*\(([^()]*)\)\s*$")
_YEAR_GROUP = re.compile(r"\d{4}(\s*[-–]\s*\d{0,4})?")
_AKA = re.compile(r"^(a\.?k\.?a\.?|also known as)\s*:?\s*", re.IGNORECASE)
_ELIDED_ARTICLE = re.compile(r"\b([ld])['’]")
_APOSTROPHES = re.compile(r"['’`´]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 16)
def title_key(name: str) -> str:
    """The normalised key of one title (no alternatives); never empty for a non-blank name."""
    name = name.strip()
    trailing = _TRAILING_ARTICLE.match(name)
    if trailing:
        article = trailing["article"]
        separator = "" if article.endswith("'") else " "
        name = article + separator + trailing["body"]
    text = fold_text(name).replace("&", " and ")
    text = _ELIDED_ARTICLE.sub(r"\1 ", text)  # "l'avventura" -> "l avventura"
    text = _APOSTROPHES.sub("", text)  # "schindler's" -> "schindlers"
    tokens = _NON_ALNUM.sub(" ", text).split()
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    key = "".join(_ROMAN.get(token, token) for token in tokens)
    return key or fold_text(name).strip()


def split_alternatives(title: str) -> list[str]:
    """A MovieLens title and its alternatives in trailing parentheses, main title first.

    "Léon: The Professional (a.k.a. The Professional) (Léon)" ->
    ["Léon: The Professional", "Léon", "The Professional"]. A trailing "(1995)" is a year,
    not a title, and is dropped.
    """
    rest = title.strip()
    alternatives: list[str] = []
    while True:
        group = _TRAILING_GROUP.search(rest)
        if not group or not rest[: group.start()].strip():
            break
        rest = rest[: group.start()].rstrip()
        inner = _AKA.sub("", group.group(1).strip())
        if inner and not _YEAR_GROUP.fullmatch(inner):
            alternatives.append(inner)
    return [rest, *alternatives] if rest else alternatives


def title_keys(*titles: str | None) -> set[str]:
    """Every key under which a catalog movie with these titles should be found."""
    keys: set[str] = set()
    for title in titles:
        if not title or not title.strip():
            continue
        keys.add(title_key(title))
        keys.update(title_key(name) for name in split_alternatives(title))
    keys.discard("")
    return keys


def imdb_number(value: Any) -> int | None:
    """'tt0114709', '0114709' and 114709 all -> 114709; anything else -> None."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text.startswith("tt"):
        text = text[2:]
    if not text.isdigit():
        return None
    number = int(text)
    return number or None


@dataclass(frozen=True)
class CatalogMovie:
    """The few catalog fields matching needs (the store's MovieRow has the same attributes)."""

    movie_id: int
    title: str
    display_title: str
    year: int | None
    imdb_id: str | None
    tmdb_id: int | None
    rating_count: int = 0


@dataclass(frozen=True)
class MatchResult:
    """How one personal row matched.

    kind: "id" (an exact IMDb/MovieLens/TMDb id), "title" (title key and year), "ambiguous"
    (several equally good candidates, in ``candidates``) or "not_found".
    via: "movie_id" | "imdb_id" | "tmdb_id" | "title+year" | "title+year±1" | "title" | "".
    """

    kind: str
    movie: Any | None = None
    candidates: tuple[Any, ...] = ()
    via: str = ""


class Matcher:
    """Index of catalog movies by id and title key.

    ``movies`` are any objects with the attributes of :class:`CatalogMovie` (the store's
    MovieRow works as is); the matched object is handed back in :class:`MatchResult`.
    """

    def __init__(self, movies: Iterable[Any]) -> None:
        self._movies = list(movies)
        self._by_movie_id: dict[int, Any] = {}
        self._by_imdb: dict[int, Any] = {}
        self._by_tmdb: dict[int, Any] = {}
        self._by_key: dict[str, list[Any]] = {}
        self._by_head: dict[str, list[Any]] = {}  # "Star Wars" of "Star Wars: Episode IV - ..."
        for movie in self._movies:
            self._by_movie_id[int(movie.movie_id)] = movie
            imdb = imdb_number(getattr(movie, "imdb_id", None))
            if imdb is not None:
                self._prefer_popular(self._by_imdb, imdb, movie)
            tmdb = getattr(movie, "tmdb_id", None)
            if tmdb:
                self._prefer_popular(self._by_tmdb, int(tmdb), movie)
            for key in title_keys(movie.title, getattr(movie, "display_title", None)):
                self._by_key.setdefault(key, []).append(movie)
            for key in _head_keys(movie.title, getattr(movie, "display_title", None)):
                self._by_head.setdefault(key, []).append(movie)

    @staticmethod
    def _prefer_popular(index: dict[int, Any], key: int, movie: Any) -> None:
        # A few releases list two movies under one external id; keep the better known one.
        held = index.get(key)
        if held is None or _count(movie) > _count(held):
            index[key] = movie

    @classmethod
    def from_columns(
        cls, movies: Mapping[str, Sequence], rating_count: Sequence[int] | None = None
    ) -> Matcher:
        """From CatalogData.movies-style columns (movie_id, title, display_title, year, ...)."""
        n = len(movies["movie_id"])
        display = movies.get("display_title", movies["title"])
        imdb = movies.get("imdb_id", [None] * n)
        tmdb = movies.get("tmdb_id", [0] * n)
        counts = rating_count if rating_count is not None else [0] * n
        return cls(
            CatalogMovie(
                movie_id=int(movies["movie_id"][i]),
                title=str(movies["title"][i]),
                display_title=str(display[i]),
                year=int(movies["year"][i]) or None,
                imdb_id=imdb[i],
                tmdb_id=int(tmdb[i]) or None,
                rating_count=int(counts[i]),
            )
            for i in range(n)
        )

    def __len__(self) -> int:
        return len(self._movies)

    def match(
        self,
        *,
        title: str = "",
        year: int | None = None,
        movie_id: int | None = None,
        imdb_id: str | None = None,
        tmdb_id: int | None = None,
    ) -> MatchResult:
        """Exact ids first (MovieLens, IMDb, TMDb), then title key and year (±1)."""
        if movie_id is not None and int(movie_id) in self._by_movie_id:
            return MatchResult("id", self._by_movie_id[int(movie_id)], via="movie_id")
        imdb = imdb_number(imdb_id)
        if imdb is not None and imdb in self._by_imdb:
            return MatchResult("id", self._by_imdb[imdb], via="imdb_id")
        if tmdb_id and int(tmdb_id) in self._by_tmdb:
            return MatchResult("id", self._by_tmdb[int(tmdb_id)], via="tmdb_id")
        return self.match_title(title, year)

    def match_title(self, title: str, year: int | None = None) -> MatchResult:
        """Best title match: exact year beats a year off by one; then the more rated film.

        Without a year, only a single candidate counts as a match. Several candidates equally
        good on year and popularity -> "ambiguous", best first.
        """
        found: dict[int, Any] = {}
        for key in title_keys(title):
            for movie in self._by_key.get(key, ()):
                found[int(movie.movie_id)] = movie
        candidates = list(found.values())
        if year:
            candidates = [m for m in candidates if m.year and abs(int(m.year) - year) <= 1]
        if not candidates and year:
            return self._match_head(title, year)
        if not candidates:
            return MatchResult("not_found")
        candidates.sort(key=lambda m: (_year_distance(m, year), -_count(m), int(m.movie_id)))
        if not year:
            if len(candidates) == 1:
                return MatchResult("title", candidates[0], via="title")
            return MatchResult("ambiguous", candidates=tuple(candidates))
        best = candidates[0]
        rank = (_year_distance(best, year), _count(best))
        ties = [m for m in candidates if (_year_distance(m, year), _count(m)) == rank]
        if len(ties) > 1:
            return MatchResult("ambiguous", candidates=tuple(candidates))
        via = "title+year" if rank[0] == 0 else "title+year±1"
        return MatchResult("title", best, via=via)

    def _match_head(self, title: str, year: int) -> MatchResult:
        """Last resort: the title is the part before ':' of exactly one film of that exact year.

        Letterboxd says "Star Wars" (1977) where MovieLens says "Star Wars: Episode IV - A New Hope".
        """
        found = {
            int(m.movie_id): m for m in self._by_head.get(title_key(title), ()) if m.year == year
        }
        if len(found) == 1:
            return MatchResult("title", next(iter(found.values())), via="title-prefix+year")
        if found:
            ordered = sorted(found.values(), key=lambda m: (-_count(m), int(m.movie_id)))
            return MatchResult("ambiguous", candidates=tuple(ordered))
        return MatchResult("not_found")


def _head_keys(*titles: str | None) -> set[str]:
    heads = set()
    for title in titles:
        names = split_alternatives(title) if title and ":" in title else []
        head = names[0].split(":", 1)[0] if names else ""
        if head.strip() and head != names[0]:
            heads.add(title_key(head))
    return heads


def _count(movie: Any) -> int:
    return int(getattr(movie, "rating_count", 0) or 0)


def _year_distance(movie: Any, year: int | None) -> int:
    if not year or not movie.year:
        return 0
    return abs(int(movie.year) - year)
