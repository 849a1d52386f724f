"""The main screen: Browse, For you, Your ratings, Watchlist, Training.

Lists are filled a page at a time (never the whole catalog). After a rating the active
tab refreshes at once and the others are marked stale, refreshed when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (Checkbox, DataTable, Footer, Header, Input, Select, Static, TabbedContent,
                             TabPane)

from movietui.errors import MovietuiError
from movietui.service import SORTS, Filters
from movietui.tui.messages import RatingChanged
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.widgets.histogram import RatingHistogram
from movietui.tui.widgets.status_line import StatusLine
from movietui.tui.widgets.movie_table import MovieTable, to_rows
from movietui.tui.widgets.training_panel import TrainingPanel, TrainingState

if TYPE_CHECKING:
    from movietui.tui.app import MovieTuiApp

PAGE = 100
RECOMMENDATIONS = 50
SEARCH_DEBOUNCE_S = 0.15
OBSCURE_BELOW = 20  # "hide obscure": movies with fewer community ratings
TABS = ("browse", "recs", "ratings", "watchlist", "training")
TABLE_OF_TAB = {"browse": "#browse-table", "recs": "#recs-table", "ratings": "#ratings-table",
                "watchlist": "#watch-table"}


def _year(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() else None


class MainScreen(Screen):
    BINDINGS = [
        Binding("b", "show_tab('browse')", "Browse", show=False, id="main.tab.browse"),
        Binding("f", "show_tab('recs')", "For you", show=False, id="main.tab.recs"),
        Binding("y", "show_tab('ratings')", "Your ratings", show=False, id="main.tab.ratings"),
        Binding("l", "show_tab('watchlist')", "Watchlist", show=False, id="main.tab.watchlist"),
        Binding("g", "show_tab('training')", "Training", show=False, id="main.tab.training"),
        Binding("slash", "search", "Search", id="main.search"),
        Binding("t", "train", "Train", id="main.train"),
        Binding("x", "stop_train", "Stop", show=False, id="main.stop"),
        Binding("o", "app.onboarding", "Onboard", show=False, id="main.onboarding"),
    ]

    def __init__(self, initial_tab: str | None = None) -> None:
        super().__init__()
        self.initial_tab = initial_tab or "recs"
        self.stale: set[str] = set(TABS)
        self._debounce: Timer | None = None
        self.browse_total = 0

    @property
    def movietui(self) -> MovieTuiApp:
        return cast("MovieTuiApp", self.app)

    # ---- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        try:
            genres = self.movietui.service.genres()
        except MovietuiError:
            genres = []
        genre_options = [(g, g) for g in genres]
        yield Header()
        with TabbedContent(initial=self.initial_tab, id="tabs"):
            with TabPane("Browse", id="browse"):
                with Horizontal(classes="filter-bar"):
                    yield Input(placeholder="Search titles (/)", id="search", compact=True)
                    yield Select(genre_options, prompt="Any genre", id="browse-genre", compact=True)
                    yield Input(placeholder="from", id="browse-year-min", type="integer", classes="year",
                                compact=True)
                    yield Input(placeholder="to", id="browse-year-max", type="integer", classes="year",
                                compact=True)
                    yield Select([(f"Sort: {s}", s) for s in SORTS], value="relevance", allow_blank=False,
                                 id="browse-sort", compact=True)
                yield MovieTable("browse", id="browse-table")
                yield Static(id="browse-status", classes="status")
            with TabPane("For you", id="recs"):
                with Horizontal(classes="filter-bar"):
                    yield Select(genre_options, prompt="Any genre", id="recs-genre", compact=True)
                    yield Input(placeholder="from", id="recs-year-min", type="integer", classes="year",
                                compact=True)
                    yield Input(placeholder="to", id="recs-year-max", type="integer", classes="year",
                                compact=True)
                    yield Checkbox(f"Hide obscure (< {OBSCURE_BELOW} ratings)", True, id="recs-obscure",
                                   compact=True)
                yield MovieTable("recs", id="recs-table")
                yield Static(id="recs-status", classes="status")
            with TabPane("Your ratings", id="ratings"):
                with Horizontal(id="ratings-body"):
                    yield MovieTable("ratings", id="ratings-table")
                    yield RatingHistogram(id="histogram")
            with TabPane("Watchlist", id="watchlist"):
                yield MovieTable("watchlist", id="watch-table")
                yield Static(Text("w removes the highlighted movie; Enter shows details."), classes="status")
            with TabPane("Training", id="training"):
                yield TrainingPanel(id="training-panel")
        yield StatusLine(Text("1-5 rate · +/- half a star · Enter details · / search · ? help"), id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        service = self.movietui.service
        info = service.model_info()
        panel = self.query_one(TrainingPanel)
        panel.set_hyper(info.hyper if info is not None else service.default_hyper())
        panel.show_state(self.movietui.training, info)
        self.refresh_tab(self.active_tab)
        self._focus_tab(self.active_tab)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "recs"

    def action_show_tab(self, tab: str) -> None:
        self.show_tab(tab)

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab in self.stale:
            self.refresh_tab(tab)
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        if tab in TABLE_OF_TAB:
            self.query_one(TABLE_OF_TAB[tab]).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if tab in self.stale:
            self.refresh_tab(tab)

    # ---- refreshing --------------------------------------------------------------------
    def refresh_all(self) -> None:
        """The profile, model or catalog changed: everything is stale, the visible tab reloads now."""
        self.stale = set(TABS)
        self.refresh_tab(self.active_tab)
        self.show_training(self.movietui.training)

    def refresh_tab(self, tab: str) -> None:
        self.stale.discard(tab)
        try:
            match tab:
                case "browse":
                    self.reload_browse(keep_rows=True)
                case "recs":
                    self.reload_recs()
                case "ratings":
                    self.reload_ratings()
                case "watchlist":
                    self.reload_watchlist()
        except MovietuiError as error:
            self.notify(str(error), severity="error")

    def on_rating_changed(self, message: RatingChanged) -> None:
        self.stale = set(TABS)
        self.refresh_tab(self.active_tab)
        title = message.title or self._title_of(message.result.movie_id)
        self.query_one(TrainingPanel).show_fold_in(title, message.result)

    def watchlist_changed(self, movie_id: int) -> None:
        browse = self.query_one("#browse-table", MovieTable)
        row = browse.rows_data.get(movie_id)
        if row is not None:
            browse.set_flags(movie_id, on_watchlist=not row.movie.on_watchlist)
        self.stale |= {"watchlist", "recs"}
        if self.active_tab == "watchlist":
            self.refresh_tab("watchlist")

    def _title_of(self, movie_id: int) -> str:
        for table in self.query(MovieTable):
            row = table.rows_data.get(movie_id)
            if row is not None:
                return row.movie.title
        return f"movie {movie_id}"

    # ---- browse ------------------------------------------------------------------------
    def _browse_args(self) -> tuple[str, Filters, str, bool]:
        query = self.query_one("#search", Input).value.strip()
        genre = self.query_one("#browse-genre", Select).value
        filters = Filters(
            genres=(str(genre),) if genre is not Select.NULL else (),
            year_min=_year(self.query_one("#browse-year-min", Input).value),
            year_max=_year(self.query_one("#browse-year-max", Input).value))
        sort = str(self.query_one("#browse-sort", Select).value)
        return query, filters, sort, sort != "title"

    def reload_browse(self, keep_rows: bool = False) -> None:
        table = self.query_one("#browse-table", MovieTable)
        limit = max(PAGE, table.row_count) if keep_rows else PAGE
        query, filters, sort, descending = self._browse_args()
        page = self.movietui.service.browse(query, filters, sort, descending, limit=limit, offset=0)
        self.browse_total = page.total
        table.show(to_rows(page.items), keep_cursor=keep_rows)
        self._browse_status()

    def load_more_browse(self) -> None:
        table = self.query_one("#browse-table", MovieTable)
        if table.row_count >= self.browse_total:
            return
        query, filters, sort, descending = self._browse_args()
        try:
            page = self.movietui.service.browse(query, filters, sort, descending, limit=PAGE,
                                                offset=table.row_count)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        table.append(to_rows(page.items))
        self._browse_status()

    def _browse_status(self) -> None:
        shown = self.query_one("#browse-table", MovieTable).row_count
        more = " · more load as you scroll down" if shown < self.browse_total else ""
        self.query_one("#browse-status", Static).update(
            Text(f"{self.browse_total:,} movies match · showing {shown:,}{more}"), layout=False)

    @on(MovieTable.NearEnd, "#browse-table")
    def _near_end(self) -> None:
        self.load_more_browse()

    @on(Input.Changed, "#search, #browse-year-min, #browse-year-max")
    def _browse_typed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE_S, self._debounced_browse)

    def _debounced_browse(self) -> None:
        self._debounce = None
        try:
            self.reload_browse()
        except MovietuiError as error:
            self.notify(str(error), severity="error")

    @on(Select.Changed, "#browse-genre, #browse-sort")
    def _browse_selected(self) -> None:
        self._debounced_browse()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounced_browse()
        self.query_one("#browse-table").focus()

    def action_search(self) -> None:
        self.show_tab("browse")
        self.query_one("#search", Input).focus()

    # ---- recommendations, ratings, watchlist ----------------------------------------------
    def recs_filters(self) -> Filters:
        genre = self.query_one("#recs-genre", Select).value
        return Filters(
            genres=(str(genre),) if genre is not Select.NULL else (),
            year_min=_year(self.query_one("#recs-year-min", Input).value),
            year_max=_year(self.query_one("#recs-year-max", Input).value),
            min_count=OBSCURE_BELOW if self.query_one("#recs-obscure", Checkbox).value else 0)

    def reload_recs(self) -> None:
        service = self.movietui.service
        recs = service.recommendations(n=RECOMMENDATIONS, filters=self.recs_filters())
        self.query_one("#recs-table", MovieTable).show(to_rows(recs))
        profile = service.current_profile
        if profile is None:
            note = "No profile yet (p creates one): showing popular movies."
        elif profile.n_ratings == 0:
            note = "Nothing rated yet: these are popular movies. Rate some (1-5) or press o for onboarding."
        elif service.model_info() is None:
            note = "No model yet: popular movies until the first training finishes."
        else:
            note = f"Top {len(recs)} for {profile.name}, from {profile.n_ratings} ratings. Rated titles never appear."
        self.query_one("#recs-status", Static).update(Text(note), layout=False)

    def top_recommendation(self) -> int | None:
        ids = self.query_one("#recs-table", MovieTable).movie_ids()
        return ids[0] if ids else None

    @on(Select.Changed, "#recs-genre")
    @on(Checkbox.Changed, "#recs-obscure")
    @on(Input.Changed, "#recs-year-min, #recs-year-max")
    def _recs_filtered(self) -> None:
        try:
            self.reload_recs()
        except MovietuiError as error:
            self.notify(str(error), severity="error")

    def reload_ratings(self) -> None:
        service = self.movietui.service
        if service.current_profile is None:
            self.query_one("#ratings-table", MovieTable).show([])
            self.query_one(RatingHistogram).show({})
            return
        self.query_one("#ratings-table", MovieTable).show(to_rows(service.my_ratings()))
        self.query_one(RatingHistogram).show(service.rating_histogram())

    def reload_watchlist(self) -> None:
        if self.movietui.service.current_profile is None:
            self.query_one("#watch-table", MovieTable).show([])
            return
        self.query_one("#watch-table", MovieTable).show(to_rows(self.movietui.service.watchlist()))

    @on(DataTable.RowSelected)
    def _open_detail(self, event: DataTable.RowSelected) -> None:
        movie_id = cast(MovieTable, event.data_table).movie_at(event.cursor_row)
        if movie_id is not None:
            self.app.push_screen(MovieDetailScreen(movie_id))

    # ---- training ----------------------------------------------------------------------
    def show_training(self, state: TrainingState) -> None:
        self.query_one(TrainingPanel).show_state(state, self.movietui.service.model_info())

    def action_train(self) -> None:
        panel = self.query_one(TrainingPanel)
        hyper = panel.read_hyper(self.movietui.service.default_hyper())
        if hyper is not None:
            self.show_tab("training")
            self.movietui.start_training(hyper)

    def action_stop_train(self) -> None:
        self.movietui.stop_training()

    @on(TrainingPanel.StartRequested)
    def _start_pressed(self) -> None:
        self.action_train()

    @on(TrainingPanel.StopRequested)
    def _stop_pressed(self) -> None:
        self.action_stop_train()
