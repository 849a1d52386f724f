"""A DataTable of movies with the rating keys, filled a page at a time.

One widget serves every list (browse, recommendations, ratings, watchlist, similar,
onboarding); ``kind`` picks the columns. Rows are keyed by movie id. The table never
holds the whole catalog: callers hand it one page and may ``append`` the next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from movietui.service import MovieView, RatedMovie, Recommendation, Similar
from movietui.stars import nudge
from movietui.tui import format as fmt
from movietui.tui.messages import MarkRequested, RateRequested, UndoRequested, WatchToggled


def rating_bindings(prefix: str, watch_id: str) -> list[Binding]:
    """The rating keys, shared by every movie list and the detail screen (ids keep each remappable)."""
    stars = [
        Binding(
            str(n),
            f"rate({n})",
            "Rate" if n == 1 else str(n),
            key_display="1-5" if n == 1 else None,
            show=n == 1,
            id=f"{prefix}.{n}",
        )
        for n in range(1, 6)
    ]
    return [
        *stars,
        Binding(
            "plus,equals_sign", "nudge(0.5)", "±½ star", key_display="+/-", id=f"{prefix}.up_half"
        ),
        Binding("minus", "nudge(-0.5)", "-½", show=False, id=f"{prefix}.down_half"),
        Binding("0,delete", "unrate", "Unrate", key_display="0/del", id=f"{prefix}.remove"),
        Binding("u", "undo", "Undo", id=f"{prefix}.undo"),
        Binding("w", "watch", "Watchlist", id=watch_id),
        # "Not for me" = not interested (the short form keeps the 140-column footer whole)
        Binding(
            "n",
            "mark('not_interested')",
            "Not for me",
            tooltip="Not interested: never recommend it",
            id=f"{prefix}.not_interested",
        ),
        Binding("v", "mark('seen')", "Seen", tooltip="Seen it, no rating", id=f"{prefix}.seen"),
    ]


@dataclass(frozen=True)
class MovieRowData:
    """What a table row shows: the movie plus the list-specific extras."""

    movie: MovieView
    predicted: float | None = None
    because: str = ""
    similarity: float | None = None


def to_rows(
    items: Iterable[MovieView | Recommendation | RatedMovie | Similar],
) -> list[MovieRowData]:
    rows: list[MovieRowData] = []
    for item in items:
        if isinstance(item, Recommendation):
            because = ", ".join(item.because)
            rows.append(
                MovieRowData(
                    item.movie, item.predicted, f"because you liked {because}" if because else ""
                )
            )
        elif isinstance(item, Similar):
            rows.append(MovieRowData(item.movie, item.movie.predicted, similarity=item.score))
        elif isinstance(item, RatedMovie):
            rows.append(MovieRowData(item.movie, item.movie.predicted))
        else:
            rows.append(MovieRowData(item, item.predicted))
    return rows


def in_order(rows: Sequence[MovieRowData], table: MovieTable) -> list[MovieRowData]:
    """``rows`` (fresh values) in the order ``table`` shows now: a film no longer among
    ``rows`` keeps its old values, a film new to them is left out. A refresh after a rating
    then changes what the cells say, never where a film is."""
    fresh = {row.movie.movie_id: row for row in rows}
    return [fresh.get(movie_id, table.rows_data[movie_id]) for movie_id in table.order]


def _unique(rows: Sequence[MovieRowData]) -> list[MovieRowData]:
    seen: set[int] = set()
    out = []
    for row in rows:
        if row.movie.movie_id not in seen:
            seen.add(row.movie.movie_id)
            out.append(row)
    return out


NEAR_END_ROWS = 10
SegmentLines = list[list[Segment]]


def _content_key(value: object) -> object:
    """What a cell's rendering depends on: a str as is, a Text by its text, styles and layout."""
    if isinstance(value, Text):
        return (
            value.plain,
            value.style,
            tuple(value.spans),
            value.justify,
            value.overflow,
            value.no_wrap,
        )
    return value


