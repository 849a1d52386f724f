"""Tables, the schema version (``PRAGMA user_version``) and forward migrations.

A new file gets the version-1 tables and then every migration, so the migration path
runs on every fresh database as well as on old files. Add a change by appending a
function to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# Version 1, as first shipped. Catalog tables are replaced whole on import; profile
# tables are the user's own data and reference movies by MovieLens id with no foreign
# key, so a catalog without some film never deletes a rating of it.
V1_DDL = """
CREATE TABLE movies (
    movie_id      INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    display_title TEXT NOT NULL,
    year          INTEGER NOT NULL DEFAULT 0,
    genres        TEXT NOT NULL DEFAULT '',
    imdb_id       TEXT,
    tmdb_id       INTEGER NOT NULL DEFAULT 0,
    rating_count  INTEGER NOT NULL DEFAULT 0,
    mean_rating   REAL,
    genre_mask    INTEGER NOT NULL DEFAULT 0,
    search_key    TEXT NOT NULL,   -- folded display title, newline, folded raw title
    display_key   TEXT NOT NULL,   -- folded display title ("the matrix")
    bare_key      TEXT NOT NULL,   -- folded display title without a leading article ("matrix")
    title_key     TEXT NOT NULL,   -- folded raw title ("matrix, the")
    pop_rank      INTEGER NOT NULL -- 0 = most rated; ties by bare_key, movie_id
);
CREATE INDEX movies_display_key ON movies(display_key);
CREATE INDEX movies_bare_key ON movies(bare_key);
CREATE INDEX movies_title_key ON movies(title_key);
-- Short (1-2 letter) queries count their LIKE matches in this narrow index, not the table.
CREATE INDEX movies_search_key ON movies(search_key);
-- Browsing without a query walks this index in popularity order and filters inside it.
CREATE INDEX movies_browse ON movies(pop_rank, genre_mask, year, rating_count, mean_rating);
-- Contentless trigram index. rowid = pop_rank << 32 | movie_id, so FTS5, which returns
-- rows in rowid order, yields matches most-rated first (a LIMIT stops early) and the
-- movie id is read off the rowid without a join.
CREATE VIRTUAL TABLE movie_fts USING fts5(
    display_key, bare_key, title_key, content='', tokenize='trigram'
);
CREATE TABLE genres (
    bit  INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE catalog_rating_chunks (
    chunk_no  INTEGER PRIMARY KEY,
    n         INTEGER NOT NULL,
    user_id   BLOB NOT NULL,   -- little-endian int32 x n
    movie_id  BLOB NOT NULL,   -- little-endian int32 x n
    rating    BLOB NOT NULL,   -- little-endian float32 x n
    timestamp BLOB NOT NULL    -- little-endian int64 x n
);
CREATE TABLE catalog_arrays (   -- per-movie columns as BLOBs, for numpy without a row loop
    name  TEXT PRIMARY KEY,       -- movie_id, year, rating_count, mean_rating, genre_mask, pop_order
    dtype TEXT NOT NULL,          -- little-endian numpy dtype string
    data  BLOB NOT NULL
);
CREATE TABLE catalog_meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    release     TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at REAL NOT NULL,
    n_movies    INTEGER NOT NULL,
    n_ratings   INTEGER NOT NULL,
    n_users     INTEGER NOT NULL
);
CREATE TABLE profiles (
    profile_id INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at REAL NOT NULL
);
CREATE TABLE profile_ratings (
    profile_id INTEGER NOT NULL REFERENCES profiles(profile_id) ON DELETE CASCADE,
    movie_id   INTEGER NOT NULL,
    rating     REAL NOT NULL
               CHECK (rating BETWEEN 0.5 AND 5 AND rating * 2 = CAST(rating * 2 AS INTEGER)),
    rated_at   REAL NOT NULL,
    PRIMARY KEY (profile_id, movie_id)
) WITHOUT ROWID;
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE models (
    model_id   INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    meta       TEXT NOT NULL,      -- JSON
    is_current INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE model_arrays (     -- each array's bytes in parts of a few MB (see models.py)
    model_id INTEGER NOT NULL REFERENCES models(model_id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    part     INTEGER NOT NULL,
    dtype    TEXT NOT NULL,        -- numpy dtype string, little-endian ("<f4")
    shape    TEXT NOT NULL,        -- JSON list
    data     BLOB NOT NULL,
    PRIMARY KEY (model_id, name, part)
);
CREATE TABLE training_runs (
    run_id      INTEGER PRIMARY KEY,
    started_at  REAL NOT NULL,
    finished_at REAL,
    status      TEXT NOT NULL,
    params      TEXT NOT NULL,     -- JSON
    metrics     TEXT NOT NULL DEFAULT '{}',
    model_id    INTEGER REFERENCES models(model_id) ON DELETE SET NULL
);
"""


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute each statement of ``script`` inside the caller's transaction.

    ``executescript`` would COMMIT a pending transaction first, so it is not used here.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:60]}")


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Add the watchlist and an index for "newest ratings first"."""
    run_script(
        conn,
        """
        CREATE TABLE watchlist (
            profile_id INTEGER NOT NULL REFERENCES profiles(profile_id) ON DELETE CASCADE,
            movie_id   INTEGER NOT NULL,
            added_at   REAL NOT NULL,
            PRIMARY KEY (profile_id, movie_id)
        ) WITHOUT ROWID;
        CREATE INDEX profile_ratings_recent ON profile_ratings(profile_id, rated_at DESC);
        CREATE INDEX models_current ON models(is_current) WHERE is_current = 1;
        """,
    )


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """Add per-profile feedback without stars: "not interested" and "seen it, no rating"."""
    run_script(
        conn,
        """
        CREATE TABLE profile_feedback (
            profile_id INTEGER NOT NULL REFERENCES profiles(profile_id) ON DELETE CASCADE,
            movie_id   INTEGER NOT NULL,
            kind       TEXT NOT NULL CHECK (kind IN ('not_interested', 'seen')),
            marked_at  REAL NOT NULL,
            PRIMARY KEY (profile_id, movie_id)
        ) WITHOUT ROWID;
        """,
    )


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """Tag saved models by kind ("mf": the rating model with its ranker; "neural"): each kind
    has its own current model and keeps its own last few."""
    run_script(
        conn,
        """
        ALTER TABLE models ADD COLUMN kind TEXT NOT NULL DEFAULT 'mf';
        """,
    )


def _add_film_lists(conn: sqlite3.Connection) -> None:
    """Named film lists (imported Letterboxd lists, plain CSVs), shared by every profile."""
    run_script(
        conn,
        """
        CREATE TABLE film_lists (
            list_id    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL
        );
        CREATE TABLE film_list_items (
            list_id  INTEGER NOT NULL REFERENCES film_lists(list_id) ON DELETE CASCADE,
            movie_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (list_id, movie_id)
        ) WITHOUT ROWID;
        """,
    )


# MIGRATIONS[k] takes a version-(k+1) database to version k+2.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_to_v2,
    _v2_to_v3,
    _v3_to_v4,
    _add_film_lists,
]
SCHEMA_VERSION = 1 + len(MIGRATIONS)


def _step(
    conn: sqlite3.Connection, target: int, apply: Callable[[sqlite3.Connection], None]
) -> None:
    """Run ``apply`` and set the version to ``target`` in one transaction, unless another
    connection got there first (the version is re-read under the write lock)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == target - 1:
            apply(conn)
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def create_v1(conn: sqlite3.Connection) -> None:
    """Lay down the version-1 tables in an empty database (tests build old files with it)."""
    _step(conn, 1, lambda c: run_script(c, V1_DDL))


def upgrade(conn: sqlite3.Connection) -> None:
    """Bring the database from whatever version it has up to ``SCHEMA_VERSION``."""
    create_v1(conn)
    for index, migration in enumerate(MIGRATIONS):
        _step(conn, index + 2, migration)
