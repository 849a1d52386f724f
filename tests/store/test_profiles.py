"""Profiles, their ratings and watchlists, and settings."""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest

from movietui.errors import NotFoundError, StoreError
from movietui.store import Store, open_store


def test_profile_crud(store: Store) -> None:
    ana = store.create_profile("  Ana  ")
    bo = store.create_profile("Bo")
    assert ana.name == "Ana" and ana.n_ratings == 0 and ana.id != bo.id
    with pytest.raises(StoreError, match="already exists"):
        store.create_profile("ana")
    with pytest.raises(StoreError, match="needs a name"):
        store.create_profile("   ")
    with pytest.raises(StoreError, match="at most"):
        store.create_profile("x" * 100)
    store.rename_profile(ana.id, "Ana Maria")
    store.rename_profile(ana.id, "ana maria")  # same profile, new case: allowed
    with pytest.raises(StoreError, match="already exists"):
        store.rename_profile(bo.id, "ANA MARIA")
    with pytest.raises(NotFoundError):
        store.rename_profile(999, "Zed")
    store.set_rating(ana.id, 10, 4.0)
    assert [(p.name, p.n_ratings) for p in store.list_profiles()] == [("ana maria", 1), ("Bo", 0)]


def test_delete_profile_cascades(store: Store) -> None:
    ana = store.create_profile("ana")
    bo = store.create_profile("bo")
    for profile in (ana, bo):
        store.set_rating(profile.id, 1, 3.0)
        store.add_to_watchlist(profile.id, 2)
    store.delete_profile(ana.id)
    conn = store.conn
    assert conn.execute("SELECT profile_id FROM profile_ratings").fetchall() == [(bo.id,)]
    assert conn.execute("SELECT profile_id FROM watchlist").fetchall() == [(bo.id,)]
    with pytest.raises(NotFoundError):
        store.delete_profile(ana.id)
    with pytest.raises(NotFoundError):
        store.set_rating(ana.id, 1, 3.0)


@pytest.mark.parametrize("bad", [0, 0.25, 5.5, 3.3, -1, math.nan, math.inf, "four", None, 0.4999])
def test_rating_validation(store: Store, bad) -> None:
    ana = store.create_profile("ana")
    with pytest.raises(StoreError, match="half stars"):
        store.set_rating(ana.id, 1, bad)
    assert store.profile_ratings(ana.id) == []


def test_schema_rejects_bad_rating_even_bypassing_checks(store: Store) -> None:
    ana = store.create_profile("ana")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("INSERT INTO profile_ratings VALUES (?, 1, 4.3, 0)", (ana.id,))


def test_set_get_delete_rating_committed(store: Store, db_path) -> None:
    ana = store.create_profile("ana")
    store.set_rating(ana.id, 1, 0.5, rated_at=100.0)
    store.set_rating(ana.id, 2, 5, rated_at=300.0)
    store.set_rating(ana.id, 1, 4.5, rated_at=200.0)  # re-rating replaces
    other = open_store(db_path)  # a second connection sees it: it was committed
    try:
        assert [(r.movie_id, r.rating, r.rated_at) for r in other.profile_ratings(ana.id)] == [
            (2, 5.0, 300.0),
            (1, 4.5, 200.0),
        ]
    finally:
        other.close()
    assert store.get_rating(ana.id, 1) == 4.5 and store.get_rating(ana.id, 3) is None
    assert store.delete_rating(ana.id, 1) == 4.5
    assert store.delete_rating(ana.id, 1) is None
    assert store.get_rating(ana.id, 1) is None


def test_bulk_newer_wins(store: Store) -> None:
    ana = store.create_profile("ana")
    store.set_rating(ana.id, 1, 3.0, rated_at=100.0)
    rows = [
        (1, 5.0, 50.0),  # older than stored: ignored
        (2, 4.0, 10.0),  # new
        (3, 2.0, 10.0),  # new
        (3, 2.5, 20.0),
    ]  # newer than the row before it: wins
    assert store.set_ratings_bulk(ana.id, rows) == 3
    assert {r.movie_id: r.rating for r in store.profile_ratings(ana.id)} == {1: 3.0, 2: 4.0, 3: 2.5}
    assert store.set_ratings_bulk(ana.id, rows) == 0  # identical again: nothing changes
    assert store.set_ratings_bulk(ana.id, [(1, 1.0, 101.0)]) == 1
    assert store.get_rating(ana.id, 1) == 1.0


def test_bulk_validates_everything_first(store: Store) -> None:
    ana = store.create_profile("ana")
    with pytest.raises(StoreError, match="row 2: rating 7"):
        store.set_ratings_bulk(ana.id, [(1, 4.0, 1.0), (2, 7, 1.0)])
    with pytest.raises(StoreError, match="row 1"):
        store.set_ratings_bulk(ana.id, [(1, 4.0)])
    with pytest.raises(StoreError, match="rated_at"):
        store.set_ratings_bulk(ana.id, [(1, 4.0, "yesterday")])
    assert store.profile_ratings(ana.id) == []


def test_all_profile_ratings(store: Store) -> None:
    ana, bo = store.create_profile("ana"), store.create_profile("bo")
    store.set_ratings_bulk(bo.id, [(5, 1.5, 1.0), (2, 2.0, 1.0)])
    store.set_rating(ana.id, 9, 4.0)
    pid, mid, rating = store.all_profile_ratings()
    assert (pid.dtype, mid.dtype, rating.dtype) == (np.int64, np.int32, np.float32)
    assert list(zip(pid.tolist(), mid.tolist(), rating.tolist())) == [
        (ana.id, 9, 4.0),
        (bo.id, 2, 2.0),
        (bo.id, 5, 1.5),
    ]


def test_watchlist(store: Store) -> None:
    ana = store.create_profile("ana")
    store.add_to_watchlist(ana.id, 5)
    store.add_to_watchlist(ana.id, 7)
    store.add_to_watchlist(ana.id, 5)  # already there: no duplicate
    assert sorted(m for m, _ in store.watchlist(ana.id)) == [5, 7]
    times = [t for _, t in store.watchlist(ana.id)]
    assert times == sorted(times, reverse=True)
    store.remove_from_watchlist(ana.id, 5)
    store.remove_from_watchlist(ana.id, 5)
    assert [m for m, _ in store.watchlist(ana.id)] == [7]
    with pytest.raises(NotFoundError):
        store.add_to_watchlist(999, 1)


def test_settings(store: Store) -> None:
    assert store.get_setting("current_profile") is None
    assert store.get_setting("current_profile", "1") == "1"
    store.set_setting("current_profile", "2")
    store.set_setting("current_profile", "3")
    assert store.get_setting("current_profile") == "3"


def test_closed_store_says_so(db_path) -> None:
    store = open_store(db_path)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.list_profiles()
