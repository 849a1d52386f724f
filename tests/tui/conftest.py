"""One imported and trained home per session; each test gets its own copy of the database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tui_support import SMALL_HYPER

from movietui.config import DB_FILENAME
from movietui.service import Service
from movietui.tui.app import MovieTuiApp, make_app


@pytest.fixture(scope="session")
def trained_db(ml_small_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("trained-home")
    with Service.open(home) as service:
        service.import_catalog(ml_small_zip)
        service.train(SMALL_HYPER)
    return home / DB_FILENAME


@pytest.fixture
def trained_home(trained_db: Path, home: Path) -> Path:
    """A fresh home holding a copy of the session's imported + trained database."""
    home.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = trained_db.with_name(trained_db.name + suffix)
        if source.exists():
            shutil.copy(source, home / source.name)
    return home


@pytest.fixture
def service(trained_home: Path) -> Iterator[Service]:
    service = Service.open(trained_home)
    yield service
    service.close()


@pytest.fixture
def app(service: Service) -> MovieTuiApp:
    return make_app(service=service, first_train_hyper=SMALL_HYPER)


@pytest.fixture
def profile_service(service: Service) -> Service:
    """The trained home with a profile 'Ada' who rated three movies."""
    service.create_profile("Ada")
    for movie_id, rating in (
        (2571, 5.0),
        (4993, 4.5),
        (1, 2.0),
    ):  # The Matrix, Fellowship, Toy Story
        service.rate(movie_id, rating)
    return service
