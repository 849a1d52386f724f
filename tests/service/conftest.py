"""A home with ml-latest-small imported and a tiny model trained, built once per session.

Each test gets its own copy of that home (a few MB), so tests can rate, retrain and
delete freely without paying for the import and training again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from movietui.service import Hyper, Service

# Small and quick (under a second here), yet with item factors strong enough that an
# informative rating reorders the top 20; 16 factors x 5 epochs often does not.
TEMPLATE_HYPER = Hyper(factors=32, epochs=20, seed=7)


@pytest.fixture(scope="session")
def trained_template(tmp_path_factory: pytest.TempPathFactory, ml_small_zip: Path) -> Path:
    home = tmp_path_factory.mktemp("service-template") / "home"
    with Service.open(home) as service:
        service.import_catalog(ml_small_zip)
        service.train(TEMPLATE_HYPER)
    return home


@pytest.fixture
def service(trained_template: Path, tmp_path: Path):
    home = tmp_path / "home"
    shutil.copytree(trained_template, home)
    svc = Service.open(home)
    yield svc
    svc.close()


@pytest.fixture
def empty_service(tmp_path: Path):
    svc = Service.open(tmp_path / "empty-home")
    yield svc
    svc.close()
