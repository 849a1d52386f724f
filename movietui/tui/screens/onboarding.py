"""Cold start: "Rate a few movies you know", recommendations changing beside the list.

The list comes from ``service.onboarding()`` (well known but divisive titles, which teach
the model most per rating). Rated and marked rows stay (showing the stars or the mark) and
the cursor moves on.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from movietui.errors import MovietuiError
from movietui.tui.constants import ONBOARDING_MOVIES, ONBOARDING_RECS
from movietui.tui.context import Context
from movietui.tui.messages import RatingChanged
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.widgets.movie_table import MovieTable, to_rows
from movietui.tui.widgets.status_line import StatusLine


class OnboardingScreen(Screen):
    BINDINGS = [
        Binding("s", "skip", "Skip", id="onboarding.skip"),
        Binding("escape,d", "done", "Done", id="onboarding.done"),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.service = context.service

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Text(
                "Rate a few movies you know: 1-5 stars, +/- half a star, v seen (no stars), "
                "n not interested, s or ↓ skips, Escape when done. The recommendations on "
                "the right change after each one."
            ),
            id="onboarding-intro",
        )
        with Horizontal(id="onboarding-body"):
            with Vertical(id="onboarding-left"):
                yield Label("Movies to rate", classes="section-title")
                yield MovieTable("onboarding", id="onboarding-table")
            with Vertical(id="onboarding-right"):
                yield Label("Recommended for you", classes="section-title")
                yield MovieTable("mini", rateable=False, id="onboarding-recs")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.context.listen(self)
        try:
            movies = self.service.onboarding(n=ONBOARDING_MOVIES)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            movies = []
        self.query_one("#onboarding-table", MovieTable).show(to_rows(movies))
        self.refresh_recs()
        self.query_one("#onboarding-table").focus()

    def refresh_recs(self) -> None:
        try:
            # the For you list itself (its default filters): the ranker already prefers films people pick
            recs = self.service.recommendations(n=ONBOARDING_RECS)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        self.query_one("#onboarding-recs", MovieTable).show(to_rows(recs), keep_cursor=False)

    @on(RatingChanged)
    def _rating_changed(self, message: RatingChanged) -> None:
        table = self.query_one("#onboarding-table", MovieTable)
        movie_id = message.result.movie_id
        result = message.result
        if movie_id in table.rows_data:
            table.set_flags(movie_id, my_rating=result.rating, mark=result.mark)
            if table.current_movie_id == movie_id and (
                result.rating is not None or result.mark is not None
            ):
                table.advance_past(movie_id)
        self.refresh_recs()

    def action_skip(self) -> None:
        self.query_one("#onboarding-table", MovieTable).action_cursor_down()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        movie_id = cast(MovieTable, event.data_table).movie_at(event.cursor_row)
        if movie_id is not None:
            self.app.push_screen(MovieDetailScreen(self.context, movie_id))

    def action_done(self) -> None:
        self.dismiss()
