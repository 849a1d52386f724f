"""A fresh store per test (real SQLite in tmp_path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movietui.store import Store, open_store

from .catalog_data import load_small


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "movietui.db"


@pytest.fixture
def store(db_path: Path):
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def catalog_store(store: Store) -> Store:
    load_small(store)
    return store
