"""Two Store objects (two "terminals") on one file, writing at once from two threads."""

from __future__ import annotations

import threading

import numpy as np

from movietui.store import Store, open_store

from .catalog_data import load_small


def test_two_stores_write_concurrently(db_path) -> None:
    first = open_store(db_path)
    second = open_store(db_path)
    ana = first.create_profile("ana")
    bo = second.create_profile("bo")
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(store: Store, profile_id: int) -> None:
        try:
            barrier.wait()
            for k in range(150):
                store.set_rating(profile_id, k, 0.5 + (k % 10) / 2)
                if k % 25 == 0:
                    store.set_ratings_bulk(
                        profile_id, [(1000 + k + j, 3.0, float(k)) for j in range(20)]
                    )
                    store.add_to_watchlist(profile_id, k)
                    store.set_setting(f"last-{profile_id}", str(k))
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(first, ana.id)),
        threading.Thread(target=work, args=(second, bo.id)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for store in (first, second):  # each sees the other's writes
        counts = {p.name: p.n_ratings for p in store.list_profiles()}
        assert counts == {"ana": 270, "bo": 270}
        assert store.get_rating(bo.id, 149) == 5.0 and store.get_rating(ana.id, 149) == 5.0
    assert first.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    first.close()
    second.close()


def test_one_store_shared_by_threads_while_catalog_loads(db_path) -> None:
    store = open_store(db_path)
    load_small(store)
    ana = store.create_profile("ana")
    errors: list[BaseException] = []
    loaded: list[int] = []

    def reader() -> None:
        try:
            for _ in range(30):
                loaded.append(store.load_catalog_ratings()[0].size)
                store.search_movies("matrix")
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        try:
            for k in range(100):
                store.set_rating(ana.id, k, 4.0)
            for _ in range(3):
                load_small(store)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader), threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(loaded) == {11}  # every snapshot saw a whole catalog, never a half-written one
    assert len(store.profile_ratings(ana.id)) == 100
    assert np.array_equal(store.filter_movie_ids("matrix"), [1, 4, 5])
    store.close()
