"""'Because you liked ...' names only films the profile rated high, never a low rating."""

from __future__ import annotations

from movietui.service import Service

TOY_STORY, MATRIX, FELLOWSHIP, STAR_WARS, TITANIC, FORREST_GUMP = 1, 2571, 4993, 260, 1721, 356


def test_because_names_only_films_the_profile_liked(service: Service) -> None:
    service.create_profile("Ada")
    ratings = {
        MATRIX: 5.0,
        FELLOWSHIP: 4.5,
        STAR_WARS: 5.0,
        TOY_STORY: 2.0,
        TITANIC: 1.0,
        FORREST_GUMP: 1.5,
    }
    for movie_id, stars in ratings.items():
        service.rate(movie_id, stars)
    titles = {view.movie.movie_id: view.movie.title for view in service.my_ratings()}
    liked = {titles[m] for m, stars in ratings.items() if stars >= 4.5}
    recs = service.recommendations(50)
    named = [title for rec in recs for title in rec.because]
    assert named, "no recommendation was explained"
    assert set(named) <= liked, f"named a film rated low: {set(named) - liked}"
    details = [service.movie(rec.movie.movie_id) for rec in recs[:10]]
    assert all(set(detail.because) <= liked for detail in details)
