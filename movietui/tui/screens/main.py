"""The main screen: Browse, For you, Your ratings, Watchlist, Training.

Lists are filled a page at a time (never the whole catalog). After a rating the active
tab refreshes at once and the others are marked stale, refreshed when shown.

Only the first tab's widgets are mounted at start; each other pane is composed the first
time it is shown (mounting and styling all five at once cost ~0.3 s of start-up).
"""

from __future__ import annotations

import gc
from dataclasses import replace
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import MountError, Widget
from textual.widgets import (
    Checkbox,
    DataTable,
    Header,
    Input,
    Static,
    TabbedContent,
    TabPane,
)

from movietui.errors import MovietuiError
from movietui.service import (
    OBSCURE_BELOW,
    SORTS,
    Filters,
    Hyper,
    ModelRecord,
    NeuralHyper,
    RateResult,
)
from movietui.tui import format as fmt
from movietui.tui.constants import PAGE, RECOMMENDATIONS, TAB_TITLES, TABS
from movietui.tui.context import Context
from movietui.tui.messages import (
    ProfileChanged,
    RatingChanged,
    TrainingFinished,
    TrainingProgress,
    WatchlistChanged,
)
from movietui.tui.widgets.choice import Choice
from movietui.tui.widgets.filter_bar import FilterBar, filter_ids
from movietui.tui.widgets.footer import KeyFooter
from movietui.tui.widgets.histogram import RatingHistogram
from movietui.tui.widgets.model_history import ModelHistory
from movietui.tui.widgets.movie_table import MovieTable, in_order, to_rows
from movietui.tui.widgets.status_line import StatusLine
from movietui.tui.widgets.taste_map_pane import TasteMapPane
from movietui.tui.widgets.training_panel import TrainingPanel, shown_hyper

SEARCH_DEBOUNCE_S = 0.15
# After the first paint, compose the hidden panes one at a time (~40-90 ms each), so keys
# are answered in between; started at 1.5 s, a first visit in the first seconds composed
# its pane while the person waited (~150-250 ms, against ~70 ms for a built one).
PREBUILD_AFTER_S = 0.25
PREBUILD_GAP_S = 0.2
FILTER_IDS = (
    *filter_ids("browse"),
    "browse-sort",
    *filter_ids("recs"),
    "recs-obscure",
)  # remembered
REMEMBERED = frozenset(FILTER_IDS)
TABLE_OF_TAB = {
    "browse": "#browse-table",
    "recs": "#recs-table",
    "ratings": "#ratings-table",
    "watchlist": "#watch-table",
    "map": "#map-view",
}


