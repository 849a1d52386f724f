"""Marks without stars through the Service: committed, shown, undoable, per profile."""

from __future__ import annotations

import pytest

from movietui.errors import NotFoundError
from movietui.service import Service

TOY_STORY, MATRIX, SHAWSHANK, FORREST_GUMP = 1, 2571, 318, 356


def stored_mark(service: Service, movie_id: int) -> str | None:
    profile = service.current_profile
    assert profile is not None
    return service.store.get_feedback(profile.id, movie_id)


def test_mark_is_committed_shown_and_undone(service: Service) -> None:
    service.create_profile("ana")
    result = service.mark_not_interested(SHAWSHANK)
    assert (result.mark, result.previous_mark, result.rating, result.previous) == (
        "not_interested",
        None,
        None,
        None,
    )
    assert stored_mark(service, SHAWSHANK) == "not_interested"
    assert service.marks() == {SHAWSHANK: "not_interested"}
    assert service.movie(SHAWSHANK).movie.mark == "not_interested"
    assert (
        service.mark_seen(SHAWSHANK).previous_mark == "not_interested"
    )  # one mark replaces the other
    assert service.marks() == {SHAWSHANK: "seen"}
    browsed = {v.movie_id: v.mark for v in service.browse("shawshank").items}
    assert browsed[SHAWSHANK] == "seen"
    assert service.undo().mark == "not_interested"
    undone = service.undo()
    assert undone.mark is None and undone.previous_mark == "not_interested"
    assert service.marks() == {} and stored_mark(service, SHAWSHANK) is None
    assert service.undo() is None


def test_a_mark_replaces_a_rating_and_undo_brings_the_rating_back(service: Service) -> None:
    service.create_profile("bo")
    service.rate(SHAWSHANK, 5)
    service.rate(MATRIX, 4.5)
    rated = service.movie(FORREST_GUMP).movie.predicted
    result = service.mark_seen(MATRIX)
    assert (
        result.previous == 4.5 and result.rating is None and result.loss_after is not None
    )  # refolded
    assert [r.movie.movie_id for r in service.my_ratings()] == [SHAWSHANK]
    assert service.marks() == {MATRIX: "seen"}
    assert service.movie(FORREST_GUMP).movie.predicted != rated  # the rating left the profile's row
    undone = service.undo()
    assert undone.rating == 4.5 and undone.mark is None and undone.previous_mark == "seen"
    assert service.movie(MATRIX).movie.my_rating == 4.5 and service.marks() == {}
    # Rating a marked film drops the mark (a rated film is seen); undo restores the mark.
    service.mark_not_interested(TOY_STORY)
    assert service.rate(TOY_STORY, 2).previous_mark == "not_interested"
    assert service.marks() == {} and stored_mark(service, TOY_STORY) is None
    assert service.undo().mark == "not_interested"
    assert (
        service.marks() == {TOY_STORY: "not_interested"}
        and service.movie(TOY_STORY).movie.my_rating is None
    )


def test_clear_mark_only_touches_marks(service: Service) -> None:
    service.create_profile("cy")
    service.rate(MATRIX, 3)
    assert service.clear_mark(MATRIX).rating == 3.0  # no mark: nothing changes
    assert service.movie(MATRIX).movie.my_rating == 3.0
    service.mark_not_interested(TOY_STORY)
    cleared = service.clear_mark(TOY_STORY)
    assert cleared.previous_mark == "not_interested" and cleared.mark is None
    assert service.marks() == {}
    assert service.undo().mark == "not_interested"


def test_marks_follow_profile_switches_restarts_and_deletion(service: Service, tmp_path) -> None:
    ana = service.create_profile("ana")
    service.mark_not_interested(SHAWSHANK)
    service.mark_seen(TOY_STORY)
    bo = service.create_profile("bo")
    assert service.marks() == {} and service.movie(SHAWSHANK).movie.mark is None
    service.mark_seen(MATRIX)
    service.switch_profile(ana.id)
    assert service.marks() == {SHAWSHANK: "not_interested", TOY_STORY: "seen"}
    assert service.undo() is None  # undo is per session of a profile
    home = service.paths.home
    service.close()
    with Service.open(home) as reopened:
        assert reopened.current_profile.id == ana.id
        assert reopened.marks() == {SHAWSHANK: "not_interested", TOY_STORY: "seen"}
        reopened.delete_profile(ana.id)
        assert reopened.current_profile.id == bo.id and reopened.marks() == {MATRIX: "seen"}
        assert reopened.store.feedback(ana.id) == []


def test_bad_marks_are_one_line_errors(service: Service) -> None:
    with pytest.raises(NotFoundError, match="no profile"):
        service.mark_seen(MATRIX)
    service.create_profile("dee")
    with pytest.raises(NotFoundError, match="movie 999999999 is not in the catalog") as info:
        service.mark_not_interested(999_999_999)
    assert "\n" not in str(info.value)
    assert service.marks() == {}


def test_marked_films_leave_recommendations(service: Service) -> None:
    service.create_profile("eve")
    top = [r.movie.movie_id for r in service.recommendations(10)]
    service.mark_not_interested(top[0])
    service.mark_seen(top[1])
    after = [r.movie.movie_id for r in service.recommendations(10)]
    assert top[0] not in after and top[1] not in after
    service.undo()
    service.undo()
    assert [r.movie.movie_id for r in service.recommendations(10)] == top
