"""Catalog import, browse (search, filters, every sort), movie detail, similar films."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from movietui.errors import DataError, MovietuiError, NotFoundError
from movietui.service import Filters, Progress, Service

MATRIX, TOY_STORY, AMELIE, TOY_STORY_2 = 2571, 1, 4973, 3114


def test_import_reports_counts_progress_and_keeps_profiles(
    empty_service: Service, ml_small_zip: Path
) -> None:
    svc = empty_service
    svc.create_profile("alice")
    seen: list[Progress] = []
    report = svc.import_catalog(ml_small_zip, progress=seen.append)
    assert (report.release, report.n_movies, report.n_ratings) == ("ml-latest-small", 9742, 100_836)
    assert report.seconds > 0
    info = svc.catalog_info()
    assert (info.n_movies, info.n_ratings, info.n_users) == (9742, 100_836, 610)
    assert {"read", "write", "index"} <= {p.stage for p in seen}
    assert "Drama" in svc.genres() and "Sci-Fi" in svc.genres()
    svc.rate(MATRIX, 4)
    svc.import_catalog(ml_small_zip)  # re-import: profile data untouched
    assert [r.movie.movie_id for r in svc.my_ratings()] == [MATRIX]


def test_import_bad_sources_are_one_line_errors(empty_service: Service, tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        empty_service.import_catalog(tmp_path / "nowhere.zip")
    assert "\n" not in str(info.value) and "nowhere.zip" in str(info.value)
    broken = tmp_path / "ml-broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(MovietuiError):
        empty_service.import_catalog(broken)
    assert not empty_service.has_catalog()


def test_find_local_datasets(empty_service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    (folder / "ml-1m").mkdir(parents=True)
    (folder / "ml-1m" / "ratings.dat").write_text("1::1::5::0\n")
    (folder / "ml-10m").mkdir()
    (folder / "ml-10m" / "ml-10M100K").mkdir()
    (folder / "ml-10m" / "ml-10M100K" / "ratings.dat").write_text("")
    with zipfile.ZipFile(folder / "ml-latest-small.zip", "w") as zf:
        zf.writestr("ml-latest-small/ratings.csv", "userId,movieId,rating,timestamp\n")
    (folder / "holiday.zip").write_bytes(b"")
    (folder / "ml-empty").mkdir()
    found = {p.name for p in empty_service.find_local_datasets([folder])}
    assert {"ml-1m", "ml-10m", "ml-latest-small.zip"} <= found
    assert not {"holiday.zip", "ml-empty"} & found


def test_browse_search_sorts_and_filters(service: Service) -> None:
    page = service.browse("matrix")
    assert page.items[0].movie_id == MATRIX and page.items[0].title == "The Matrix"
    assert page.total >= 3
    assert service.browse("amelie").items[0].movie_id == AMELIE
    everything = service.browse(limit=50)
    assert everything.total == 9742 and len(everything.items) == 50
    assert service.browse(limit=10, offset=9740).items.__len__() == 2

    by_year = service.browse(
        sort="year", descending=False, filters=Filters(year_min=1950), limit=30
    ).items
    assert [m.year for m in by_year] == sorted(m.year for m in by_year) and by_year[0].year >= 1950
    pop = service.browse(sort="popularity", limit=20).items
    assert [m.rating_count for m in pop] == sorted((m.rating_count for m in pop), reverse=True)
    mean = service.browse(sort="mean", filters=Filters(min_count=50), limit=20).items
    assert [m.mean_rating for m in mean] == sorted((m.mean_rating for m in mean), reverse=True)
    titles = [m.title for m in service.browse(sort="title", descending=False, limit=20).items]
    assert len(titles) == 20

    comedies = service.browse(
        filters=Filters(genres=("Comedy", "Romance"), year_min=2000, year_max=2005), limit=200
    )
    assert comedies.total > 0
    assert all(
        {"Comedy", "Romance"} <= set(m.genres) and 2000 <= m.year <= 2005 for m in comedies.items
    )
    with pytest.raises(MovietuiError, match="unknown sort"):
        service.browse(sort="colour")


def test_browse_by_predicted_follows_the_profile(service: Service) -> None:
    service.create_profile("alice")
    service.rate(MATRIX, 5)
    page = service.browse("star", sort="predicted", limit=40)
    preds = [m.predicted for m in page.items]
    assert None not in preds and preds == sorted(preds, reverse=True)
    assert page.total == service.browse("star").total
    ascending = service.browse("star", sort="predicted", descending=False, limit=40).items
    assert [m.predicted for m in ascending] == sorted(m.predicted for m in ascending)
    mine = service.browse("matrix").items[0]
    assert mine.my_rating == 5.0


def test_movie_detail_and_similar(service: Service) -> None:
    service.create_profile("alice")
    service.rate(TOY_STORY, 5)
    detail = service.movie(TOY_STORY_2)
    assert detail.movie.title == "Toy Story 2" and detail.movie.year == 1999
    assert detail.imdb_id and detail.imdb_url.startswith("https://www.imdb.com/title/tt")
    assert detail.tmdb_url and str(detail.tmdb_id) in detail.tmdb_url
    assert detail.similar and all(s.movie.movie_id != TOY_STORY_2 for s in detail.similar)
    similar = service.similar(MATRIX, n=5)
    assert len(similar) == 5
    scores = [s.score for s in similar]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    assert all(s.movie.rating_count >= 5 for s in similar)
    with pytest.raises(NotFoundError):
        service.similar(999_999_999)


def test_find_titles(service: Service) -> None:
    hits = service.find_titles("toy story", n=5)
    assert [m.movie_id for m in hits][:1] == [TOY_STORY]
    assert [m.movie_id for m in service.find_titles("toy story", year=1999)] == [TOY_STORY_2]


def test_cancelled_import_leaves_the_catalog_as_it_was(
    service: Service, ml_small_zip: Path
) -> None:
    import threading

    before = service.catalog_info()
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.stage == "write" and p.done > 0:
            cancel.set()

    with pytest.raises(MovietuiError, match="cancelled"):
        service.import_catalog(ml_small_zip, progress=progress, cancel=cancel)
    assert service.catalog_info().imported_at == before.imported_at
    assert service.browse("matrix").items[0].movie_id == MATRIX


def test_import_by_url_downloads_into_the_cache(empty_service: Service, ml_small_zip: Path) -> None:
    """A URL source goes through the real download (a server on 127.0.0.1 serving the shared zip)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(ml_small_zip.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{ml_small_zip.name}"
        seen: list[Progress] = []
        report = empty_service.import_catalog(url, progress=seen.append)
    finally:
        server.shutdown()
        server.server_close()
    assert (report.n_movies, report.n_ratings) == (9742, 100_836)
    assert (empty_service.paths.cache / "ml-latest-small.zip").is_file()
    downloads = [p for p in seen if p.stage == "download"]
    assert downloads and downloads[-1].done == ml_small_zip.stat().st_size
    with pytest.raises(NotFoundError, match="ml-latest-small"):  # unknown names list the known ones
        empty_service.import_catalog("ml-nonsense")
