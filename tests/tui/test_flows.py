"""The app driven through the Pilot as a person would, on a temporary home."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input
from tui_support import (
    NO_EARLY_STOP,
    SIZE,
    SMALL_HYPER,
    app_session,
    browse_applied,
    palette_shows,
    visible_rows,
    wait_until,
)

from movietui.config import DB_FILENAME
from movietui.service import MAX_EPOCHS, Service
from movietui.tui.app import MovieTuiApp, make_app
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.screens.dialogs import NameModal
from movietui.tui.screens.error import ErrorScreen
from movietui.tui.screens.help import HelpScreen
from movietui.tui.screens.main import MainScreen
from movietui.tui.screens.onboarding import OnboardingScreen
from movietui.tui.screens.welcome import WelcomeScreen
from movietui.tui.widgets.choice import ChoiceList
from movietui.tui.widgets.model_history import ModelHistory
from movietui.tui.widgets.movie_table import MovieTable


async def test_first_run_imports_the_typed_path_trains_and_asks_for_a_profile(
    home: Path, ml_small_zip: Path
) -> None:
    service = Service.open(home)
    app = make_app(service=service, first_train_hyper=SMALL_HYPER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen)
            app.screen.query_one("#path-input", Input).focus()
            await pilot.press(*str(ml_small_zip), "enter")
            # Import, then the first training with the Training tab in view.
            await wait_until(
                pilot, lambda: app.main_screen is not None and app.main_screen.is_mounted
            )
            await pilot.pause()
            assert app.main_screen.active_tab == "training"
            await wait_until(pilot, lambda: isinstance(app.screen, NameModal))
            assert len(app.training.state.history) == SMALL_HYPER.epochs
            info = service.model_info()
            assert info is not None and info.n_items == 9742
            await pilot.press(*"Zoe", "enter")
            await pilot.pause()
            assert isinstance(app.screen, OnboardingScreen)
            assert service.current_profile is not None and service.current_profile.name == "Zoe"
            await pilot.press("4", "escape")  # rate the first film, then leave the list
            await pilot.pause()
            # Back on the main screen, on the recommendations the rating just shaped.
            assert app.screen is app.main_screen and app.main_screen.active_tab == "recs"
    finally:
        service.close()


async def test_bad_dataset_path_shows_an_error_and_the_app_keeps_running(home: Path) -> None:
    messages: list[str] = []
    service = Service.open(home)
    app = make_app(service=service, dataset=str(home / "nowhere" / "ml-missing.zip"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert isinstance(app.screen, WelcomeScreen)
            assert any("ml-missing.zip" in m for m in messages), messages
            status = app.screen.query_one("#import-status")
            assert "failed" in str(status.render())
            # Issue 12 #6: the whole line is on screen (wrapped), not cut at the edge.
            shown = " ".join(
                "".join(seg.text for seg in line).strip()
                for line in status.render_lines(status.region.reset_offset)
            )
            error = next(m for m in messages if "ml-missing.zip" in m)
            assert " ".join(error.split()[-3:]) in " ".join(shown.split())
            assert not service.has_catalog()
    finally:
        service.close()


async def test_new_profile_rates_five_movies_and_recommendations_change_after_each(
    app: MovieTuiApp, service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NameModal)  # no profile yet: asked on start
        await pilot.press(*"Bea", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OnboardingScreen)
        before = visible_rows(app, "#onboarding-recs")
        assert len(before) == 10
        for key in "54534":
            await pilot.press(key)
            await pilot.pause()
            after = visible_rows(app, "#onboarding-recs")
            assert after != before, f"recommendations did not change after rating {key}"
            before = after
        assert len(service.my_ratings()) == 5
        rated = {r.movie.movie_id for r in service.my_ratings()}
        assert not rated & set(app.screen.query_one("#onboarding-recs", MovieTable).movie_ids())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.active_tab == "recs"
        recs = app.screen.query_one("#recs-table", MovieTable)
        assert not rated & set(recs.movie_ids())
        assert recs.cursor_row == 0 and recs.current_movie_id == recs.movie_ids()[0]


async def test_a_reranked_list_opens_at_the_top_but_a_moved_cursor_follows_its_movie(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        recs = app.screen.query_one("#recs-table", MovieTable)
        ids = recs.movie_ids()
        rows = [recs.rows_data[movie_id] for movie_id in ids]
        first_sinks = rows[1:6] + rows[:1] + rows[6:]  # the first film drops to row 5
        recs.show(first_sinks)
        await pilot.pause()
        assert recs.cursor_row == 0 and recs.current_movie_id == ids[1]
        await pilot.press("down", "down")  # now on ids[3]
        chosen = recs.current_movie_id
        recs.show(rows[::-1])
        await pilot.pause()
        assert recs.current_movie_id == chosen and recs.cursor_row == len(rows) - 1 - ids.index(
            chosen
        )


async def test_search_finds_matrix_and_amelie_and_the_similar_list_navigates(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"matrix")
        await browse_applied(pilot)
        table = app.screen.query_one("#browse-table", MovieTable)
        titles = [table.rows_data[m].movie.title for m in table.movie_ids()]
        assert "The Matrix" in titles[:3], titles[:5]

        search = app.screen.query_one("#search", Input)
        search.value = ""
        await pilot.press(*"amelie", "enter")
        await browse_applied(pilot)
        first = table.rows_data[table.movie_ids()[0]].movie
        assert "Amélie" in first.title and first.year == 2001

        await pilot.press("enter")  # search box -> table; Enter on the row opens it
        await pilot.pause()
        assert isinstance(app.screen, MovieDetailScreen) and app.screen.movie_id == first.movie_id
        similar = app.screen.query_one("#similar-table", MovieTable).movie_ids()
        assert len(similar) >= 5 and first.movie_id not in similar
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MovieDetailScreen) and app.screen.movie_id == similar[1]
        await pilot.press("4")  # rating keys rate the movie shown
        await pilot.pause()
        assert app.screen.detail.movie.my_rating == 4.0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MovieDetailScreen) and app.screen.movie_id == first.movie_id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_half_stars_unrate_and_undo_on_a_list(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        table = app.screen.query_one("#browse-table", MovieTable)
        movie_id = table.current_movie_id
        assert movie_id is not None
        mine = lambda: profile_service.movie(movie_id).movie.my_rating  # noqa: E731
        await pilot.press("3", "plus")
        await pilot.pause()
        assert mine() == 3.5
        assert table.rows_data[movie_id].movie.my_rating == 3.5  # shown in the list
        await pilot.press("u")
        await pilot.pause()
        assert mine() == 3.0
        await pilot.press("0")
        await pilot.pause()
        assert mine() is None
        await pilot.press("w")
        await pilot.pause()
        assert movie_id in [m.movie_id for m in profile_service.watchlist()]
        await pilot.press("l")
        await pilot.pause()
        assert app.screen.query_one("#watch-table", MovieTable).movie_ids() == [movie_id]
        await pilot.press("w")
        await pilot.pause()
        assert profile_service.watchlist() == []


async def test_training_panel_starts_shows_epochs_answers_keys_and_stops(
    profile_service: Service,
) -> None:
    # The fields edit a base with no validation split: the run cannot stop early, so it is
    # still going whenever the test looks, until the test stops it.
    app = make_app(service=profile_service, train_base=NO_EARLY_STOP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        for field, value in (("#hp-factors", "64"), ("#hp-epochs", str(MAX_EPOCHS))):
            screen.query_one(field, Input).value = value
        await pilot.click("#train-start")
        await wait_until(pilot, lambda: len(app.training.state.history) >= 3)
        assert app.training.running
        await wait_until(pilot, lambda: "Epoch" in str(screen.query_one("#progress-line").render()))

        # A key press is answered while training runs (the run is thousands of epochs long, so
        # still running when the tab has switched). Posted directly and polled, because
        # pilot.press waits for the whole process (training thread included) to go idle.
        app.post_message(events.Key("b", "b"))
        while screen.active_tab != "browse":
            await asyncio.sleep(0.005)
        assert app.training.running

        seen = len(app.training.state.history)
        await wait_until(pilot, lambda: len(app.training.state.history) > seen)  # still advancing
        await pilot.press("x")
        await wait_until(pilot, lambda: not app.training.running)
        result = app.training.state.result
        assert result is not None and result.cancelled and not result.stopped_early
        assert len(app.training.state.history) < MAX_EPOCHS


@pytest.mark.parametrize("how", ["q", "exit"])
async def test_quitting_mid_training_keeps_the_finished_epochs_and_closes_the_run(
    trained_home: Path, how: str
) -> None:
    """q stops the run in view; any other way out (app.exit: ctrl+q, a crash handler, the end
    of run_test) goes through the same order on unmount: cancel, wait, close."""
    with Service.open(trained_home) as service:
        service.create_profile("Eve")
        before = service.model_info()
        assert before is not None
    app = make_app(home=trained_home, train_base=NO_EARLY_STOP)  # the app owns its service
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.training is not None
        app.training.start(dataclasses.replace(NO_EARLY_STOP, epochs=MAX_EPOCHS))
        await wait_until(pilot, lambda: len(app.training.state.history) >= 3)
        assert app.training.running
        if how == "q":
            await pilot.press("q")
        else:
            app.exit()
    # The app stopped the run, waited for its save, then closed the service: reopened, the
    # home holds the new model with every finished epoch, and the run row says how it ended.
    epochs = len(app.training.state.history)
    with sqlite3.connect(trained_home / DB_FILENAME) as db:
        statuses = [s for (s,) in db.execute("SELECT status FROM training_runs ORDER BY run_id")]
    assert statuses[-1] == "cancelled" and "running" not in statuses
    with Service.open(trained_home) as service:
        info = service.model_info()
        assert info is not None and info.model_id != before.model_id
        assert len(info.history) == epochs  # as Stop keeps them
    result = app.training.state.result
    assert result is not None and result.cancelled and app.training.state.error is None
    assert not app.training.running


async def test_training_runs_the_ranker_after_the_rating_model_and_charts_it(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        for field, value in (("#hp-factors", "16"), ("#hp-epochs", "3")):
            screen.query_one(field, Input).value = value
        await pilot.click("#train-start")
        # Both models train to their end: a generous bound, only to fail instead of hanging.
        await wait_until(pilot, lambda: not app.training.running, timeout=900)
        assert app.training.state.error is None
        assert len(app.training.state.history) == 3 and app.training.state.rank_history
        recalls = [r.val_recall for r in app.training.state.rank_history]
        assert all(r is not None and 0 < r <= 1 for r in recalls)
        await wait_until(
            pilot, lambda: str(screen.query_one("#progress-line").render()).startswith("Finished")
        )
        progress = str(screen.query_one("#progress-line").render())
        assert progress.startswith("Finished: kept the current model")  # the decision first
        assert "· Ranker epoch" in progress
        assert f"validation Recall@20 {recalls[-1]:.3f}" in progress
        # The run is saved with its ranker's best epoch; this short run validates worse than
        # the model already there, so that one stays current (model history) and the new
        # run's row in the history table shows its Recall@20.
        result = app.training.state.result
        assert result is not None and result.new_model is not None
        assert result.new_model.val_recall == max(recalls)
        assert not result.made_current and "kept the current model" in result.decision
        history = screen.query_one(ModelHistory)
        row = history.get_row(str(result.new_model.model_id))
        assert row[-1] == f"{max(recalls):.3f}"
        info = profile_service.model_info()
        assert info is not None and f"ranker val Recall@20 {info.val_recall:.3f}" in str(
            screen.query_one("#model-line").render()
        )


async def test_restart_keeps_profile_ratings_and_model(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        model_id = service.model_info().model_id
    async with app_session(trained_home) as (app, pilot):
        await pilot.press(*"Cleo", "enter")
        await pilot.pause()
        await pilot.press("5", "3")
        await pilot.pause()

    async with app_session(trained_home) as (app, pilot):
        assert isinstance(app.screen, MainScreen)  # no name prompt: the profile is back
        assert "profile Cleo" in app.sub_title
        await pilot.press("y")
        await pilot.pause()
        ratings = app.screen.query_one("#ratings-table", MovieTable)
        assert sorted(r.movie.my_rating for r in ratings.rows_data.values()) == [3.0, 5.0]
        assert app.service.model_info().model_id == model_id


async def test_list_filters_are_remembered_across_restarts(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        service.create_profile("Dee")
    async with app_session(trained_home) as (app, pilot):
        await pilot.press("b")  # Browse: years from 1990, sorted by the next sort option
        await wait_until(pilot, lambda: "browse" in app.main_screen.built)
        await pilot.pause()
        app.screen.query_one("#browse-year-min", Input).focus()
        await pilot.press(*"1990")
        sort_choice = app.screen.query_one("#browse-sort")
        sort_choice.focus()
        await wait_until(pilot, lambda: app.focused is sort_choice)
        await pilot.press("enter")  # the choices pop up; their list takes the keys
        await wait_until(pilot, lambda: isinstance(app.focused, ChoiceList))
        await pilot.press("down", "enter")
        await browse_applied(pilot)
        sort = app.screen.query_one("#browse-sort").value
        assert sort != "relevance"
        await pilot.press("f")  # For you: hide obscure films (off by default since the ranker)
        await pilot.pause()
        assert app.screen.query_one("#recs-obscure").value is False
        await pilot.click("#recs-obscure")
        await pilot.pause()
        assert app.screen.query_one("#recs-obscure").value is True

    async with app_session(trained_home) as (app, pilot):
        assert app.screen.query_one("#recs-obscure").value is True
        await pilot.press("b")
        await wait_until(pilot, lambda: "browse" in app.main_screen.built)
        await pilot.pause()
        assert app.screen.query_one("#browse-year-min", Input).value == "1990"
        assert app.screen.query_one("#browse-sort").value == sort
        years = [
            row.movie.year
            for row in app.screen.query_one("#browse-table", MovieTable).rows_data.values()
        ]
        assert years and all(year is not None and year >= 1990 for year in years)


async def test_profiles_create_rename_switch_and_delete_with_confirmation(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("n", *"Dan", "enter")
        await pilot.pause()
        assert profile_service.current_profile.name == "Dan"
        await pilot.press("r")
        await pilot.pause()
        rename = app.screen.query_one("#name-input", Input)
        rename.value = ""
        await pilot.press(*"Dana", "enter")
        await pilot.pause()
        assert {p.name for p in profile_service.profiles()} == {"Ada", "Dana"}
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # declined: nothing deleted
        await pilot.pause()
        assert len(profile_service.profiles()) == 2
        await pilot.press("d", "y")
        await pilot.pause()
        assert [p.name for p in profile_service.profiles()] == ["Ada"]
        ada = app.screen.query_one("#profile-list")
        await pilot.press("enter")
        await pilot.pause()
        assert ada is not None and profile_service.current_profile.name == "Ada"
        assert isinstance(app.screen, MainScreen)


async def test_a_corrupt_database_shows_the_reason_instead_of_a_traceback(home: Path) -> None:
    home.mkdir(parents=True)
    db = home / "movietui.db"
    db.write_bytes(b"this is not a database" * 100)
    app = make_app(home=home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        message = str(app.screen.query_one("#error-message").render())
        assert "movietui.db" in message
        await pilot.press("q")
    assert db.read_bytes() == b"this is not a database" * 100  # nothing overwritten


async def test_bad_hyperparameters_are_refused_with_a_message(
    app: MovieTuiApp, profile_service: Service
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        app.screen.query_one("#hp-lr", Input).value = "fast"
        await pilot.press("t")
        await pilot.pause()
        assert not app.training.running
        assert any("Learning rate" in n.message for n in app._notifications)


async def test_keys_can_be_remapped_by_binding_id_and_verbs_are_in_the_palette(
    app: MovieTuiApp, profile_service: Service
) -> None:
    app.set_keymap({"main.tab.watchlist": "W", "app.help": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("W")
        await pilot.pause()
        assert app.screen.active_tab == "watchlist"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to training")
        await palette_shows(pilot, "Go to Training")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.active_tab == "training"


async def test_reimporting_from_the_palette_keeps_the_profile_and_its_ratings(
    app: MovieTuiApp, profile_service: Service, ml_small_zip: Path
) -> None:
    before = {(r.movie.movie_id, r.rating) for r in profile_service.my_ratings()}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        old_main = app.main_screen
        await pilot.press("ctrl+p", *"import a dataset")
        await palette_shows(pilot, "Import a dataset")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        app.screen.query_one("#path-input", Input).value = str(ml_small_zip)
        await pilot.press("tab", "enter")  # focus the Import button, press it
        await wait_until(
            pilot, lambda: app.main_screen is not old_main and app.main_screen.is_mounted
        )
        await wait_until(pilot, lambda: not app.training.running)
        await pilot.pause()
        assert app.screen is app.main_screen and app.screen.active_tab == "training"
        assert app.screen_stack[1:] == [app.main_screen]
        assert profile_service.current_profile.name == "Ada"
        assert {(r.movie.movie_id, r.rating) for r in profile_service.my_ratings()} == before


async def test_onboarding_plus_after_a_rating_adds_half_a_star_to_that_film(
    app: MovieTuiApp, service: Service
) -> None:
    """Issue 12 #2: a rating moves the cursor on, and "4 then +" means 4.5 for the film just
    rated, not 3 stars for the next one; + on an unrated film rates nothing and says why."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"Cy", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OnboardingScreen)
        table = app.screen.query_one("#onboarding-table", MovieTable)
        first, second = table.movie_ids()[:2]
        await pilot.press("4")
        await pilot.pause()
        assert table.current_movie_id == second  # the cursor moved on
        await pilot.press("plus")
        await pilot.pause()
        mine = {r.movie.movie_id: r.rating for r in service.my_ratings()}
        assert mine == {first: 4.5}
        assert table.rows_data[first].movie.my_rating == 4.5  # shown as ★★★★½ 4.5
        assert "★★★★½ 4.5" in str(table.get_row_at(0))
        await pilot.press("down")  # moved by hand: + now means the film under the cursor
        await pilot.press("plus")
        await pilot.pause()
        assert {r.movie.movie_id for r in service.my_ratings()} == {first}
        assert any("1-5 first" in n.message for n in app._notifications)
