"""Corrupt, foreign, newer, old, read-only and full databases: a clear message, no loss.

Each bad file must give ONE line of StoreError from ``open_store`` and from the CLI
(``python -m movietui --home H info``: exit 1, one stderr line, no traceback), and its bytes
must be exactly what they were before (sha256 before/after). An old schema is migrated only
after a backup copy is written. A read-only folder and a full disk give a clear message and
leave every committed rating in place.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rel_harness import REPO, Figures, file_digest, integrity, worker_env

from movietui.config import get_paths
from movietui.errors import StoreError
from movietui.store import SCHEMA_VERSION, open_store
from movietui.store import schema as store_schema

N_RATINGS = 400
SEED_MIGRATION = 99


def build_real_db(home: Path) -> tuple[Path, dict[int, float]]:
    """A real movietui database with a profile, ratings and a ~1 MB model; closed cleanly."""
    db = get_paths(home).db
    rng = np.random.default_rng(7)
    with open_store(db) as store:
        pid = store.create_profile("alice").id
        ratings = {
            int(m): float(rng.integers(1, 11)) / 2
            for m in rng.choice(50_000, N_RATINGS, replace=False)
        }
        store.set_ratings_bulk(pid, [(m, v, 1.6e9 + m) for m, v in ratings.items()])
        store.save_model({"w": rng.normal(size=250_000).astype(np.float32)}, {"k": 1})
    return db, ratings


def ratings_of(db: Path) -> dict[int, float]:
    with open_store(db) as store:
        pid = store.list_profiles()[0].id
        return {r.movie_id: r.rating for r in store.profile_ratings(pid)}


def assert_one_line_store_error(db: Path) -> str:
    with pytest.raises(StoreError) as caught:
        open_store(db)
    message = str(caught.value)
    assert message and "\n" not in message, f"not one line: {message!r}"
    return message


# ------------------------------------------------------------ bad files (parametrised)


def _random_bytes(db: Path, home: Path) -> None:
    db.write_bytes(random.Random(1).randbytes(64 * 1024))


def _text_file(db: Path, home: Path) -> None:
    db.write_text("these are my notes, not a database\n" * 200)


def _zeroed(db: Path, home: Path) -> None:
    db.write_bytes(bytes(1 << 20))


def _sqlite_header_garbage_body(db: Path, home: Path) -> None:
    real, _ = build_real_db(home)
    data = bytearray(real.read_bytes())
    rng = random.Random(2)
    for k in range(100, len(data)):  # keep the 100-byte header, scramble every page after it
        data[k] = rng.randrange(256)
    db.write_bytes(bytes(data))


def _truncated(db: Path, home: Path) -> None:
    real, _ = build_real_db(home)
    data = real.read_bytes()
    page = int.from_bytes(data[16:18], "big") or 65536
    cut = (len(data) // page // 2) * page + page // 2  # half way through a page in the middle
    db.write_bytes(data[:cut])


def _newer_schema(db: Path, home: Path) -> None:
    build_real_db(home)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()


def _foreign_sqlite(db: Path, home: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, amount REAL)")
    conn.executemany("INSERT INTO invoices(amount) VALUES (?)", [(k * 1.5,) for k in range(1000)])
    conn.commit()
    conn.close()


BAD_FILES = {
    "random-bytes": _random_bytes,
    "text-file": _text_file,
    "zero-filled": _zeroed,
    "sqlite-header-garbage-body": _sqlite_header_garbage_body,
    "truncated-mid-page": _truncated,
    "newer-schema": _newer_schema,
    "foreign-sqlite": _foreign_sqlite,
}


def cli_info(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``movietui --home H info`` in process (the subprocess form is checked separately)."""
    from movietui.cli import main

    capsys.readouterr()
    code = main(["--home", str(home), "info"])
    return code, capsys.readouterr().err


def assert_cli_refuses(code: int, stderr: str) -> None:
    err_lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 1, f"CLI exit {code}; stderr: {stderr}"
    assert len(err_lines) == 1, f"CLI stderr is not one line: {stderr!r}"
    assert "Traceback" not in stderr


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_database_file_is_refused_and_left_untouched(
    kind: str, rel_home: Path, capsys: pytest.CaptureFixture[str], figures: Figures
) -> None:
    db = get_paths(rel_home).db
    BAD_FILES[kind](db, rel_home)
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    before = file_digest(db)

    message = assert_one_line_store_error(db)
    assert str(db) in message or db.name in message, f"message does not name the file: {message}"
    if kind == "newer-schema":
        assert "newer" in message
    assert file_digest(db) == before, "open_store changed the bad file"

    assert_cli_refuses(*cli_info(rel_home, capsys))
    assert file_digest(db) == before, "the CLI changed the bad file"
    if kind == "newer-schema":
        assert not (rel_home / "backups").exists(), "a newer file must not be migrated or backed up"
    figures.add("bad_files_refused_unchanged")
    figures.note(f"bad_file_message_{kind}", message.replace(str(db), "<db>"))


