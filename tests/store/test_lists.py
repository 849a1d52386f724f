"""Stored film lists: create, read in order, rename, delete (with their films), bad names."""

from __future__ import annotations

import pytest

from movietui.errors import NotFoundError, StoreError
from movietui.store import open_store


def test_lists_round_trip(tmp_path) -> None:
    with open_store(tmp_path / "db.sqlite") as store:
        made = store.create_film_list("  Friday   faves ", [6, 260, 6, 4979])
        assert made.name == "Friday faves" and made.n_films == 3
        assert store.list_movie_ids(made.id) == [6, 260, 4979]
        with pytest.raises(StoreError, match="already exists"):
            store.create_film_list("Friday faves", [1])
        other = store.create_film_list("another", [])
        with pytest.raises(StoreError, match="already exists"):
            store.rename_film_list(other.id, "Friday faves")
        store.rename_film_list(made.id, "Tonight")
        assert [f.name for f in store.film_lists()] == ["another", "Tonight"]
        assert store.film_list("Tonight").n_films == 3
        store.delete_film_list(made.id)
        assert store.conn.execute("SELECT count(*) FROM film_list_items").fetchone()[0] == 0
        with pytest.raises(NotFoundError, match="no list named 'Tonight'"):
            store.film_list("Tonight")
        with pytest.raises(NotFoundError):
            store.delete_film_list(made.id)
        with pytest.raises(StoreError, match="needs a name"):
            store.create_film_list("   ", [1])
        assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
