"""Read one person's ratings export (Letterboxd, IMDb, MovieLens, movietui) into plain rows.

The format is detected from the file itself (zip magic, a JSON object, else the CSV header)
and reported back, so the user can see what was understood. Every problem is a DataError of
one line naming the file and the line. Ratings come out on the 0.5..5 half-star scale.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from movietui.errors import DataError

MAX_BYTES = 200 * 1024 * 1024  # a personal export is kilobytes; refuse anything absurd

# Human names of the formats, keyed by the short name used in reports and JSON.
FORMATS = {
    "letterboxd-csv": "Letterboxd ratings.csv",
    "letterboxd-zip": "Letterboxd export zip",
    "letterboxd-watchlist": "Letterboxd watchlist.csv",
    "letterboxd-import": "Letterboxd import CSV",
    "imdb": "IMDb Your Ratings export",
    "movielens": "MovieLens ratings export",
    "movietui-csv": "movietui ratings CSV",
    "movietui-json": "movietui ratings JSON",
}
JSON_FORMAT_TAG = "movietui-ratings"
MARKS = ("not_interested", "seen")  # marks without stars in a movietui JSON export


@dataclass(frozen=True)
class PersonalRating:
    """One rated (or, in a watchlist, listed) film as the export described it."""

    source: str  # format short name, see FORMATS
    line: int  # 1-based line in the file (JSON: the entry's 1-based index)
    title: str
    year: int | None
    imdb_id: str | None  # "tt0114709"
    movie_id: int | None  # MovieLens id
    tmdb_id: int | None
    rating: float | None  # 0.5..5 in half steps; None only for watchlist and mark rows
    rated_at: (
        float | None
    )  # unix seconds (a mark row: when marked), None when the export has no date
    mark: str | None = None  # a mark row (movietui JSON): "not_interested" | "seen", rating None


@dataclass
class PersonalExport:
    format: str  # short name, see FORMATS
    ratings: list[PersonalRating] = field(default_factory=list)
    watchlist: list[PersonalRating] = field(default_factory=list)
    marks: list[PersonalRating] = field(default_factory=list)  # rows with ``mark`` set

    @property
    def format_label(self) -> str:
        return FORMATS[self.format]


def read_personal_ratings(path: str | Path) -> PersonalExport:
    """Parse a ratings export; raise DataError (one line: file, line, what to do) if unusable."""
    path = Path(path)
    try:
        if path.is_dir():
            raise DataError(
                f"{path}: is a folder; pass the ratings file (or the export zip) itself"
            )
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError(f"{path}: {size} bytes is far too big for a ratings export")
        data = path.read_bytes()
    except OSError as error:
        raise DataError(
            f"{path}: cannot read the file ({error.strerror or error}); check the path"
        ) from None
    return parse_personal_ratings(data, str(path))


def parse_personal_ratings(data: bytes, name: str) -> PersonalExport:
    """Parse the bytes of an export; ``name`` is used in messages."""
    if data.startswith(b"PK\x03\x04"):
        return _not_empty(_parse_zip(data, name), name)
    text = _decode(data, name)
    if not text.strip():
        raise DataError(f"{name}: the file is empty; export your ratings again and pass that file")
    export = _parse_json(text, name) if text.lstrip().startswith("{") else _parse_csv(text, name)
    return _not_empty(export, name)


def _not_empty(export: PersonalExport, name: str) -> PersonalExport:
    if not export.ratings and not export.watchlist and not export.marks:
        raise DataError(f"{name}: {export.format_label} holds no ratings; nothing to import")
    return export


# ---------------------------------------------------------------- decoding and containers


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" and some editors
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{name}: broken UTF-16 text; save it as UTF-8 CSV and retry") from None
    if b"\x00" in data[:65536]:
        raise DataError(
            f"{name}: looks like a binary file, not a ratings CSV; pass the exported .csv or .zip"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # older IMDb exports
    except UnicodeDecodeError:
        raise DataError(
            f"{name}: text is neither UTF-8 nor Windows-1252; save it as UTF-8 and retry"
        ) from None


def _parse_zip(data: bytes, name: str) -> PersonalExport:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        ratings_name = _shallowest(members, "ratings.csv")
        if ratings_name is None:
            raise DataError(
                f"{name}: no ratings.csv inside the zip; pass a Letterboxd export zip or the CSV itself"
            )
        export = _read_member(archive, members[ratings_name], f"{name}:{ratings_name}")
        if export.format != "letterboxd-csv":
            raise DataError(
                f"{name}:{ratings_name}: line 1: the zip's ratings.csv is not a Letterboxd ratings file"
            )
        watchlist_name = _shallowest(members, "watchlist.csv")
        if watchlist_name is not None:
            watch = _read_member(archive, members[watchlist_name], f"{name}:{watchlist_name}")
            if watch.format != "letterboxd-watchlist":
                raise DataError(f"{name}:{watchlist_name}: line 1: not a Letterboxd watchlist file")
            export.watchlist = watch.watchlist
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        zlib.error,
    ) as error:
        raise DataError(f"{name}: broken zip file ({error}); download the export again") from None
    export.format = "letterboxd-zip"
    return export


def _shallowest(members: dict[str, zipfile.ZipInfo], basename: str) -> str | None:
    found = [
        n
        for n in members
        if n.rsplit("/", 1)[-1].lower() == basename
        and not n.lower().startswith(("deleted/", "orphaned/", "__macosx/"))
    ]
    return min(found, key=lambda n: (n.count("/"), n)) if found else None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> PersonalExport:
    if info.file_size > MAX_BYTES:
        raise DataError(f"{label}: {info.file_size} bytes is far too big for a ratings export")
    text = _decode(archive.read(info), label)
    if not text.strip():
        raise DataError(f"{label}: the file is empty; export your ratings again")
    return _parse_csv(text, label)


# ---------------------------------------------------------------- CSV formats


@dataclass(frozen=True)
class _CsvFormat:
    name: str
    required: tuple[str, ...]  # lower-case header names
    row: Callable[[_Row], PersonalRating]


def _parse_csv(text: str, name: str) -> PersonalExport:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next((r for r in reader if any(cell.strip() for cell in r)), None)
        if header is None:
            raise DataError(
                f"{name}: the file is empty; export your ratings again and pass that file"
            )
        columns = {cell.strip().lower(): i for i, cell in reversed(list(enumerate(header)))}
        fmt = _detect(columns, header, name, reader.line_num)
        missing = [c for c in fmt.required if c not in columns]
        if missing:
            raise DataError(
                f"{name}: line {reader.line_num}: {FORMATS[fmt.name]} is missing column(s) "
                f"{', '.join(missing)}; export the file again without editing its header"
            )
        if (
            fmt.name == "letterboxd-watchlist"
            and name.replace("\\", "/").rsplit("/", 1)[-1].lower() == "watched.csv"
        ):
            raise DataError(
                f"{name}: line 1: Letterboxd's watched.csv holds no ratings; pass ratings.csv "
                "or the whole export zip"
            )
        export = PersonalExport(fmt.name)
        target = export.watchlist if fmt.name == "letterboxd-watchlist" else export.ratings
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            target.append(fmt.row(_Row(cells, columns, name, reader.line_num, fmt.name)))
    except csv.Error as error:
        raise DataError(f"{name}: line {reader.line_num}: not a readable CSV ({error})") from None
    return export


def _delimiter(text: str) -> str:
    """Comma, or the tab or semicolon a spreadsheet used instead (Excel writes tabs for
    "Unicode Text" and semicolons for CSV in locales with a decimal comma): whichever the
    header line holds most of; exports' header names contain none of the three."""
    header = next((line for line in io.StringIO(text) if line.strip()), "")  # lazily: no full split
    return max((",", "\t", ";"), key=header.count)


