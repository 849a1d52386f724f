"""Bring your own ratings: import a person's export into a profile; export ratings and picks.

Functions of what they are given (the store, a Matcher, the target Profile); the Service
resolves the profile and refolds it after an import. Title queries live in service/titles.py.

Import reads the file (catalog.personal), matches each row to a catalog movie
(catalog.matching: ids first, then title + year), and writes only when every row matched
(or ``partial`` is set). Writing goes through ``Store.set_ratings_bulk``, where a newer
``rated_at`` wins, so importing the same file twice changes nothing. Rows without a date
(MovieLens exports) are dated by the file's modification time. Marks without stars (movietui
JSON only) go through ``Store.set_feedback_bulk``: a newer mark wins, a rated film keeps
its rating.

Output shapes (stable; see docs/cli-json.md):

ratings JSON::

    {"format": "movietui-ratings", "version": 1, "profile": "alice", "exported_at": 1700000000.0,
     "ratings": [{"movie_id": 47, "title": "Seven (a.k.a. Se7en)", "year": 1995,
                  "imdb_id": "tt0114369", "tmdb_id": 807, "rating": 4.5, "rated_at": 1672617600.0}],
     "marks": [{"movie_id": 1, "title": "Toy Story", "year": 1995, "imdb_id": "tt0114709",
                "tmdb_id": 862, "mark": "not_interested", "marked_at": 1672617600.0}]}

(``marks`` is optional: files written before marks existed import as before; "mark" is
"not_interested" or "seen".)

ratings CSV: ``letterboxd-csv`` (Letterboxd's import format: Title,Year,imdbID,tmdbID,Rating,
WatchedDate) and ``movielens-csv`` (movie_id,rating,rated_at,title,year,imdb_id,tmdb_id).

recommendations JSON::

    {"format": "movietui-recommendations", "version": 1, "profile": "alice" | null,
     "generated_at": 1700000000.0, "model": true,
     "recommendations": [{"rank": 1, "movie_id": 318, "title": "The Shawshank Redemption",
                          "year": 1994, "genres": ["Crime", "Drama"], "predicted": 4.61,
                          "mean_rating": 4.43, "rating_count": 317, "because": ["Se7en"]}]}

recommendations CSV: rank,movie_id,title,year,genres,predicted,mean_rating,rating_count,because
(genres and because joined with "|").
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from movietui.catalog.matching import Matcher
from movietui.catalog.personal import (
    FORMATS,
    JSON_FORMAT_TAG,
    PersonalRating,
    parse_personal_ratings,
    read_personal_ratings,
)
from movietui.errors import MovietuiError, NotFoundError
from movietui.service.types import Profile, Recommendation
from movietui.store import MovieRow, Store

RATINGS_FORMATS = ("letterboxd-csv", "movielens-csv", "json")
RECOMMENDATION_FORMATS = ("csv", "json")
JSON_VERSION = 1
RECOMMENDATIONS_TAG = "movietui-recommendations"
RECOMMENDATION_COLUMNS = (
    "rank",
    "movie_id",
    "title",
    "year",
    "genres",
    "predicted",
    "mean_rating",
    "rating_count",
    "because",
)
LIST_LIMIT = 20  # rows listed per section of a summary before "... and N more"


class ExportError(MovietuiError):
    """An export could not be written (bad format name, unwritable path)."""


@dataclass
class RatingsImportReport:
    """What an import found and did. Watchlist rows (rating None) are listed alongside ratings."""

    path: str
    format: str  # short name, see catalog.personal.FORMATS
    profile: str
    matched: list[tuple[PersonalRating, MovieRow]] = field(default_factory=list)
    matched_by_title: list[tuple[PersonalRating, MovieRow]] = field(default_factory=list)
    ambiguous: list[tuple[PersonalRating, list[MovieRow]]] = field(default_factory=list)
    not_found: list[PersonalRating] = field(default_factory=list)
    written: int = 0  # ratings inserted or changed in the store
    unchanged: int = 0  # matched ratings already stored (same, or newer there)
    watchlist_added: int = 0
    marks_written: int = 0  # marks (not interested, seen) inserted or changed
    dry_run: bool = False
    partial: bool = False

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)

    @property
    def complete(self) -> bool:
        return not self.ambiguous and not self.not_found

    @property
    def blocked(self) -> bool:
        """Unmatched rows and no --partial: nothing was (or would be) written."""
        return not self.complete and not self.partial

    def summary(self) -> str:
        rows = len(self.matched) + len(self.ambiguous) + len(self.not_found)
        lines = [
            f"{Path(self.path).name}: detected {self.format_label}; {rows} rows for profile {self.profile!r}",
            f"matched {len(self.matched)} ({len(self.matched_by_title)} by title only), "
            f"ambiguous {len(self.ambiguous)}, not found {len(self.not_found)}",
        ]
        lines += report_section(
            "matched by title",
            [
                f"{_where(row)} {_asked(row)} -> {_movie(movie)}"
                for row, movie in self.matched_by_title
            ],
        )
        lines += report_section(
            "ambiguous",
            [
                f"{_where(row)} {_asked(row)}: "
                + "; ".join(_movie(m) for m in candidates[:5])
                + (f"; ... {len(candidates) - 5} more" if len(candidates) > 5 else "")
                for row, candidates in self.ambiguous
            ],
        )
        lines += report_section(
            "not found", [f"{_where(row)} {_asked(row)}" for row in self.not_found]
        )
        lines.append(self.outcome())
        return "\n".join(lines)

    def outcome(self) -> str:
        n_ratings = sum(1 for row, _ in self.matched if row.rating is not None)
        if self.blocked:
            return (
                f"nothing written; rerun with --partial to import the {n_ratings} matched rows"
                if self.matched
                else "nothing written: no row matched the catalog"
            )
        watch = f", {self.watchlist_added} added to the watchlist" if self.watchlist_added else ""
        watch += f", {self.marks_written} marks" if self.marks_written else ""
        if self.dry_run:
            skipped = len(self.ambiguous) + len(self.not_found)
            left_out = f"; {skipped} unmatched rows would be left out" if skipped else ""
            return (
                f"dry run, nothing written: would write {self.written} ratings "
                f"({self.unchanged} unchanged){watch}{left_out}"
            )
        skipped = len(self.ambiguous) + len(self.not_found)
        left_out = f"; {skipped} unmatched rows left out" if skipped else ""
        return f"wrote {self.written} ratings ({self.unchanged} unchanged){watch}{left_out}"


def report_section(title: str, items: list[str]) -> list[str]:
    """A titled block of an import report, at most LIST_LIMIT items then "... and N more"."""
    if not items:
        return []
    shown = [f"  {item}" for item in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        shown.append(f"  ... and {len(items) - LIST_LIMIT} more")
    return [f"{title}:", *shown]


def _where(row: PersonalRating) -> str:
    if row.mark is not None:
        return f"mark {row.line}:"
    return f"{'watchlist ' if row.rating is None else ''}line {row.line}:"


def _asked(row: PersonalRating) -> str:
    name = row.title or row.imdb_id or (f"movie {row.movie_id}" if row.movie_id else "?")
    return f"{name!r}" + (f" ({row.year})" if row.year else "")


def _movie(movie: MovieRow) -> str:
    return (
        f"{movie.display_title}"
        + (f" ({movie.year})" if movie.year else "")
        + f" [id {movie.movie_id}]"
    )


# ---------------------------------------------------------------- import


def build_matcher(store: Store) -> Matcher:
    """Every catalog movie, with the fields matching needs (the Service caches it per catalog)."""
    if store.catalog_info() is None:
        raise NotFoundError("no catalog yet; import one first (`movietui import ml-latest-small`)")
    movie_ids = store.movie_table()["movie_id"]
    return Matcher(store.get_movies([int(m) for m in movie_ids]))


def match_rows(matcher: Matcher, rows, report) -> None:
    """Sort each row of a file into ``report``'s matched (and matched_by_title), ambiguous or
    not_found lists: the one matching rule of ratings imports and film lists."""
    for row in rows:
        result = matcher.match(
            title=row.title,
            year=row.year,
            movie_id=row.movie_id,
            imdb_id=row.imdb_id,
            tmdb_id=row.tmdb_id,
        )
        if result.movie is not None:
            report.matched.append((row, result.movie))
            if result.kind == "title":
                report.matched_by_title.append((row, result.movie))
        elif result.kind == "ambiguous":
            report.ambiguous.append((row, list(result.candidates)))
        else:
            report.not_found.append(row)


def import_ratings(
    store: Store,
    matcher: Matcher,
    path: str | Path,
    target: Profile,
    dry_run: bool = False,
    partial: bool = False,
    data: bytes | None = None,
) -> RatingsImportReport:
    """Import a ratings export into ``target``; see the module docstring for the rules.
    ``data``: the export's bytes (read from standard input), ``path`` then only names it."""
    path = Path(path)
    export = (
        read_personal_ratings(path) if data is None else parse_personal_ratings(data, str(path))
    )
    report = RatingsImportReport(
        str(path), export.format, target.name, dry_run=dry_run, partial=partial
    )
    match_rows(matcher, [*export.ratings, *export.watchlist, *export.marks], report)
    if report.blocked:
        return report

    undated = _file_time(path) if data is None else time.time()
    wanted = _newest_per_movie(
        [(row, movie) for row, movie in report.matched if row.rating is not None], undated
    )
    stored = {r.movie_id: r for r in store.profile_ratings(target.id)}
    changes = []
    for movie_id, (rating, rated_at) in wanted.items():
        old = stored.get(movie_id)
        if old is None or (old.rating != rating and rated_at > old.rated_at):
            changes.append((movie_id, rating, rated_at))
    report.unchanged = len(wanted) - len(changes)
    on_list = {m for m, _ in store.watchlist(target.id)}
    to_watch = sorted(
        {movie.movie_id for row, movie in report.matched if row.rating is None and row.mark is None}
        - on_list
    )
    mark_changes = _mark_changes(
        store, target.id, report.matched, set(stored) | set(wanted), undated
    )
    if dry_run:
        report.written, report.watchlist_added = len(changes), len(to_watch)
        report.marks_written = len(mark_changes)
        return report
    report.written = store.set_ratings_bulk(target.id, changes) if changes else 0
    for movie_id in to_watch:
        store.add_to_watchlist(target.id, movie_id)
    report.watchlist_added = len(to_watch)
    report.marks_written = store.set_feedback_bulk(target.id, mark_changes) if mark_changes else 0
    return report


