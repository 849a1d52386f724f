"""Canary: every private Textual name the UI relies on, so an upgrade that renames or
removes one fails here, by name, instead of silently losing a speed-up or a behaviour.

The project pins textual==8.2.8. When this test fails after an upgrade, read the new
Textual source for the named method and re-derive the override (or drop it), then update
the list below. Found with ``grep -rn "\\._[a-z]" movietui/tui tests/tui`` plus the
``def _...`` overrides in movietui/tui/widgets.
"""

from __future__ import annotations

import inspect

import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable

from movietui.service import MovieView
from movietui.tui.widgets.movie_table import MovieRowData, MovieTable

# (owner, name, who relies on it)
PRIVATE_METHODS = [
    (DataTable, "_update_dimensions", "MovieTable overrides it (no per-cell width measuring)"),
    (
        DataTable,
        "_on_resize",
        "MovieTable overrides it (keeps rendered cells on a same-size resize)",
    ),
    (DataTable, "_get_styles_to_render_cell", "MovieTable.notify_style_update clears its cache"),
    (DataTable, "_render_cell", "MovieTable overrides it (cell renderings kept by content)"),
    (DataTable, "_clear_caches", "test_lazy_panes: DataTable's own full invalidation"),
    (App, "_shutdown", "MovieTuiApp overrides it (run_test's way out sets Context.closing)"),
]
PRIVATE_PROPERTIES = [
    (DataTable, "_row_label_column_width", "MovieTable._update_dimensions"),
    (DataTable, "_total_row_height", "MovieTable._update_dimensions"),
]
PRIVATE_ATTRIBUTES = [  # set in __init__: checked on an instance below
    (Widget, "_styles_cache", "MovieTable.notify_style_update"),
    (App, "_css_update_count", "MovieTable.notify_style_update"),
    (DataTable, "_show_hover_cursor", "MovieTable._render_cell"),
    (DataTable, "_data", "MovieTable.show rewrites cells in place, then refreshes once"),
    (DataTable, "_update_count", "MovieTable.show bumps it (DataTable's caches are keyed by it)"),
    (App, "_notifications", "test_flows: the toasts shown"),
]


@pytest.mark.parametrize(("owner", "name", "why"), PRIVATE_METHODS + PRIVATE_PROPERTIES)
def test_private_textual_members_still_exist(owner: type, name: str, why: str) -> None:
    assert hasattr(owner, name), f"{owner.__name__}.{name} is gone; {why}"


def test_overridden_signatures_still_match() -> None:
    assert list(inspect.signature(DataTable._update_dimensions).parameters) == ["self", "new_rows"]
    assert len(inspect.signature(DataTable._on_resize).parameters) == 2  # (self, event)
    assert hasattr(DataTable._get_styles_to_render_cell, "cache_clear")  # an lru_cache
    assert list(inspect.signature(DataTable._render_cell).parameters) == [
        "self",
        "row_index",
        "column_index",
        "base_style",
        "width",
        "cursor",
        "hover",
    ]
    for _owner, name, _why in PRIVATE_PROPERTIES:
        assert isinstance(getattr(DataTable, name), property), name


def _row(movie_id: int) -> MovieRowData:
    movie = MovieView(
        movie_id=movie_id,
        title=f"Film {movie_id}",
        year=2000,
        genres=("Drama",),
        rating_count=10,
        mean_rating=3.5,
        my_rating=None,
        predicted=None,
        on_watchlist=False,
    )
    return MovieRowData(movie)


class _Probe(MovieTable):
    """Records that Textual still calls the hooks MovieTable overrides."""

    calls: list[str]

    def _update_dimensions(self, new_rows) -> None:
        self.calls.append("_update_dimensions")
        super()._update_dimensions(new_rows)

    def _on_resize(self, event) -> None:
        self.calls.append("_on_resize")
        super()._on_resize(event)

    def _render_cell(self, *args, **kwargs):
        self.calls.append("_render_cell")
        return super()._render_cell(*args, **kwargs)


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        probe = _Probe("watchlist", id="probe")
        probe.calls = []
        yield probe


async def test_textual_still_calls_the_overridden_hooks_and_sets_the_private_state() -> None:
    app = _TableApp()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        probe = app.query_one(_Probe)
        probe.show([_row(n) for n in range(1, 31)])
        await pilot.pause()
        assert "_update_dimensions" in probe.calls
        header = probe.header_height if probe.show_header else 0
        assert probe.virtual_size.height == 30 + header  # the override's figure is used
        await pilot.resize_terminal(90, 18)
        await pilot.pause()
        assert "_on_resize" in probe.calls
        assert "_render_cell" in probe.calls
        # The private state the overrides touch, on live instances.
        for owner, name, why in PRIVATE_ATTRIBUTES:
            instance = {
                Widget: probe,
                DataTable: probe,
                App: app,
            }[owner]
            assert hasattr(instance, name), f"{owner.__name__}.{name} is gone; {why}"
        assert hasattr(probe._styles_cache, "clear")
        assert isinstance(app._css_update_count, int)
