"""The three GroupLens file layouts, each read into movie columns and rating arrays.

* CSV (ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m): UTF-8 ``movies.csv``
  (movieId,title,genres), ``ratings.csv`` (userId,movieId,rating,timestamp) and an
  optional ``links.csv`` (movieId,imdbId,tmdbId). ``tags.csv`` is not needed.
* DAT (ml-1m, ml-10m): ``::``-separated ``movies.dat`` and ``ratings.dat`` without a
  header; ml-1m is latin-1, so text that is not UTF-8 is read as latin-1.
* 100K (ml-100k): tab-separated ``u.data``; latin-1 ``u.item`` with pipes and 19 genre
  flag columns named by ``u.genre``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from movietui.catalog.progress import ProgressFn
from movietui.catalog.sources import ReleaseSource
from movietui.catalog.tables import REDOWNLOAD, NumericTable, parser_error, read_numeric
from movietui.catalog.titles import display_title, parse_genres, split_title
from movietui.errors import DataError

RATING_DTYPES = {"user_id": "int32", "movie_id": "int32", "rating": "float32", "timestamp": "int64"}
ML100K_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)


@dataclass
class RawRelease:
    movies: dict[str, Sequence]
    ratings: dict[str, np.ndarray]
    ratings_where: str
    movies_where: str
    first_line: int  # line of the first rating row, to turn row indices into line numbers


def detect_layout(src: ReleaseSource) -> str:
    if src.has("ratings.csv") or src.has("movies.csv"):
        return "csv"
    if src.has("ratings.dat") or src.has("movies.dat"):
        return "dat"
    return "100k"


def read_layout(src: ReleaseSource, notes: list[str], progress: ProgressFn | None) -> RawRelease:
    layout = detect_layout(src)
    reader = {"csv": _read_csv_release, "dat": _read_dat_release, "100k": _read_100k_release}[
        layout
    ]
    return reader(src, notes, progress)


# ---------------------------------------------------------------- shared pieces


def _require(src: ReleaseSource, *names: str) -> None:
    for name in names:
        if not src.has(name):
            raise DataError(
                f"{src.where(name)} is missing: a {src.name} release needs {' and '.join(names)}; "
                "re-download it from GroupLens"
            )


def decode_text(src: ReleaseSource, filename: str, latin1_fallback: bool = False) -> str:
    """A whole small file as text; a UTF-8 error names the byte offset and line."""
    data = src.read_bytes(filename)
    if not data.strip():
        raise DataError(f"{src.where(filename)} is empty: {REDOWNLOAD}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if latin1_fallback:
            return data.decode("latin-1")
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{src.where(filename)} line {line:,}: byte 0x{data[exc.start]:02x} at offset {exc.start:,} "
            f"is not UTF-8 text (wrong encoding?): {REDOWNLOAD}"
        ) from None
    return text.removeprefix("\ufeff")


def _header(where: str, first_line: str) -> list[str]:
    names = [
        c.strip().strip('"').strip() for c in first_line.removeprefix("\ufeff").strip().split(",")
    ]
    return ["".join(ch for ch in c if ch.isprintable()) for c in names]


def _match_columns(
    where: str, found: list[str], required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, str]:
    """Expected column -> the header's spelling (case-insensitive); DataError lists both sides."""
    lower = {c.lower(): c for c in found}
    missing = [c for c in required if c.lower() not in lower]
    if missing:
        expected = ", ".join([*required, *optional])
        raise DataError(
            f"{where}: expected columns {expected} but found {', '.join(found) or 'none'} "
            f"(missing {', '.join(missing)}): fix the header row or {REDOWNLOAD}"
        )
    return {c: lower[c.lower()] for c in [*required, *optional] if c.lower() in lower}


def _positive_ids(
    text: pd.Series, where: str, first_line: int, name: str, lines: Sequence[int] | None = None
) -> np.ndarray:
    """Ids as int64; DataError on the first that is missing or not a positive whole number.

    Row i is on line ``first_line + i``, or ``lines[i]`` when given (files with blank lines).
    """
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~((values > 0) & (values == np.floor(values)) & (values < 2**31))
    if bad.any():
        i = int(np.argmax(bad))
        raw = str(text.iloc[i]).strip()
        what = "is missing" if not raw else f"{raw[:40]!r} is not a positive whole number"
        line = lines[i] if lines is not None else first_line + i
        raise DataError(f"{where} line {line:,}: {name} {what}: fix that row or {REDOWNLOAD}")
    return values.astype(np.int64)


