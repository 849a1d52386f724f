"""Film lists one already has (issue 15): read a list file, match it to the catalog like a
ratings import, store it under a name; the Service ranks a list with groups.Groups.

Functions of what they are given (the store, a Matcher). A file with titles the catalog lacks
(or fits several films) is reported like the ratings import and nothing is written, unless
``partial``: then the matched films are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from movietui.catalog.lists import ListFile, read_film_list
from movietui.catalog.matching import Matcher
from movietui.catalog.personal import PersonalRating
from movietui.errors import MovietuiError
from movietui.service.personal import match_rows, report_section
from movietui.store import MovieRow, Store
from movietui.store.lists import FilmList


class ListMatchError(MovietuiError):
    """A list file with films the catalog lacks, used without --partial; ``report`` lists them."""

    def __init__(self, report: ListMatch) -> None:
        super().__init__(report.problem())
        self.report = report


@dataclass
class ListMatch:
    """What matching a list file found (and, for an import, did)."""

    path: str
    name: str  # the name the list is (or would be) stored under
    format: str
    matched: list[tuple[PersonalRating, MovieRow]] = field(default_factory=list)
    matched_by_title: list[tuple[PersonalRating, MovieRow]] = field(default_factory=list)
    ambiguous: list[tuple[PersonalRating, list[MovieRow]]] = field(default_factory=list)
    not_found: list[PersonalRating] = field(default_factory=list)
    partial: bool = False
    dry_run: bool = False
    stored: FilmList | None = None

    @property
    def movie_ids(self) -> list[int]:
        return list(dict.fromkeys(movie.movie_id for _, movie in self.matched))

    @property
    def blocked(self) -> bool:
        """Unmatched rows and no --partial (or nothing matched at all): nothing is used."""
        unmatched = bool(self.ambiguous or self.not_found)
        return not self.matched or (unmatched and not self.partial)

    def problem(self) -> str:
        """One line saying why the list cannot be used as it is."""
        unmatched = len(self.ambiguous) + len(self.not_found)
        if not self.matched:
            return f"{Path(self.path).name}: no film of the list matched the catalog"
        return (
            f"{Path(self.path).name}: {unmatched} of {unmatched + len(self.matched)} films did "
            "not match the catalog (listed above); rerun with --partial to use the matched ones"
        )

    def summary(self) -> str:
        rows = len(self.matched) + len(self.ambiguous) + len(self.not_found)
        lines = [
            f"{Path(self.path).name}: {self.format} list {self.name!r}, {rows} films",
            f"matched {len(self.matched)} ({len(self.matched_by_title)} by title only), "
            f"ambiguous {len(self.ambiguous)}, not found {len(self.not_found)}",
        ]
        lines += report_section(
            "matched by title",
            [f"line {r.line}: {_asked(r)} -> {_movie(m)}" for r, m in self.matched_by_title],
        )
        lines += report_section(
            "ambiguous",
            [
                f"line {r.line}: {_asked(r)}: " + "; ".join(_movie(m) for m in c[:5])
                for r, c in self.ambiguous
            ],
        )
        lines += report_section(
            "not found", [f"line {r.line}: {_asked(r)}" for r in self.not_found]
        )
        if self.blocked:
            lines.append(
                "nothing written; rerun with --partial to keep the matched films"
                if self.matched
                else "nothing written: no film matched the catalog"
            )
        elif self.dry_run:
            lines.append(f"dry run, nothing written: would store {len(self.movie_ids)} films")
        elif self.stored is not None:
            lines.append(f"stored list {self.stored.name!r} with {self.stored.n_films} films")
        return "\n".join(lines)


def _asked(row: PersonalRating) -> str:
    name = row.title or row.imdb_id or (f"movie {row.movie_id}" if row.movie_id else "?")
    return f"{name!r}" + (f" ({row.year})" if row.year else "")


def _movie(movie: MovieRow) -> str:
    return (
        f"{movie.display_title}"
        + (f" ({movie.year})" if movie.year else "")
        + f" [id {movie.movie_id}]"
    )


def match_list(matcher: Matcher, path: str | Path, partial: bool = False) -> ListMatch:
    """Read a list file and match each film to the catalog (writes nothing)."""
    parsed: ListFile = read_film_list(path)
    report = ListMatch(str(path), parsed.name, parsed.format, partial=partial)
    match_rows(matcher, parsed.rows, report)
    return report


def import_list(
    store: Store,
    matcher: Matcher,
    path: str | Path,
    name: str | None = None,
    partial: bool = False,
    dry_run: bool = False,
) -> ListMatch:
    """Store the list file's films under ``name`` (default: the list's own name)."""
    report = match_list(matcher, path, partial)
    report.dry_run = dry_run
    if name is not None:
        report.name = name
    if report.blocked or dry_run:
        return report
    report.stored = store.create_film_list(report.name, report.movie_ids)
    return report