def test_cli_subprocess_on_bad_files(tmp_path: Path, figures: Figures) -> None:
    """The real ``python -m movietui`` on two bad files at once: exit 1, one line, no traceback."""
    homes = []
    for kind in ("text-file", "newer-schema"):
        home = tmp_path / kind
        home.mkdir()
        BAD_FILES[kind](get_paths(home).db, home)
        homes.append((home, file_digest(get_paths(home).db)))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "movietui", "--home", str(h), "info"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=worker_env(),
        )
        for h, _ in homes
    ]
    for (home, digest), proc in zip(homes, procs):
        _, err = proc.communicate(timeout=120)
        assert_cli_refuses(proc.returncode, err)
        assert file_digest(get_paths(home).db) == digest
        figures.add("cli_bad_file_runs")


# ------------------------------------------------------------ migration from an old schema


def test_migration_from_v1_backs_up_first_and_keeps_ratings(
    rel_home: Path, figures: Figures
) -> None:
    db = get_paths(rel_home).db
    conn = sqlite3.connect(db, isolation_level=None)
    store_schema.create_v1(conn)
    conn.execute("INSERT INTO profiles(profile_id, name, created_at) VALUES (1, 'old', 1.0)")
    rows = [(1, m, 0.5 + (m % 10) / 2, 1.0e9 + m) for m in range(1, 301)]
    conn.executemany("INSERT INTO profile_ratings VALUES (?, ?, ?, ?)", rows)
    conn.close()
    before = file_digest(db)

    with open_store(db) as store:
        assert {r.movie_id: r.rating for r in store.profile_ratings(1)} == {
            m: r for _, m, r, _ in rows
        }
    backups = list((rel_home / "backups").glob("*"))
    assert len(backups) == 1, f"expected one backup, found {backups}"
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(copy.execute("SELECT * FROM profile_ratings")) == sorted(rows)
    copy.close()
    live = sqlite3.connect(db)
    assert live.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    live.close()
    assert file_digest(db) != before  # it really was migrated
    with open_store(db):
        pass
    assert len(list((rel_home / "backups").glob("*"))) == 1, (
        "a current file must not be backed up again"
    )
    figures.add("migrations_backed_up")


# ------------------------------------------------------------ unwritable places


def test_data_folder_under_a_file_gives_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    home = blocker / "home"
    message = assert_one_line_store_error(get_paths(home).db)
    assert "folder" in message
    assert_cli_refuses(*cli_info(home, capsys))
    assert blocker.read_text() == "x"


def test_database_path_that_is_a_folder(rel_home: Path) -> None:
    get_paths(rel_home).db.mkdir()
    assert "folder" in assert_one_line_store_error(get_paths(rel_home).db)


def test_garbage_wal_next_to_a_good_database(rel_home: Path, figures: Figures) -> None:
    """A -wal file of random bytes (say, a half-copied folder): SQLite's frame checksums
    reject it, and every committed rating is still there."""
    db, ratings = build_real_db(rel_home)
    Path(str(db) + "-wal").write_bytes(random.Random(3).randbytes(200_000))
    assert ratings_of(db) == ratings
    assert integrity(db) == "ok"
    figures.add("garbage_wal_survived")


