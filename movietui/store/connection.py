"""Open the database file safely: check it, set PRAGMAs, back up, then migrate.

Nothing is written to an existing file until it has passed every check: the SQLite
header, ``PRAGMA quick_check``, a schema version this code understands, and being a
movietui database at all. A file older than this code is copied to
``<db dir>/backups/`` with SQLite's backup API before any migration runs.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from movietui.errors import StoreError

from . import schema

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
# Bigger pages mean shorter overflow chains for the multi-megabyte rating and model
# BLOBs; only takes effect when the file is created.
PAGE_SIZE = 16_384


def _kind(error: BaseException) -> str:
    """SQLite's error name (SQLITE_FULL, SQLITE_IOERR_WRITE, ...) or the message, upper-cased."""
    return (getattr(error, "sqlite_errorname", None) or str(error)).upper()


# (SQLite error names, message fragments, what to tell the person), first match wins.
_ERRORS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        ("SQLITE_FULL",),
        ("disk is full", "no space"),
        "{path}: the disk is full; free some space and try again (nothing was half-written)",
    ),
    (
        ("SQLITE_IOERR",),
        ("disk i/o error",),
        "{path}: writing to the disk failed (disk full, file size limit or a failing drive); free some "
        "space or check the drive, then try again (nothing was half-written)",
    ),
    (
        ("SQLITE_READONLY",),
        ("readonly", "read-only", "permission denied"),
        "{path}: the database or its folder is read-only; make it writable or set MOVIETUI_HOME "
        "to a writable folder",
    ),
    (
        ("SQLITE_CANTOPEN",),
        ("unable to open",),
        "{path}: cannot open the database file; check the folder exists and is writable, "
        "or set MOVIETUI_HOME to a writable folder",
    ),
    (
        ("SQLITE_CORRUPT", "SQLITE_NOTADB"),
        ("not a database", "malformed"),
        "{path} is damaged or not a movietui database; move it aside (copies may be in "
        "backups/) and start movietui again",
    ),
    (
        ("SQLITE_BUSY", "SQLITE_LOCKED"),
        ("locked",),
        "{path} stayed busy for "
        + str(BUSY_TIMEOUT_MS // 1000)
        + " s in another movietui; close it and try again",
    ),
)


def translate(error: BaseException, path: Path) -> StoreError:
    """One actionable line for an sqlite3/OS error met while using ``path``."""
    kind, text = _kind(error), str(error).lower()
    for names, fragments, message in _ERRORS:
        if any(n in kind for n in names) or any(f in text for f in fragments):
            return StoreError(message.format(path=path))
    if isinstance(error, OSError):
        return StoreError(
            f"{path}: {error.strerror or error}; check the disk and folder permissions"
        )
    return StoreError(
        f"{path}: database error ({error}); close other movietui windows and try again"
    )


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot read the database ({exc.strerror}); check its permissions"
        ) from exc
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise StoreError(
            f"{path} is not a SQLite database (or is cut short); move it aside or set MOVIETUI_HOME "
            "to another folder, then start movietui again"
        )


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Schema version of an existing file, after checking it is sound and ours."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise StoreError(
            f"{path} is damaged ({rows[0][0]}); move it aside (copies may be in backups/) and start "
            "movietui again"
        )
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > schema.SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer movietui (schema {version}, this one reads up to "
            f"{schema.SCHEMA_VERSION}); run a newer movietui or move the file aside"
        )
    if version == 0:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise StoreError(
                f"{path} is a SQLite database from another program; move it aside or set MOVIETUI_HOME "
                "to another folder"
            )
    return version


def backup_path(path: Path, version: int) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder = path.parent / "backups"
    candidate = folder / f"{path.stem}.v{version}.{stamp}.db"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{path.stem}.v{version}.{stamp}-{n}.db"
    return candidate


def backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the live database to backups/ with SQLite's online backup API.

    The copy is written as ``*.partial`` and renamed only when complete, so a crash
    mid-copy never leaves an empty or half file that looks like a backup.
    """
    target = backup_path(path, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    dest = sqlite3.connect(partial)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(partial, target)
    return target


def open_connection(path: Path) -> sqlite3.Connection:
    """A checked, configured, up-to-date connection to ``path`` (created if missing)."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file; pass a file path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"{path.parent}: cannot create the data folder ({exc.strerror}); choose a writable folder "
            "with MOVIETUI_HOME or --home"
        ) from exc
    existing = path.exists() and path.stat().st_size > 0
    if existing:
        _check_header(path)
    conn = None
    try:
        conn = _connect(path)
        version = _inspect(conn, path) if existing else 0
        if 0 < version < schema.SCHEMA_VERSION:
            backup(conn, path, version)  # before anything, even the journal mode, changes the file
        if version == 0:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(
                f"{path}: cannot switch the database to WAL mode; check the folder is writable"
            )
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
        # After a big import the WAL is as large as the data; cap what stays on disk.
        conn.execute(f"PRAGMA journal_size_limit = {64 * 2**20}")
        schema.upgrade(conn)
        return conn
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, StoreError):
            raise
        if isinstance(exc, (sqlite3.Error, OSError)):
            raise translate(exc, path) from exc
        raise
