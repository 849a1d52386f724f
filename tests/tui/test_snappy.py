"""Issue 12 #10: keys do what they say without a detour (the list stays put under a rating;
the tab keys work right after a search)."""

from __future__ import annotations

from textual.widgets import Input, Select
from tui_support import SIZE, browse_applied, wait_until

from movietui.service import Service
from movietui.tui.app import make_app
from movietui.tui.widgets.movie_table import MovieTable


async def test_rating_in_browse_sorted_by_prediction_keeps_the_list_and_the_cursor(
    profile_service: Service,
) -> None:
    app = make_app(service=profile_service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await wait_until(pilot, lambda: "browse" in app.main_screen.built)
        await pilot.pause()
        app.screen.query_one("#browse-sort", Select).value = "predicted"
        await browse_applied(pilot)
        table = app.screen.query_one("#browse-table", MovieTable)
        table.focus()
        for _ in range(5):
            await pilot.press("down")
        await pilot.pause()
        order = table.movie_ids()
        for stars in "152":  # each rating moves the profile's predictions
            rated = table.current_movie_id
            row = table.cursor_row
            await pilot.press(stars)
            await wait_until(
                pilot,
                lambda m=rated, s=float(stars): table.rows_data[m].movie.my_rating == s,
            )
            assert table.cursor_row == row and table.current_movie_id == rated
            assert table.movie_ids() == order  # nothing jumped under the cursor
            await pilot.press("down")


async def test_tab_keys_work_after_typing_a_search_without_enter(
    profile_service: Service,
) -> None:
    app = make_app(service=profile_service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"matrix")
        await browse_applied(pilot)
        search = app.screen.query_one("#search", Input)
        assert search.value == "matrix" and app.focused is search
        await pilot.press("escape", "f")  # Esc leaves the box; f is the For you key again
        await pilot.pause()
        assert app.main_screen.active_tab == "recs"
        assert search.value == "matrix"  # the search is kept
        await pilot.press("b")
        await pilot.pause()
        assert app.main_screen.active_tab == "browse"
        table = app.screen.query_one("#browse-table", MovieTable)
        assert app.focused is table
        titles = [table.rows_data[m].movie.title for m in table.movie_ids()]
        assert "The Matrix" in titles[:3]

        await pilot.press("slash", *"amelie", "down", "y")  # Down goes to the results too
        await pilot.pause()
        assert app.main_screen.active_tab == "ratings" and search.value == "amelie"