def build_movies(
    ids: np.ndarray,
    raw_titles: Sequence[str],
    raw_genres: Sequence[str],
    where: str,
    notes: list[str],
    imdb: dict[int, str] | None = None,
    tmdb: dict[int, int] | None = None,
    fallback_years: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The contract's movie columns, one row per id (the first wins), ordered by id."""
    unique_ids, first = np.unique(ids, return_index=True)
    if first.size < ids.size:
        notes.append(
            f"{where}: {ids.size - first.size:,} repeated movie ids; kept the first row of each"
        )
    titles, displays, years, genres = [], [], np.zeros(first.size, dtype=np.int32), []
    for k, i in enumerate(first.tolist()):
        title, year = split_title(raw_titles[i])
        if year == 0 and fallback_years is not None:
            year = fallback_years[i]
        titles.append(title)
        displays.append(display_title(title))
        years[k] = year
        genres.append(parse_genres(raw_genres[i]))
    imdb = imdb or {}
    tmdb = tmdb or {}
    id_list = unique_ids.tolist()
    return {
        "movie_id": unique_ids.astype(np.int64),
        "title": titles,
        "display_title": displays,
        "year": years,
        "genres": genres,
        "imdb_id": [imdb.get(m) for m in id_list],
        "tmdb_id": np.array([tmdb.get(m, 0) for m in id_list], dtype=np.int64),
    }


# ---------------------------------------------------------------- CSV releases


def _csv_ratings_table(src: ReleaseSource) -> tuple[NumericTable, bool]:
    where = src.where("ratings.csv")
    with src.open("ratings.csv") as fh:
        first = fh.readline(1 << 16)
    if not first.strip():
        raise DataError(f"{where} is empty: {REDOWNLOAD}")
    found = _header(where, first.decode("utf-8", errors="replace"))
    cols = _match_columns(where, found, ("userId", "movieId", "rating"), ("timestamp",))
    keys = ["user_id", "movie_id", "rating", "timestamp"][: len(cols)]
    table = NumericTable(
        filename="ratings.csv",
        sep=",",
        columns={k: RATING_DTYPES[k] for k in keys},
        usecols=list(cols.values()),
        first_line=2,
        all_columns=list(cols.values()) == found,
    )
    return table, "timestamp" in cols


def _read_links(src: ReleaseSource, notes: list[str]) -> tuple[dict[int, str], dict[int, int]]:
    """IMDb/TMDb ids by movie; a broken links.csv is skipped with a note, not fatal."""
    if not src.has("links.csv"):
        return {}, {}
    where = src.where("links.csv")
    try:
        text = decode_text(src, "links.csv")
        cols = _match_columns(
            where, _header(where, text.split("\n", 1)[0]), ("movieId",), ("imdbId", "tmdbId")
        )
        frame = pd.read_csv(
            io.StringIO(text), usecols=list(cols.values()), dtype=str, keep_default_na=False
        )
        ids = _positive_ids(frame[cols["movieId"]], where, 2, "movieId").tolist()
    except (DataError, ValueError) as exc:
        notes.append(f"links.csv skipped, so no IMDb/TMDb links: {exc}")
        return {}, {}
    imdb: dict[int, str] = {}
    tmdb: dict[int, int] = {}
    if "imdbId" in cols:  # "0114709" -> "tt0114709"; blanks and junk are skipped
        for m, value in zip(ids, frame[cols["imdbId"]].tolist(), strict=True):
            value = value.strip().removeprefix("tt")
            if value.isdigit():
                imdb[m] = f"tt{int(value):07d}"
    if "tmdbId" in cols:
        for m, value in zip(ids, frame[cols["tmdbId"]].tolist(), strict=True):
            value = value.strip()
            if value.isdigit() and int(value) > 0:
                tmdb[m] = int(value)
    return imdb, tmdb


def _read_csv_release(
    src: ReleaseSource, notes: list[str], progress: ProgressFn | None
) -> RawRelease:
    _require(src, "movies.csv", "ratings.csv")
    where = src.where("movies.csv")
    table, has_time = _csv_ratings_table(src)  # header problems surface before the slow read
    text = decode_text(src, "movies.csv")
    cols = _match_columns(
        where, _header(where, text.split("\n", 1)[0]), ("movieId", "title"), ("genres",)
    )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            usecols=list(cols.values()),
            dtype=str,
            keep_default_na=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise parser_error(where, exc) from None
    if frame.empty:
        raise DataError(f"{where} has no movies: {REDOWNLOAD}")
    ids = _positive_ids(frame[cols["movieId"]], where, 2, "movieId")
    genres = frame[cols["genres"]].tolist() if "genres" in cols else [""] * len(frame)
    imdb, tmdb = _read_links(src, notes)
    movies = build_movies(ids, frame[cols["title"]].tolist(), genres, where, notes, imdb, tmdb)
    del frame, text
    ratings = read_numeric(src, table, progress)
    if not has_time:
        ratings["timestamp"] = np.zeros(ratings["user_id"].size, dtype=np.int64)
        notes.append(
            f"{src.where('ratings.csv')}: no timestamp column; ratings imported without dates"
        )
    return RawRelease(movies, ratings, src.where("ratings.csv"), where, table.first_line)


# ---------------------------------------------------------------- DAT releases (ml-1m, ml-10m)


def _split_lines(
    text: str, where: str, sep: str, min_fields: int
) -> tuple[list[list[str]], list[int]]:
    """Fields of each non-blank line, and the line numbers they came from."""
    rows, numbers = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(sep)
        if len(fields) < min_fields:
            raise DataError(
                f"{where} line {n:,}: expected {min_fields} {sep!r}-separated fields but found {len(fields)}: "
                f"fix that row or {REDOWNLOAD}"
            )
        rows.append(fields)
        numbers.append(n)
    if not rows:
        raise DataError(f"{where} is empty: {REDOWNLOAD}")
    return rows, numbers


def _read_dat_release(
    src: ReleaseSource, notes: list[str], progress: ProgressFn | None
) -> RawRelease:
    _require(src, "movies.dat", "ratings.dat")
    where = src.where("movies.dat")
    rows, lines = _split_lines(decode_text(src, "movies.dat", latin1_fallback=True), where, "::", 3)
    ids = _positive_ids(pd.Series([r[0] for r in rows]), where, 1, "MovieID", lines)
    movies = build_movies(
        ids, ["::".join(r[1:-1]) for r in rows], [r[-1] for r in rows], where, notes
    )
    ratings_where = src.where("ratings.dat")
    with src.open("ratings.dat") as fh:
        first = fh.readline(1 << 16).decode("latin-1")
    if first.strip() and first.count("::") != 3:
        raise DataError(
            f"{ratings_where} line 1: expected 4 '::'-separated fields (UserID::MovieID::Rating::Timestamp) "
            f"but found {first.strip()[:60]!r}: {REDOWNLOAD}"
        )
    # The C parser takes one-character separators: with ":" the "::" leaves empty fields between.
    table = NumericTable(
        filename="ratings.dat",
        sep=":",
        columns=dict(RATING_DTYPES),
        names=["user", "_a", "movie", "_b", "rating", "_c", "time"],
        usecols=[0, 2, 4, 6],
        first_line=1,
    )
    return RawRelease(movies, read_numeric(src, table, progress), ratings_where, where, 1)


# ---------------------------------------------------------------- ml-100k


def _read_100k_release(
    src: ReleaseSource, notes: list[str], progress: ProgressFn | None
) -> RawRelease:
    _require(src, "u.item", "u.data")
    where = src.where("u.item")
    genre_names = list(ML100K_GENRES)
    if src.has("u.genre") and src.size("u.genre") > 0:  # optional: the standard names otherwise
        pairs = [
            line.rsplit("|", 1)
            for line in decode_text(src, "u.genre", True).splitlines()
            if "|" in line
        ]
        named = {int(i): n.strip() for n, i in pairs if i.strip().isdigit()}
        if named:
            genre_names = [named.get(k, "") for k in range(max(named) + 1)]
    n_flags = len(genre_names)
    rows, lines = _split_lines(
        decode_text(src, "u.item", latin1_fallback=True), where, "|", 5 + n_flags
    )
    ids = _positive_ids(pd.Series([r[0] for r in rows]), where, 1, "movie id", lines)
    genres = []
    for r in rows:
        flags = r[5 : 5 + n_flags]
        genres.append(
            "|".join(
                g
                for g, f in zip(genre_names, flags, strict=True)
                if f.strip() == "1" and g and g != "unknown"
            )
        )
    # u.item also has a release date ("01-Jan-1995"): its year stands in when the title has none.
    dates = [r[2].strip()[-4:] for r in rows]
    fallback = [int(d) if d.isdigit() else 0 for d in dates]
    movies = build_movies(ids, [r[1] for r in rows], genres, where, notes, fallback_years=fallback)
    table = NumericTable(
        filename="u.data",
        sep="\t",
        columns=dict(RATING_DTYPES),
        names=["user", "movie", "rating", "time"],
        usecols=[0, 1, 2, 3],
        first_line=1,
        all_columns=True,
    )
    return RawRelease(movies, read_numeric(src, table, progress), src.where("u.data"), where, 1)
