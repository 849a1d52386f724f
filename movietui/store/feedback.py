"""A profile's feedback without stars: "not interested" and "seen it, no rating".

One rule, kept here so every writer obeys it: a film holds at most one of a rating or a
mark. Marking a film drops its rating, and rating a film (``ProfilesMixin.set_rating``)
drops its mark, each in the same transaction. In bulk imports ratings win: a mark is not
written over a rated film. Like ratings, marks are committed before a method returns
and go with their profile (ON DELETE CASCADE).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from movietui.errors import StoreError

from .base import locked
from .profiles import ProfilesMixin, bulk_rows, check_time
from .types import ProfileFeedback

KINDS = ("not_interested", "seen")


def check_kind(kind: object, where: str = "") -> str:
    if kind not in KINDS:
        raise StoreError(f"{where}mark {kind!r} is not known; use one of {', '.join(KINDS)}")
    return str(kind)


class FeedbackMixin(ProfilesMixin):
    @locked
    def set_feedback(
        self, profile_id: int, movie_id: int, kind: str, marked_at: float | None = None
    ) -> None:
        """Mark a film (replacing any mark) and drop its rating, in one transaction."""
        kind = check_kind(kind)
        stamp = time.time() if marked_at is None else check_time(marked_at, name="marked_at")
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            conn.execute(
                "DELETE FROM profile_ratings WHERE profile_id = ? AND movie_id = ?",
                (pid, int(movie_id)),
            )
            conn.execute(
                "INSERT INTO profile_feedback VALUES (?, ?, ?, ?) ON CONFLICT(profile_id, movie_id) "
                "DO UPDATE SET kind = excluded.kind, marked_at = excluded.marked_at",
                (pid, int(movie_id), kind, stamp),
            )

    @locked
    def set_feedback_bulk(self, profile_id: int, rows: Iterable[tuple[int, str, float]]) -> int:
        """Upsert many marks in one transaction: a newer ``marked_at`` replaces an older mark,
        and a film the profile has rated keeps its rating (the mark is skipped).

        Returns how many marks were inserted or changed.
        """
        clean = bulk_rows(rows, check_kind, "kind", "marked_at")
        with self.transaction() as conn:
            pid = self._require_profile(profile_id)
            before = conn.total_changes
            conn.executemany(
                "INSERT INTO profile_feedback SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS "
                "(SELECT 1 FROM profile_ratings WHERE profile_id = ?1 AND movie_id = ?2) "
                "ON CONFLICT(profile_id, movie_id) DO UPDATE SET kind = excluded.kind, "
                "marked_at = excluded.marked_at WHERE excluded.marked_at > profile_feedback.marked_at",
                [(pid, m, k, t) for m, k, t in clean],
            )
            return conn.total_changes - before

    @locked
    def clear_feedback(self, profile_id: int, movie_id: int) -> str | None:
        """Remove a film's mark; returns the kind it had (None: it had none)."""
        row = self.conn.execute(
            "DELETE FROM profile_feedback WHERE profile_id = ? AND movie_id = ? RETURNING kind",
            (int(profile_id), int(movie_id)),
        ).fetchone()
        return None if row is None else str(row[0])

    @locked
    def get_feedback(self, profile_id: int, movie_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT kind FROM profile_feedback WHERE profile_id = ? AND movie_id = ?",
            (int(profile_id), int(movie_id)),
        ).fetchone()
        return None if row is None else str(row[0])

    @locked
    def feedback(self, profile_id: int) -> list[ProfileFeedback]:
        """The profile's marks, newest first."""
        rows = self.conn.execute(
            "SELECT movie_id, kind, marked_at FROM profile_feedback WHERE profile_id = ? "
            "ORDER BY marked_at DESC, movie_id",
            (int(profile_id),),
        )
        return [ProfileFeedback(int(m), str(k), float(t)) for m, k, t in rows]
