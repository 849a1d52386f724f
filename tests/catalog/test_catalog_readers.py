"""read_release over every layout (zip, folder, parent folder) and the real ml-latest-small."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from catalog_builders import CSV_ROWS, csv_zip, layout_files, write_files, write_zip

from movietui.catalog.progress import Progress
from movietui.catalog.readers import CatalogData, read_release

VARIANTS = ("zip", "folder", "parent")


def make_release(tmp_path: Path, kind: str, variant: str) -> Path:
    folder_name, files = layout_files(kind)
    if variant == "zip":
        return write_zip(tmp_path / f"{kind}.zip", folder_name, files)
    folder = write_files(tmp_path / "unpacked" / folder_name, files)
    return folder if variant == "folder" else folder.parent


def movie(data: CatalogData, movie_id: int) -> dict:
    i = list(data.movies["movie_id"]).index(movie_id)
    return {k: v[i] for k, v in data.movies.items()}


def check_contract_types(data: CatalogData) -> None:
    m = data.movies
    n = len(m["movie_id"])
    assert all(
        len(m[k]) == n for k in ("title", "display_title", "year", "genres", "imdb_id", "tmdb_id")
    )
    assert (
        m["movie_id"].dtype == np.int64
        and m["year"].dtype == np.int32
        and m["tmdb_id"].dtype == np.int64
    )
    assert all(isinstance(t, str) for t in m["title"] + m["display_title"] + m["genres"])
    assert list(m["movie_id"]) == sorted(m["movie_id"])
    assert data.user_id.dtype == np.int32 and data.movie_id.dtype == np.int32
    assert data.rating.dtype == np.float32 and data.timestamp.dtype == np.int64
    assert len({data.user_id.size, data.movie_id.size, data.rating.size, data.timestamp.size}) == 1
    for arr in (data.user_id, data.movie_id, data.rating, data.timestamp):
        assert arr.flags.c_contiguous


@pytest.mark.parametrize("variant", VARIANTS)
def test_csv_release(tmp_path: Path, variant: str) -> None:
    data = read_release(make_release(tmp_path, "csv", variant))
    check_contract_types(data)
    assert data.release == "ml-latest-small"
    assert data.notes == []
    rows = list(
        zip(
            data.user_id.tolist(),
            data.movie_id.tolist(),
            data.rating.tolist(),
            data.timestamp.tolist(),
        )
    )
    assert rows == CSV_ROWS
    assert movie(data, 2) == {
        "movie_id": 2,
        "title": "Shawshank Redemption, The",
        "display_title": "The Shawshank Redemption",
        "year": 1994,
        "genres": "Crime|Drama",
        "imdb_id": "tt0111161",
        "tmdb_id": 278,
    }
    lost = movie(data, 3)
    assert lost["display_title"] == "The City of Lost Children (La Cité des enfants perdus)"
    assert (lost["imdb_id"], lost["tmdb_id"]) == ("tt0112682", 0)  # empty tmdbId -> 0
    assert movie(data, 4)["year"] == 0 and movie(data, 4)["genres"] == ""
    assert movie(data, 4)["imdb_id"] is None
    assert movie(data, 5)["title"] == "Seven (a.k.a. Se7en)"


@pytest.mark.parametrize("variant", VARIANTS)
def test_ml1m_release(tmp_path: Path, variant: str) -> None:
    data = read_release(make_release(tmp_path, "1m", variant))
    check_contract_types(data)
    assert data.release == "ml-1m"
    assert data.rating.tolist() == [5.0, 3.0, 4.0, 1.0]
    assert data.user_id.tolist() == [1, 1, 2, 2] and data.movie_id.tolist() == [1, 3, 2, 1]
    assert data.timestamp.tolist()[0] == 978300760
    les = movie(data, 2)  # latin-1 text decoded right
    assert (les["title"], les["display_title"], les["year"]) == (
        "Misérables, Les",
        "Les Misérables",
        1995,
    )
    assert movie(data, 1)["genres"] == "Animation|Children's|Comedy"
    assert movie(data, 1)["imdb_id"] is None and movie(data, 1)["tmdb_id"] == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_ml10m_release(tmp_path: Path, variant: str) -> None:
    data = read_release(make_release(tmp_path, "10m", variant))
    check_contract_types(data)
    assert data.release == "ml-10m"  # the folder is ml-10M100K
    assert data.rating.tolist() == [5.0, 3.5, 0.5]  # half stars
    assert movie(data, 2)["display_title"] == "Les Misérables"  # this one is UTF-8


@pytest.mark.parametrize("variant", VARIANTS)
def test_ml100k_release(tmp_path: Path, variant: str) -> None:
    data = read_release(make_release(tmp_path, "100k", variant))
    check_contract_types(data)
    assert data.release == "ml-100k"
    assert data.user_id.tolist() == [196, 186, 22, 196]
    assert data.movie_id.tolist() == [1, 2, 3, 5]
    assert data.rating.tolist() == [3.0, 3.0, 1.0, 2.0]
    assert movie(data, 1)["genres"] == "Animation|Children's|Comedy"
    assert movie(data, 2)["display_title"] == "The Shawshank Redemption"
    assert movie(data, 3)["title"] == "Misérables, Les"  # latin-1
    assert movie(data, 4)["genres"] == "" and movie(data, 4)["year"] == 0  # "unknown" genre
    assert movie(data, 5)["year"] == 1996  # no year in the title: the release date's


def test_zip_without_folder_is_named_after_the_file(tmp_path: Path) -> None:
    _, files = layout_files("csv")
    import zipfile

    path = tmp_path / "my-ratings.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    assert read_release(path).release == "my-ratings"


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[Progress] = []
    read_release(csv_zip(tmp_path), progress=seen.append)
    assert seen and all(p.stage == "read" for p in seen)
    assert seen[-1].done == seen[-1].total == len(CSV_ROWS)
    ratings_bytes = [p for p in seen if p.message == "ratings.csv"]
    assert ratings_bytes and ratings_bytes[-1].done == ratings_bytes[-1].total > 0


def test_real_ml_latest_small(ml_small_zip: Path) -> None:
    seen: list[Progress] = []
    data = read_release(ml_small_zip, progress=seen.append)
    check_contract_types(data)
    assert data.release == "ml-latest-small"
    assert (data.n_movies, data.n_ratings, data.n_users) == (9742, 100836, 610)
    assert data.notes == []
    shawshank = movie(data, 318)
    assert shawshank["title"] == "Shawshank Redemption, The"
    assert shawshank["display_title"] == "The Shawshank Redemption"
    assert (shawshank["year"], shawshank["imdb_id"], shawshank["tmdb_id"]) == (
        1994,
        "tt0111161",
        278,
    )
    assert movie(data, 1)["genres"] == "Adventure|Animation|Children|Comedy|Fantasy"
    assert set(np.unique(data.rating).tolist()) == {x / 2 for x in range(1, 11)}
    assert (
        int((data.movies["year"] == 0).sum()) == 12
    )  # the few titles GroupLens left without a year
    assert sum(g == "" for g in data.movies["genres"]) == 34  # "(no genres listed)"
    assert seen[-1].done == 100836
