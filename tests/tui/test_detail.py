"""The detail screen's keys act on the film shown, never on the highlighted similar film;
following similar films stays on one screen and Escape walks back through them."""

from __future__ import annotations

from tui_support import SIZE

from movietui.service import Service
from movietui.tui.app import MovieTuiApp
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.screens.main import MainScreen
from movietui.tui.widgets.movie_table import MovieTable


async def test_w_on_the_detail_screen_adds_the_film_shown_not_the_similar_one(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = app.screen.query_one("#recs-table", MovieTable).current_movie_id
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MovieDetailScreen) and app.screen.movie_id == shown
        similar = app.screen.query_one("#similar-table", MovieTable)
        assert app.focused is similar and similar.current_movie_id not in (None, shown)
        await pilot.press("w")
        await pilot.pause()
        assert [m.movie_id for m in profile_service.watchlist()] == [shown]
        assert "On your watchlist" in str(app.screen.query_one("#detail-info").render())
        await pilot.press("w")  # and off again
        await pilot.pause()
        assert profile_service.watchlist() == []
        assert "On your watchlist" not in str(app.screen.query_one("#detail-info").render())


async def test_following_similar_films_stays_on_one_screen_and_escape_walks_back(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, MovieDetailScreen)
        depth, first = len(app.screen_stack), detail.movie_id
        similar = detail.query_one("#similar-table", MovieTable)
        await pilot.press("down", "down")
        followed = similar.current_movie_id
        await pilot.press("enter")
        await pilot.pause()
        # the same screen shows the followed film and its own similar films, from the top
        assert app.screen is detail and len(app.screen_stack) == depth
        assert detail.movie_id == followed and detail.detail.movie.movie_id == followed
        assert similar.cursor_row == 0 and followed not in similar.movie_ids()
        await pilot.press("escape")
        await pilot.pause()
        # back at the first film, the followed one highlighted again
        assert app.screen is detail and detail.movie_id == first
        assert similar.current_movie_id == followed and similar.cursor_row == 2
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
