"""Parsing every supported export, and one clear line for every bad one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from personal_builders import csv_bytes, letterboxd_zip, write

from movietui.catalog.matching import Matcher
from movietui.catalog.personal import PersonalRating, read_personal_ratings
from movietui.errors import DataError

DAY = 86400
JAN_2_2023 = 1672617600.0

LETTERBOXD_HEADER = ["Date", "Name", "Year", "Letterboxd URI", "Rating"]
LETTERBOXD_ROWS = [
    ["2023-01-02", "Se7en", 1995, "https://boxd.it/29Eu", 4.5],
    ["2023-01-03", "The Godfather: Part II", 1974, "https://boxd.it/2aHi", 5],
    ["2023-01-04", "Amélie", 2001, "https://boxd.it/1Y8Y", 4],
    ["2023-01-05", "Les Misérables", 1996, "https://boxd.it/x1", 3],  # catalog says 1995
    ["2023-01-06", "Hamlet", 1990, "https://boxd.it/x2", 3.5],
    ["2023-01-07", "Hamlet", 2000, "https://boxd.it/x3", 2],
    ["2023-01-08", "Rocky II", 1979, "https://boxd.it/x4", 0.5],
    ["2023-01-09", "Twins", 2005, "https://boxd.it/x5", 3],  # two equal candidates
    ["2023-01-10", "A Film Nobody Has Heard Of", 2019, "https://boxd.it/x6", 4],
]
# What each row above must become: (kind, movie_id)
LETTERBOXD_EXPECTED = [
    ("title", 47),
    ("title", 1221),
    ("title", 4973),
    ("title", 73),
    ("title", 3723),
    ("title", 3598),
    ("title", 2409),
    ("ambiguous", None),
    ("not_found", None),
]

IMDB_OLD_HEADER = [
    "Const",
    "Your Rating",
    "Date Rated",
    "Title",
    "URL",
    "Title Type",
    "IMDb Rating",
    "Runtime (mins)",
    "Year",
    "Genres",
    "Num Votes",
    "Release Date",
    "Directors",
]
IMDB_NEW_HEADER = [
    "Const",
    "Your Rating",
    "Date Rated",
    "Title",
    "Original Title",
    "URL",
    "Title Type",
    "IMDb Rating",
    "Runtime (mins)",
    "Year",
    "Genres",
    "Num Votes",
    "Release Date",
    "Directors",
]


def imdb_row(
    header: list[str],
    const: str,
    rating: int,
    rated: str,
    title: str,
    year: int,
    original: str = "",
) -> list[object]:
    values = {
        "Const": const,
        "Your Rating": rating,
        "Date Rated": rated,
        "Title": title,
        "Original Title": original or title,
        "URL": f"https://www.imdb.com/title/{const}/",
        "Title Type": "Movie",
        "IMDb Rating": 8.1,
        "Runtime (mins)": 100,
        "Year": year,
        "Genres": "Drama",
        "Num Votes": 1000,
        "Release Date": f"{year}-01-01",
        "Directors": "X",
    }
    return [values[column] for column in header]


def kinds(matcher: Matcher, rows: list[PersonalRating]) -> list[tuple[str, int | None]]:
    out = []
    for row in rows:
        result = matcher.match(
            title=row.title,
            year=row.year,
            movie_id=row.movie_id,
            imdb_id=row.imdb_id,
            tmdb_id=row.tmdb_id,
        )
        out.append((result.kind, result.movie.movie_id if result.movie else None))
    return out


def test_letterboxd_ratings_csv(tmp_path: Path, hand_matcher: Matcher) -> None:
    export = read_personal_ratings(
        write(tmp_path / "ratings.csv", csv_bytes(LETTERBOXD_HEADER, LETTERBOXD_ROWS))
    )
    assert export.format == "letterboxd-csv" and export.format_label == "Letterboxd ratings.csv"
    first = export.ratings[0]
    assert first == PersonalRating(
        "letterboxd-csv", 2, "Se7en", 1995, None, None, None, 4.5, JAN_2_2023
    )
    assert [r.rating for r in export.ratings] == [4.5, 5, 4, 3, 3.5, 2, 0.5, 3, 4]
    assert [r.line for r in export.ratings] == list(range(2, 11))
    assert kinds(hand_matcher, export.ratings) == LETTERBOXD_EXPECTED


def test_letterboxd_zip_takes_ratings_and_watchlist(tmp_path: Path, hand_matcher: Matcher) -> None:
    watchlist = csv_bytes(
        ["Date", "Name", "Year", "Letterboxd URI"],
        [["2024-05-01", "Toy Story 2", 1999, "u1"], ["2024-05-02", "Das Boot", 1981, "u2"]],
    )
    path = letterboxd_zip(
        tmp_path / "letterboxd-someone-2024.zip",
        csv_bytes(LETTERBOXD_HEADER, LETTERBOXD_ROWS[:3]),
        watchlist,
    )
    export = read_personal_ratings(path)
    assert export.format == "letterboxd-zip"
    assert [r.title for r in export.ratings] == ["Se7en", "The Godfather: Part II", "Amélie"]
    assert [(r.title, r.rating) for r in export.watchlist] == [
        ("Toy Story 2", None),
        ("Das Boot", None),
    ]
    assert kinds(hand_matcher, export.watchlist) == [("title", 3114), ("title", 1233)]


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [("\t", "utf-16"), (";", "utf-8-sig"), (",", "utf-16-be")]
)
def test_spreadsheet_saves_read_like_the_export(
    tmp_path: Path, hand_matcher: Matcher, delimiter, encoding
) -> None:
    # Excel's "Unicode Text" is UTF-16 with a BOM and tabs; its CSV in decimal-comma locales
    # uses semicolons. Either way the ratings must come out as from the original export.
    text = csv_bytes(LETTERBOXD_HEADER, LETTERBOXD_ROWS).decode().replace(",", delimiter)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    export = read_personal_ratings(write(tmp_path / "ratings.txt", data))
    original = read_personal_ratings(
        write(tmp_path / "ratings.csv", csv_bytes(LETTERBOXD_HEADER, LETTERBOXD_ROWS))
    )
    assert export.format == "letterboxd-csv"
    assert export.ratings == original.ratings
    assert kinds(hand_matcher, export.ratings) == LETTERBOXD_EXPECTED


@pytest.mark.parametrize(
    ("header", "encoding"), [(IMDB_OLD_HEADER, "cp1252"), (IMDB_NEW_HEADER, "utf-8-sig")]
)
def test_imdb_old_and_new_columns(tmp_path: Path, hand_matcher: Matcher, header, encoding) -> None:
    rows = [
        imdb_row(header, "tt0114709", 10, "2020-05-01", "Toy Story", 1995),
        imdb_row(
            header,
            "tt0211915",
            9,
            "2020-05-02",
            "Amélie",
            2001,
            "Le fabuleux destin d'Amélie Poulain",
        ),
        imdb_row(header, "tt0082096", 1, "2020-05-03", "Das Boot", 1981),
        imdb_row(
            header, "tt7777777", 6, "2020-05-04", "Misérables, Les", 1995
        ),  # id unknown: title
        imdb_row(header, "tt0903747", 7, "2020-05-05", "Breaking Bad", 2008),  # a series: not found
    ]
    export = read_personal_ratings(write(tmp_path / "imdb.csv", csv_bytes(header, rows, encoding)))
    assert export.format == "imdb"
    assert [r.rating for r in export.ratings] == [5.0, 4.5, 0.5, 3.0, 3.5]
    assert export.ratings[1].title == "Amélie"  # cp1252 decoded correctly
    assert export.ratings[0].imdb_id == "tt0114709" and export.ratings[0].rated_at == 1588291200.0
    assert kinds(hand_matcher, export.ratings) == [
        ("id", 1),
        ("id", 4973),
        ("id", 1233),
        ("title", 73),
        ("not_found", None),
    ]


def test_imdb_columns_are_read_by_name_not_position(tmp_path: Path) -> None:
    header = ["Year", "Title", "Your Rating", "Const", "Date Rated"]
    path = write(
        tmp_path / "r.csv", csv_bytes(header, [[1995, "Toy Story", 8, "tt0114709", "2021-01-01"]])
    )
    (row,) = read_personal_ratings(path).ratings
    assert (row.title, row.year, row.rating, row.imdb_id) == ("Toy Story", 1995, 4.0, "tt0114709")


def test_movielens_export(tmp_path: Path, hand_matcher: Matcher) -> None:
    header = ["movie_id", "imdb_id", "tmdb_id", "rating", "average_rating", "title"]
    rows = [
        [1, "0114709", 862, 4.5, 3.92, "Toy Story (1995)"],
        [1221, "0071562", 240, 5.0, 4.26, "Godfather: Part II, The (1974)"],
        [123456789, "", "", 3.0, 3.1, "Seven (a.k.a. Se7en) (1995)"],
    ]
    export = read_personal_ratings(
        write(tmp_path / "movielens-ratings.csv", csv_bytes(header, rows))
    )
    assert export.format == "movielens"
    assert [(r.movie_id, r.title, r.year, r.rated_at) for r in export.ratings] == [
        (1, "Toy Story", 1995, None),
        (1221, "Godfather: Part II, The", 1974, None),
        (123456789, "Seven (a.k.a. Se7en)", 1995, None),
    ]
    assert kinds(hand_matcher, export.ratings) == [("id", 1), ("id", 1221), ("title", 47)]


def test_movietui_csv_and_json(tmp_path: Path) -> None:
    header = ["movie_id", "rating", "rated_at", "title", "year", "imdb_id", "tmdb_id"]
    export = read_personal_ratings(
        write(
            tmp_path / "mine.csv",
            csv_bytes(header, [[47, 4, 1700000000.5, "Se7en", 1995, "tt0114369", 807]]),
        )
    )
    assert export.format == "movietui-csv"
    assert export.ratings[0] == PersonalRating(
        "movietui-csv", 2, "Se7en", 1995, "tt0114369", 47, 807, 4.0, 1700000000.5
    )
    document = {
        "format": "movietui-ratings",
        "version": 1,
        "profile": "me",
        "ratings": [
            {
                "movie_id": 47,
                "title": "Se7en",
                "year": 1995,
                "imdb_id": "tt0114369",
                "tmdb_id": 807,
                "rating": 4.0,
                "rated_at": 1700000000.5,
            }
        ],
    }
    export = read_personal_ratings(write(tmp_path / "mine.json", json.dumps(document).encode()))
    assert export.format == "movietui-json"
    assert export.ratings[0] == PersonalRating(
        "movietui-json", 1, "Se7en", 1995, "tt0114369", 47, 807, 4.0, 1700000000.5
    )


def test_letterboxd_import_format(tmp_path: Path) -> None:
    header = ["Title", "Year", "imdbID", "tmdbID", "Rating", "WatchedDate"]
    export = read_personal_ratings(
        write(
            tmp_path / "lb.csv",
            csv_bytes(header, [["Se7en", 1995, "tt0114369", 807, 4.5, "2023-01-02"]]),
        )
    )
    assert export.format == "letterboxd-import"
    assert export.ratings[0] == PersonalRating(
        "letterboxd-import", 2, "Se7en", 1995, "tt0114369", None, 807, 4.5, JAN_2_2023
    )


BAD_FILES = [
    ("empty.csv", b"", "empty.csv: the file is empty"),
    ("blank.csv", b"\r\n  \r\n", "blank.csv: the file is empty"),
    ("header-only.csv", b"Date,Name,Year,Letterboxd URI,Rating\r\n", "holds no ratings"),
    ("unknown.csv", b"a,b,c\n1,2,3\n", "unknown.csv: line 1: unknown format"),
    (
        "missing.csv",
        b"Const,Your Rating,Title\ntt0114709,8,Toy Story\n",
        "line 1: IMDb Your Ratings export is missing column(s) date rated, year",
    ),
    (
        "scale.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,Se7en,1995,u,4\n2023-01-01,Alien,1979,u,6\n",
        "scale.csv: line 3: rating '6' is outside the scale 0.5..5",
    ),
    (
        "half.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,Se7en,1995,u,4.3\n",
        "line 2: rating '4.3' is outside",
    ),
    (
        "zero.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,Se7en,1995,u,0\n",
        "line 2: rating '0' is outside",
    ),
    (
        "imdb11.csv",
        b"Const,Your Rating,Date Rated,Title,Year\ntt0114709,11,2020-01-01,Toy Story,1995\n",
        "line 2: rating '11' is outside the scale 1..10",
    ),
    ("nan.csv", b"movie_id,rating\n1,nan\n", "line 2: rating 'nan' is outside"),
    ("word.csv", b"movie_id,rating\n1,good\n", "line 2: rating 'good' is not a number"),
    (
        "year.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,Se7en,nineteen,u,4\n",
        "line 2: 'year' is 'nineteen', not a number",
    ),
    (
        "date.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n31/01/2023,Se7en,1995,u,4\n",
        "line 2: date '31/01/2023' is not like 2023-01-31",
    ),
    (
        "noname.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,,1995,u,4\n",
        "line 2: empty 'name'",
    ),
    (
        "badid.csv",
        b"Const,Your Rating,Date Rated,Title,Year\nnm0000123,8,2020-01-01,X,1995\n",
        "line 2: IMDb id 'nm0000123'",
    ),
    ("binary.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary.bin: looks like a binary file"),
    ("bad.zip", b"PK\x03\x04 not really a zip", "bad.zip: broken zip file"),
    ("other.json", b'{"ratings": []}', "other.json: line 1: unknown JSON format"),
    ("broken.json", b'{"format": "movietui-ratings", ', "broken.json: line 1: not valid JSON"),
    (
        "entry.json",
        b'{"format": "movietui-ratings", "ratings": [{"movie_id": 1, "rating": 9}]}',
        "entry.json: rating 1: rating '9' is outside",
    ),
    (
        "mark.json",
        b'{"format": "movietui-ratings", "ratings": [], "marks": [{"movie_id": 1, "mark": "meh"}]}',
        "mark.json: mark 1: mark 'meh' is not known; use not_interested or seen",
    ),
    (
        "markid.json",
        b'{"format": "movietui-ratings", "ratings": [], "marks": [{"mark": "seen"}]}',
        "markid.json: mark 1: empty 'movie_id'",
    ),
    (
        "marks.json",
        b'{"format": "movietui-ratings", "ratings": [], "marks": {}}',
        "marks.json: line 1: 'marks' must be a list",
    ),
    (
        "watched.csv",
        b"Date,Name,Year,Letterboxd URI\n2023-01-01,Se7en,1995,u\n",
        "watched.csv: line 1: Letterboxd's watched.csv holds no ratings",
    ),
    ("undecodable.csv", b"Date,Name\n\x81\x8d\x8f\n", "neither UTF-8 nor Windows-1252"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_fail_with_one_line(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(DataError) as caught:
        read_personal_ratings(write(tmp_path / name, data))
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_zip_without_ratings_or_with_a_foreign_ratings_csv(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(DataError, match=r"other.zip: no ratings.csv inside the zip"):
        read_personal_ratings(path)
    path = letterboxd_zip(tmp_path / "ml.zip", b"userId,movieId,rating,timestamp\n1,1,4,0\n")
    with pytest.raises(DataError, match=r"ml.zip:ratings.csv: line 1: unknown format"):
        read_personal_ratings(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read the file"):
        read_personal_ratings(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_personal_ratings(tmp_path)
