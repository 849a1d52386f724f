"""The start-up and tab-switch shortcuts: panes composed on first view or when idle, the
footer and the table's rendered cells kept across switches, training before its tab exists."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_support import SIZE, wait_until

from movietui.service import Service
from movietui.tui.app import MovieTuiApp
from movietui.tui.screens import main as main_screen
from movietui.tui.widgets.footer import KeyFooter
from movietui.tui.widgets.movie_table import MovieTable
from movietui.tui.widgets.training_panel import TrainingPanel, shown_hyper


@pytest.fixture
def no_prebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main_screen, "PREBUILD_AFTER_S", 600.0)


def footer_keys(app: MovieTuiApp) -> list[str]:
    return [key.display for key in app.screen.query_one(KeyFooter).keys]


async def test_only_the_first_tab_is_composed_and_the_others_on_first_view(
    app: MovieTuiApp, profile_service: Service, no_prebuild: None
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.main_screen
        assert (
            screen.built == {"recs"} and app.screen.query_one("#recs-table", MovieTable).row_count
        )
        assert not app.screen.query("#browse-table") and not app.screen.query(TrainingPanel)

        await pilot.press("slash")  # search on a pane that does not exist yet
        await wait_until(pilot, lambda: "browse" in screen.built)
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "search"
        assert "1-5" not in footer_keys(app)  # the footer follows the focus: no rating keys
        await pilot.press(*"matrix", "enter")
        await pilot.pause()
        browse = app.screen.query_one("#browse-table", MovieTable)
        assert app.focused is browse and browse.row_count
        assert "1-5" in footer_keys(app)


async def test_kept_renderings_match_a_full_redraw_after_switching_tabs(
    app: MovieTuiApp, profile_service: Service, no_prebuild: None
) -> None:
    """MovieTable keeps DataTable's rendered cells across focus moves and tab switches:
    whatever is on screen must equal what a redraw from scratch gives."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")
        for keys in (
            ("b", "f"),
            ("y",),
            ("f", "y"),
        ):  # ends on a freshly composed pane, then a revisit
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            shown = app.export_screenshot()
            for table in app.screen.query(MovieTable):
                table._clear_caches()  # DataTable's own full invalidation
            await pilot.pause()
            assert app.export_screenshot() == shown, f"stale cells after {keys}"


async def test_the_browse_pane_is_composed_of_few_widgets(
    app: MovieTuiApp, profile_service: Service, no_prebuild: None
) -> None:
    """Each widget costs a first visit ~5 ms to compose, style and draw; Textual's Select
    is five, and Browse had three of them (28 widgets in all)."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await wait_until(pilot, lambda: "browse" in app.main_screen.built)
        assert len(app.screen.query_one("#browse").query("*")) <= 16


async def test_idle_time_composes_the_hidden_panes(
    app: MovieTuiApp, profile_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_screen, "PREBUILD_AFTER_S", 0.05)
    monkeypatch.setattr(main_screen, "PREBUILD_GAP_S", 0.05)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.main_screen
        await wait_until(pilot, lambda: screen.built == set(main_screen.TABS))
        assert app.screen.query_one("#ratings-table", MovieTable).row_count == 3
        assert app.screen.active_tab == "recs" and app.focused.id == "recs-table"
        await pilot.press("g")
        await pilot.pause()
        assert str(app.screen.query_one("#model-line").render()).startswith("★ Model #")


async def test_train_key_before_the_training_tab_exists_uses_the_shown_settings(
    app: MovieTuiApp, profile_service: Service, no_prebuild: None
) -> None:
    expected = shown_hyper(profile_service.default_hyper(), profile_service.model_info().hyper)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await wait_until(pilot, lambda: "training" in app.main_screen.built)
        assert app.main_screen.active_tab == "training"
        await wait_until(pilot, lambda: not app.training.running)
        assert app.training.state.hyper == expected and app.training.state.error is None
        # shown once the app has handled the run's end (a message after the thread is done)
        await wait_until(
            pilot, lambda: "Finished" in str(app.screen.query_one("#progress-line").render())
        )


async def test_long_lived_objects_are_frozen_out_of_gc_passes_while_the_app_runs(
    app: MovieTuiApp, profile_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Full GC passes over the app's object graph stalled every ~6th tab switch by 150-270 ms;
    # once the panes are built that graph is frozen, and thawed when the screen goes.
    import gc

    monkeypatch.setattr(main_screen, "PREBUILD_AFTER_S", 0.01)
    monkeypatch.setattr(main_screen, "PREBUILD_GAP_S", 0.01)
    gc.unfreeze()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main_screen.built == set(main_screen.TABS))
        await wait_until(pilot, lambda: gc.get_freeze_count() > 10_000)
    assert gc.get_freeze_count() == 0


async def test_every_way_out_stops_the_pane_prebuild(
    app: MovieTuiApp, profile_service: Service, no_prebuild: None
) -> None:
    """run_test's teardown (like a driver's) never calls App.exit: the screens must still be
    told the app is closing, or a pane composed during teardown crashes mounting a Select."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.context is not None and not app.context.closing.is_set()
    assert app.context.closing.is_set()
    assert app.main_screen.built == {"recs"}  # nothing was composed on the way out
