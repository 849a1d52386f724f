"""Title search and filters, done in SQL over the FTS5 trigram index.

Titles and queries are folded the same way (see movietui/text.py). Relevance puts exact
titles first (with or without a leading article), then titles that start with the
query, then any other substring match; ties go to the most rated film.

The index's rowid is ``pop_rank << 32 | movie_id`` and FTS5 returns matches in rowid
order, so each relevance tier comes out already sorted by popularity and a page needs
only its first few rows: three small queries instead of sorting every match. Queries
shorter than three folded characters (no trigram) and the other sort orders take the
general path: filter in SQL, then ORDER BY.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from movietui.errors import StoreError
from movietui.text import fold_text

from .base import StoreBase, locked
from .catalog import MOVIE_COLUMNS, fetch_movies, row_to_movie
from .filters import Bounds, Filters, resolve, whole
from .types import MovieRow

ID_MASK = 0xFFFFFFFF
ALL_KEYS = "{display_key bare_key title_key}"
# Each sort's keys, written for descending=True; descending=False flips every key.
_ORDER = {
    "relevance": [("tier", "ASC"), ("pop_rank", "ASC")],
    "title": [("bare_key", "DESC"), ("display_key", "DESC"), ("movie_id", "DESC")],
    "year": [("year", "DESC"), ("pop_rank", "ASC")],
    "popularity": [("pop_rank", "ASC")],
    "mean": [("mean_rating", "DESC"), ("pop_rank", "ASC")],
}
# The orders SQL can give (the service adds "predicted", which needs the model).
SORTS = tuple(_ORDER)
_FLIP = {"ASC": "DESC", "DESC": "ASC"}
# Exact: the folded query equals the display title, the title without its article, or
# the raw title ("the matrix", "matrix", "matrix, the"). Prefix: one of them starts with it.
_EXACT = "(display_key = :q OR bare_key = :q OR title_key = :q)"
_PREFIX = "(substr(display_key, 1, :n) = :q OR substr(bare_key, 1, :n) = :q OR substr(title_key, 1, :n) = :q)"
_TIER = f"CASE WHEN {_EXACT} THEN 0 WHEN {_PREFIX} THEN 1 ELSE 2 END"
# _PREFIX as key ranges (:hi is the query with its last character's successor), which the
# key indexes answer directly
_PREFIX_RANGES = " OR ".join(
    f"({key} >= :q AND {key} < :hi)" for key in ("display_key", "bare_key", "title_key")
)
_LIKE = "search_key LIKE :like ESCAPE '\\'"


def fts_phrase(folded: str) -> str:
    """The query as one FTS5 phrase: syntax like ``"``, ``*``, ``AND`` or ``(`` is just text."""
    return '"' + folded.replace('"', '""') + '"'


def like_pattern(folded: str) -> str:
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class _Query:
    text: str = ""
    filters: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    empty: bool = False  # a filter that can match nothing (unknown genre)
    bounds: Bounds | None = None

    @property
    def trigram(self) -> bool:
        return len(self.text) >= 3

    def where(self, *extra: str) -> str:
        parts = [*extra, *self.filters]
        return " AND ".join(parts) if parts else "1"


def _order_sql(sort: str, descending: bool, has_text: bool = True) -> str:
    if sort not in _ORDER:
        raise StoreError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    parts = ["mean_rating IS NULL"] if sort == "mean" else []  # unrated films last either way
    for column, direction in _ORDER[sort]:
        if column == "tier" and not has_text:
            continue  # all rows tie; leaving it out lets SQLite walk the popularity index
        parts.append(f"{column} {direction if descending else _FLIP[direction]}")
    return ", ".join(parts)


