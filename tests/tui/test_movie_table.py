"""MovieTable draws exactly what DataTable would, through its content-keyed cell cache."""

from __future__ import annotations

import itertools

from rich.style import Style
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from movietui.service import MovieView
from movietui.tui.widgets.movie_table import COLUMNS, MovieRowData, MovieTable

TITLES = [
    "The Shawshank Redemption",
    "[bold]Not markup[/bold] (a title with brackets)",
    "千と千尋の神隠し",
    "A title long enough to be cut at the edge of its column, and then some more words",
    "",
    "Amélie 🎬",
]


def _rows(offset: int = 0) -> list[MovieRowData]:
    rows = []
    for n in range(12):
        movie = MovieView(
            movie_id=n + offset + 1,
            title=TITLES[(n + offset) % len(TITLES)],
            year=None if n % 5 == 0 else 1990 + n,
            genres=("Drama", "Comedy", "Science Fiction", "Film-Noir")[: 1 + n % 4],
            rating_count=n * 9_999,
            mean_rating=None if n == 0 else 2.5 + n / 10,
            my_rating=(None, 4.5, 3.0, 0.5)[n % 4],
            predicted=None if n == 1 else 3.1 + n / 7,
            on_watchlist=n % 3 == 0,
        )
        rows.append(MovieRowData(movie, movie.predicted, "because you liked " + "Heat, " * n))
    return rows


class _Tables(App[None]):
    def compose(self) -> ComposeResult:
        for kind in COLUMNS:
            yield MovieTable(kind, id=kind)


def _drawn(lines: list) -> list:
    """The segments that draw something (an empty segment, whatever its style, draws nothing)."""
    return [[segment for segment in line if segment.text] for line in lines]


def _assert_cells_match_datatable(table: MovieTable) -> int:
    """Every visible cell, under cursor / hover / two base styles, against DataTable's own."""
    checked = 0
    styles = [Style(), Style(color="red", bgcolor="grey11", bold=True)]
    for row, column in itertools.product(range(table.row_count), range(len(table.columns))):
        width = table.ordered_columns[column].get_render_width(table)
        value = table.get_cell_at((row, column))
        assert table._one_line(value, width) is not None  # the fast path is what is compared
        for cursor, hover, base in itertools.product((False, True), (False, True), styles):
            ours = table._render_cell(row, column, base, width, cursor, hover)
            theirs = DataTable._render_cell(table, row, column, base, width, cursor, hover)
            assert _drawn(ours) == _drawn(theirs), (table.kind, row, column, cursor, hover, base)
            checked += 1
    return checked


async def test_every_kind_of_cell_renders_exactly_as_datatable_renders_it() -> None:
    app = _Tables()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        for table in app.query(MovieTable):
            table.show(_rows())
            await pilot.pause()
            assert _assert_cells_match_datatable(table) > 0
            # Shifted by one (what a rating does to a list): rows now show what their
            # neighbours showed, which the content cache answers.
            table.show(_rows(offset=1))
            await pilot.pause()
            _assert_cells_match_datatable(table)
        app.theme = "textual-light"  # a new stylesheet: nothing stale may survive
        await pilot.pause()
        for table in app.query(MovieTable):
            _assert_cells_match_datatable(table)
