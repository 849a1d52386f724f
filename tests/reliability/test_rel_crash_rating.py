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


class Ledger:
    """What the worker promised: the rating state after every ``ok`` line, and the one
    operation announced by ``begin`` whose ``ok`` never came (in flight at the kill)."""

    def __init__(self, expected: dict[int, float]) -> None:
        self.expected = expected
        self.in_flight: tuple[int, float | None] | None = None
        self.confirmed = 0

    def read(self, line: str) -> None:
        word, op, movie_text, *rest = line.split()
        movie = int(movie_text)
        value = float(rest[0]) if op == "set" else None
        if word == "begin":
            self.in_flight = (movie, value)
        elif word == "ok":
            if value is None:
                self.expected.pop(movie, None)
            else:
                self.expected[movie] = value
            self.in_flight = None
            self.confirmed += 1


def kill_rounds(
    spawn, home: Path, profile_id: int, rounds: int, mode: str, rng: random.Random, figures: Figures
) -> None:
    db = get_paths(home).db
    expected = stored_ratings(db, profile_id)
    for round_no in range(rounds):
        child = spawn("rater.py", home, profile_id, rng.randrange(1 << 30), mode)
        child.wait_for("ready")
        target = rng.randint(1, 40)
        ledger = Ledger(expected)
        while ledger.confirmed < target:
            line = child.next_line(timeout=60)
            if line is None:
                pytest.fail(f"rater died on its own: {child.stderr[-2000:]}")
            ledger.read(line)
        # Land the kill at a random moment: often mid-call, sometimes between calls.
        time.sleep(rng.choice([0, 0, 0.0005, 0.002, 0.01]))
        child.kill()
        for line in child.drain():
            ledger.read(line)

        found = stored_ratings(db, profile_id)
        assert integrity(db) == "ok", f"round {round_no}: integrity_check failed"
        movies = set(expected) | set(found)
        if ledger.in_flight is not None:
            movie, value = ledger.in_flight
            movies.discard(movie)
            allowed = {expected.get(movie), value}
            assert found.get(movie) in allowed, (
                f"in-flight movie {movie}: {found.get(movie)} not in {allowed}"
            )
            if found.get(movie) != expected.get(movie):
                figures.add(f"rating_{mode}_inflight_landed")
        lost = {
            m: (expected.get(m), found.get(m)) for m in movies if expected.get(m) != found.get(m)
        }
        assert not lost, f"round {round_no}: confirmed state differs (expected, found): {lost}"
        expected = found
        figures.add(f"rating_{mode}_kills")
        figures.add(f"rating_{mode}_ops_confirmed", ledger.confirmed)
        figures.add(f"rating_{mode}_ratings_checked", len(found))


@pytest.mark.slow
def test_store_ratings_survive_sigkill(spawn, rel_home: Path, figures: Figures) -> None:
    db = get_paths(rel_home).db
    profile_id = make_profile(db, "crash")
    kill_rounds(
        spawn,
        rel_home,
        profile_id,
        rounds=20,
        mode="store",
        rng=random.Random(SEED),
        figures=figures,
    )
    assert integrity(db) == "ok"


@pytest.mark.slow
def test_service_ratings_survive_sigkill(spawn, catalog_home: Path, figures: Figures) -> None:
    """The same through Service.rate/unrate (commit, then fold-in), fewer rounds: numba start-up."""
    db = get_paths(catalog_home).db
    from movietui.store import open_store

    with open_store(db) as store:
        profile_id = store.list_profiles()[0].id
    kill_rounds(
        spawn,
        catalog_home,
        profile_id,
        rounds=4,
        mode="service",
        rng=random.Random(SEED + 1),
        figures=figures,
    )
    assert integrity(db) == "ok"


@pytest.mark.slow
def test_bulk_imports_are_all_or_nothing_under_sigkill(
    spawn, rel_home: Path, figures: Figures
) -> None:
    """A personal import writes through set_ratings_bulk: a kill leaves each batch whole or absent."""
    db = get_paths(rel_home).db
    profile_id = make_profile(db, "bulk")
    rng = random.Random(SEED + 2)
    expected: dict[int, float | None] = {
        block: None for block in range(4)
    }  # block -> value of last batch
    next_batch = 0
    for round_no in range(6):
        child = spawn("bulk_rater.py", db, profile_id, next_batch)
        child.wait_for("ok")
        time.sleep(rng.uniform(0, 0.2))
        child.kill()
        in_flight = None
        for line in child.seen + child.drain():
            word, batch = line.split()[0], int(line.split()[-1]) if line != "ready" else -1
            if word == "begin":
                in_flight = batch
            elif word == "ok":
                expected[batch % 4] = 0.5 + (batch % 10) / 2
                in_flight = None
                next_batch = batch + 1
        assert integrity(db) == "ok"
        found = stored_ratings(db, profile_id)
        for block in range(4):
            values = {found.get(100_000 + block * 1_000 + k) for k in range(1_000)}
            assert len(values) == 1, (
                f"round {round_no}: block {block} mixes batches: {sorted(map(str, values))}"
            )
            (value,) = values
            allowed = {expected[block]}
            if in_flight is not None and in_flight % 4 == block:
                allowed.add(0.5 + (in_flight % 10) / 2)
            assert value in allowed, (
                f"round {round_no}: block {block} holds {value}, expected {allowed}"
            )
            expected[block] = value
        if in_flight is not None:
            next_batch = in_flight + 1
        figures.add("bulk_kills")
    figures.add("bulk_batches_confirmed", next_batch)