class SearchMixin(StoreBase):
    def _catalog_arrays(self) -> dict[str, np.ndarray]:
        raise NotImplementedError  # CatalogMixin's, earlier in Store's bases

    def _build(
        self,
        query: str,
        genres: Iterable[str],
        year_min: int | None,
        year_max: int | None,
        min_count: int,
        filters: Filters | None = None,
    ) -> _Query:
        q = _Query(text=fold_text(query or ""))
        if q.text:
            phrase = fts_phrase(q.text)
            prefix = f"{ALL_KEYS} : ^{phrase}"
            q.params.update(
                q=q.text,
                hi=q.text[:-1] + chr(ord(q.text[-1]) + 1),
                n=len(q.text),
                fts=phrase,
                fts_prefix=prefix,
                fts_rest=f"{phrase} NOT ({prefix})",
                like=like_pattern(q.text),
            )
        # What each filter means lives in store/filters.py (shared with the array paths).
        bounds = resolve(
            filters or Filters(tuple(genres), year_min, year_max, min_count),
            dict(self.conn.execute("SELECT name, bit FROM genres")),
        )
        q.bounds = bounds
        q.empty = bounds.matches_nothing
        q.filters, params = bounds.sql()
        q.params.update(params)
        return q

    # -- the tiered fast path (relevance order) --------------------------------------

    def _rowids(self, q: _Query, part: str, limit: int | None, walk: bool = False) -> list[int]:
        """Ids ``(pop_rank << 32) | movie_id`` (FTS's rowids) of the matches in ``part`` (all,
        prefix, or rest: not prefix) that pass the filters, most rated first. Queries of one or
        two characters use LIKE, with ``walk`` (many films match) along the popularity index
        until ``limit`` are found, else in one scan with a top-N sort. Walking fetches row by
        row, so it crawls when few titles match; when most do, it stops after a few hundred
        (a one-letter search on 87k films: 60-90 ms sorting every match, ~20 ms walking)."""
        tail = "" if limit is None else f" LIMIT {int(limit)}"
        if not q.trigram:
            prefix = _PREFIX if walk else f"({_PREFIX_RANGES})"  # the ranges use key indexes
            like = {"all": _LIKE, "prefix": f"{_LIKE} AND {prefix}"}
            condition = like.get(part, f"{_LIKE} AND NOT {_PREFIX}")
            sql = f"SELECT (pop_rank << 32) | movie_id FROM movies WHERE {q.where(condition)}"
            if limit is None:  # one scan; the ids sort most rated first by themselves
                return sorted(r for (r,) in self.conn.execute(sql, q.params))
            order = "pop_rank" if walk else "+pop_rank"  # "+": SQLite may not use the index
            return [r for (r,) in self.conn.execute(f"{sql} ORDER BY {order}{tail}", q.params)]
        match = {"all": "fts", "prefix": "fts_prefix", "rest": "fts_rest"}[part]
        if q.filters:
            sql = (
                "SELECT movie_fts.rowid FROM movie_fts JOIN movies m ON m.movie_id = (movie_fts.rowid & "
                f"{ID_MASK}) WHERE movie_fts MATCH :{match} AND {q.where()} ORDER BY movie_fts.rowid{tail}"
            )
        else:
            sql = f"SELECT rowid FROM movie_fts WHERE movie_fts MATCH :{match} ORDER BY rowid{tail}"
        return [r for (r,) in self.conn.execute(sql, q.params)]

    def _tiered_ids(self, q: _Query, want: int, total: int) -> list[int]:
        """The first ``want`` of the ``total`` matching movie ids in relevance order, from
        three short queries."""
        exact = self._exact_rowids(q)
        ranked = list(exact)
        like = not q.trigram  # FTS parts come out of the trigram index: no plan to choose
        if len(ranked) < want:
            seen = set(exact)  # exact titles are prefix matches too
            walk = like and self._walks(self._prefix_estimate(q), want)
            prefix = self._rowids(q, "prefix", want + len(exact), walk)
            ranked += [r for r in prefix if r not in seen]
        if len(ranked) < want:
            walk = like and self._walks(total, want)
            ranked += self._rowids(q, "rest", want - len(ranked), walk)
        return [r & ID_MASK for r in ranked[:want]]

    def _walks(self, matches: int, want: int) -> bool:
        """Walk the popularity index (~want * films / matches row fetches) rather than fetch
        and sort every match (~matches fetches): the cheaper when matches² > want * films."""
        (films,) = self.conn.execute("SELECT max(pop_rank) + 1 FROM movies").fetchone()
        return matches * matches > want * (films or 0)

    def _prefix_estimate(self, q: _Query) -> int:
        """Display titles starting with the query: counted in their index alone."""
        sql = "SELECT count(*) FROM movies WHERE display_key >= :q AND display_key < :hi"
        return self.conn.execute(sql, q.params).fetchone()[0]

    def _exact_rowids(self, q: _Query) -> list[int]:
        condition = _EXACT if q.trigram else f"{_LIKE} AND {_EXACT}"
        rows = self.conn.execute(
            f"SELECT (pop_rank << 32) | movie_id FROM movies WHERE {q.where(condition)}", q.params
        )
        return sorted(r for (r,) in rows)

    def _all_ranked(self, q: _Query) -> np.ndarray:
        """Every match in relevance order: all matches come out of FTS most rated first;
        a stable sort by tier (exact, prefix, other) keeps that order within each tier."""
        found = np.array(self._rowids(q, "all", None), dtype=np.int64)
        tier = np.full(found.size, 2, np.int8)
        tier[np.isin(found, self._rowids(q, "prefix", None))] = 1
        tier[np.isin(found, self._exact_rowids(q))] = 0
        return found[np.argsort(tier, kind="stable")] & ID_MASK

    def _filter_arrays(self, q: _Query) -> np.ndarray:
        """No query: the filters (store/filters.py) over the stored per-movie arrays."""
        arrays = self._catalog_arrays()
        assert q.bounds is not None
        keep = q.bounds.mask(
            arrays["year"], arrays["genre_mask"], arrays["rating_count"], arrays["mean_rating"]
        )
        order = arrays["pop_order"]
        return arrays["movie_id"][order][keep[order]].astype(np.int64)

    def _count(self, q: _Query) -> int:
        if q.trigram and not q.filters:
            sql = "SELECT count(*) FROM movie_fts WHERE movie_fts MATCH :fts"
        else:
            sql = f"SELECT count(*) FROM movies WHERE {q.where(self._text_filter(q))}"
        return self.conn.execute(sql, q.params).fetchone()[0]

    # -- the general path ------------------------------------------------------------

    @staticmethod
    def _text_filter(q: _Query) -> str:
        if not q.text:
            return "1"
        if q.trigram:
            return (
                f"movie_id IN (SELECT rowid & {ID_MASK} FROM movie_fts WHERE movie_fts MATCH :fts)"
            )
        return _LIKE

    def _select(
        self, q: _Query, columns: str, order: str, limit: int | None, offset: int = 0
    ) -> list[tuple]:
        tier = f", {_TIER} AS tier" if "tier" in order else ""
        sql = f"SELECT {columns}{tier} FROM movies WHERE {q.where(self._text_filter(q))} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return self.conn.execute(sql, q.params).fetchall()

    # -- public ------------------------------------------------------------------------

    @locked
    def filter_movie_ids(
        self,
        query: str = "",
        *,
        genres: Iterable[str] = (),
        year_min: int | None = None,
        year_max: int | None = None,
        min_count: int = 0,
        filters: Filters | None = None,
    ) -> np.ndarray:
        """Every matching movie_id (int64), best match first (most rated first without a query).
        ``filters``, when given, replaces the separate bounds (and brings the other filters)."""
        q = self._build(query, genres, year_min, year_max, min_count, filters)
        if q.empty:
            return np.empty(0, np.int64)
        if not q.text:
            return self._filter_arrays(q)
        return self._all_ranked(q)

    @locked
    def search_movies(
        self,
        query: str = "",
        *,
        genres: Iterable[str] = (),
        year_min: int | None = None,
        year_max: int | None = None,
        min_count: int = 0,
        filters: Filters | None = None,
        sort: str = "relevance",
        descending: bool = True,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[MovieRow], int]:
        """One page of matches in the asked order, and how many match in all."""
        limit, offset = whole(limit, "limit"), whole(offset, "offset")
        if limit < 0 or offset < 0:
            raise StoreError(f"limit and offset must not be negative (got {limit}, {offset})")
        q = self._build(query, genres, year_min, year_max, min_count, filters)
        order = _order_sql(sort, descending, bool(q.text))
        if q.empty:
            return [], 0
        total = self._count(q)
        if total == 0 or limit == 0 or offset >= total:
            return [], total
        if q.text and sort == "relevance" and descending:
            ids = self._tiered_ids(q, offset + limit, total)[offset:]
            return fetch_movies(self.conn, ids), total
        rows = self._select(q, MOVIE_COLUMNS, order, limit, offset)
        return [row_to_movie(row) for row in rows], total
