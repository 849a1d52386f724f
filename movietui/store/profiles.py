"""Local profiles and their own data: ratings, watchlist, plus app settings (marks: feedback.py).

This is the user's data: it lives apart from the catalog (no foreign key to movies)
and every write is committed before the method returns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

import numpy as np

from movietui.errors import NotFoundError, StoreError
from movietui.stars import half_stars

from .base import StoreBase, _row_id, locked
from .types import Profile, ProfileRating

MAX_NAME = 60


def check_rating(rating: object, where: str = "") -> float:
    """``rating`` as a float in 0.5..5 in half stars, or StoreError saying what is allowed."""
    try:
        return half_stars(rating)
    except ValueError as exc:
        raise StoreError(f"{where}{exc}") from None


def _check_name(name: object) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise StoreError("a profile needs a name; type at least one letter")
    if len(text) > MAX_NAME:
        raise StoreError(f"profile name is {len(text)} characters long; use at most {MAX_NAME}")
    return text


def check_time(value: object, where: str = "", name: str = "rated_at") -> float:
    try:
        stamp = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        stamp = math.nan
    if not math.isfinite(stamp):
        raise StoreError(f"{where}{name} {value!r} is not a time; pass seconds since 1970")
    return stamp


def bulk_rows(
    rows: Iterable[tuple], check_value, value_name: str, time_name: str
) -> list[tuple[int, object, float]]:
    """(movie_id, checked value, checked time) per row, or StoreError naming the first bad row."""
    clean = []
    for k, row in enumerate(rows):
        where = f"row {k + 1}: "
        try:
            movie_id, value, stamp = row
            movie = int(movie_id)
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"{where}expected (movie_id, {value_name}, {time_name}), got {row!r}"
            ) from exc
        clean.append((movie, check_value(value, where), check_time(stamp, where, time_name)))
    return clean


class ProfilesMixin(StoreBase):
    def _require_profile(self, profile_id: int) -> int:
        pid = int(profile_id)
        if (
            self.conn.execute("SELECT 1 FROM profiles WHERE profile_id = ?", (pid,)).fetchone()
            is None
        ):
            raise NotFoundError(f"profile {pid} does not exist; pick one from the profile list")
        return pid

    @locked
    def list_profiles(self) -> list[Profile]:
        rows = self.conn.execute(
            "SELECT p.profile_id, p.name, p.created_at, "
            "(SELECT count(*) FROM profile_ratings r WHERE r.profile_id = p.profile_id) "
            "FROM profiles p ORDER BY p.profile_id"
        )
        return [Profile(*row) for row in rows]

    @locked
    def create_profile(self, name: str) -> Profile:
        text = _check_name(name)
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM profiles WHERE name = ?", (text,)).fetchone():
                raise StoreError(f"a profile named {text!r} already exists; choose another name")
            now = time.time()
            cur = conn.execute("INSERT INTO profiles(name, created_at) VALUES (?, ?)", (text, now))
        return Profile(_row_id(cur), text, now, 0)

    @locked
    def rename_profile(self, profile_id: int, name: str) -> None:
        text = _check_name(name)
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            clash = conn.execute(
                "SELECT profile_id FROM profiles WHERE name = ?", (text,)
            ).fetchone()
            if clash and clash[0] != pid:
                raise StoreError(f"a profile named {text!r} already exists; choose another name")
            conn.execute("UPDATE profiles SET name = ? WHERE profile_id = ?", (text, pid))

    @locked
    def delete_profile(self, profile_id: int) -> None:
        """Delete the profile; its ratings, marks and watchlist go with it (ON DELETE CASCADE)."""
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            conn.execute("DELETE FROM profiles WHERE profile_id = ?", (pid,))

    @locked
    def set_rating(
        self, profile_id: int, movie_id: int, rating: float, rated_at: float | None = None
    ) -> None:
        value = check_rating(rating)
        stamp = time.time() if rated_at is None else check_time(rated_at)
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            conn.execute(
                "INSERT INTO profile_ratings VALUES (?, ?, ?, ?) ON CONFLICT(profile_id, movie_id) "
                "DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at",
                (pid, int(movie_id), value, stamp),
            )
            # A rated film is seen: its mark goes (one state per film, see feedback.py).
            conn.execute(
                "DELETE FROM profile_feedback WHERE profile_id = ? AND movie_id = ?",
                (pid, int(movie_id)),
            )

    @locked
    def set_ratings_bulk(self, profile_id: int, rows: Iterable[tuple[int, float, float]]) -> int:
        """Upsert many ratings in one transaction; a row only replaces an older one.

        Returns how many rows were inserted or changed (identical or older rows count 0).
        """
        clean = bulk_rows(rows, check_rating, "rating", "rated_at")
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            before = conn.total_changes
            conn.executemany(
                "INSERT INTO profile_ratings VALUES (?, ?, ?, ?) ON CONFLICT(profile_id, movie_id) "
                "DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at "
                "WHERE excluded.rated_at > profile_ratings.rated_at",
                [(pid, m, r, t) for m, r, t in clean],
            )
            changed = conn.total_changes - before
            conn.execute(  # ratings win over marks in bulk: drop the marks of rated films
                "DELETE FROM profile_feedback WHERE profile_id = ?1 AND movie_id IN "
                "(SELECT movie_id FROM profile_ratings WHERE profile_id = ?1)",
                (pid,),
            )
            return changed

    @locked
    def delete_rating(self, profile_id: int, movie_id: int) -> float | None:
        row = self.conn.execute(
            "DELETE FROM profile_ratings WHERE profile_id = ? AND movie_id = ? RETURNING rating",
            (int(profile_id), int(movie_id)),
        ).fetchone()
        return None if row is None else float(row[0])

    @locked
    def get_rating(self, profile_id: int, movie_id: int) -> float | None:
        row = self.conn.execute(
            "SELECT rating FROM profile_ratings WHERE profile_id = ? AND movie_id = ?",
            (int(profile_id), int(movie_id)),
        ).fetchone()
        return None if row is None else float(row[0])

    @locked
    def profile_ratings(self, profile_id: int) -> list[ProfileRating]:
        rows = self.conn.execute(
            "SELECT movie_id, rating, rated_at FROM profile_ratings WHERE profile_id = ? "
            "ORDER BY rated_at DESC, movie_id",
            (int(profile_id),),
        )
        return [ProfileRating(*row) for row in rows]

    @locked
    def all_profile_ratings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(profile_id int64, movie_id int32, rating float32) for every profile."""
        rows = self.conn.execute(
            "SELECT profile_id, movie_id, rating FROM profile_ratings ORDER BY profile_id, movie_id"
        ).fetchall()
        cols = list(zip(*rows, strict=True)) if rows else [(), (), ()]
        return (
            np.array(cols[0], np.int64),
            np.array(cols[1], np.int32),
            np.array(cols[2], np.float32),
        )

    @locked
    def add_to_watchlist(self, profile_id: int, movie_id: int) -> None:
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            conn.execute(
                "INSERT OR IGNORE INTO watchlist VALUES (?, ?, ?)",
                (pid, int(movie_id), time.time()),
            )

    @locked
    def remove_from_watchlist(self, profile_id: int, movie_id: int) -> None:
        self.conn.execute(
            "DELETE FROM watchlist WHERE profile_id = ? AND movie_id = ?",
            (int(profile_id), int(movie_id)),
        )

    @locked
    def watchlist(self, profile_id: int) -> list[tuple[int, float]]:
        rows = self.conn.execute(
            "SELECT movie_id, added_at FROM watchlist WHERE profile_id = ? ORDER BY added_at DESC, movie_id",
            (int(profile_id),),
        )
        return [(int(m), float(t)) for m, t in rows]

    @locked
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (str(key),)).fetchone()
        return default if row is None else row[0]

    @locked
    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(key), str(value)),
        )
