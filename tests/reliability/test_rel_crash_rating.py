"""SIGKILL a process that is confirming ratings: every confirmed rating survives.

The worker prints ``ok ...`` only after ``set_rating``/``delete_rating`` returned, so every
``ok`` line the parent read is a promise the product made. After each kill the parent
reopens the database and checks all promises made so far (across every earlier kill), plus
``PRAGMA integrity_check``. The one operation in flight at the kill may or may not have
landed; either outcome is accepted, and adopted as the new expected state.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from rel_harness import Figures, integrity

from movietui.config import get_paths

SEED = 20261123


def make_profile(db: Path, name: str) -> int:
    from movietui.store import open_store

    store = open_store(db)
    try:
        return store.create_profile(name).id
    finally:
        store.close()


def stored_ratings(db: Path, profile_id: int) -> dict[int, float]:
    from movietui.store import open_store

    store = open_store(db)
    try:
        return {r.movie_id: r.rating for r in store.profile_ratings(profile_id)}
    finally:
        store.close()


def kill_rounds(spawn, home: Path, profile_id: int, rounds: int, mode: str, rng: random.Random,
                figures: Figures) -> None:
    db = get_paths(home).db
    expected = stored_ratings(db, profile_id)
    for round_no in range(rounds):
        child = spawn("rater.py", home, profile_id, rng.randrange(1 << 30), mode)
        child.wait_for("ready")
        target = rng.randint(1, 40)
        confirmed = 0
        in_flight: tuple[int, float | None] | None = None

        def apply(line: str) -> None:
            nonlocal confirmed, in_flight
            parts = line.split()
            movie = int(parts[2])
            value = float(parts[3]) if parts[1] == "set" else None
            if parts[0] == "begin":
                in_flight = (movie, value)
            elif parts[0] == "ok":
                if value is None:
                    expected.pop(movie, None)
                else:
                    expected[movie] = value
                in_flight = None
                confirmed += 1

        while confirmed < target:
            line = child.next_line(timeout=60)
            if line is None:
                pytest.fail(f"rater died on its own: {child.stderr[-2000:]}")
            apply(line)
        # Land the kill at a random moment: often mid-call, sometimes between calls.
        time.sleep(rng.choice([0, 0, 0.0005, 0.002, 0.01]))
        child.kill()
        for line in child.drain():
            apply(line)

        found = stored_ratings(db, profile_id)
        assert integrity(db) == "ok", f"round {round_no}: integrity_check failed"
        movies = set(expected) | set(found)
        if in_flight is not None:
            movie, value = in_flight
            movies.discard(movie)
            allowed = {expected.get(movie), value}
            assert found.get(movie) in allowed, f"in-flight movie {movie}: {found.get(movie)} not in {allowed}"
            if found.get(movie) != expected.get(movie):
                figures.add(f"rating_{mode}_inflight_landed")
        lost = {m: (expected.get(m), found.get(m)) for m in movies if expected.get(m) != found.get(m)}
        assert not lost, f"round {round_no}: confirmed state differs (expected, found): {lost}"
        expected = found
        figures.add(f"rating_{mode}_kills")
        figures.add(f"rating_{mode}_ops_confirmed", confirmed)
        figures.add(f"rating_{mode}_ratings_checked", len(found))


@pytest.mark.slow
def test_store_ratings_survive_sigkill(spawn, rel_home: Path, figures: Figures) -> None:
    db = get_paths(rel_home).db
    profile_id = make_profile(db, "crash")
    kill_rounds(spawn, rel_home, profile_id, rounds=20, mode="store", rng=random.Random(SEED), figures=figures)
    assert integrity(db) == "ok"


@pytest.mark.slow
def test_service_ratings_survive_sigkill(spawn, catalog_home: Path, figures: Figures) -> None:
    """The same through Service.rate/unrate (commit, then fold-in), fewer rounds: numba start-up."""
    db = get_paths(catalog_home).db
    from movietui.store import open_store

    with open_store(db) as store:
        profile_id = store.list_profiles()[0].id
    kill_rounds(spawn, catalog_home, profile_id, rounds=4, mode="service", rng=random.Random(SEED + 1),
                figures=figures)
    assert integrity(db) == "ok"
