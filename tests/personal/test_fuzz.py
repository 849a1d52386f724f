"""Random bytes and random CSVs never raise anything but MovietuiError."""

from __future__ import annotations

import csv
import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movietui.catalog.matching import Matcher, title_keys
from movietui.catalog.personal import parse_personal_ratings
from movietui.errors import MovietuiError

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADERS = [
    ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
    ["Date", "Name", "Year", "Letterboxd URI"],
    ["Const", "Your Rating", "Date Rated", "Title", "Original Title", "URL", "Title Type", "Year"],
    ["movie_id", "imdb_id", "tmdb_id", "rating", "average_rating", "title"],
    ["movie_id", "rating", "rated_at", "title", "year", "imdb_id", "tmdb_id"],
    ["Title", "Year", "imdbID", "tmdbID", "Rating", "Rating10", "WatchedDate"],
]
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "4.5",
            "10",
            "0",
            "-1",
            "nan",
            "inf",
            "1e400",
            "1995",
            "2023-01-02",
            "tt0114709",
            "tt",
            "99999999999999999999",
            "2023-02-30",
            "1700000000.5",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def parse_or_clean_error(data: bytes) -> None:
    try:
        export = parse_personal_ratings(data, "fuzz.csv")
    except MovietuiError as error:
        assert "\n" not in str(error)
        return
    for row in export.ratings:
        assert 0.5 <= row.rating <= 5 and row.rating * 2 == int(row.rating * 2)
    assert all(row.rating is None for row in export.watchlist)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    parse_or_clean_error(data)


@FAST
@given(st.sampled_from(HEADERS), st.lists(st.lists(cell, max_size=9), max_size=6), st.booleans())
def test_random_rows_under_real_headers(
    header: list[str], rows: list[list[str]], as_zip: bool
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if as_zip:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("ratings.csv", data)
        data = buffer.getvalue()
    parse_or_clean_error(data)


@FAST
@given(st.text(max_size=200))
def test_random_text_and_json(text: str) -> None:
    parse_or_clean_error(text.encode("utf-8", "surrogatepass"))
    parse_or_clean_error(
        ('{"format": "movietui-ratings", "ratings": ' + text).encode("utf-8", "surrogatepass")
    )


@FAST
@given(st.text(max_size=60), st.one_of(st.none(), st.integers(min_value=-5, max_value=3000)))
def test_matcher_takes_any_title(title: str, year: int | None) -> None:
    matcher = Matcher.from_columns(
        {"movie_id": [1, 2], "title": [title, "Seven (a.k.a. Se7en)"], "year": [1995, 1995]}
    )
    title_keys(title)
    result = matcher.match_title(title, year)
    assert result.kind in {"title", "ambiguous", "not_found"}
