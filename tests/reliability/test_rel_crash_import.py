"""SIGKILL during a catalog import: the old catalog intact or the new one complete.

The worker alternates between importing the big and the small release; the parent kills
it after a random delay. After each kill the catalog must be exactly one of the two
releases (counts, and a checksum of every (user, movie, rating) it loads back), and the
profile's ratings and watchlist must be exactly what they were.
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
    return len(data.movies["movie_id"]), int(data.rating.size), ratings_digest(data.user_id, data.movie_id, data.rating)


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


@pytest.mark.slow
def test_kill_during_import_keeps_a_whole_catalog(
    spawn, catalog_home: Path, small_release: Path, big_release: Path, figures: Figures
) -> None:
    db = get_paths(catalog_home).db
    with open_store(db) as store:
        pid = store.list_profiles()[0].id
        store.add_to_watchlist(pid, 5)
    states = {small_release: release_state(small_release), big_release: release_state(big_release)}
    current, profile, watch = db_state(db)
    assert current == states[small_release]
    assert len(profile) == 30

    rng = random.Random(SEED)
    kills = completed = 0
    stages: dict[str, int] = {}
    target = big_release
    while kills < 6:
        child = spawn("importer.py", catalog_home, target)
        child.wait_for("ready", timeout=120)
        if kills % 2 == 0:  # at a random progress report (reading, writing, indexing) ...
            for _ in range(rng.randint(1, 6)):
                child.wait_for("progress", timeout=120)
            time.sleep(rng.choice([0, 0.01, 0.05, 0.2]))
        else:  # ... or after a random time
            time.sleep(rng.uniform(0.0, 2.0))
        child.kill()
        lines = child.seen + child.drain()
        finished = any(line.startswith("done") for line in lines)
        progress = [line.split()[1] for line in lines if line.startswith("progress")]
        assert integrity(db) == "ok"
        catalog, after_profile, after_watch = db_state(db)
        assert after_profile == profile, "profile ratings changed during a catalog import"
        assert after_watch == watch, "the watchlist changed during a catalog import"
        other = small_release if target == big_release else big_release
        if finished:
            assert catalog == states[target], "import reported done but the catalog is not the new release"
            completed += 1
        else:
            assert catalog in (states[target], states[other]), "catalog is neither the old nor the new release"
            kills += 1
            stage = progress[-1] if progress else "before-progress"
            stages[stage] = stages.get(stage, 0) + 1
            if catalog == states[target]:
                figures.add("import_kills_after_commit")
        if catalog == states[target]:
            target = other
    figures.add("import_kills", kills)
    figures.add("import_completed_between_kills", completed)
    figures.note("import_kill_stages", stages)
    figures.note("import_sizes", {"old": states[small_release][1], "new": states[big_release][1]})
