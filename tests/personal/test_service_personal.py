"""import_ratings / export_ratings / export_recommendations on a real Service (ml-latest-small).

One catalog import per module; every test works in its own profile.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from personal_builders import csv_bytes, letterboxd_zip, write

from movietui.catalog.personal import read_personal_ratings
from movietui.errors import MovietuiError, NotFoundError
from movietui.service import Filters, Service

LB = ["Date", "Name", "Year", "Letterboxd URI", "Rating"]


@pytest.fixture(scope="module")
def service(ml_small_zip: Path, tmp_path_factory: pytest.TempPathFactory):
    svc = Service.open(tmp_path_factory.mktemp("personal-home"))
    svc.import_catalog(ml_small_zip)
    yield svc
    svc.close()


def stored(service: Service, name: str) -> dict[int, float]:
    profile = next(p for p in service.profiles() if p.name == name)
    return {r.movie_id: r.rating for r in service.store.profile_ratings(profile.id)}


def test_letterboxd_import_writes_once_and_refolds(service: Service, tmp_path: Path) -> None:
    service.create_profile("lb")
    path = write(
        tmp_path / "ratings.csv",
        csv_bytes(
            LB,
            [
                ["2023-01-02", "Se7en", 1995, "u", 4.5],
                ["2023-01-03", "The Godfather", 1972, "u", 5],
                ["2023-01-04", "Hamlet", 1990, "u", 3],
                ["2023-01-05", "Les Misérables", 1996, "u", 2],  # catalog: 1995
            ],
        ),
    )
    report = service.import_ratings(path)
    assert (report.format, report.profile, report.written, report.unchanged) == (
        "letterboxd-csv",
        "lb",
        4,
        0,
    )
    assert [(row.line, movie.movie_id) for row, movie in report.matched_by_title] == [
        (2, 47),
        (3, 858),
        (4, 3723),
        (5, 73),
    ]
    assert stored(service, "lb") == {47: 4.5, 858: 5.0, 3723: 3.0, 73: 2.0}
    assert {r.movie.movie_id: r.rating for r in service.my_ratings()} == stored(service, "lb")
    assert "wrote 4 ratings (0 unchanged)" in report.summary()
    again = service.import_ratings(path)
    assert (again.written, again.unchanged) == (0, 4)
    assert stored(service, "lb") == {47: 4.5, 858: 5.0, 3723: 3.0, 73: 2.0}


def test_unmatched_rows_block_the_import_unless_partial(service: Service, tmp_path: Path) -> None:
    service.create_profile("partial")
    path = write(
        tmp_path / "ratings.csv",
        csv_bytes(
            LB,
            [
                ["2023-01-02", "Toy Story", 1995, "u", 4],
                ["2023-01-03", "Hamlet", "", "u", 3],  # five Hamlets, no year
                ["2023-01-04", "A Film Nobody Made", 2019, "u", 2],
            ],
        ),
    )
    report = service.import_ratings(path)
    assert report.blocked and report.written == 0
    assert [m.movie_id for m in report.ambiguous[0][1]] == [1411, 3723, 3598, 1941, 2820]
    assert [row.title for row in report.not_found] == ["A Film Nobody Made"]
    assert report.summary().endswith(
        "nothing written; rerun with --partial to import the 1 matched rows"
    )
    assert stored(service, "partial") == {}
    dry = service.import_ratings(path, partial=True, dry_run=True)
    assert dry.written == 1 and stored(service, "partial") == {}
    assert dry.summary().endswith(
        "dry run, nothing written: would write 1 ratings (0 unchanged); "
        "2 unmatched rows would be left out"
    )
    done = service.import_ratings(path, partial=True)
    assert done.written == 1 and stored(service, "partial") == {1: 4.0}


def test_newer_dates_win(service: Service, tmp_path: Path) -> None:
    service.create_profile("dates")
    for day, rating, expected in (
        ("2023-01-01", 3, {1: 3.0}),
        ("2024-01-01", 4, {1: 4.0}),
        ("2022-01-01", 1, {1: 4.0}),
    ):
        path = write(
            tmp_path / f"{day}.csv", csv_bytes(LB, [[day, "Toy Story", 1995, "u", rating]])
        )
        service.import_ratings(path)
        assert stored(service, "dates") == expected


def test_imdb_by_id_into_a_named_profile(service: Service, tmp_path: Path) -> None:
    service.create_profile("imdb")
    service.create_profile("other")  # now current; the import names its target
    header = [
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
    row = [
        "tt0114709",
        9,
        "2021-03-04",
        "Toy Story",
        "Toy Story",
        "u",
        "Movie",
        8.3,
        81,
        1995,
        "x",
        1,
        "",
        "d",
    ]
    path = write(tmp_path / "imdb.csv", csv_bytes(header, [row], "cp1252"))
    report = service.import_ratings(path, profile="imdb")
    assert report.format == "imdb" and not report.matched_by_title
    assert stored(service, "imdb") == {1: 4.5} and stored(service, "other") == {}
    with pytest.raises(NotFoundError, match=r"no profile named 'nobody' \(profiles: .*'imdb'"):
        service.import_ratings(path, profile="nobody")


def test_letterboxd_zip_fills_the_watchlist(service: Service, tmp_path: Path) -> None:
    service.create_profile("zip")
    watch = csv_bytes(
        ["Date", "Name", "Year", "Letterboxd URI"], [["2024-01-01", "Toy Story 2", 1999, "u"]]
    )
    path = letterboxd_zip(
        tmp_path / "export.zip", csv_bytes(LB, [["2023-01-01", "Das Boot", 1981, "u", 4]]), watch
    )
    report = service.import_ratings(path)
    assert (report.format, report.written, report.watchlist_added) == ("letterboxd-zip", 1, 1)
    assert [m.movie_id for m in service.watchlist()] == [3114]
    assert service.import_ratings(path).watchlist_added == 0


def test_bad_file_writes_nothing(service: Service, tmp_path: Path) -> None:
    service.create_profile("bad")
    path = write(
        tmp_path / "r.csv",
        b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,Toy Story,1995,u,4\n"
        b"2023-01-01,Se7en,1995,u,9\n",
    )
    with pytest.raises(MovietuiError, match=r"r.csv: line 3: rating '9' is outside the scale"):
        service.import_ratings(path)
    assert stored(service, "bad") == {}


@pytest.mark.parametrize("fmt", ["letterboxd-csv", "movielens-csv", "json"])
def test_exports_reimport_to_the_same_ratings(service: Service, tmp_path: Path, fmt: str) -> None:
    source = f"src-{fmt}"
    service.create_profile(source)
    for movie_id, rating in ((1, 4.5), (47, 5.0), (4973, 3.5), (1233, 0.5), (3723, 2.0)):
        service.rate(movie_id, rating)
    path = tmp_path / f"out.{'json' if fmt == 'json' else 'csv'}"
    assert service.export_ratings(path, fmt) == 5
    assert (
        read_personal_ratings(path).format
        == {
            "letterboxd-csv": "letterboxd-import",
            "movielens-csv": "movietui-csv",
            "json": "movietui-json",
        }[fmt]
    )
    service.create_profile(f"copy-{fmt}")
    report = service.import_ratings(path)
    assert report.complete and report.written == 5 and not report.matched_by_title
    assert stored(service, f"copy-{fmt}") == stored(service, source)
    if fmt != "letterboxd-csv":  # the lossless formats keep the exact time too
        times = {
            r.movie_id: r.rated_at
            for r in service.store.profile_ratings(service.current_profile.id)
        }
        source_id = next(p.id for p in service.profiles() if p.name == source)
        assert times == {r.movie_id: r.rated_at for r in service.store.profile_ratings(source_id)}
    # Back into the source profile: nothing changes.
    assert service.import_ratings(path, profile=source).written == 0


def test_marks_round_trip_through_json_and_old_files_still_import(
    service: Service, tmp_path: Path
) -> None:
    service.create_profile("marks-src")
    service.rate(47, 4.5)
    service.mark_not_interested(1)
    service.mark_seen(4973)
    path = tmp_path / "marks.json"
    assert service.export_ratings(path, "json") == 1
    document = json.loads(path.read_text())
    assert [(e["movie_id"], e["title"], e["mark"]) for e in document["marks"]] == [
        (1, "Toy Story", "not_interested"),
        (4973, "Amelie (Fabuleux destin d'Amélie Poulain, Le)", "seen"),
    ]
    service.create_profile("marks-copy")
    report = service.import_ratings(path)
    assert report.complete and report.written == 1 and report.marks_written == 2
    assert "2 marks" in report.outcome()
    assert service.marks() == {1: "not_interested", 4973: "seen"}  # the live profile has them too
    assert stored(service, "marks-copy") == {47: 4.5}
    source_id = next(p.id for p in service.profiles() if p.name == "marks-src")
    assert service.store.feedback(service.current_profile.id) == service.store.feedback(
        source_id
    )  # times kept
    assert service.import_ratings(path).marks_written == 0  # twice: nothing changes
    # A file from before marks existed (no "marks" key) imports its ratings as before.
    del document["marks"]
    old = write(tmp_path / "old.json", json.dumps(document).encode())
    service.create_profile("marks-old")
    report = service.import_ratings(old)
    assert report.written == 1 and report.marks_written == 0 and service.marks() == {}


def test_imported_marks_never_override_ratings(service: Service, tmp_path: Path) -> None:
    service.create_profile("rated-first")
    service.rate(1, 3.0)
    path = write(
        tmp_path / "m.json",
        json.dumps(
            {
                "format": "movietui-ratings",
                "version": 1,
                "ratings": [{"movie_id": 47, "rating": 4.0, "rated_at": 10}],
                "marks": [
                    {"movie_id": 1, "mark": "seen", "marked_at": 9e9 / 2},  # rated here: skipped
                    {
                        "movie_id": 47,
                        "mark": "not_interested",
                        "marked_at": 20,
                    },  # rated in the file: skipped
                    {"movie_id": 318, "mark": "seen"},
                ],
            }
        ).encode(),
    )
    dry = service.import_ratings(path, dry_run=True)
    assert dry.marks_written == 1 and service.marks() == {}
    report = service.import_ratings(path)
    assert report.marks_written == 1
    assert service.marks() == {318: "seen"} and stored(service, "rated-first") == {1: 3.0, 47: 4.0}


def test_export_of_a_named_profile_and_bad_format(service: Service, tmp_path: Path) -> None:
    service.create_profile("named")
    service.rate(1, 3.0)
    service.create_profile("elsewhere")
    assert service.export_ratings(tmp_path / "n.json", "json", profile="named") == 1
    document = json.loads((tmp_path / "n.json").read_text())
    assert document["format"] == "movietui-ratings" and document["profile"] == "named"
    assert [
        (e["movie_id"], e["title"], e["year"], e["imdb_id"], e["rating"])
        for e in document["ratings"]
    ] == [(1, "Toy Story", 1995, "tt0114709", 3.0)]
    with pytest.raises(MovietuiError, match="unknown ratings format 'xml'"):
        service.export_ratings(tmp_path / "n.xml", "xml")
    with pytest.raises(MovietuiError, match="cannot write"):
        service.export_ratings(tmp_path / "missing-dir" / "n.json", "json")
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_recommendations(service: Service, tmp_path: Path) -> None:
    service.create_profile("recs")
    assert (
        service.export_recommendations(
            tmp_path / "r.json", "json", n=5, filters=Filters(year_min=2000)
        )
        == 5
    )
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["format"] == "movietui-recommendations" and document["profile"] == "recs"
    assert [r["rank"] for r in document["recommendations"]] == [1, 2, 3, 4, 5]
    assert all(r["year"] >= 2000 for r in document["recommendations"])
    assert set(document["recommendations"][0]) == {
        "rank",
        "movie_id",
        "title",
        "year",
        "genres",
        "predicted",
        "mean_rating",
        "rating_count",
        "because",
    }
    assert service.export_recommendations(tmp_path / "r.csv", "csv", n=3) == 3
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["rank"] for r in rows] == ["1", "2", "3"] and all(
        float(r["predicted"]) > 0 for r in rows
    )


def test_resolve_title(service: Service) -> None:
    assert service.resolve_title("toy story").movie_id == 1
    assert service.resolve_title("se7en").movie_id == 47
    assert service.resolve_title("hamlet", year=1990).movie_id == 3723
    with pytest.raises(NotFoundError, match="'hamlet' matches 5 films; add --year YEAR") as caught:
        service.resolve_title("hamlet")
    assert [v.year for v in caught.value.candidates] == [1996, 1990, 2000, 1948, 1964]
    with pytest.raises(NotFoundError, match="no film matches 'zzzqqq'"):
        service.resolve_title("zzzqqq")


def test_undated_rows_use_the_file_time(service: Service, tmp_path: Path) -> None:
    service.create_profile("undated")
    header = ["movie_id", "imdb_id", "tmdb_id", "rating", "average_rating", "title"]
    path = write(
        tmp_path / "ml.csv", csv_bytes(header, [[1, "0114709", 862, 4.0, 3.9, "Toy Story (1995)"]])
    )
    os.utime(path, (1_600_000_000, 1_600_000_000))
    assert service.import_ratings(path).written == 1
    (rating,) = service.store.profile_ratings(service.current_profile.id)
    assert (rating.movie_id, rating.rating, rating.rated_at) == (1, 4.0, 1_600_000_000.0)
    assert service.import_ratings(path).written == 0