def test_unreadable_saved_model_does_not_stop_the_app(
    catalog_home: Path, capsys: pytest.CaptureFixture[str], figures: Figures
) -> None:
    """A saved model whose metadata is damaged: the app opens (popularity picks, a warning),
    the CLI works, and training replaces the model."""
    from movietui.model import Hyper
    from movietui.service import Service

    with Service.open(catalog_home) as service:
        service.train(Hyper(factors=8, epochs=2))
        arrays, meta = service.store.load_current_model()[1:]  # type: ignore[index]
        ratings = {r.movie.movie_id: r.rating for r in service.my_ratings()}
    db = get_paths(catalog_home).db
    blob_damage = [
        ("item_factors", "zeroblob(3)", "'<f4'", "NULL"),
        ("user_bias", "data", "'<U4'", "NULL"),
        ("item_bias", "data", "'<f4'", "'[7, 7]'"),
        ("user_keys", "data", "'bogus'", "NULL"),
    ]
    damages: list[tuple[dict, tuple | None]] = [
        ({"hyper": None}, None),
        ({"mu": None}, None),
        ({"history": [1]}, None),
        ({"format": 99}, None),
        ({"service": None}, None),
    ]
    damages += [({}, blob) for blob in blob_damage]
    for damage, blob in damages:
        with open_store(db) as store:
            model_id = store.save_model(arrays, dict(meta, **damage))
        if blob is not None:  # a damaged array row, as a bad sector or a hand edit would leave
            name, data, dtype, shape = blob
            conn = sqlite3.connect(db)
            conn.execute(
                f"UPDATE model_arrays SET data = {data}, dtype = {dtype}, shape = coalesce({shape}, shape) "
                "WHERE model_id = ? AND name = ?",
                (model_id, name),
            )
            conn.commit()
            conn.close()
        with Service.open(catalog_home) as service:
            assert service.model_info() is None, f"a damaged model was loaded: {damage} {blob}"
            assert service.load_warning and "\n" not in service.load_warning
            assert service.recommendations(n=5), "no recommendations without a model"
            assert {r.movie.movie_id: r.rating for r in service.my_ratings()} == ratings
        from movietui.cli import main

        assert main(["--home", str(catalog_home), "info"]) == 0, capsys.readouterr().err
        figures.add("damaged_models_survived")
    with Service.open(catalog_home) as service:
        service.train(Hyper(factors=8, epochs=2))
        assert service.model_info() is not None


def run_faulty(db: Path, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(REPO / "tests/reliability/workers/faulty_env.py"), str(db), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=worker_env(),
        timeout=120,
        check=False,
    )
    if result.returncode == 3 and "cannot-drop-root" in result.stdout:
        pytest.skip(
            "running as root and user namespaces are unavailable, so file modes cannot deny writes"
        )
    assert result.returncode == 0, f"worker failed: {result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def outcome(lines: list[str], what: str) -> str:
    for line in lines:
        if line.startswith(what + " "):
            return line[len(what) + 1 :]
    return "not attempted"


@pytest.mark.parametrize("where", ["folder", "file"])
def test_read_only_database_gives_clear_error_and_loses_nothing(
    where: str, rel_home: Path, figures: Figures
) -> None:
    # Root ignores file modes; the worker enters a user namespace where it is 'nobody',
    # so the chmod below really denies it writes (skipped if namespaces are unavailable).
    db, ratings = build_real_db(rel_home)
    before = file_digest(db)
    if where == "folder":
        os.chmod(rel_home, 0o555)
    else:
        os.chmod(rel_home, 0o777)
        os.chmod(db, 0o444)
    try:
        lines = run_faulty(db, "readonly")
    finally:
        os.chmod(rel_home, 0o755)
        os.chmod(db, 0o644)
    errors = [line for line in lines if " error " in line]
    assert errors, f"a read-only database accepted every write: {lines}"
    for line in errors:
        text = line.replace(str(db), "<db>")
        assert "read-only" in text or "writable" in text, f"unclear message: {line}"
    assert outcome(lines, "rate") != "ok", lines
    assert file_digest(db) == before
    assert ratings_of(db) == ratings
    figures.add("read_only_cases")
    figures.note(f"read_only_{where}", errors[0].split(" error ", 1)[1].replace(str(db), "<db>"))


def test_full_disk_gives_clear_error_and_loses_nothing(rel_home: Path, figures: Figures) -> None:
    # RLIMIT_FSIZE makes every file of the worker stop growing a little past today's size:
    # to SQLite that is a full disk (short write / EFBIG).
    db, ratings = build_real_db(rel_home)
    limit = db.stat().st_size + 64 * 1024
    lines = run_faulty(db, "fsize", str(limit))
    assert outcome(lines, "open") == "ok", lines
    big_writes = [outcome(lines, "bulk"), outcome(lines, "model")]
    assert all(o.startswith("error ") for o in big_writes), (
        f"writes past the limit succeeded: {lines}"
    )
    for o in big_writes:
        text = o.replace(str(db), "<db>")  # the temp path itself may contain "full"
        assert "full" in text or "space" in text, f"unclear message for a full disk: {o}"
    assert integrity(db) == "ok"
    after = ratings_of(db)
    for movie, value in ratings.items():
        assert after[movie] == value
    if outcome(lines, "rate") == "ok":
        assert after[999_999] == 4.5  # a write that fitted was confirmed and kept
    assert not any(1_000_000 <= m < 1_100_000 for m in after), (
        "half a failed bulk import is visible"
    )
    with open_store(db) as store:
        loaded = store.load_current_model()
        assert loaded is not None and loaded[2] == {"k": 1}, (
            "the failed model replaced the saved one"
        )
    figures.add("full_disk_cases")
    figures.note("full_disk_message", big_writes[0][len("error ") :].replace(str(db), "<db>"))