# (label, key, width) per kind; cells come from _cell().
COLUMNS: dict[str, list[tuple[str, str, int]]] = {
    "browse": [
        ("Title", "title", 44),
        ("Year", "year", 4),
        ("Genres", "genres", 26),
        ("Community", "community", 14),
        ("You", "you", 9),
        ("Predicted", "predicted", 9),
        ("W", "watch", 1),
    ],
    "recs": [
        ("#", "rank", 3),
        ("Title", "title", 40),
        ("Year", "year", 4),
        ("Predicted", "predicted", 9),
        ("Why", "because", 50),
    ],
    "ratings": [
        ("Title", "title", 44),
        ("Year", "year", 4),
        ("You", "you", 9),
        ("Predicted", "predicted", 9),
        ("Community", "community", 14),
        ("Genres", "genres", 26),
    ],
    "watchlist": [
        ("Title", "title", 44),
        ("Year", "year", 4),
        ("Predicted", "predicted", 9),
        ("Community", "community", 14),
        ("Genres", "genres", 30),
    ],
    "similar": [
        ("Title", "title", 40),
        ("Year", "year", 4),
        ("Similarity", "similarity", 10),
        ("Predicted", "predicted", 9),
        ("Community", "community", 14),
    ],
    "mini": [
        ("#", "rank", 3),
        ("Title", "title", 34),
        ("Year", "year", 4),
        ("Est★", "predicted", 5),  # predicted stars; the list is ranked by "would pick"
    ],
    "onboarding": [
        ("Title", "title", 31),
        ("Year", "year", 4),
        ("You", "you", 9),  # "★★★★½ 4.5"
        ("Community", "community", 14),  # "3.76 (102,929)": ml-32m counts
        ("Genres", "genres", 22),
    ],
}


def _cell(key: str, row: MovieRowData, rank: int) -> Text:
    """One cell, always a Text (a str cell would go through markup parsing on every render)."""
    movie = row.movie
    match key:
        case "title":
            return fmt.title_text(movie)
        case "genres":
            return Text(fmt.genres(movie), no_wrap=True, overflow="ellipsis")
        case "you":
            return Text(fmt.you(movie), style="bold")
        case "because":
            return Text(row.because, no_wrap=True, overflow="ellipsis")
    return Text(_plain_cell(key, row, rank), no_wrap=True, end="")


def _plain_cell(key: str, row: MovieRowData, rank: int) -> str:
    movie = row.movie
    match key:
        case "year":
            return fmt.year(movie)
        case "community":
            return fmt.community(movie)
        case "predicted":
            return fmt.score(row.predicted)
        case "watch":
            return "W" if movie.on_watchlist else ""
        case "rank":
            return str(rank)
        case "similarity":
            return fmt.score(row.similarity)
    raise KeyError(key)


_LINE_JOIN = Text("\n")