def _mark_changes(
    store: Store,
    profile_id: int,
    matched: list[tuple[PersonalRating, MovieRow]],
    rated: set[int],
    undated: float,
) -> list[tuple[int, str, float]]:
    """(movie_id, kind, marked_at) worth writing: the newest mark per film, not for a film
    that is (or is about to be) rated, and not one already stored as it is."""
    wanted: dict[int, tuple[str, float]] = {}
    for row, movie in matched:
        if row.mark is None:
            continue
        marked_at = float(row.rated_at if row.rated_at is not None else undated)
        held = wanted.get(movie.movie_id)
        if held is None or marked_at >= held[1]:
            wanted[movie.movie_id] = (row.mark, marked_at)
    stored = {f.movie_id: f for f in store.feedback(profile_id)}
    return [
        (movie_id, kind, marked_at)
        for movie_id, (kind, marked_at) in wanted.items()
        if movie_id not in rated
        and (
            movie_id not in stored
            or (stored[movie_id].kind != kind and marked_at > stored[movie_id].marked_at)
        )
    ]


def _newest_per_movie(
    matched: list[tuple[PersonalRating, MovieRow]], undated: float
) -> dict[int, tuple[float, float]]:
    """movie_id -> (rating, rated_at): the newest row wins; on equal dates, the later line."""
    wanted: dict[int, tuple[float, float]] = {}
    for row, movie in matched:
        rated_at = row.rated_at if row.rated_at is not None else undated
        held = wanted.get(movie.movie_id)
        if held is None or rated_at >= held[1]:
            wanted[movie.movie_id] = (float(row.rating), float(rated_at))  # type: ignore[arg-type]
    return wanted


