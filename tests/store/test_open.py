"""Opening files: fresh schema, migration with backup, and files that must not be touched."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from movietui.errors import StoreError
from movietui.store import SCHEMA_VERSION, open_store
from movietui.store.schema import MIGRATIONS, _step, create_v1

from .catalog_data import load_small


def _pragma(path: Path, name: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_new_file_gets_current_schema_and_pragmas(db_path: Path) -> None:
    store = open_store(db_path)  # parent folder does not exist yet
    try:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {
            "movies",
            "movie_fts",
            "catalog_rating_chunks",
            "profiles",
            "profile_ratings",
            "watchlist",
            "profile_feedback",
            "models",
            "model_arrays",
            "training_runs",
            "settings",
        } <= tables
        assert store.catalog_info() is None
    finally:
        store.close()
    assert not (db_path.parent / "backups").exists()  # nothing to back up for a new file
    reopened = open_store(db_path)
    reopened.close()


def _v1_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    create_v1(conn)
    conn.execute("INSERT INTO profiles VALUES (1, 'ana', 100.0)")
    conn.execute("INSERT INTO profile_ratings VALUES (1, 2571, 4.5, 200.0)")
    conn.close()


def test_migration_from_v1_backs_up_and_keeps_data(db_path: Path) -> None:
    _v1_file(db_path)
    original = db_path.read_bytes()
    store = open_store(db_path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.get_rating(1, 2571) == 4.5
        store.add_to_watchlist(1, 2571)  # the table the migration added
        assert [m for m, _ in store.watchlist(1)] == [2571]
    finally:
        store.close()
    backups = list((db_path.parent / "backups").glob("movietui.v1.*.db"))
    assert len(backups) == 1
    assert _pragma(backups[0], "user_version") == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT movie_id, rating FROM profile_ratings").fetchall() == [(2571, 4.5)]
    conn.close()
    assert len(original) > 0


def test_migration_from_v2_backs_up_and_adds_marks(db_path: Path) -> None:
    _v1_file(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    _step(conn, 2, MIGRATIONS[0])  # a file as version 2 left it: watchlist, no marks
    conn.execute("INSERT INTO watchlist VALUES (1, 318, 300.0)")
    conn.close()
    store = open_store(db_path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.get_rating(1, 2571) == 4.5 and store.watchlist(1) == [(318, 300.0)]
        store.set_feedback(1, 1, "not_interested")  # the table the migration added
        assert [(f.movie_id, f.kind) for f in store.feedback(1)] == [(1, "not_interested")]
    finally:
        store.close()
    backups = list((db_path.parent / "backups").glob("movietui.v2.*.db"))
    assert len(backups) == 1
    assert _pragma(backups[0], "user_version") == 2
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT movie_id FROM watchlist").fetchall() == [(318,)]
    assert conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'profile_feedback'"
    ).fetchone() == (0,)
    conn.close()


def _assert_refused(path: Path, *words: str) -> None:
    before = path.read_bytes()
    listing = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(StoreError) as info:
        open_store(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing  # no -wal, no backup


def test_newer_schema_is_refused_untouched(db_path: Path) -> None:
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    _assert_refused(db_path, "newer movietui")


def test_not_sqlite_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text("userId,movieId,rating\n1,2,3.5\n" * 20)
    _assert_refused(db_path, "not a SQLite database")


@pytest.mark.parametrize("keep", [0.5, 0.9, 200 / 1e6, 60 / 1e6])
def test_truncated_file_is_refused_untouched(db_path: Path, keep: float) -> None:
    store = open_store(db_path)
    load_small(store)
    store.set_setting("padding", "x" * 200_000)  # several pages, so cuts land mid-file
    store.close()
    data = db_path.read_bytes()
    db_path.write_bytes(data[: max(1, int(len(data) * keep))])
    _assert_refused(db_path, "move it aside")


def test_foreign_sqlite_database_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    _assert_refused(db_path, "another program")


def test_folder_path_and_unwritable_parent(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        open_store(blocker / "movietui.db")


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions"
)
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="writable"):
            open_store(folder / "movietui.db")
    finally:
        folder.chmod(0o700)


def test_full_disk_is_a_clear_error(store) -> None:
    # SQLite reports a hit page limit exactly like a full disk (SQLITE_FULL).
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    profile = store.create_profile("ana") if pages else None
    with pytest.raises(StoreError, match="disk is full"):
        store.set_ratings_bulk(profile.id, [(m, 4.0, time.time()) for m in range(1, 20_000)])
    assert store.profile_ratings(profile.id) == []  # the failed batch left nothing behind


def test_read_only_database_is_a_clear_error(store) -> None:
    # query_only makes SQLite refuse writes exactly as for a read-only file (SQLITE_READONLY),
    # which is what root-run CI cannot produce with chmod.
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only") as info:
        store.set_setting("k", "v")
    assert str(store.path) in str(info.value) and "\n" not in str(info.value)
    assert store.get_setting("k") is None
