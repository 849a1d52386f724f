"""Reading list files: Letterboxd's list export and plain CSVs (hypothesis for the parser)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from movietui.catalog.lists import parse_film_list, read_film_list
from movietui.errors import DataError

titles = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n\x00"),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() == t and t and not t.endswith(")"))


def letterboxd(name: str, films: list[tuple[str, int]], description: str = "") -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Letterboxd list export v7"])
    w.writerow(["Date", "Name", "Tags", "URL", "Description"])
    w.writerow(["2021-11-06", name, "", "https://boxd.it/dWPpg", description])
    out.write("\n")
    w.writerow(["Position", "Name", "Year", "URL", "Description"])
    for k, (title, year) in enumerate(films, start=1):
        w.writerow([k, title, year, f"https://boxd.it/{k}", ""])
    return out.getvalue()


@given(
    name=titles,
    films=st.lists(st.tuples(titles, st.integers(1890, 2030)), min_size=1, max_size=8),
    description=st.text(max_size=40),
)
def test_a_letterboxd_list_export_reads_back(
    name: str, films: list[tuple[str, int]], description: str
) -> None:
    text = letterboxd(name, films, description)
    parsed = parse_film_list(text, "file")
    assert parsed.format == "letterboxd-list" and parsed.name == name
    assert [(r.title, r.year) for r in parsed.rows] == films
    physical = io.StringIO(text, newline="").readlines()  # a description may span lines
    first = next(k for k, line in enumerate(physical, 1) if line.startswith("Position,")) + 1
    assert [r.line for r in parsed.rows] == list(range(first, first + len(films)))


def test_plain_csvs_with_and_without_a_header() -> None:
    with_header = parse_film_list("title,year,imdbID\nHeat,1995,tt0113277\nAlien,,\n", "mine")
    assert with_header.format == "csv" and with_header.name == "mine"
    assert [(r.title, r.year, r.imdb_id) for r in with_header.rows] == [
        ("Heat", 1995, "tt0113277"),
        ("Alien", None, None),
    ]
    bare = parse_film_list("Toy Story (1995)\ntt0133093\n858\n\nAlien\n", "bare")
    assert [(r.title, r.year, r.imdb_id, r.movie_id) for r in bare.rows] == [
        ("Toy Story", 1995, None, None),
        ("", None, "tt0133093", None),
        ("", None, None, 858),
        ("Alien", None, None, None),
    ]
    watchlist = parse_film_list("Date,Name,Year,Letterboxd URI\n2021-01-01,Dune,2021,x\n", "w")
    assert [(r.title, r.year) for r in watchlist.rows] == [("Dune", 2021)]


def test_bad_files_are_one_clear_error(tmp_path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_film_list(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("Letterboxd list export v7\nDate,Name,Tags,URL,Description\n")
    with pytest.raises(DataError, match="without its film table"):
        read_film_list(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    with pytest.raises(DataError, match="holds no films"):
        read_film_list(blank)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(DataError):
        read_film_list(binary)
