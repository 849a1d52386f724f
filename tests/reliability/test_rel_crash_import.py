"""SIGKILL during a catalog import: the old catalog intact or the new one complete.

The worker imports a 300k-rating release over a 20k one; the parent kills it at a random
progress report (reading, writing, indexing) plus a random delay, and puts the small
catalog back whenever the big one got in. The first kill goes through
Service.import_catalog, the rest through the two calls it makes (read_release,
replace_catalog) without the model room's numba start-up cost. After each kill the catalog
must be exactly one of the two releases (counts, and a checksum of every (user, movie,
rating) it loads back), and the profile's ratings and watchlist exactly what they were.
"""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

import numpy as np
import pytest
from rel_harness import Figures, integrity

from movietui.catalog.readers import read_release
from movietui.config import get_paths
from movietui.store import open_store

SEED = 777


def ratings_digest(user: np.ndarray, movie: np.ndarray, rating: np.ndarray) -> str:
    """Order-free checksum of a ratings table."""
    order = np.lexsort((movie, user))
    h = hashlib.sha256()
    for column, dtype in ((user, "<i4"), (movie, "<i4"), (rating, "<f4")):
        h.update(np.ascontiguousarray(np.asarray(column)[order], dtype=dtype).tobytes())
    return h.hexdigest()


def release_state(path: Path) -> tuple[int, int, str]:
    data = read_release(path)
    return (
        len(data.movies["movie_id"]),
        int(data.rating.size),
        ratings_digest(data.user_id, data.movie_id, data.rating),
    )


def db_state(db: Path) -> tuple[tuple[int, int, str], dict, list]:
    with open_store(db) as store:
        info = store.catalog_info()
        assert info is not None, "the catalog vanished"
        catalog = (info.n_movies, info.n_ratings, ratings_digest(*store.load_catalog_ratings()))
        assert len(store.movie_table()["movie_id"]) == info.n_movies
        pid = store.list_profiles()[0].id
        profile = {r.movie_id: (r.rating, r.rated_at) for r in store.profile_ratings(pid)}
        watch = store.watchlist(pid)
    return catalog, profile, watch


def restore(db: Path, release: Path) -> None:
    """Put the small catalog back in process, so every killed import is the big one."""
    data = read_release(release)
    with open_store(db) as store:
        store.replace_catalog(
            release=data.release,
            source=str(release),
            movies=data.movies,
            user_id=data.user_id,
            movie_id=data.movie_id,
            rating=data.rating,
            timestamp=data.timestamp,
        )


@pytest.mark.slow
def test_kill_during_import_keeps_a_whole_catalog(
    spawn, catalog_home: Path, small_release: Path, big_release: Path, figures: Figures
) -> None:
    db = get_paths(catalog_home).db
    with open_store(db) as store:
        pid = store.list_profiles()[0].id
        store.add_to_watchlist(pid, 5)
    old, new = release_state(small_release), release_state(big_release)
    current, profile, watch = db_state(db)
    assert current == old
    assert len(profile) == 30

    rng = random.Random(SEED)
    kills = completed = 0
    stages: dict[str, int] = {}
    round_no = 0
    while kills < 4 and round_no < 8:
        mode = "service" if round_no == 0 else "store"  # one through the Service; see importer.py
        child = spawn("importer.py", catalog_home, big_release, mode)
        child.wait_for("ready", timeout=120)
        for _ in range(rng.randint(1, 6)):  # a random progress report (reading, writing, indexing)
            child.wait_for("progress", timeout=120)
        time.sleep(rng.choice([0, 0.005, 0.02, 0.1]))  # and a little after it
        child.kill()
        lines = child.seen + child.drain()
        finished = any(line.startswith("done") for line in lines)
        progress = [line.split()[1] for line in lines if line.startswith("progress")]
        assert integrity(db) == "ok"
        catalog, after_profile, after_watch = db_state(db)
        assert after_profile == profile, "profile ratings changed during a catalog import"
        assert after_watch == watch, "the watchlist changed during a catalog import"
        if finished:
            assert catalog == new, "import reported done but the catalog is not the new release"
            completed += 1
        else:
            assert catalog in (old, new), "catalog is neither the old nor the new release"
            kills += 1
            stage = progress[-1] if progress else "before-progress"
            stages[stage] = stages.get(stage, 0) + 1
            figures.add(
                "import_kills_new_catalog_whole"
                if catalog == new
                else "import_kills_old_catalog_intact"
            )
        if catalog == new:
            restore(db, small_release)
            assert db_state(db)[0] == old
        round_no += 1
    assert kills >= 4, (
        f"only {kills} of {round_no} imports were killed part way; the release is too small"
    )
    figures.add("import_kills", kills)
    figures.add("import_completed_before_kill", completed)
    figures.note("import_kill_stages", stages)
    figures.note("import_sizes", {"old": old[1], "new": new[1]})