class MovieTable(DataTable):
    """Movies, one row each; rating keys act on the highlighted movie when ``rateable``."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        *rating_bindings("rate", watch_id="watchlist.toggle"),
    ]

    class NearEnd(Message):
        """The cursor or the scroll position reached the last rows: time to load the next page."""

        def __init__(self, table: MovieTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> MovieTable:
            return self.table

    def __init__(
        self, kind: str, *, rateable: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.kind = kind
        self.rateable = rateable
        self.rows_data: dict[int, MovieRowData] = {}
        self.order: list[int] = []
        # (film, row the cursor moved to): after advance_past, + and - still act on that film
        # while the cursor stays on the next row (onboarding: "4 then +" means 4.5).
        self._advanced_from: tuple[int, int] | None = None
        # Cell renderings keyed by what they show, not by DataTable's update count: see _render_cell.
        self._content_lines: LRUCache[tuple[object, int, int], SegmentLines] = LRUCache(4000)
        self._styled_lines: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(4000)

    def on_mount(self) -> None:
        for label, key, width in COLUMNS[self.kind]:
            self.add_column(label, key=key, width=width)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Every column has a fixed width and every row is one line, so only the virtual
        size needs updating. DataTable would measure every cell of every new row (for
        auto-width columns): ~50 ms per 100-row page, on start-up and on every refresh."""
        header = self.header_height if self.show_header else 0
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header
        )

    # Showing a tab sends its table a Resize (to the same size) and a focus change, and
    # DataTable drops every rendered cell on both: a tab switch re-rendered ~200 cells.
    # Rendered cells stay valid unless the size or the stylesheet changed (focus state is
    # part of DataTable's cell cache key already), so keep them.
    _last_size: Size | None = None
    _css_count = -1

    def _on_resize(self, event: events.Resize) -> None:
        if event.size == self._last_size:
            event.prevent_default()  # skips DataTable._on_resize, which invalidates every cell
        self._last_size = event.size

    def notify_style_update(self) -> None:
        css_count = self.app._css_update_count
        if css_count != self._css_count:  # a new stylesheet or theme: drop every rendering
            self._css_count = css_count
            self._content_lines.clear()
            self._styled_lines.clear()
            super().notify_style_update()
            return
        # Focus or hover moved: rendered cells, rows and lines are keyed by the pseudo-class
        # state and stay valid; the component styles per state are not, so drop those.
        Widget.notify_style_update(self)
        self._get_styles_to_render_cell.cache_clear()
        self._styles_cache.clear()
        self.refresh()

    # Any cell update bumps DataTable's update count, which is part of its cell cache key, so
    # after a rating re-ranks the list every visible cell was rendered again through rich
    # (~0.3 ms each, ~45 ms a screen). Most cells show what some row showed before (titles and
    # "why" move up one row; the ranks stay), so renderings are kept by content: the plain
    # rendering per (content, width), and the styled one per (content, width, styles). The
    # result is exactly DataTable's: its Styled(Padding(cell)) applies the styles to the
    # padded segments, which is what Segment.apply_style does here (a test compares the two).
    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        value = (
            self.get_cell_at(Coordinate(row_index, column_index))
            if row_index >= 0 and column_index >= 0
            else None
        )
        if not isinstance(value, Text) or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style + Style.from_meta({"row": row_index, "column": column_index})
        ) + component_style
        content = _content_key(value)
        styled_key = (content, width, pre_style, post_style)
        styled = self._styled_lines.get(styled_key)
        if styled is not None:
            return styled
        plain_key = (content, width, self.cell_padding)
        plain = self._content_lines.get(plain_key)
        if plain is None:
            plain = self._one_line(value, width)
            if plain is None:
                options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
                plain = self.app.console.render_lines(
                    Padding(value, (0, self.cell_padding)), options
                )
            self._content_lines[plain_key] = plain
        styled = [list(Segment.apply_style(line, pre_style, post_style)) for line in plain]
        self._styled_lines[styled_key] = styled
        return styled

    def _one_line(self, value: Text, width: int) -> SegmentLines | None:
        """A one-line cell as rich's pass above draws it, by the same Text steps but without
        the generic layout around them (Padding, render_lines, line splitting): ~4x faster,
        which is what a new list (a search, a first visit) pays for every visible cell.
        None for what that pass does otherwise: several lines, tabs, wrapping, justifying."""
        pad = self.cell_padding
        inner = width - 2 * pad
        plain = value.plain
        if (
            inner < 1
            or value.no_wrap is False
            or value.justify not in (None, "default")
            or "\n" in plain
            or "\t" in plain
        ):
            return None
        line = value.copy()
        line.rstrip_end(inner)
        line.truncate(inner, overflow=value.overflow or "fold")
        line = _LINE_JOIN.join([line])  # as rich does: the base style becomes a span
        segments = Segment.adjust_line_length(list(line.render(self.app.console, end="")), inner)
        if pad:
            space = Segment(" " * pad)
            segments = [space, *segments, space]
        return [segments]

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        # Only a move down asks for more: filling a table runs this watcher once per added
        # row, and the first ten rows each asked for the next page (Browse opened with 1,100).
        if self.row_count and new.row > old.row and new.row >= self.row_count - NEAR_END_ROWS:
            self.post_message(self.NearEnd(self))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.row_count and new > old and new >= self.max_scroll_y - NEAR_END_ROWS:
            self.post_message(self.NearEnd(self))

    # ---- filling -------------------------------------------------------------------
    # Rows are keyed by position, not by movie: a refresh rewrites the cells in place
    # (no clear, no re-measure, no layout pass), which keeps a rating -> refreshed list
    # cheap. ``order`` maps row index -> movie id.
    def show(self, rows: Sequence[MovieRowData], keep_cursor: bool = True) -> None:
        """Show ``rows``; the cursor stays on the same movie when it is still listed, except
        at the top row, which stays the top: a re-ranked list (recommendations after
        onboarding) then opens at its new best, not wherever the old first film went."""
        old_row = self.cursor_row
        current = self.current_movie_id if keep_cursor and old_row > 0 else None
        rows = _unique(rows)
        keys = [key for _, key, _ in COLUMNS[self.kind]]
        shared = min(len(rows), self.row_count)
        # Cells are rewritten in DataTable's own store and the table refreshed once:
        # update_cell_at validates and schedules a refresh per cell (~7 ms for a re-ranked list).
        rewritten = False
        for index in range(shared):
            if self.rows_data.get(self.order[index]) != rows[index]:
                cells = self._data[RowKey(str(index))]
                for key in keys:
                    cells[ColumnKey(key)] = _cell(key, rows[index], index + 1)
                rewritten = True
        if rewritten:
            self._update_count += 1
            self.refresh()
        for index in range(self.row_count - 1, len(rows) - 1, -1):
            self.remove_row(str(index))
        self.order = [row.movie.movie_id for row in rows[:shared]]
        self.rows_data = {row.movie.movie_id: row for row in rows[:shared]}
        self.append(rows[shared:])
        if current is not None and current in self.rows_data:
            self.move_cursor(row=self.order.index(current), animate=False)
        elif self.row_count:
            self.move_cursor(
                row=min(old_row, self.row_count - 1) if keep_cursor else 0, animate=False
            )

    def append(self, rows: Sequence[MovieRowData]) -> None:
        keys = [key for _, key, _ in COLUMNS[self.kind]]
        for row in rows:
            movie_id = row.movie.movie_id
            if movie_id in self.rows_data:
                continue
            index = len(self.order)
            self.order.append(movie_id)
            self.rows_data[movie_id] = row
            self.add_row(*[_cell(key, row, index + 1) for key in keys], key=str(index))

    def update_movie(self, movie: MovieView) -> None:
        """Refresh one row in place after its rating or watchlist flag changed."""
        row = self.rows_data.get(movie.movie_id)
        if row is None:
            return
        row = dataclasses.replace(row, movie=movie)
        self.rows_data[movie.movie_id] = row
        index = self.order.index(movie.movie_id)
        for column, (_, key, _) in enumerate(COLUMNS[self.kind]):
            if key in ("you", "watch"):
                self.update_cell_at(Coordinate(index, column), _cell(key, row, index + 1))

    def set_flags(self, movie_id: int, **changes: Any) -> None:
        """Show a new ``my_rating``/``on_watchlist`` for one row without asking the service."""
        row = self.rows_data.get(movie_id)
        if row is not None:
            self.update_movie(dataclasses.replace(row.movie, **changes))

    def movie_at(self, row_index: int) -> int | None:
        return self.order[row_index] if 0 <= row_index < len(self.order) else None

    @property
    def current_movie_id(self) -> int | None:
        if not self.row_count:
            return None
        return self.movie_at(self.cursor_row)

    def advance_past(self, movie_id: int) -> None:
        """Move the cursor to the next row, keeping +/- on ``movie_id`` until it moves again."""
        self.action_cursor_down()
        self._advanced_from = (movie_id, self.cursor_row)

    def _nudge_target(self) -> int | None:
        if self._advanced_from is not None:
            movie_id, row = self._advanced_from
            if self.cursor_row == row and movie_id in self.rows_data:
                return movie_id
            self._advanced_from = None
        return self.current_movie_id

    def movie_ids(self) -> list[int]:
        return list(self.order)

    # ---- rating actions ------------------------------------------------------------
    # The keys post requests (``messages.py``); the app commits them and publishes the change.
    # A list that is not ``rateable`` (similar movies, onboarding's recommendations) leaves
    # every one of these keys to its screen: on the detail screen they act on the film shown.
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rate", "nudge", "unrate", "undo", "mark"):
            return self.rateable
        if action == "watch":
            return self.rateable and self.kind != "onboarding"
        return True

    def _title(self, movie_id: int) -> str:
        return self.rows_data[movie_id].movie.title

    def action_rate(self, stars: int) -> None:
        movie_id = self.current_movie_id
        if movie_id is not None:
            self.post_message(RateRequested(movie_id, float(stars), self._title(movie_id)))

    def action_nudge(self, step: float) -> None:
        movie_id = self._nudge_target()
        if movie_id is None:
            return
        mine = self.rows_data[movie_id].movie.my_rating
        if mine is None:  # half a star from nothing would be a guess: say what to do
            self.notify(
                f"Rate {self._title(movie_id)} with 1-5 first; + and - then move it by half a star.",
                timeout=4,
            )
            return
        self.post_message(RateRequested(movie_id, nudge(mine, step), self._title(movie_id)))

    def action_unrate(self) -> None:
        movie_id = self.current_movie_id
        if movie_id is not None:
            self.post_message(RateRequested(movie_id, None, self._title(movie_id)))

    def action_undo(self) -> None:
        self.post_message(UndoRequested())

    def action_watch(self) -> None:
        movie_id = self.current_movie_id
        if movie_id is not None:
            self.post_message(WatchToggled(movie_id, self._title(movie_id)))

    def action_mark(self, kind: str) -> None:
        movie_id = self.current_movie_id
        if movie_id is not None:
            self.post_message(MarkRequested(movie_id, kind, self._title(movie_id)))
