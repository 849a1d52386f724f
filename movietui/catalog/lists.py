"""Read a list of films one already has: a Letterboxd list export or a plain CSV of titles/ids.

Letterboxd's list export (``lists/NAME.csv`` in the account export, or "Export list") holds
two tables in one file: a banner line, a one-row table describing the list, a blank line,
then the films::

    Letterboxd list export v7
    Date,Name,Tags,URL,Description
    2021-11-06,Wes Anderson ranked,,https://boxd.it/dWPpg,
    <blank>
    Position,Name,Year,URL,Description
    1,The Royal Tenenbaums,2001,https://boxd.it/1YHU,

A plain CSV has a header naming any of ``title``/``name``, ``year``, ``movie_id``/``movieId``,
``imdb_id``/``imdbID``/``const``, ``tmdb_id``/``tmdbID`` (a Letterboxd watchlist.csv is one),
or no header at all: one film per line, "Title (Year)", an IMDb id ("tt0114709") or a
MovieLens id. Rows become ``PersonalRating`` rows (no rating), matched like ratings imports.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from movietui.catalog.personal import PersonalRating, _decode, _split_year
from movietui.errors import DataError

MAX_LIST_BYTES = 20_000_000
TITLE_COLUMNS = ("name", "title", "film", "movie")
ID_COLUMNS = {
    "movie_id": ("movie_id", "movieid", "movielens_id"),
    "imdb_id": ("imdb_id", "imdbid", "const", "imdb"),
    "tmdb_id": ("tmdb_id", "tmdbid", "tmdb"),
}
_IMDB = re.compile(r"^tt\d{1,10}$", re.IGNORECASE)


@dataclass(frozen=True)
class ListFile:
    name: str  # the list's own name (Letterboxd) or the file's stem
    format: str  # "letterboxd-list" | "csv" | "lines"
    rows: list[PersonalRating]


def read_film_list(path: str | Path) -> ListFile:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise DataError(f"{path.name}: larger than 20 MB; is this a list of films?")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; give the path of a list CSV") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder; give the list's .csv file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    parsed = parse_film_list(_decode(data, path.name), path.stem)
    if not parsed.rows:
        raise DataError(f"{path.name}: the list holds no films; nothing to rank or import")
    return parsed


def parse_film_list(text: str, default_name: str) -> ListFile:
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        lines, numbers = [], []  # each record, and the file line it ends on (fields may span lines)
        for row in reader:
            lines.append(row)
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(
            f"{default_name}: not a readable CSV ({exc}); export the list again"
        ) from None
    if lines and lines[0] and lines[0][0].strip().lower().startswith("letterboxd list export"):
        return _letterboxd(lines, numbers, default_name)
    header = [c.strip().lower().replace(" ", "_") for c in lines[0]] if lines else []
    if _column(header, TITLE_COLUMNS) is not None or any(
        _column(header, names) is not None for names in ID_COLUMNS.values()
    ):
        return ListFile(default_name, "csv", _table(lines[1:], numbers[1:], header, "csv"))
    return ListFile(default_name, "lines", _bare(lines, numbers))


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _letterboxd(lines: list[list[str]], numbers: list[int], default_name: str) -> ListFile:
    name = default_name
    start = None
    for k, row in enumerate(lines[1:], start=1):
        cells = [c.strip().lower() for c in row]
        if cells[:2] == ["date", "name"] and k + 1 < len(lines) and len(lines[k + 1]) > 1:
            name = lines[k + 1][1].strip() or default_name
        if cells[:2] == ["position", "name"]:
            start = k
            break
    if start is None:
        raise DataError(
            "a Letterboxd list export without its film table (Position,Name,Year,URL); "
            "export the list again"
        )
    header = [c.strip().lower() for c in lines[start]]
    return ListFile(
        name,
        "letterboxd-list",
        _table(lines[start + 1 :], numbers[start + 1 :], header, "letterboxd-list"),
    )


def _table(
    rows: list[list[str]], numbers: list[int], header: list[str], source: str
) -> list[PersonalRating]:
    title_at = _column(header, TITLE_COLUMNS)
    year_at = _column(header, ("year", "release_year"))
    ids = {key: _column(header, names) for key, names in ID_COLUMNS.items()}
    out = []
    for row, line in zip(rows, numbers, strict=True):
        if not any(c.strip() for c in row):
            continue

        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at].strip() if at is not None and at < len(row) else ""

        title, year = _split_year(cell(title_at)) if cell(title_at) else ("", None)
        year = _whole(cell(year_at)) or year
        imdb = cell(ids["imdb_id"])
        out.append(
            PersonalRating(
                source=source,
                line=line,
                title=title,
                year=year,
                imdb_id=imdb if _IMDB.match(imdb) else None,
                movie_id=_whole(cell(ids["movie_id"])),
                tmdb_id=_whole(cell(ids["tmdb_id"])),
                rating=None,
                rated_at=None,
            )
        )
    return out


def _bare(lines: list[list[str]], numbers: list[int]) -> list[PersonalRating]:
    out = []
    for row, k in zip(lines, numbers, strict=True):
        first = row[0].strip() if row else ""
        if not first:
            continue
        imdb = first if _IMDB.match(first) else None
        movie_id = int(first) if first.isdigit() else None
        title, year = ("", None) if imdb or movie_id else _split_year(first)
        if len(row) > 1 and year is None:
            year = _whole(row[1].strip())
        out.append(PersonalRating("lines", k, title, year, imdb, movie_id, None, None, None))
    return out


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() else None
