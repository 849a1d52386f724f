"""What every part of the Store shares: the connection, the lock, error translation.

The main connection is used only under ``self._lock`` (``@locked`` methods). Bulk readers
(``@translating``: catalog ratings, the saved model) and the model save open their own
short-lived connection and do not take the lock (docs/design.md, "Threading contract").
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from movietui.errors import StoreError

from .connection import translate

F = TypeVar("F", bound=Callable[..., Any])


class StoreBase:
    """Holds the single connection; subclasses add the tables' methods."""

    path: Path

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the store was closed; open it again")
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception, Ctrl-C included.

        IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
        instead of failing with SQLITE_BUSY when a read transaction tries to upgrade.
        """
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def reader(self) -> sqlite3.Connection:
        """A short-lived extra connection for bulk reads that should not hold the lock.

        WAL lets it read a consistent snapshot while the main connection keeps serving
        the UI and writers.
        """
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        # Memory-mapped reads hand BLOB pages over without copying them through the page
        # cache: about twice as fast for the multi-megabyte rating chunks and factor arrays.
        conn.execute(f"PRAGMA mmap_size = {2**31}")
        return conn

    def writer(self) -> sqlite3.Connection:
        """A short-lived extra connection for one big write (a model save) without the lock.

        WAL allows one writer beside any number of readers: the UI thread's reads go on
        meanwhile; its writes wait for the commit on busy_timeout. Same guarantees as the main
        connection (foreign keys, synchronous=FULL), and one transaction, so a kill mid-write
        leaves the previous state.
        """
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT made (sqlite3 types it Optional: None only before any insert)."""
    if cursor.lastrowid is None:
        raise StoreError("the database did not report the new row; try again")
    return int(cursor.lastrowid)


def locked(method: F) -> F:
    """Serialise a public method on the store's RLock and turn sqlite3 errors into StoreError."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, OSError) as exc:
                raise translate(exc, self.path) from exc

    return wrapper  # type: ignore[return-value]


def translating(method: F) -> F:
    """Turn sqlite3 errors into StoreError without taking the lock (bulk readers)."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise translate(exc, self.path) from exc

    return wrapper  # type: ignore[return-value]