def _detect(columns: dict[str, int], header: list[str], name: str, line: int) -> _CsvFormat:
    has = columns.__contains__
    if has("const") and (has("your rating") or has("date rated")):
        return _IMDB
    if has("movie_id") and has("average_rating"):
        return _MOVIELENS
    if has("movie_id"):
        return _MOVIETUI
    if has("letterboxd uri") or (has("name") and has("year") and has("date")):
        return _LETTERBOXD if has("rating") else _LETTERBOXD_WATCHLIST
    if has("title") and (has("imdbid") or has("tmdbid") or has("letterboxduri") or has("rating10")):
        return _LETTERBOXD_IMPORT
    shown = ",".join(cell.strip() for cell in header)[:80]
    raise DataError(
        f"{name}: line {line}: unknown format (header {shown!r}); pass a Letterboxd, IMDb or "
        "MovieLens ratings export"
    )


class _Row:
    """One CSV record with typed getters that fail with the file and line."""

    def __init__(
        self,
        cells: list[str],
        columns: dict[str, int],
        name: str,
        line: int,
        source: str,
        where: str = "line",
    ):
        self.cells, self.columns, self.name, self.line, self.source = (
            cells,
            columns,
            name,
            line,
            source,
        )
        self.where = where  # "line" in CSV files, "rating" (the entry's index) in JSON

    def error(self, what: str) -> DataError:
        return DataError(f"{self.name}: {self.where} {self.line}: {what}")

    def text(self, column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            raise self.error(f"empty {column!r}; every row needs one")
        return value

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.error(f"{column!r} is {value[:30]!r}, not a number") from None
        if not math.isfinite(number) or number != int(number) or number < 0 or number >= 2**62:
            raise self.error(f"{column!r} is {value[:30]!r}, not a whole number")
        return int(number)

    def year(self, column: str) -> int | None:
        year = self.integer(column)
        if year is not None and year and not 1850 <= year <= 2200:
            raise self.error(f"year {year} is not a plausible film year")
        return year or None

    def rating(self, column: str, scale: float = 5.0) -> float:
        """A rating on 0.5..scale in half steps of that scale, returned on 0.5..5."""
        value = self.required(column)
        try:
            number = float(value)
        except ValueError:
            raise self.error(f"rating {value[:30]!r} is not a number") from None
        stars = number * 5.0 / scale
        if not (0.5 <= stars <= 5.0) or stars * 2 != round(stars * 2):
            low, step = (1, 1) if scale == 10 else (0.5, 0.5)
            raise self.error(
                f"rating {value[:30]!r} is outside the scale {low:g}..{scale:g} in steps of {step:g}"
            )
        return stars

    def timestamp(self, column: str) -> float | None:
        value = self.text(column)
        return _parse_time(value, self) if value else None

    def imdb(self, column: str) -> str | None:
        value = self.text(column).lower()
        if not value:
            return None
        digits = value[2:] if value.startswith("tt") else value
        if not digits.isdigit() or int(digits) == 0:
            raise self.error(f"IMDb id {value[:30]!r} is not like 'tt0114709'")
        return f"tt{int(digits):07d}"


def _parse_time(value: str, row: _Row) -> float:
    """'2023-01-15', an ISO date-time, or unix seconds -> unix seconds (dates at 00:00 UTC)."""
    try:
        if value.replace(".", "", 1).isdigit():
            seconds = float(value)
        elif len(value) == 10:
            day = date.fromisoformat(value)
            seconds = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            seconds = moment.timestamp()
    except (ValueError, OverflowError, OSError):
        raise row.error(f"date {value[:30]!r} is not like 2023-01-31") from None
    if not 0 <= seconds < 7e9:
        raise row.error(f"date {value[:30]!r} is out of range")
    return seconds


def _letterboxd(row: _Row) -> PersonalRating:
    return PersonalRating(
        row.source,
        row.line,
        row.required("name"),
        row.year("year"),
        None,
        None,
        None,
        row.rating("rating"),
        row.timestamp("date"),
    )


def _letterboxd_watchlist(row: _Row) -> PersonalRating:
    return PersonalRating(
        row.source,
        row.line,
        row.required("name"),
        row.year("year"),
        None,
        None,
        None,
        None,
        row.timestamp("date"),
    )


def _letterboxd_import(row: _Row) -> PersonalRating:
    rating = row.rating("rating") if row.text("rating") else row.rating("rating10", scale=10.0)
    return PersonalRating(
        row.source,
        row.line,
        row.text("title"),
        row.year("year"),
        row.imdb("imdbid"),
        None,
        row.integer("tmdbid"),
        rating,
        row.timestamp("watcheddate"),
    )


def _imdb(row: _Row) -> PersonalRating:
    title = row.text("title") or row.text("original title")
    return PersonalRating(
        row.source,
        row.line,
        title,
        row.year("year"),
        row.imdb("const"),
        None,
        None,
        row.rating("your rating", scale=10.0),
        row.timestamp("date rated"),
    )


def _movielens(row: _Row) -> PersonalRating:
    title, year = _split_year(row.text("title"))
    return PersonalRating(
        row.source,
        row.line,
        title,
        year,
        row.imdb("imdb_id"),
        row.integer("movie_id"),
        row.integer("tmdb_id"),
        row.rating("rating"),
        None,
    )


def _movietui(row: _Row) -> PersonalRating:
    movie_id = row.integer("movie_id")
    if movie_id is None:
        raise row.error("empty 'movie_id'; every row needs one")
    return PersonalRating(
        row.source,
        row.line,
        row.text("title"),
        row.year("year"),
        row.imdb("imdb_id"),
        movie_id,
        row.integer("tmdb_id"),
        row.rating("rating"),
        row.timestamp("rated_at"),
    )


def _split_year(title: str) -> tuple[str, int | None]:
    """'Toy Story (1995)' -> ('Toy Story', 1995)."""
    stripped = title.rstrip()
    if (
        len(stripped) >= 6
        and stripped.endswith(")")
        and stripped[-6] == "("
        and stripped[-5:-1].isdigit()
    ):
        return stripped[:-6].rstrip(), int(stripped[-5:-1])
    return title, None


_LETTERBOXD = _CsvFormat("letterboxd-csv", ("date", "name", "year", "rating"), _letterboxd)
_LETTERBOXD_WATCHLIST = _CsvFormat(
    "letterboxd-watchlist", ("date", "name", "year"), _letterboxd_watchlist
)
_LETTERBOXD_IMPORT = _CsvFormat("letterboxd-import", ("title", "year"), _letterboxd_import)
_IMDB = _CsvFormat("imdb", ("const", "your rating", "date rated", "title", "year"), _imdb)
_MOVIELENS = _CsvFormat(
    "movielens", ("movie_id", "imdb_id", "tmdb_id", "rating", "title"), _movielens
)
_MOVIETUI = _CsvFormat("movietui-csv", ("movie_id", "rating"), _movietui)


# ---------------------------------------------------------------- movietui JSON


def _parse_json(text: str, name: str) -> PersonalExport:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        line = getattr(error, "lineno", 1)
        raise DataError(
            f"{name}: line {line}: not valid JSON; pass a movietui ratings JSON export"
        ) from None
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT_TAG:
        raise DataError(
            f"{name}: line 1: unknown JSON format; expected a movietui ratings export "
            f'("format": "{JSON_FORMAT_TAG}")'
        )
    entries = document.get("ratings")
    if not isinstance(entries, list):
        raise DataError(f"{name}: line 1: 'ratings' must be a list")
    export = PersonalExport("movietui-json")
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise DataError(f"{name}: rating {index}: must be an object")
        cells = ["" if entry.get(k) is None else str(entry.get(k)) for k in _JSON_KEYS]
        row = _Row(cells, _JSON_COLUMNS, name, index, "movietui-json", where="rating")
        export.ratings.append(_movietui(row))
    marks = document.get("marks", [])  # absent in files written before marks existed
    if not isinstance(marks, list):
        raise DataError(f"{name}: line 1: 'marks' must be a list")
    for index, entry in enumerate(marks, start=1):
        if not isinstance(entry, dict):
            raise DataError(f"{name}: mark {index}: must be an object")
        cells = ["" if entry.get(k) is None else str(entry.get(k)) for k in _MARK_KEYS]
        row = _Row(cells, _MARK_COLUMNS, name, index, "movietui-json", where="mark")
        export.marks.append(_movietui_mark(row))
    return export


def _movietui_mark(row: _Row) -> PersonalRating:
    movie_id = row.integer("movie_id")
    if movie_id is None:
        raise row.error("empty 'movie_id'; every mark needs one")
    kind = row.text("mark")
    if kind not in MARKS:
        raise row.error(f"mark {kind[:30]!r} is not known; use {' or '.join(MARKS)}")
    return PersonalRating(
        row.source,
        row.line,
        row.text("title"),
        row.year("year"),
        row.imdb("imdb_id"),
        movie_id,
        row.integer("tmdb_id"),
        None,
        row.timestamp("marked_at"),
        mark=kind,
    )


_JSON_KEYS = ("movie_id", "title", "year", "imdb_id", "tmdb_id", "rating", "rated_at")
_JSON_COLUMNS = {key: i for i, key in enumerate(_JSON_KEYS)}
_MARK_KEYS = ("movie_id", "title", "year", "imdb_id", "tmdb_id", "mark", "marked_at")
_MARK_COLUMNS = {key: i for i, key in enumerate(_MARK_KEYS)}
