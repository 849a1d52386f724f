"""Marks without stars in the app: n (not interested) and v (seen) in every list, undo with u."""

from __future__ import annotations

from tui_support import SIZE, palette_shows, wait_until

from movietui.service import Service
from movietui.tui.app import MovieTuiApp
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.screens.main import MainScreen
from movietui.tui.screens.onboarding import OnboardingScreen
from movietui.tui.widgets.movie_table import MovieTable


def status(app: MovieTuiApp) -> str:
    return str(app.screen.query_one("#status-line").render())


def you_cell(table: MovieTable, movie_id: int) -> str:
    row = table.movie_ids().index(movie_id)
    column = [key for key in table.columns].index("you")
    return str(table.get_row_at(row)[column])


async def test_not_interested_hides_a_for_you_film_and_undo_brings_it_back(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.active_tab == "recs"
        table = app.screen.query_one("#recs-table", MovieTable)
        before = table.movie_ids()
        first = before[0]
        title = table.rows_data[first].movie.title
        await pilot.press("n")
        await pilot.pause()
        after = table.movie_ids()
        assert first not in after and after != before and len(after) == len(before)
        assert profile_service.marks() == {first: "not_interested"}
        assert status(app) == f"Not interested: {title} (u to undo)"
        # The mark also moved the ranker row, so the list re-ranked; "seen" on the film now at
        # the top (the cursor is there): it leaves the list too.
        second = after[0]
        assert table.current_movie_id == second
        await pilot.press("v")
        await pilot.pause()
        assert second not in table.movie_ids()
        assert profile_service.marks() == {first: "not_interested", second: "seen"}
        await pilot.press("u", "u")
        await pilot.pause()
        assert profile_service.marks() == {}
        assert table.movie_ids() == before
        assert status(app) == "undone: back to no rating"


async def test_marks_show_in_browse_and_details_and_toggle_off(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        browse = app.screen.query_one("#browse-table", MovieTable)
        movie_id = browse.current_movie_id
        assert movie_id is not None and profile_service.movie(movie_id).movie.my_rating is None
        await pilot.press("v")
        await pilot.pause()
        assert movie_id in browse.movie_ids()  # Browse keeps seen films
        assert you_cell(browse, movie_id) == "seen"
        await pilot.press("v")  # the same key again clears it
        await pilot.pause()
        assert you_cell(browse, movie_id) == "" and profile_service.marks() == {}
        assert status(app).endswith(": mark removed (u to undo)")

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MovieDetailScreen)
        await pilot.press("n")  # the film shown, not a similar one
        await pilot.pause()
        assert profile_service.marks() == {movie_id: "not_interested"}
        assert "Your rating: not interested" in str(app.screen.query_one("#detail-info").render())
        await pilot.press("4")  # a rating replaces the mark
        await pilot.pause()
        assert (
            profile_service.marks() == {} and profile_service.movie(movie_id).movie.my_rating == 4.0
        )
        await pilot.press("escape")
        await pilot.pause()
        assert you_cell(browse, movie_id).endswith("4")


async def test_onboarding_marks_a_row_and_moves_on(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OnboardingScreen)
        table = app.screen.query_one("#onboarding-table", MovieTable)
        recs = app.screen.query_one("#onboarding-recs", MovieTable)
        first, recs_before = table.current_movie_id, recs.movie_ids()
        await pilot.press("n")
        await pilot.pause()
        assert you_cell(table, first) == "hidden" and table.current_movie_id != first
        assert profile_service.marks() == {first: "not_interested"}
        assert recs.movie_ids() != recs_before  # the ranker took the "not interested" in


async def test_marks_are_in_the_command_palette(app: MovieTuiApp, profile_service: Service) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.query_one("#recs-table", MovieTable).current_movie_id
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"not interested")
        await palette_shows(pilot, "Not interested")
        await pilot.press("enter")
        await wait_until(pilot, lambda: profile_service.marks() != {})
        assert profile_service.marks() == {first: "not_interested"}
        assert first not in app.screen.query_one("#recs-table", MovieTable).movie_ids()