def test_sqlite_full_via_max_page_count(rel_home: Path, figures: Figures) -> None:
    db, ratings = build_real_db(rel_home)
    # max_page_count holds for the connection that sets it: the main one, so the big write is
    # a bulk rating import (model saves use their own connection; the RLIMIT_FSIZE test above
    # fills the disk under them).
    with open_store(db) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        pid = store.list_profiles()[0].id
        rows = [(2_000_000 + k, 0.5 + (k % 10) / 2, 1.0e9 + k) for k in range(100_000)]
        with pytest.raises(StoreError) as caught:
            store.set_ratings_bulk(pid, rows)
        text = str(caught.value).replace(str(db), "<db>")
        assert "full" in text and "\n" not in text
        store.set_rating(pid, 123_456_789, 3.0)  # small writes still fit
    assert integrity(db) == "ok"
    after = ratings_of(db)
    assert after[123_456_789] == 3.0
    assert {m: after[m] for m in ratings} == ratings
    assert not any(2_000_000 <= m < 2_100_000 for m in after), "half a failed bulk is visible"
    with open_store(db) as store:
        assert store.load_current_model()[2] == {"k": 1}  # type: ignore[index]
    figures.add("full_disk_cases")


@pytest.mark.slow
def test_kill_during_backup_and_migration(spawn, rel_home: Path, figures: Figures) -> None:
    """SIGKILL while an old file is being backed up and migrated (ever later kills, until an
    open finishes): the file stays a sound v1 or becomes a sound later version with every
    rating (each migration step commits on its own, so a kill between steps leaves a sound
    middle version), a later open finishes the job, and everything in backups/ is a whole
    copy of an older version."""
    db = get_paths(rel_home).db
    conn = sqlite3.connect(db, isolation_level=None)
    store_schema.create_v1(conn)
    conn.execute("INSERT INTO profiles(profile_id, name, created_at) VALUES (1, 'old', 1.0)")
    rows = [(1, m, 0.5 + (m % 10) / 2, 1.0e9 + m) for m in range(1, 2001)]
    conn.executemany("INSERT INTO profile_ratings VALUES (?, ?, ?, ?)", rows)
    blob = random.Random(4).randbytes(
        4_000_000
    )  # ~24 MB of catalog chunks: a backup that takes a while
    conn.executemany(
        "INSERT INTO catalog_rating_chunks VALUES (?, 1, ?, ?, ?, ?)",
        [(k, blob, blob, blob[:1000], blob[:1000]) for k in range(3)],
    )
    conn.close()
    want = sorted(rows)
    rng = random.Random(SEED_MIGRATION)
    outcomes: dict[str, int] = {}
    for round_no in range(
        30
    ):  # kill ever later: during open, backup, migration, until one finishes
        child = spawn("opener.py", db)
        child.wait_for("started")
        time.sleep(round_no * 0.015 + rng.uniform(0.0, 0.01))
        child.kill()
        done = any(line.startswith("opened") for line in child.seen + child.drain())
        raw = sqlite3.connect(db)
        version = raw.execute("PRAGMA user_version").fetchone()[0]
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(raw.execute("SELECT * FROM profile_ratings")) == want, (
            "ratings changed during migration"
        )
        raw.close()
        assert 1 <= version <= SCHEMA_VERSION
        key = "finished" if done else f"killed-at-v{version}"
        outcomes[key] = outcomes.get(key, 0) + 1
        figures.add("migration_kills")
        if version == SCHEMA_VERSION:
            break
    with open_store(db) as store:  # a normal open completes whatever was interrupted
        assert (
            sorted((1, r.movie_id, r.rating, r.rated_at) for r in store.profile_ratings(1)) == want
        )
    backups = sorted((rel_home / "backups").glob("*.db"))
    assert backups, "no backup of the v1 file exists after migrating it"
    for copy in backups:  # anything named like a backup must be a whole, sound older copy
        check = sqlite3.connect(copy)
        try:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok", copy.name
            version = check.execute("PRAGMA user_version").fetchone()[0]
            assert 1 <= version < SCHEMA_VERSION, f"{copy.name} is not a copy of an older version"
            assert sorted(check.execute("SELECT * FROM profile_ratings")) == want, (
                f"{copy.name} is incomplete"
            )
        except sqlite3.Error as exc:
            pytest.fail(
                f"backups/{copy.name} ({copy.stat().st_size} bytes) is not a usable copy: {exc}"
            )
        finally:
            check.close()
    figures.note("migration_kill_outcomes", outcomes)
    figures.note("migration_backup_files", len(backups))
    figures.note(
        "migration_other_files_in_backups",
        sorted(
            p.name.split(".", 3)[-1] for p in (rel_home / "backups").iterdir() if p.suffix != ".db"
        ),
    )
