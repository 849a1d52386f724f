"""A small hand-built catalog with the titles that trip matchers up, and file builders."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from movietui.catalog.matching import CatalogMovie

# (movie_id, MovieLens title without year, year, imdb_id, tmdb_id, rating_count)
HAND_CATALOG = [
    (1, "Toy Story", 1995, "tt0114709", 862, 215),
    (3114, "Toy Story 2", 1999, "tt0120363", 863, 97),
    (47, "Seven (a.k.a. Se7en)", 1995, "tt0114369", 807, 203),
    (858, "Godfather, The", 1972, "tt0068646", 238, 192),
    (1221, "Godfather: Part II, The", 1974, "tt0071562", 240, 129),
    (1954, "Rocky", 1976, "tt0075148", 1366, 64),
    (2409, "Rocky II", 1979, "tt0079817", 1367, 24),
    (1233, "Boot, Das (Boat, The)", 1981, "tt0082096", 387, 51),
    (4973, "Amelie (Fabuleux destin d'Amélie Poulain, Le)", 2001, "tt0211915", 194, 120),
    (73, "Misérables, Les", 1995, "tt0113828", 48750, 7),
    (3723, "Hamlet", 1990, "tt0099726", 10264, 5),
    (1411, "Hamlet", 1996, "tt0116477", 10549, 16),
    (3598, "Hamlet", 2000, "tt0171359", 10688, 3),
    (745, "Wallace & Gromit: A Close Shave", 1995, "tt0112691", 532, 27),
    (1320, "Alien³ (a.k.a. Alien 3)", 1992, "tt0103644", 8077, 34),
    # Two films sharing a title and a year, equally rated: only a human can choose.
    (9001, "Twins", 2005, "tt9000001", 90001, 4),
    (9002, "Twins", 2005, "tt9000002", 90002, 4),
    # Same title one year apart, different popularity: the exact year must win.
    (9101, "Crash", 2004, "tt0375679", 1640, 40),
    (9102, "Crash", 2005, "tt9100002", 90102, 90),
]


def display_title(title: str) -> str:
    """Enough of the catalog's display rule for these titles ("Godfather, The" -> "The Godfather")."""
    head, sep, tail = title.partition(" (")
    for article in (", The", ", Les", ", Das"):
        if head.endswith(article):
            head = article[2:] + " " + head[: -len(article)]
    return head + (sep + tail if sep else "")


def hand_movies() -> list[CatalogMovie]:
    return [
        CatalogMovie(mid, title, display_title(title), year, imdb, tmdb, count)
        for mid, title, year, imdb, tmdb, count in HAND_CATALOG
    ]


def csv_bytes(header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def letterboxd_zip(path: Path, ratings: bytes, watchlist: bytes | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.csv", "Date Joined,Username\n2020-01-01,someone\n")
        archive.writestr("ratings.csv", ratings)
        archive.writestr(
            "diary.csv", "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        )
        archive.writestr(
            "deleted/ratings.csv",
            "Date,Name,Year,Letterboxd URI,Rating\n2020-01-01,Gone,1990,u,1\n",
        )
        if watchlist is not None:
            archive.writestr("watchlist.csv", watchlist)
    return path