class MainScreen(Screen):
    BINDINGS = [
        Binding("b", "show_tab('browse')", "Browse", show=False, id="main.tab.browse"),
        Binding("f", "show_tab('recs')", "For you", show=False, id="main.tab.recs"),
        Binding("y", "show_tab('ratings')", "Your ratings", show=False, id="main.tab.ratings"),
        Binding("l", "show_tab('watchlist')", "Watchlist", show=False, id="main.tab.watchlist"),
        Binding("g", "show_tab('training')", "Training", show=False, id="main.tab.training"),
        Binding("m", "show_tab('map')", "Taste map", show=False, id="main.tab.map"),
        Binding("slash", "search", "Search", id="main.search"),
        Binding("escape,down", "leave_search", "To the list", show=False, id="main.leave_search"),
        Binding("t", "train", "Train", id="main.train"),
        Binding("x", "stop_train", "Stop", show=False, id="main.stop"),
        Binding("c", "train_kind", "Model", show=False, id="main.train_kind"),
        Binding("s", "star_model", "Predict stars", show=False, id="main.star_model"),
        Binding("o", "app.onboarding", "Onboard", show=False, id="main.onboarding"),
        Binding("F", "focus_filters", "Filters", show=False, id="main.filters"),
    ]

    # Textual's Screen repaints itself whole when the focus moves, so every tab switch drew
    # the screen a second time (~8-25 ms; the focused and blurred widgets repaint themselves
    # anyway through their :focus styles).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    class ShowTab(Message):
        """Show a tab (posted by whoever opened a screen on top, e.g. onboarding's close)."""

        def __init__(self, tab: str) -> None:
            super().__init__()
            self.tab = tab

    class Painted(Message):
        """The screen was drawn for the first time (the app then warms the model up)."""

    class ModelMadeCurrent(Message):
        """The model worker made a saved model current (``row``) or could not (``error``)."""

        def __init__(self, row: ModelRecord | None, error: str | None = None) -> None:
            super().__init__()
            self.row = row
            self.error = error

    def __init__(self, context: Context, initial_tab: str | None = None) -> None:
        super().__init__()
        self.context = context
        self.service = context.service
        self.training = context.training
        self.initial_tab = initial_tab or "recs"
        self.stale: set[str] = set(TABS)
        self.built: set[str] = {self.initial_tab}  # panes whose widgets are mounted
        self._building: set[str] = set()  # panes being mounted right now
        self._show_when_built: dict[str, str | None] = {}  # pane -> what to focus in it then
        self._wanted_tab = self.initial_tab  # the tab last asked for (a pane may still compose)
        self._fold_in: tuple[str, RateResult] | None = None
        self._toggle_kind_when_built = False  # c pressed before the Training tab was composed
        self._debounce: Timer | None = None  # runs while the search box is typed in
        self._typed_unapplied = False  # search text typed during the debounce
        self.browse_total = 0
        self._browse_shown: tuple[str, Filters, str, bool] | None = None  # what the list shows
        self._filters: dict[str, str] | None = None  # remembered filter values, read lazily

    # ---- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial=self.initial_tab, id="tabs"):
            for tab in TABS:
                with TabPane(TAB_TITLES[tab], id=tab):
                    if tab == self.initial_tab:
                        yield from self._pane_widgets(tab)
        yield StatusLine(
            Text("1-5 rate · +/- half a star · Enter details · / search · ? help"), id="status-line"
        )
        yield KeyFooter()

    def _genre_options(self) -> list[tuple[str, str]]:
        try:
            return [(g, g) for g in self.service.genres()]
        except MovietuiError:
            return []

    # ---- remembered filters -------------------------------------------------------------
    def _saved_filters(self) -> dict[str, str]:
        if self._filters is None:
            self._filters = self.service.saved_filters()
        return self._filters

    def _saved(self, widget_id: str) -> str:
        return self._saved_filters().get(widget_id, "")

    def _remember_filters(self) -> None:
        """Save the filter controls of the built panes when they differ from what is saved
        (a settings row; the next start opens with the same filters). Panes not built yet
        keep their saved values."""
        saved = self._saved_filters()
        changed: dict[str, str] = {}
        # One walk of the screen: a query per id walked it 16 times (~25 ms a keystroke).
        for widget in self.query("Input, Choice, Checkbox"):
            widget_id = widget.id
            if widget_id not in REMEMBERED:
                continue
            value = cast("Input | Choice | Checkbox", widget).value
            text = "" if value is Choice.NULL else str(value)
            if saved.get(widget_id) != text:
                changed[widget_id] = text
        if changed:  # only this screen's controls: Movie night remembers its own
            saved.update(changed)
            try:
                self.service.update_filters(changed)
            except MovietuiError:
                pass  # view state only: the filters still apply, they just won't be remembered

    def _saved_choice(self, widget_id: str, choices, default=Choice.NULL):
        """The saved value of a Choice if it is still one of ``choices`` (a new catalog may
        lack a genre), else ``default``."""
        saved = self._saved(widget_id)
        return saved if saved in choices else default

    def _filter_bar(self, prefix: str) -> FilterBar:
        genres = [genre for genre, _ in self._genre_options()]
        return FilterBar(prefix, genres, self._saved_filters(), id=f"{prefix}-filters")

    def _pane_widgets(self, tab: str) -> list[Widget]:
        match tab:
            case "browse":
                return [
                    Horizontal(
                        Input(placeholder="Search titles (/)", id="search", compact=True),
                        self._filter_bar("browse"),
                        Choice(
                            [(f"Sort: {s}", s) for s in SORTS],
                            value=self._saved_choice("browse-sort", SORTS, "relevance"),
                            id="browse-sort",
                        ),
                        classes="filter-bar",
                    ),
                    MovieTable("browse", id="browse-table"),
                    Static(id="browse-status", classes="status"),
                ]
            case "recs":
                return [
                    Horizontal(
                        self._filter_bar("recs"),
                        Checkbox(
                            f"Hide obscure (< {OBSCURE_BELOW} ratings)",
                            self._saved("recs-obscure") == "True",
                            id="recs-obscure",
                            compact=True,
                        ),
                        classes="filter-bar",
                    ),
                    MovieTable("recs", id="recs-table"),
                    Static(id="recs-status", classes="status"),
                ]
            case "ratings":
                return [
                    Horizontal(
                        MovieTable("ratings", id="ratings-table"),
                        RatingHistogram(id="histogram"),
                        id="ratings-body",
                    )
                ]
            case "watchlist":
                return [
                    MovieTable("watchlist", id="watch-table"),
                    Static(
                        Text("w removes the highlighted movie; Enter shows details."),
                        classes="status",
                    ),
                ]
            case "map":
                return [TasteMapPane(self.context, id="map-pane")]
            case "training":
                info = self.service.model_info()  # the fields show its settings (MF first)
                hyper = info.hyper if info is not None else self._train_base()
                return [TrainingPanel(hyper, id="training-panel")]
        raise KeyError(tab)

    def on_mount(self) -> None:
        self.context.listen(self, training=True)
        self._pane_ready(self.initial_tab)
        if self.initial_tab in TABLE_OF_TAB:  # focused before the first paint: drawn once
            self.set_focus(self.query_one(TABLE_OF_TAB[self.initial_tab]), scroll_visible=False)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        gc.freeze()  # now, not at the first prebuild: see _prebuild_next
        self.post_message(self.Painted())
        self.set_timer(PREBUILD_AFTER_S, self._prebuild_next)

    def _pane_ready(self, tab: str) -> None:
        """A pane's widgets were just mounted: fill them."""
        if tab == "training":
            panel = self.query_one(TrainingPanel)
            if self._toggle_kind_when_built:
                self._toggle_kind_when_built = False
                panel.toggle_kind()
            if self._fold_in is not None:
                panel.show_fold_in(*self._fold_in)
        self.refresh_tab(tab)

    def on_unmount(self) -> None:
        # A replaced main screen (a re-import) is garbage now, cycles and all: let the
        # collector see the frozen objects again so it can free them.
        gc.unfreeze()

    async def _build(self, tab: str) -> None:
        if tab in self.built or tab in self._building:
            return
        self._building.add(tab)
        await self.query_one(f"#{tab}", TabPane).mount_all(self._pane_widgets(tab))
        self._building.discard(tab)
        if self.context.closing.is_set():
            # The app closed while the pane mounted: its widgets were cancelled before their
            # own on_mount (a table without columns), so there is nothing to fill. Clean-clone
            # run p1-2 failed here: "More values provided than there are columns".
            return
        self.built.add(tab)
        self._pane_ready(tab)
        if tab in self._show_when_built:
            selector = self._show_when_built.pop(tab)
            if self._wanted_tab == tab:
                self._reveal(tab, selector)

    async def _prebuild_next(self) -> None:
        """Compose the hidden panes one at a time while the user reads the first screen,
        so even the first visit to a tab is a plain switch (~50 ms, not ~250 ms)."""
        # What exists by now (app, service, model, built panes) lives as long as the app.
        # Freezing it takes it out of the garbage collector's full passes, which otherwise
        # walked it all every few dozen renders: 150-270 ms stalls on every ~6th tab switch
        # or rating. A freeze only moves lists, so repeating it per pane costs nothing.
        gc.freeze()
        rest = [tab for tab in TABS if tab not in self.built and tab not in self._building]
        if not rest or not self.is_attached or self.context.closing.is_set():
            return  # (mounting a pane while the app tears down crashed its mount)
        try:
            await self._build(rest[0])
        except (MountError, NoMatches):  # the screen was closed meanwhile (app exit, re-import)
            return
        self.set_timer(PREBUILD_GAP_S, self._prebuild_next)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "recs"

    def action_show_tab(self, tab: str) -> None:
        self.show_tab(tab)

    @on(ShowTab)
    def _show_tab_requested(self, message: ShowTab) -> None:
        self.show_tab(message.tab)

    def show_tab(self, tab: str, focus: str | None = None) -> None:
        """Show a tab and focus its list (or ``focus``).

        The pane is shown and focused in one step, so its list is drawn once: shown first
        and focused a moment later (``focus()`` goes through the message queue), it was
        drawn twice, every row (DataTable keys its rendered lines by focus), ~30-60 ms. A
        pane not composed yet is shown at once, empty, and focused once the TabActivated
        handler has composed and filled it."""
        self._wanted_tab = tab
        selector = focus or TABLE_OF_TAB.get(tab)
        if tab not in self.built:
            self._show_when_built[tab] = selector
            self.query_one(TabbedContent).active = tab
            return
        if tab in self.stale:
            self.refresh_tab(tab)
        self._reveal(tab, selector)

    def _reveal(self, tab: str, selector: str | None) -> None:
        self.query_one(TabbedContent).active = tab
        if selector is not None:
            self.set_focus(self.query_one(selector), scroll_visible=False)  # now, not queued

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if tab not in TABS:
            return
        self._wanted_tab = tab  # (a click on a tab asks for it too)
        if tab not in self.built:
            await self._build(tab)  # (a no-op when a prebuild is already mounting it)
        elif tab in self.stale:
            self.refresh_tab(tab)

    # ---- refreshing --------------------------------------------------------------------
    def refresh_all(self) -> None:
        """The profile, model or catalog changed: everything is stale, the visible tab reloads now."""
        self.stale = set(TABS)
        self.refresh_tab(self.active_tab)

    def refresh_tab(self, tab: str, in_place: bool = False) -> None:
        """``in_place``: after a rating, Browse updates its rows' values but keeps their
        order (sorted by prediction, the list would otherwise jump under the cursor)."""
        if tab not in self.built:
            return  # filled when first shown
        self.stale.discard(tab)
        try:
            match tab:
                case "browse":
                    self.reload_browse(keep_rows=True, keep_order=in_place)
                case "recs":
                    self.reload_recs()
                case "ratings":
                    self.reload_ratings()
                case "watchlist":
                    self.reload_watchlist()
                case "map" if self.active_tab != "map":
                    self.stale.add(
                        "map"
                    )  # fetched when shown: a model's first plane takes ~0.3-2 s
                case "map":
                    self.query_one(TasteMapPane).reload()
                case "training":
                    self.query_one(TrainingPanel).show_state(
                        self.training.state,
                        self.service.model_info(),
                        self.service.neural_info(),
                        self.service.star_model(),
                        self.service.model_history(),
                    )
        except MovietuiError as error:
            self.notify(str(error), severity="error")

    # ---- published changes -------------------------------------------------------------
    @on(ProfileChanged)
    def _profile_changed(self) -> None:
        self.refresh_all()

    @on(RatingChanged)
    def _rating_changed(self, message: RatingChanged) -> None:
        self.stale = set(TABS)
        self.refresh_tab(self.active_tab, in_place=True)
        result = message.result
        if result.mark is None:  # a film kept in place but left out of the fresh page
            for browse in self.query("#browse-table").results(MovieTable):
                browse.set_flags(result.movie_id, my_rating=result.rating)
        if result.mark is not None or result.previous_mark is not None:
            return  # a mark, not a rating: the fold-in line keeps the last rating's figures
        title = message.title or self._title_of(result.movie_id)
        self._fold_in = (title, result)
        panel = self._training_panel()
        if panel is not None:
            panel.show_fold_in(title, result)

    @on(WatchlistChanged)
    def _watchlist_changed(self, message: WatchlistChanged) -> None:
        for browse in self.query("#browse-table").results(MovieTable):
            browse.set_flags(message.movie_id, on_watchlist=message.on_list)
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
        filters = self.query_one("#browse-filters", FilterBar).filters
        sort = str(self.query_one("#browse-sort", Choice).value)
        return query, filters, sort, sort != "title"

    def reload_browse(self, keep_rows: bool = False, keep_order: bool = False) -> None:
        table = self.query_one("#browse-table", MovieTable)
        limit = max(PAGE, table.row_count) if keep_rows else PAGE
        args = self._browse_args()
        page = self.service.browse(*args, limit=limit, offset=0)
        self._browse_shown = args
        self.browse_total = page.total
        rows = to_rows(page.items)
        if keep_order and table.row_count:
            rows = in_order(rows, table)
        table.show(rows, keep_cursor=keep_rows)
        self._browse_status()

    def load_more_browse(self) -> None:
        table = self.query_one("#browse-table", MovieTable)
        if table.row_count >= self.browse_total:
            return
        query, filters, sort, descending = self._browse_args()
        try:
            page = self.service.browse(
                query, filters, sort, descending, limit=PAGE, offset=table.row_count
            )
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        table.append(to_rows(page.items))
        self._browse_status()

    def _browse_status(self) -> None:
        shown = self.query_one("#browse-table", MovieTable).row_count
        more = " · more load as you scroll down" if shown < self.browse_total else ""
        self.query_one("#browse-status", Static).update(
            Text(f"{fmt.count(self.browse_total, 'movie')} match · showing {shown:,}{more}"),
            layout=False,
        )

    @on(MovieTable.NearEnd, "#browse-table")
    def _near_end(self) -> None:
        self.load_more_browse()

    @on(Input.Changed, "#search")
    def _browse_typed(self) -> None:
        """The first key after a pause searches at once; keys typed quickly after it are
        applied together when the typing pauses (the debounce's trailing edge)."""
        if self._debounce is None:
            self._debounce = self.set_timer(SEARCH_DEBOUNCE_S, self._typing_paused)
            self._apply_browse()
        else:
            self._typed_unapplied = True
            self._debounce.reset()

    def _typing_paused(self) -> None:
        self._debounce = None
        if self._typed_unapplied:
            self._apply_browse()

    def _stop_debounce(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None

    def _apply_browse(self) -> None:
        self._typed_unapplied = False
        try:
            self.reload_browse()
        except MovietuiError as error:
            self.notify(str(error), severity="error")

    @on(Choice.Changed, "#browse-sort")
    @on(FilterBar.Changed, "#browse-filters")
    def _browse_selected(self) -> None:
        if not self.browse_pending and self._browse_args() == self._browse_shown:
            return  # e.g. a saved value set again
        self._stop_debounce()  # applied now, with the typed text
        self._apply_browse()
        self._remember_filters()  # (the typed text is not remembered: no need per key)

    @on(FilterBar.Done)
    def _filters_done(self, message: FilterBar.Done) -> None:
        tab = message.bar.id.removesuffix("-filters") if message.bar.id else self.active_tab
        for table in self.query(f"#{tab}-table").results(MovieTable):
            table.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.leave_search()

    def leave_search(self) -> None:
        """Enter, Esc or Down in the search box: apply what was typed now and go to the
        results, where the tab keys (b f y l g) and the rating keys work again."""
        if self.browse_pending:
            self._apply_browse()
        self._stop_debounce()
        self.query_one("#browse-table").focus()

    @property
    def browse_pending(self) -> bool:
        """Typed filter text not applied yet (it will be when the typing pauses)."""
        return self._typed_unapplied

    def action_leave_search(self) -> None:
        self.leave_search()

    def action_search(self) -> None:
        self.show_tab("browse", focus="#search")

    def action_focus_filters(self) -> None:
        """F: the first filter control of the list in view (Browse, For you)."""
        for bar in self.query(f"#{self.active_tab}-filters").results(FilterBar):
            bar.focus_first()

    # ---- recommendations, ratings, watchlist ----------------------------------------------
    def recs_filters(self) -> Filters:
        filters = self.query_one("#recs-filters", FilterBar).filters
        if self.query_one("#recs-obscure", Checkbox).value:  # at least OBSCURE_BELOW ratings
            return replace(filters, min_count=max(filters.min_count, OBSCURE_BELOW))
        return filters

    def reload_recs(self) -> None:
        service = self.service
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
            note = (
                f"Top {len(recs)} for {profile.name} ({fmt.count(profile.n_ratings, 'rating')}), "
                "ranked by what you would pick; Predicted: the stars you would give. "
                "Rated and marked films never appear."
            )
        self.query_one("#recs-status", Static).update(Text(note), layout=False)

    @on(FilterBar.Changed, "#recs-filters")
    @on(Checkbox.Changed, "#recs-obscure")
    def _recs_filtered(self) -> None:
        try:
            self.reload_recs()
        except MovietuiError as error:
            self.notify(str(error), severity="error")
        self._remember_filters()

    def reload_ratings(self) -> None:
        service = self.service
        if service.current_profile is None:
            self.query_one("#ratings-table", MovieTable).show([])
            self.query_one(RatingHistogram).show({})
            return
        self.query_one("#ratings-table", MovieTable).show(to_rows(service.my_ratings()))
        self.query_one(RatingHistogram).show(service.rating_histogram())

    def reload_watchlist(self) -> None:
        if self.service.current_profile is None:
            self.query_one("#watch-table", MovieTable).show([])
            return
        self.query_one("#watch-table", MovieTable).show(to_rows(self.service.watchlist()))

    @on(DataTable.RowSelected)
    def _open_detail(self, event: DataTable.RowSelected) -> None:
        movie_id = cast(MovieTable, event.data_table).movie_at(event.cursor_row)
        if movie_id is not None:
            from movietui.tui.screens.detail import MovieDetailScreen  # loaded when first opened

            self.app.push_screen(MovieDetailScreen(self.context, movie_id))

    # ---- training ----------------------------------------------------------------------
    def _training_panel(self) -> TrainingPanel | None:
        panels = self.query(TrainingPanel)
        return panels.first() if panels else None

    @on(TrainingProgress)
    def show_training(self) -> None:
        """New epochs: redraw the panel (~50 ms for the chart) only while it is in view."""
        self.stale.add("training")
        if self.active_tab == "training":
            self.refresh_tab("training")

    @on(TrainingFinished)
    def _training_finished(self) -> None:
        self.refresh_all()  # a new model: new predictions everywhere, the panel's last figures

    def _train_base(self) -> Hyper:
        return self.context.train_base or self.service.default_hyper()

    def _base_for(self, kind: str) -> Hyper | NeuralHyper:
        if kind == "mf":
            return self._train_base()
        return self.context.neural_base or self.service.default_neural_hyper()

    def action_train(self) -> None:
        panel = self._training_panel()
        kind = panel.kind if panel is not None else "mf"
        if panel is not None:
            hyper = panel.read_hyper(self._base_for(kind))
        else:  # not shown yet: what its fields would hold
            info = self.service.model_info()
            hyper = shown_hyper(self._train_base(), info.hyper if info is not None else None)
        if hyper is None:
            return
        self.show_tab("training")
        if not self.training.start(hyper, kind):
            self.notify("Training is already running.", severity="warning")

    def action_train_kind(self) -> None:
        """Switch the Training tab between matrix factorisation and the neural model."""
        self.show_tab("training")
        panel = self._training_panel()
        if panel is not None:
            panel.toggle_kind()
        else:  # composed in a moment: switch it once it is there
            self._toggle_kind_when_built = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``s`` (predict stars with the model) acts only on the Training tab, where the model
        it applies to is on screen."""
        if action == "star_model":
            return self.active_tab == "training"
        if action == "leave_search":  # elsewhere Esc and Down keep their usual meaning
            return self.focused is not None and self.focused.id == "search"
        if action == "focus_filters":
            return self.active_tab in ("browse", "recs")
        return True

    def action_star_model(self) -> None:
        """Make the model the Training tab is on the one that predicts the stars."""
        panel = self._training_panel()
        self._use_for_stars(panel.kind if panel is not None else "mf")

    def _use_for_stars(self, kind: str) -> None:
        try:
            self.service.set_star_model(kind)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        name = "the neural model" if kind == "neural" else "matrix factorisation"
        self.notify(f"Stars now come from {name}.", timeout=3)
        self.refresh_all()  # predicted stars change in every list

    @on(TrainingPanel.KindChanged)
    def _kind_changed(self, message: TrainingPanel.KindChanged) -> None:
        panel = self._training_panel()
        if panel is None:
            return
        info = self.service.neural_info() if message.kind == "neural" else self.service.model_info()
        panel.set_hyper(info.hyper if info is not None else self._base_for(message.kind))

    @on(ModelHistory.UseRequested)
    def _use_model(self, message: ModelHistory.UseRequested) -> None:
        """Enter in the model history: that saved model becomes current, used everywhere."""
        self.notify(f"Loading model #{message.model_id}…", timeout=2)
        self._make_current(message.model_id)

    @work(thread=True, exclusive=True, group="use_model", exit_on_error=False)
    def _make_current(self, model_id: int) -> None:
        """Loading a saved model reads 100+ MB on ml-32m (1-2 s): off the UI thread."""
        try:
            row = self.service.use_model(model_id)
        except MovietuiError as error:
            self.post_message(self.ModelMadeCurrent(None, str(error)))
            return
        self.post_message(self.ModelMadeCurrent(row))

    @on(ModelMadeCurrent)
    def _model_made_current(self, message: ModelMadeCurrent) -> None:
        row = message.row
        if row is None:
            self.notify(message.error or "the model could not be loaded", severity="error")
            return
        val = "n/a" if row.val_rmse is None else f"{row.val_rmse:.4f}"
        self.notify(f"Model #{row.model_id} is now current (validation RMSE {val}).", timeout=3)
        self.refresh_all()  # new predictions everywhere, the history's mark

    @on(TrainingPanel.StarModelRequested)
    def _star_pressed(self, message: TrainingPanel.StarModelRequested) -> None:
        self._use_for_stars(message.kind)

    def action_stop_train(self) -> None:
        if self.training.stop():
            self.notify("Stopping after this epoch…", timeout=2)

    @on(TrainingPanel.StartRequested)
    def _start_pressed(self) -> None:
        self.action_train()

    @on(TrainingPanel.StopRequested)
    def _stop_pressed(self) -> None:
        self.action_stop_train()
