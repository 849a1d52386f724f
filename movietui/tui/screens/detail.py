"""One movie: facts, your rating, the prediction and why, links, similar movies.

Rating keys here rate the movie shown. Enter on a similar movie shows it on the same screen
(composing a new screen per step cost ~0.25 s); Escape walks back through the films followed,
then closes the screen.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from movietui.errors import MovietuiError
from movietui.service import MovieDetail
from movietui.stars import nudge
from movietui.tui import format as fmt
from movietui.tui.context import Context
from movietui.tui.messages import (
    MarkRequested,
    ProfileChanged,
    RateRequested,
    RatingChanged,
    UndoRequested,
    WatchlistChanged,
    WatchToggled,
)
from movietui.tui.widgets.movie_table import MovieTable, rating_bindings, to_rows
from movietui.tui.widgets.status_line import StatusLine


def detail_text(detail: MovieDetail) -> Text:
    movie = detail.movie
    text = Text()
    text.append(movie.title, style="bold")
    if movie.year:
        text.append(f" ({movie.year})")
    text.append("\n")
    text.append(f"Genres: {fmt.genres(movie) or 'none listed'}\n")
    text.append(f"Community: {fmt.community(movie)} ratings\n")
    text.append("Your rating: ")
    text.append(
        fmt.stars(movie.my_rating) or fmt.MARK_WORDS.get(movie.mark or "", "not rated"),
        style="bold",
    )
    text.append(f"    Predicted for you: {fmt.score(movie.predicted) or 'n/a'}")
    text.append("    On your watchlist" if movie.on_watchlist else "")
    text.append("\n")
    if detail.because:
        text.append(f"Because you liked: {', '.join(detail.because)}\n")
    links = []
    if detail.imdb_id:
        links.append(f"IMDb {detail.imdb_id} {detail.imdb_url or ''}".rstrip())
    if detail.tmdb_id:
        links.append(f"TMDb {detail.tmdb_id} {detail.tmdb_url or ''}".rstrip())
    if links:
        text.append("Links: " + " · ".join(links))
    return text


class MovieDetailScreen(Screen):
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="detail.back"),
        *rating_bindings("detail.rate", watch_id="detail.watchlist"),
    ]

    def __init__(self, context: Context, movie_id: int) -> None:
        super().__init__()
        self.context = context
        self.service = context.service
        self.movie_id = movie_id
        self.detail: MovieDetail | None = None
        self.trail: list[tuple[int, int]] = []  # (film, similar-list row) followed from

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="detail-box"):
            yield Static(id="detail-info")
            yield Label("Similar movies (Enter opens, Escape goes back)", classes="section-title")
            yield MovieTable("similar", rateable=False, id="similar-table")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.context.listen(self)
        self.reload()
        self.query_one("#similar-table").focus()

    def reload(self) -> None:
        try:
            self.detail = self.service.movie(self.movie_id)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        self.query_one("#detail-info", Static).update(detail_text(self.detail))
        self.query_one("#similar-table", MovieTable).show(to_rows(self.detail.similar))

    @on(RatingChanged)
    @on(WatchlistChanged)
    @on(ProfileChanged)
    def _changed(self) -> None:
        self.reload()

    @on(DataTable.RowSelected, "#similar-table")
    def _open_similar(self, event: DataTable.RowSelected) -> None:
        movie_id = cast(MovieTable, event.data_table).movie_at(event.cursor_row)
        if movie_id is not None:
            self.trail.append((self.movie_id, event.cursor_row))
            self._show(movie_id, row=0)

    def action_back(self) -> None:
        if self.trail:
            self._show(*self.trail.pop())
        else:
            self.dismiss()

    def _show(self, movie_id: int, row: int) -> None:
        self.movie_id = movie_id
        self.reload()
        similar = self.query_one("#similar-table", MovieTable)
        similar.move_cursor(row=row, scroll=True)

    # The keys act on the film shown (the similar list leaves them to the screen) and post
    # requests up to the app; the published change reloads this screen.
    def action_rate(self, stars: int) -> None:
        self.post_message(RateRequested(self.movie_id, float(stars), self._title()))

    def action_nudge(self, step: float) -> None:
        mine = self.detail.movie.my_rating if self.detail else None
        self.post_message(RateRequested(self.movie_id, nudge(mine, step), self._title()))

    def action_unrate(self) -> None:
        self.post_message(RateRequested(self.movie_id, None, self._title()))

    def _title(self) -> str | None:
        return self.detail.movie.title if self.detail else None

    def action_undo(self) -> None:
        self.post_message(UndoRequested())

    def action_watch(self) -> None:
        self.post_message(WatchToggled(self.movie_id, self._title()))

    def action_mark(self, kind: str) -> None:
        self.post_message(MarkRequested(self.movie_id, kind, self._title()))
