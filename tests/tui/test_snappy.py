"""Issue 12 #5 and #10: every wait is named; keys do what they say without a detour (the
list stays put under a rating; the tab keys work right after a search)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets import Input, Static
from tui_support import NO_EARLY_STOP, SIZE, browse_applied, wait_until

from movietui.service import MAX_EPOCHS, Service
from movietui.tui.app import make_app
from movietui.tui.constants import PAGE
from movietui.tui.training import TrainingState
from movietui.tui.widgets.choice import Choice
from movietui.tui.widgets.movie_table import MovieTable
from movietui.tui.widgets.training_panel import describe_progress


async def test_rating_in_browse_sorted_by_prediction_keeps_the_list_and_the_cursor(
    profile_service: Service,
) -> None:
    app = make_app(service=profile_service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await wait_until(pilot, lambda: "browse" in app.main_screen.built)
        await pilot.pause()
        app.screen.query_one("#browse-sort", Choice).value = "predicted"
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


async def test_first_training_says_what_it_is_doing(home: Path, ml_small_zip: Path) -> None:
    """Issue 12 #5: while the first model trains, the Training tab does not offer Start for
    a model that is on its way, and the kernel preparation is named as such."""
    with Service.open(home) as service:
        service.import_catalog(ml_small_zip)
    service = Service.open(home)
    endless = dataclasses.replace(NO_EARLY_STOP, epochs=MAX_EPOCHS)
    app = make_app(service=service, first_train_hyper=endless)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.training.running  # no model: the first one trains at once
            await pilot.press("g")
            await wait_until(pilot, lambda: "training" in app.main_screen.built)
            await pilot.pause()
            model_line = str(app.screen.query_one("#model-line", Static).render())
            assert "first one is training" in model_line and "Press Start" not in model_line
            progress = app.screen.query_one("#progress-line", Static)
            await wait_until(pilot, lambda: bool(app.training.state.history))
            app.training.stop()
            await wait_until(pilot, lambda: not app.training.running)
            await wait_until(pilot, lambda: "Stopped" in str(progress.render()))
            assert "Preparing" not in str(progress.render())
            assert service.kernels_ready()  # what the first rating would otherwise compile
    finally:
        service.close()


def test_the_progress_line_names_the_kernel_preparation() -> None:
    state = TrainingState(running=True, preparing=True)
    assert describe_progress(state).startswith("Preparing the training kernels (first run only")
    assert describe_progress(TrainingState(running=True)) == "Training: loading ratings…"


async def test_browse_opens_with_one_page_and_loads_more_only_when_scrolled(
    profile_service: Service,
) -> None:
    """Filling the list moved DataTable's cursor watcher once per row; the first ten rows
    each asked for the next page, so Browse opened with 1,100 rows (~0.4 s on first visit)."""
    app = make_app(service=profile_service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await wait_until(pilot, lambda: "browse" in app.main_screen.built)
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#browse-table", MovieTable)
        assert table.row_count == PAGE
        await pilot.press(*["down"] * (PAGE - 5))  # near the last row: the next page loads
        await pilot.pause()
        assert table.row_count == 2 * PAGE


async def test_the_first_letter_typed_searches_at_once(profile_service: Service) -> None:
    """Only letters typed quickly after it wait for the typing to pause (the debounce)."""
    app = make_app(service=profile_service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        await browse_applied(pilot)
        screen = app.main_screen
        _query, filters, sort, descending = screen._browse_args()
        await pilot.press("z")
        await pilot.pause()
        assert not screen.browse_pending  # applied by the key itself, no timer to wait for
        expected = profile_service.browse("z", filters, sort, descending, limit=1).total
        assert screen.browse_total == expected
        table = app.screen.query_one("#browse-table", MovieTable)
        assert all("z" in table.rows_data[m].movie.title.lower() for m in table.movie_ids()[:5])
        await pilot.press(*"orro")
        await browse_applied(pilot)
        titles = [table.rows_data[m].movie.title for m in table.movie_ids()]
        assert any("Zorro" in title for title in titles[:3]), titles[:5]
        assert (
            screen.browse_total == profile_service.browse("zorro", filters, sort, descending).total
        )


async def test_f1_shows_help_rendered_in_the_background_as_one_text(
    profile_service: Service,
) -> None:
    """The help is rendered by the warm-up thread; F1 only shows it (Textual's Markdown
    widget mounted ~400 widgets and took 1.6 s the first time)."""
    from movietui.tui.screens.help import HelpScreen, render_markdown

    before = render_markdown.cache_info().misses
    app = make_app(service=profile_service)
    async with app.run_test(size=SIZE) as pilot:
        # Rendered, not only begun: lru_cache counts the miss before the render ends.
        await wait_until(
            pilot,
            lambda: (
                render_markdown.cache_info().misses > before
                and not any(w.group == "warm_up" and not w.is_finished for w in app.workers)
            ),
        )
        rendered = render_markdown.cache_info().misses
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert render_markdown.cache_info().misses == rendered  # nothing rendered on F1
        text = str(app.screen.query_one("#help-text").render())
        assert "movietui keys" in text and "main.tab.watchlist" in text
        assert len(app.screen.query("*")) < 10
