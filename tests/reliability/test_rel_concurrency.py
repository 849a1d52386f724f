"""Two movietui instances on one database rate at the same time; neither is refused.

Each instance is a real process with its own connection (as two terminals would be).
They start together on a signal, rate hundreds of movies each as fast as they can, and a
third process saves a 1.6 MB model every 0.1 s meanwhile (training finishing in another
window), and in the Store variant a fourth imports a 300k-rating catalog. No call may fail ("database is locked" above all), and afterwards each instance
sees the other's ratings, live and after reopening.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from rel_harness import WORKERS, Figures, integrity

from movietui.config import get_paths
from movietui.store import open_store

sys.path.insert(0, str(WORKERS))
from det_models import make_model

N_EACH = {"store": 300, "service": 150}


def run_pair(
    spawn, home: Path, mode: str, meta_file: Path, figures: Figures, release: Path | None = None
) -> None:
    db = get_paths(home).db
    with open_store(db) as store:
        a, b = store.create_profile(f"{mode}-a").id, store.create_profile(f"{mode}-b").id
    raters = [
        spawn("two_raters.py", home, pid, N_EACH[mode], seed, mode, stdin=True)
        for pid, seed in ((a, 1), (b, 2))
    ]
    saver = spawn("saver.py", db, 1, meta_file, 0.1)
    saver.wait_for("ready")
    for child in raters:
        child.wait_for("ready", timeout=120)
    importer = spawn("importer.py", home, release, "store") if release is not None else None
    if importer is not None:  # start rating while the import holds the write transaction
        importer.wait_for("progress write", timeout=120)
    for child in raters:
        child.send("go")
    for child in raters:
        line = child.next_line(timeout=120)
        assert line is not None and line.startswith("wrote"), (
            f"{mode} rater failed: {line} {child.stderr[-1500:]}"
        )
        figures.add(f"concurrent_{mode}_rating_seconds", float(line.split()[2]))
    if importer is not None:  # a whole catalog import ran in a third window meanwhile
        importer.wait_for("done", timeout=120)
        importer.finish()
        figures.add("concurrent_catalog_imports_meanwhile")
    saver.kill()
    models_saved = sum(line.startswith("saved") for line in saver.seen + saver.drain())
    for child in raters:
        child.send("check")
    for child in raters:
        seen = json.loads(child.wait_for("seen")[len("seen ") :])
        for view in ("live", "reopened"):
            got = {int(k): v for k, v in seen[view].items() if k != "mine"}
            assert got.get(a) == N_EACH[mode] and got.get(b) == N_EACH[mode], (
                f"{mode} {view}: sees {got}"
            )
        child.finish()
    assert integrity(db) == "ok"
    with open_store(db) as store:
        for pid in (a, b):
            ratings = {r.movie_id: r.rating for r in store.profile_ratings(pid)}
            assert len(ratings) == N_EACH[mode]
    figures.add("concurrent_writes", 2 * N_EACH[mode])
    figures.add("concurrent_model_saves_meanwhile", models_saved)
    figures.add("concurrent_locked_errors", 0)


@pytest.mark.slow
def test_two_store_instances_rate_at_once(
    spawn, rel_home: Path, tmp_path: Path, big_release: Path, figures: Figures
) -> None:
    run_pair(spawn, rel_home, "store", write_meta(tmp_path), figures, release=big_release)
    with open_store(get_paths(rel_home).db) as store:
        assert store.catalog_info().n_ratings == 300_000  # type: ignore[union-attr]


@pytest.mark.slow
def test_two_service_instances_rate_at_once(
    spawn, catalog_home: Path, tmp_path: Path, figures: Figures
) -> None:
    run_pair(spawn, catalog_home, "service", write_meta(tmp_path), figures)


@pytest.mark.slow
def test_two_service_instances_share_one_profile(
    spawn, catalog_home: Path, figures: Figures
) -> None:
    """Two windows on the SAME profile rate different movies at once; after a refresh each
    window lists every rating of both, and the ratings the profile had before are kept."""
    from movietui.service import Service

    with Service.open(catalog_home) as service:
        me = service.current_profile
        assert me is not None
        before = {r.movie.movie_id: r.rating for r in service.my_ratings()}
    n = 120
    first = max(before) + 1
    raters = [
        spawn("two_raters.py", catalog_home, me.id, n, seed, "service", start, stdin=True)
        for seed, start in ((1, first), (2, first + n))
    ]
    for child in raters:
        child.wait_for("ready", timeout=120)
    for child in raters:
        child.send("go")
    for child in raters:
        line = child.next_line(timeout=120)
        assert line is not None and line.startswith("wrote"), (
            f"rater failed: {line} {child.stderr[-1500:]}"
        )
    for child in raters:
        child.send("check")
    for child in raters:
        seen = json.loads(child.wait_for("seen")[len("seen ") :])
        assert seen["live"]["mine"] == seen["reopened"]["mine"] == len(before) + 2 * n, seen
        child.finish()
    with Service.open(catalog_home) as service:
        after = {r.movie.movie_id: r.rating for r in service.my_ratings()}
    assert {m: after[m] for m in before} == before
    assert len(after) == len(before) + 2 * n
    figures.add("concurrent_writes", 2 * n)


def write_meta(tmp_path: Path) -> Path:
    _, meta = make_model(0).to_arrays()
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(meta))
    return path
