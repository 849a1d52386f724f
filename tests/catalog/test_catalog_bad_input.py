"""Every kind of bad release gives one DataError line naming the file (and line) and what to do."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from catalog_builders import CSV_MOVIES, CSV_RATINGS, csv_zip, layout_files, write_files, write_zip
from hypothesis import given, settings
from hypothesis import strategies as st

from movietui.catalog import tables
from movietui.catalog.readers import read_release
from movietui.errors import DataError

RATINGS_HEAD = "userId,movieId,rating,timestamp\n"


def error_of(path: Path) -> str:
    with pytest.raises(DataError) as info:
        read_release(path)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "ml-latest-small.zip"
    path.write_text("<html>Service unavailable</html>")
    message = error_of(path)
    assert (
        str(path) in message and "not a readable zip" in message and "download it again" in message
    )


def test_truncated_zip(tmp_path: Path) -> None:
    good = csv_zip(tmp_path, ratings_csv=CSV_RATINGS * 50)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    message = error_of(cut)
    assert "cut.zip" in message and "truncated or damaged" in message


def test_damaged_member_inside_a_whole_zip(tmp_path: Path) -> None:
    rows = "".join(f"{u},{1 + u % 5},{1 + u % 4}.0,{964982703 + u}\n" for u in range(1, 3000))
    good = csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + rows)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("ml-test/ratings.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 200, start + 260):  # scribble over the compressed ratings
        data[k] ^= 0x5A
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    message = error_of(bad)
    assert "bad.zip" in message and ("damaged" in message or "ratings.csv" in message)


def test_missing_path_and_not_a_release(tmp_path: Path) -> None:
    assert "does not exist" in error_of(tmp_path / "nope.zip")
    write_files(tmp_path / "empty" / "stuff", {"notes.txt": "hi"})
    assert "no MovieLens files" in error_of(tmp_path / "empty")


@pytest.mark.parametrize("missing", ["ratings.csv", "movies.csv"])
def test_missing_file(tmp_path: Path, missing: str) -> None:
    message = error_of(csv_zip(tmp_path, **{missing.replace(".", "_"): None}))
    assert f"ml-test/{missing} in ml-test.zip is missing" in message and "re-download" in message


def test_missing_dat_file(tmp_path: Path) -> None:
    name, files = layout_files("1m")
    del files["ratings.dat"]
    message = error_of(write_zip(tmp_path / "ml-1m.zip", name, files))
    assert "ml-1m/ratings.dat in ml-1m.zip is missing" in message


def test_wrong_columns(tmp_path: Path) -> None:
    message = error_of(csv_zip(tmp_path, ratings_csv="userId,film,score,timestamp\n1,1,4.0,1\n"))
    assert "ratings.csv" in message
    assert "expected columns userId, movieId, rating, timestamp" in message
    assert (
        "found userId, film, score, timestamp" in message and "missing movieId, rating" in message
    )


def test_wrong_movie_columns(tmp_path: Path) -> None:
    message = error_of(csv_zip(tmp_path, movies_csv="id,name\n1,Heat (1995)\n"))
    assert "movies.csv" in message and "expected columns movieId, title, genres" in message
    assert "found id, name" in message


def test_non_numeric_rating_names_the_line(tmp_path: Path) -> None:
    text = RATINGS_HEAD + "1,1,4.0,964982703\n1,2,5.0,964981247\n1,5,four,964982224\n"
    message = error_of(csv_zip(tmp_path, ratings_csv=text))
    assert (
        "ml-test/ratings.csv in ml-test.zip line 4: rating 'four' is not a valid number" in message
    )


def test_bad_id_found_in_a_later_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "CHUNK_ROWS", 3)
    rows = [f"{u},{1 + u % 5},3.0,{964982703 + u}" for u in range(1, 12)]
    rows[8] = "x9,2,3.0,964982712"  # the 9th data row is line 10
    message = error_of(csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + "\n".join(rows) + "\n"))
    assert "line 10: userId 'x9' is not a valid whole number" in message


def test_missing_rating_value(tmp_path: Path) -> None:
    message = error_of(csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + "1,1,4.0,1\n1,2,,2\n"))
    assert "line 3: rating is missing" in message


def test_id_too_big_and_not_positive(tmp_path: Path) -> None:
    message = error_of(
        csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + "1,1,4.0,1\n99999999999,2,3.0,2\n")
    )
    assert "line 3: userId '99999999999' is not a valid whole number" in message
    message = error_of(csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + "1,1,4.0,1\n-4,2,3.0,2\n"))
    assert "line 3: userId -4 is not a positive id" in message


def test_extra_field_names_the_line(tmp_path: Path) -> None:
    message = error_of(
        csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + "1,1,4.0,1\n1,2,3.0,2\n1,3,3.0,3,9\n")
    )
    assert "ratings.csv in ml-test.zip line 4: expected 4 fields but found 5" in message


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("7", "is not between 0.5 and 5"),
        ("0", "is not between 0.5 and 5"),
        ("3.3", "is not a whole or half star"),
    ],
)
def test_rating_out_of_range(tmp_path: Path, value: str, why: str) -> None:
    text = RATINGS_HEAD + f"1,1,4.0,1\n1,2,5.0,2\n2,1,{value},3\n"
    message = error_of(csv_zip(tmp_path, ratings_csv=text))
    assert f"line 4: rating {value} {why}" in message and "fix that row" in message


def test_unknown_movies_are_dropped_with_a_note(tmp_path: Path) -> None:
    text = RATINGS_HEAD + "1,1,4.0,1\n1,99,5.0,2\n2,99,3.0,3\n2,77,3.0,4\n2,2,3.0,5\n"
    data = read_release(csv_zip(tmp_path, ratings_csv=text))
    assert data.movie_id.tolist() == [1, 2]
    assert data.notes == [
        (
            "ml-test/ratings.csv in ml-test.zip: dropped 3 ratings of 2 movies not in "
            "ml-test/movies.csv in ml-test.zip (ids 77, 99)"
        )
    ]


def test_all_movies_unknown_is_an_error(tmp_path: Path) -> None:
    message = error_of(csv_zip(tmp_path, ratings_csv=RATINGS_HEAD + "1,98,4.0,1\n1,99,5.0,2\n"))
    assert "none of its 2 ratings is for a movie in" in message


def test_duplicates_keep_the_latest(tmp_path: Path) -> None:
    text = RATINGS_HEAD + "1,1,4.0,100\n1,2,5.0,50\n1,1,2.0,300\n2,1,1.0,10\n1,1,3.0,200\n"
    data = read_release(csv_zip(tmp_path, ratings_csv=text))
    rows = sorted(
        zip(
            data.user_id.tolist(),
            data.movie_id.tolist(),
            data.rating.tolist(),
            data.timestamp.tolist(),
        )
    )
    assert rows == [(1, 1, 2.0, 300), (1, 2, 5.0, 50), (2, 1, 1.0, 10)]
    assert data.notes == [
        "ml-test/ratings.csv in ml-test.zip: 2 duplicate (user, movie) rows; kept the latest rating of each by timestamp"
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ratings_csv": ""}, "ratings.csv in ml-test.zip is empty"),
        ({"ratings_csv": RATINGS_HEAD}, "ratings.csv in ml-test.zip has no data rows"),
        ({"movies_csv": ""}, "movies.csv in ml-test.zip is empty"),
        ({"movies_csv": "movieId,title,genres\n"}, "movies.csv in ml-test.zip has no movies"),
    ],
)
def test_empty_files(tmp_path: Path, overrides: dict, expected: str) -> None:
    assert expected in error_of(csv_zip(tmp_path, **overrides))


def test_wrong_encoding(tmp_path: Path) -> None:
    path = csv_zip(tmp_path, movies_csv=CSV_MOVIES.encode("latin-1"))  # "Cité" in latin-1 on line 4
    message = error_of(path)
    offset = CSV_MOVIES.encode("latin-1").index(b"Cit\xe9") + 3
    assert f"movies.csv in ml-test.zip line 4: byte 0xe9 at offset {offset}" in message
    assert "not UTF-8" in message and "re-download" in message


def test_dat_with_wrong_separator(tmp_path: Path) -> None:
    name, files = layout_files("1m")
    files["ratings.dat"] = "1,1,5,978300760\n"
    message = error_of(write_zip(tmp_path / "ml-1m.zip", name, files))
    assert "ml-1m/ratings.dat in ml-1m.zip line 1: expected 4 '::'-separated fields" in message


def test_dat_bad_rating_line(tmp_path: Path) -> None:
    name, files = layout_files("1m")
    files["ratings.dat"] = "1::1::5::978300760\n1::2::5::978300761\n1::3::x::978300762\n"
    message = error_of(write_zip(tmp_path / "ml-1m.zip", name, files))
    assert "ratings.dat in ml-1m.zip line 3: rating 'x' is not a valid number" in message


def test_100k_short_item_row(tmp_path: Path) -> None:
    name, files = layout_files("100k")
    files["u.item"] = files["u.item"] + b"6|Broken (1990)|01-Jan-1990\n"
    message = error_of(write_zip(tmp_path / "ml-100k.zip", name, files))
    assert (
        "ml-100k/u.item in ml-100k.zip line 6: expected 24 '|'-separated fields but found 3"
        in message
    )


def test_wrong_encoding_in_ratings_past_the_first_block(tmp_path: Path) -> None:
    rows = "".join(f"{u},{1 + u % 5},4.0,{964982703 + u}\n" for u in range(1, 60_000))  # > 1 MiB
    head = (RATINGS_HEAD + rows).encode()
    text = head + b"7,2,3.0,9649827\xe9\n"
    message = error_of(csv_zip(tmp_path, ratings_csv=text))
    line = head.count(b"\n") + 1
    assert (
        f"ratings.csv in ml-test.zip line {line:,}: byte 0xe9 at offset {len(head) + 15:,} is not UTF-8"
        in message
    )


def test_a_single_file_points_at_its_folder(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "ml-x", {"ratings.csv": CSV_RATINGS, "movies.csv": CSV_MOVIES})
    message = error_of(folder / "ratings.csv")
    assert "is a single file" in message and f"movietui import {folder}" in message
    assert read_release(folder).release == "ml-x"


def test_dat_bad_movie_id_counts_blank_lines(tmp_path: Path) -> None:
    name, files = layout_files("1m")
    files["movies.dat"] = "1::Toy Story (1995)::Comedy\n\nx7::Heat (1995)::Action\n"
    message = error_of(write_zip(tmp_path / "ml-1m.zip", name, files))
    assert (
        "ml-1m/movies.dat in ml-1m.zip line 3: MovieID 'x7' is not a positive whole number"
        in message
    )


_token = st.sampled_from(
    [
        b"1",
        b"2",
        b"5",
        b"0",
        b"4.5",
        b"3.5",
        b"-1",
        b"1e9",
        b"x",
        b"",
        b" ",
        b",",
        b",",
        b"\n",
        b"\n",
        b'"',
        b"::",
    ]
)
_junk = st.lists(
    st.one_of(_token, _token, _token, st.binary(min_size=1, max_size=2)), max_size=40
).map(b"".join)


@settings(max_examples=80, deadline=None)
@given(ratings=_junk, movies=st.one_of(st.just(b""), _junk))
def test_any_damage_is_a_data_error_or_a_valid_read(ratings: bytes, movies: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = csv_zip(
            Path(tmp),
            ratings_csv=(RATINGS_HEAD + "1,1,4.0,1\n").encode() + ratings,
            movies_csv=CSV_MOVIES.encode() + movies,
        )
        try:
            data = read_release(path)
        except DataError as exc:
            assert "\n" not in str(exc) and "ml-test" in str(exc)
            return
        assert data.rating.size >= 1
        assert bool(((data.rating >= 0.5) & (data.rating <= 5)).all())
        assert bool((data.user_id > 0).all()) and set(data.movie_id.tolist()) <= set(
            data.movies["movie_id"].tolist()
        )
