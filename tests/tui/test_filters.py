"""The filter row (issue 15) on Browse, For you and Movie night, driven as a person would:
F focuses it, Tab walks it, typed values apply after a short pause; what the lists show is
read back from their cells; a restart on the same home brings the filters back."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList
from tui_support import app_session, browse_applied, wait_until

from movietui.service import Filters, Service
from movietui.tui.app import MovieTuiApp
from movietui.tui.screens.main import MainScreen
from movietui.tui.screens.movie_night import MovieNightScreen
from movietui.tui.widgets.choice import Choice
from movietui.tui.widgets.filter_bar import FilterBar, FilterProblem, parse_filters
from movietui.tui.widgets.movie_table import MovieTable

GENRES = ["Action", "Animation", "Comedy", "Drama", "Horror", "Sci-Fi"]
# Opposite tastes (as in test_movie_night.py): animation and family films vs crime dramas.
ANN = {1: 5.0, 2355: 5.0, 3114: 5.0, 4886: 4.5, 6377: 5.0, 8961: 4.5, 858: 1.0, 1221: 1.0}
BOB = {858: 5.0, 1221: 5.0, 296: 5.0, 2959: 5.0, 1213: 5.0, 1: 1.0, 2355: 1.0, 6377: 1.0}


# ---- what the controls mean --------------------------------------------------------------
def test_controls_parse_into_filters() -> None:
    assert parse_filters({}, GENRES) == Filters()
    assert parse_filters(
        {
            "genre": "comedy",
            "exclude": "horror, Sci-fi,, horror",
            "decade": "1990",
            "year-min": "1995",
            "min-mean": "3.5",
            "min-count": "50",
        },
        GENRES,
    ) == Filters(
        genres=("Comedy",),
        year_min=1995,
        year_max=1999,
        min_count=50,
        exclude_genres=("Horror", "Sci-Fi"),
        min_mean=3.5,
    )
    assert parse_filters({"min-mean": "0"}, GENRES).min_mean is None  # 0: no bound


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"min-mean": "7"}, "min-mean", "min mean must be a number of stars 0..5"),
        ({"min-mean": "-"}, "min-mean", "min mean must be a number of stars 0..5"),
        ({"min-count": "-3"}, "min-count", "min ratings must be a whole number 0 or more"),
        ({"exclude": "Drama, Horor"}, "exclude", "no genre called 'Horor'"),
        ({"year-min": "2000", "year-max": "1990"}, "year-max", "swap them"),
        ({"year-min": "2005", "decade": "1990"}, "decade", "outside the 1990s"),
        ({"year-min": "19"}, "year-min", "must be a year like 1990"),
        ({"year-min": "3000"}, "year-min", "must be a year like 1990"),
    ],
)
def test_bad_input_is_one_line_naming_the_control(
    values: dict[str, str], field: str, says: str
) -> None:
    with pytest.raises(FilterProblem) as caught:
        parse_filters(values, GENRES)
    assert caught.value.field == field
    assert says in str(caught.value) and "\n" not in str(caught.value)


# ---- helpers ----------------------------------------------------------------------------------
async def applied(pilot: Pilot) -> None:
    """Wait until typed filter text (and Browse's search) is applied."""
    await browse_applied(pilot)
    await wait_until(pilot, lambda: not any(b.pending for b in pilot.app.screen.query(FilterBar)))
    await pilot.pause()


async def type_into(pilot: Pilot, control_id: str, text: str) -> None:
    """Clear a filter field (it has focus or gets it) and type ``text``."""
    field = pilot.app.screen.query_one(f"#{control_id}", Input)
    field.focus()
    await pilot.pause()
    await pilot.press("home", "ctrl+k", *text)  # to the start, delete all to the right
    await applied(pilot)


def community(table: MovieTable) -> list[tuple[float, int]]:
    """(mean, number of ratings) of every row, read from the Community cells ("4.12 (1,234)")."""
    column = [key for key in table.columns].index("community")
    out = []
    for row in range(table.row_count):
        mean, count = str(table.get_row_at(row)[column]).split(" ", 1)
        out.append((float(mean), int(count.strip("()").replace(",", ""))))
    return out


def genre_cells(table: MovieTable) -> list[str]:
    column = [key for key in table.columns].index("genres")
    return [str(table.get_row_at(row)[column]) for row in range(table.row_count)]


def errors(app: MovieTuiApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_browse(pilot: Pilot) -> MovieTable:
    app = pilot.app
    assert isinstance(app, MovieTuiApp)
    await pilot.press("b")
    await wait_until(pilot, lambda: "browse" in app.main_screen.built)
    await pilot.pause()
    return app.screen.query_one("#browse-table", MovieTable)


# ---- Browse -------------------------------------------------------------------------------------
async def test_browse_excludes_a_genre_and_bounds_mean_and_count(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        service.create_profile("Ada")
    async with app_session(trained_home) as (app, pilot):
        table = await open_browse(pilot)
        assert any("Comedy" in cell for cell in genre_cells(table))  # before: comedies listed
        await pilot.press("F")  # the filter row: genre first, then Tab through the rest
        assert app.focused is app.screen.query_one("#browse-genre", Choice)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#browse-exclude", Input)
        await pilot.press(*"comedy")
        await applied(pilot)
        cells = genre_cells(table)
        assert cells and not any("Comedy" in cell for cell in cells)

        await pilot.press("tab", "tab", "tab", "tab")  # decade, from, to, min ★
        assert app.focused is app.screen.query_one("#browse-min-mean", Input)
        await pilot.press(*"4")
        await pilot.press("tab", *"50")  # min votes
        await applied(pilot)
        shown = community(table)
        assert len(shown) > 10
        assert all(mean >= 3.995 and count >= 50 for mean, count in shown)
        assert not any("Comedy" in cell for cell in genre_cells(table))
        assert not errors(app)
        # Esc leaves the filter row for the list: letters are keys again, not text.
        await pilot.press("escape")
        assert app.focused is table
        await pilot.press("f")
        assert app.main_screen.active_tab == "recs"


async def test_bad_input_is_one_clear_line_and_the_list_stays(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        service.create_profile("Ada")
    async with app_session(trained_home) as (app, pilot):
        table = await open_browse(pilot)
        await type_into(pilot, "browse-min-count", "20")
        before = table.movie_ids()
        assert before
        await type_into(pilot, "browse-min-mean", "9")
        assert errors(app) == ["min mean must be a number of stars 0..5 (e.g. 3.5), got '9'"]
        assert app.screen.query_one("#browse-min-mean").has_class("bad")
        assert table.movie_ids() == before  # the list is left as it was
        await type_into(pilot, "browse-exclude", "Dram, horor")  # could be unfinished: tint
        assert app.screen.query_one("#browse-exclude").has_class("bad")
        assert len(errors(app)) == 1
        await pilot.press("enter")  # done typing: now it is said
        assert "no genre called 'Dram' to leave out" in errors(app)[-1]
        assert table.movie_ids() == before
        await type_into(pilot, "browse-exclude", "")  # fixed: the tint goes, the list follows
        await type_into(pilot, "browse-min-mean", "4.5")
        assert not app.screen.query_one("#browse-min-mean").has_class("bad")
        assert all(mean >= 4.495 for mean, _ in community(table))
        assert isinstance(app.screen, MainScreen)  # still running


# ---- For you ------------------------------------------------------------------------------------
async def test_for_you_respects_the_filters(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        service.create_profile("Ada")
        for movie_id, stars in ((2571, 5.0), (4993, 4.5), (1, 2.0)):
            service.rate(movie_id, stars)
    async with app_session(trained_home) as (app, pilot):
        await pilot.press("f")
        table = app.screen.query_one("#recs-table", MovieTable)
        await wait_until(pilot, lambda: table.row_count > 0)
        assert any("Drama" in row.movie.genres for row in table.rows_data.values())
        await pilot.press("F", "tab", *"drama")
        assert app.focused is app.screen.query_one("#recs-exclude", Input)
        await pilot.press("tab", "tab", *"1990", "tab", *"2009", "tab", *"3.5", "tab", *"30")
        await applied(pilot)
        rows = list(table.rows_data.values())
        assert len(rows) > 10
        years = [int(str(table.get_row_at(k)[2])) for k in range(table.row_count)]  # Year cells
        assert all(1990 <= year <= 2009 for year in years)
        for row in rows:
            movie = row.movie
            assert "Drama" not in movie.genres
            assert movie.mean_rating is not None and movie.mean_rating >= 3.5 - 1e-4
            assert movie.rating_count >= 30


# ---- Movie night ---------------------------------------------------------------------------------
async def test_movie_night_respects_the_filters(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        for name, ratings in (("bob", BOB), ("ann", ANN)):  # ann last: she is current
            service.create_profile(name)
            for movie, stars in ratings.items():
                service.rate(movie, stars)
    async with app_session(trained_home) as (app, pilot):
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MovieNightScreen))
        screen = app.screen
        assert isinstance(screen, MovieNightScreen)
        screen.query_one("#night-members", SelectionList).focus()
        await pilot.press("home", "space")  # bob joins ann
        await wait_until(pilot, lambda: screen.result is not None)
        assert screen.result is not None
        assert any("Animation" in p.movie.genres for p in screen.result.picks)
        await pilot.press("F")
        assert app.focused is screen.query_one("#night-genre", Choice)
        await pilot.press("tab", *"Animation", "tab", "tab", "tab", "tab", *"3.5")
        await applied(pilot)
        result = screen.result
        assert result is not None and len(result.picks) > 5
        table = screen.query_one("#night-table", DataTable)
        assert table.row_count == len(result.picks)
        for pick in result.picks:
            assert "Animation" not in pick.movie.genres
            assert pick.movie.mean_rating is not None and pick.movie.mean_rating >= 3.5 - 1e-4


# ---- remembered -----------------------------------------------------------------------------------
async def test_filters_are_remembered_per_screen_across_restarts(trained_home: Path) -> None:
    with Service.open(trained_home) as service:
        for name, ratings in (("bob", BOB), ("ann", ANN)):
            service.create_profile(name)
            for movie, stars in ratings.items():
                service.rate(movie, stars)
    async with app_session(trained_home) as (app, pilot):
        await open_browse(pilot)
        await type_into(pilot, "browse-exclude", "Horror")
        await type_into(pilot, "browse-min-count", "40")
        await pilot.press("f")
        await wait_until(pilot, lambda: "recs" in app.main_screen.built)
        await type_into(pilot, "recs-min-mean", "4")
        await pilot.press("enter")  # applied, and back to the list, where M is a key again
        assert app.focused is app.screen.query_one("#recs-table")
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MovieNightScreen))
        await type_into(pilot, "night-exclude", "Comedy")
        await pilot.press("escape")  # out of the field, to the group's list...
        assert app.focused is app.screen.query_one("#night-table")
        await pilot.press("escape")  # ...and Esc there closes Movie night
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await type_into(pilot, "recs-min-count", "25")  # after Movie night saved its own

    async with app_session(trained_home) as (app, pilot):
        screen = app.screen
        assert screen.query_one("#recs-min-mean", Input).value == "4"
        assert screen.query_one("#recs-min-count", Input).value == "25"
        recs = screen.query_one("#recs-table", MovieTable)
        await wait_until(pilot, lambda: recs.row_count > 0)
        assert all(
            r.movie.mean_rating is not None and r.movie.mean_rating >= 4 - 1e-4
            for r in recs.rows_data.values()
        )
        table = await open_browse(pilot)
        assert app.screen.query_one("#browse-exclude", Input).value == "Horror"
        assert app.screen.query_one("#browse-min-count", Input).value == "40"
        assert not any("Horror" in cell for cell in genre_cells(table))
        assert all(count >= 40 for _, count in community(table))
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MovieNightScreen))
        assert app.screen.query_one("#night-exclude", Input).value == "Comedy"
        assert app.screen.query_one(FilterBar).filters.exclude_genres == ("Comedy",)


async def test_settings_file_filters_fill_controls_never_remembered(
    trained_home: Path,
) -> None:
    with Service.open(trained_home) as service:
        service.create_profile("Ada")
        service.save_filters({"browse-sort": "year"})  # remembered before this feature
        service.paths.settings.write_text(
            '[filters]\n"browse-min-mean" = "3.5"\n"browse-sort" = "title"\n'
            '"night-exclude" = "Horror"\n',
            encoding="utf-8",
        )
    async with app_session(trained_home) as (app, pilot):
        table = await open_browse(pilot)
        assert app.screen.query_one("#browse-min-mean", Input).value == "3.5"
        assert app.screen.query_one("#browse-sort", Choice).value == "year"  # remembered wins
        assert all(mean >= 3.495 for mean, _ in community(table))
        assert not [n for n in app._notifications if "settings.toml" in n.message]