def _file_time(path: Path) -> float:
    try:
        return float(int(path.stat().st_mtime))
    except OSError:
        return float(int(time.time()))


# ---------------------------------------------------------------- export


def export_ratings(store: Store, path: str | Path, fmt: str, target: Profile) -> int:
    """Write ``target``'s ratings (and marks, in JSON); returns the number of ratings."""
    text, written = render_ratings(store, fmt, target)
    write_text(path, text)
    return written


def render_ratings(store: Store, fmt: str, target: Profile) -> tuple[str, int]:
    """``target``'s ratings as the text of an export, and how many ratings it holds. Titles are
    written as the app shows them ("The Godfather", not MovieLens' "Godfather, The")."""
    if fmt not in RATINGS_FORMATS:
        raise ExportError(
            f"unknown ratings format {fmt!r}; use one of {', '.join(RATINGS_FORMATS)}"
        )
    ratings = store.profile_ratings(target.id)
    ratings.sort(key=lambda r: (r.rated_at, r.movie_id))
    movies = {m.movie_id: m for m in store.get_movies([r.movie_id for r in ratings])}
    if fmt == "json":
        entries = []
        for r in ratings:
            movie = movies.get(r.movie_id)
            entries.append(
                {
                    "movie_id": r.movie_id,
                    "title": movie.display_title if movie else None,
                    "year": movie.year if movie else None,
                    "imdb_id": movie.imdb_id if movie else None,
                    "tmdb_id": movie.tmdb_id if movie else None,
                    "rating": r.rating,
                    "rated_at": r.rated_at,
                }
            )
        document = {
            "format": JSON_FORMAT_TAG,
            "version": JSON_VERSION,
            "profile": target.name,
            "exported_at": time.time(),
            "ratings": entries,
            "marks": _mark_entries(store, target.id),
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n", len(entries)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    written = 0
    if fmt == "letterboxd-csv":
        # Letterboxd's importer matches on imdbID / tmdbID first, then Title + Year.
        writer.writerow(["Title", "Year", "imdbID", "tmdbID", "Rating", "Rating10", "WatchedDate"])
        for r in ratings:
            movie = movies.get(r.movie_id)
            if movie is None:
                continue  # Letterboxd cannot place a film we know only by MovieLens id
            day = datetime.fromtimestamp(r.rated_at, UTC).strftime("%Y-%m-%d")
            writer.writerow(
                [
                    movie.display_title,
                    movie.year or "",
                    movie.imdb_id or "",
                    movie.tmdb_id or "",
                    f"{r.rating:g}",
                    round(r.rating * 2),
                    day,
                ]
            )
            written += 1
    else:
        writer.writerow(["movie_id", "rating", "rated_at", "title", "year", "imdb_id", "tmdb_id"])
        for r in ratings:
            movie = movies.get(r.movie_id)
            writer.writerow(
                [
                    r.movie_id,
                    f"{r.rating:g}",
                    repr(float(r.rated_at)),
                    movie.display_title if movie else "",
                    (movie.year or "") if movie else "",
                    (movie.imdb_id or "") if movie else "",
                    (movie.tmdb_id or "") if movie else "",
                ]
            )
            written += 1
    return out.getvalue(), written


def _mark_entries(store: Store, profile_id: int) -> list[dict[str, Any]]:
    """The profile's marks as JSON objects, oldest first (like the ratings)."""
    marks = sorted(store.feedback(profile_id), key=lambda f: (f.marked_at, f.movie_id))
    movies = {m.movie_id: m for m in store.get_movies([f.movie_id for f in marks])}
    entries = []
    for f in marks:
        movie = movies.get(f.movie_id)
        entries.append(
            {
                "movie_id": f.movie_id,
                "title": movie.title if movie else None,
                "year": movie.year if movie else None,
                "imdb_id": movie.imdb_id if movie else None,
                "tmdb_id": movie.tmdb_id if movie else None,
                "mark": f.kind,
                "marked_at": f.marked_at,
            }
        )
    return entries


def recommendation_rows(recommendations: list[Recommendation]) -> list[dict[str, Any]]:
    """The stable per-film record of recommendation outputs (CSV columns, JSON objects)."""
    return [
        {
            "rank": rank,
            "movie_id": rec.movie.movie_id,
            "title": rec.movie.title,
            "year": rec.movie.year,
            "genres": list(rec.movie.genres),
            "predicted": round(float(rec.predicted), 3),
            "mean_rating": None
            if rec.movie.mean_rating is None
            else round(float(rec.movie.mean_rating), 3),
            "rating_count": rec.movie.rating_count,
            "because": list(rec.because),
        }
        for rank, rec in enumerate(recommendations, start=1)
    ]


def render_recommendations(
    recommendations: list[Recommendation], fmt: str, profile: str | None, has_model: bool
) -> str:
    """Recommendations as CSV or JSON text (the shapes in the module docstring)."""
    rows = recommendation_rows(recommendations)
    if fmt == "json":
        document = {
            "format": RECOMMENDATIONS_TAG,
            "version": JSON_VERSION,
            "profile": profile,
            "generated_at": time.time(),
            "model": has_model,
            "recommendations": rows,
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise ExportError(f"unknown recommendations format {fmt!r}; use csv or json")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECOMMENDATION_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row["rank"],
                row["movie_id"],
                row["title"],
                row["year"] or "",
                "|".join(row["genres"]),
                f"{row['predicted']:.3f}",
                "" if row["mean_rating"] is None else f"{row['mean_rating']:.3f}",
                row["rating_count"],
                "|".join(row["because"]),
            ]
        )
    return out.getvalue()


def check_recommendation_format(fmt: str) -> None:
    if fmt not in RECOMMENDATION_FORMATS:
        raise ExportError(f"unknown recommendations format {fmt!r}; use csv or json")


def write_text(path: str | Path, text: str) -> None:
    """Temp file + rename, so a failed export never leaves half a file behind."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise ExportError(
            f"{path}: cannot write ({error.strerror or error}); check the folder exists "
            "and is writable"
        ) from None
