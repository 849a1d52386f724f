"""Marks without stars ("not interested", "seen"): one state per film, committed, cascaded."""

from __future__ import annotations

import sqlite3

import pytest

from movietui.errors import NotFoundError, StoreError
from movietui.store import ProfileFeedback, Store, open_store


def test_set_clear_and_list_marks_committed(store: Store, db_path) -> None:
    ana = store.create_profile("ana")
    store.set_feedback(ana.id, 10, "not_interested", marked_at=100.0)
    store.set_feedback(ana.id, 20, "seen", marked_at=300.0)
    store.set_feedback(ana.id, 10, "seen", marked_at=200.0)  # a new mark replaces the old one
    other = open_store(db_path)  # a second connection sees them: committed
    try:
        assert other.feedback(ana.id) == [
            ProfileFeedback(20, "seen", 300.0),
            ProfileFeedback(10, "seen", 200.0),
        ]
    finally:
        other.close()
    assert store.get_feedback(ana.id, 10) == "seen" and store.get_feedback(ana.id, 30) is None
    assert store.clear_feedback(ana.id, 10) == "seen"
    assert store.clear_feedback(ana.id, 10) is None
    assert [f.movie_id for f in store.feedback(ana.id)] == [20]


def test_a_film_holds_a_rating_or_a_mark_never_both(store: Store) -> None:
    ana = store.create_profile("ana")
    store.set_rating(ana.id, 1, 4.0)
    store.set_feedback(ana.id, 1, "not_interested")
    assert store.get_rating(ana.id, 1) is None and store.get_feedback(ana.id, 1) == "not_interested"
    store.set_rating(ana.id, 1, 2.5)
    assert store.get_rating(ana.id, 1) == 2.5 and store.get_feedback(ana.id, 1) is None


def test_bulk_marks_newest_wins_and_ratings_win(store: Store) -> None:
    ana = store.create_profile("ana")
    store.set_rating(ana.id, 1, 4.0, rated_at=50.0)
    store.set_feedback(ana.id, 2, "seen", marked_at=100.0)
    changed = store.set_feedback_bulk(
        ana.id,
        [
            (1, "seen", 500.0),  # rated: skipped
            (2, "not_interested", 50.0),  # older: skipped
            (3, "not_interested", 10.0),
        ],
    )  # new
    assert changed == 1
    assert {(f.movie_id, f.kind) for f in store.feedback(ana.id)} == {
        (2, "seen"),
        (3, "not_interested"),
    }
    assert store.get_rating(ana.id, 1) == 4.0
    assert store.set_feedback_bulk(ana.id, [(2, "not_interested", 200.0)]) == 1
    assert store.get_feedback(ana.id, 2) == "not_interested"
    # Bulk ratings drop the marks of the films they rate.
    store.set_ratings_bulk(ana.id, [(3, 3.5, 20.0)])
    assert store.get_feedback(ana.id, 3) is None and store.get_rating(ana.id, 3) == 3.5


@pytest.mark.parametrize("kind", ["hidden", "", None, "NOT_INTERESTED"])
def test_unknown_kind_is_a_one_line_error(store: Store, kind) -> None:
    ana = store.create_profile("ana")
    with pytest.raises(StoreError, match="not_interested, seen") as info:
        store.set_feedback(ana.id, 1, kind)
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError, match="row 1: mark"):
        store.set_feedback_bulk(ana.id, [(1, kind, 1.0)])
    assert store.feedback(ana.id) == []


def test_schema_rejects_bad_kind_even_bypassing_checks(store: Store) -> None:
    ana = store.create_profile("ana")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("INSERT INTO profile_feedback VALUES (?, 1, 'meh', 0)", (ana.id,))


def test_marks_go_with_their_profile(store: Store) -> None:
    ana = store.create_profile("ana")
    bo = store.create_profile("bo")
    for profile in (ana, bo):
        store.set_feedback(profile.id, 5, "seen")
    store.delete_profile(ana.id)
    assert store.conn.execute("SELECT profile_id FROM profile_feedback").fetchall() == [(bo.id,)]
    with pytest.raises(NotFoundError):
        store.set_feedback(ana.id, 5, "seen")
