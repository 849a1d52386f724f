"""Movie night (issue 15): one list for two or more profiles, from the whole catalog, the
members' watchlists or a stored list; every film with each member's predicted stars, and
for the highlighted film each member's "because you liked".

The screen reads the service it is given (``Context``) and listens to the published changes
(a rating or a profile change refreshes the list). Picking a strategy remembers it
(``Service.set_group_strategy``); ``s`` cycles through the strategies. The filter row
(``FilterBar``, ``F`` focuses it) narrows every source and is remembered too.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, SelectionList, Static

from movietui.errors import MovietuiError
from movietui.service import GroupList
from movietui.tui.context import Context
from movietui.tui.messages import ProfileChanged, RatingChanged, WatchlistChanged
from movietui.tui.widgets.choice import Choice
from movietui.tui.widgets.filter_bar import FilterBar, filter_ids

CATALOG, WATCHLIST = "catalog", "watchlist"
LIST_PREFIX = "list:"
N_FILMS = 30
FILTER_IDS = filter_ids("night")  # remembered, like the main screen's


class MovieNightScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "next_strategy", "Strategy", id="night.strategy"),
        Binding("escape", "close", "Close", id="night.close"),
        Binding("F", "focus_filters", "Filters", id="night.filters"),
    ]

    class Shown(Message):
        """The list was (re)drawn: tests and benches wait on this, never on time."""

        def __init__(self, result: GroupList | None) -> None:
            super().__init__()
            self.result = result

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.service = context.service
        self.result: GroupList | None = None

    def compose(self) -> ComposeResult:
        service = self.service
        current = service.current_profile
        yield Header()
        with Horizontal(id="night-body"):
            with Vertical(id="night-side"):
                yield Label("Who is watching (space picks)")
                yield SelectionList[int](
                    *[
                        (p.name, p.id, current is not None and p.id == current.id)
                        for p in service.profiles()
                    ],
                    id="night-members",
                )
                yield Label("Strategy (s)")
                yield Choice(
                    [(name, key) for key, name in service.group_strategies().items()],
                    value=service.group_strategy(),
                    id="night-strategy",
                )
                yield Label("From")
                yield Choice(
                    [("the whole catalog", CATALOG), ("their watchlists", WATCHLIST)]
                    + [(f"list {f.name}", LIST_PREFIX + f.name) for f in service.film_lists()],
                    value=CATALOG,
                    id="night-source",
                )
            with Vertical(id="night-main"):
                yield FilterBar(
                    "night", self._genres(), service.saved_filters(), id="night-filters"
                )
                yield Static(id="night-notes")
                yield DataTable(id="night-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="night-why")
        yield Footer()

    def _genres(self) -> list[str]:
        try:
            return self.service.genres()
        except MovietuiError:
            return []

    def on_mount(self) -> None:
        self.context.listen(self)
        self.refresh_list()

    # ---- the list --------------------------------------------------------------------
    def members(self) -> list[int]:
        return list(self.query_one("#night-members", SelectionList).selected)

    def refresh_list(self) -> None:
        notes = self.query_one("#night-notes", Static)
        table = self.query_one("#night-table", DataTable)
        members = self.members()
        strategy = str(self.query_one("#night-strategy", Choice).value)
        source = str(self.query_one("#night-source", Choice).value)
        filters = self.query_one(FilterBar).filters
        self.result = None
        try:
            if source == WATCHLIST:
                result = self.service.watchlist_picks(members, N_FILMS, strategy, filters)
            elif source.startswith(LIST_PREFIX):
                result = self.service.list_picks(
                    members, source[len(LIST_PREFIX) :], N_FILMS, strategy, filters
                )
            elif len(members) < 2:
                raise MovietuiError("Pick two or more profiles (space) to plan a movie night.")
            else:
                result = self.service.group_picks(members, N_FILMS, strategy, filters)
        except MovietuiError as error:
            table.clear(columns=True)
            notes.update(Text(str(error)))
            self.query_one("#night-why", Static).update("")
            self.post_message(self.Shown(None))
            return
        self.result = result
        notes.update(Text("\n".join(result.notes) or self._heading(result)))
        table.clear(columns=True)
        table.add_column("#", key="rank")
        table.add_column("Title", key="title", width=44)
        for profile in result.members:
            table.add_column(profile.name[:12], key=f"m{profile.id}")
        for rank, pick in enumerate(result.picks, start=1):
            title = pick.movie.title + (f" ({pick.movie.year})" if pick.movie.year else "")
            table.add_row(
                str(rank),
                Text(title, no_wrap=True, overflow="ellipsis"),
                *[f"{m.predicted:.1f}" for m in pick.members],
                key=str(pick.movie.movie_id),
            )
        self._show_why(0)
        self.post_message(self.Shown(result))

    @staticmethod
    def _heading(result: GroupList) -> str:
        names = " and ".join(p.name for p in result.members)
        return f"{len(result.picks)} films for {names}, from the {result.source}"

    def _show_why(self, row: int) -> None:
        why = self.query_one("#night-why", Static)
        if self.result is None or not 0 <= row < len(self.result.picks):
            why.update("")
            return
        pick = self.result.picks[row]
        lines = [
            f"{m.profile}: {m.predicted:.1f} predicted"
            + (f", because they liked {', '.join(m.because)}" if m.because else "")
            for m in pick.members
        ]
        why.update(Text("\n".join(lines)))

    @on(DataTable.RowHighlighted, "#night-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_why(event.cursor_row)

    # ---- choices ------------------------------------------------------------------------
    @on(SelectionList.SelectedChanged, "#night-members")
    def _members_changed(self) -> None:
        self.refresh_list()

    @on(Choice.Changed, "#night-strategy")
    def _strategy_changed(self, event: Choice.Changed) -> None:
        self._use_strategy(str(event.value))

    def _use_strategy(self, strategy: str) -> None:
        try:
            self.service.set_group_strategy(strategy)  # remembered for next time
        except MovietuiError as error:
            self.notify(str(error), severity="error")
        self.refresh_list()

    @on(Choice.Changed, "#night-source")
    def _source_changed(self) -> None:
        self.refresh_list()

    def action_next_strategy(self) -> None:
        choice = self.query_one("#night-strategy", Choice)
        keys = list(self.service.group_strategies())
        chosen = keys[(keys.index(str(choice.value)) + 1) % len(keys)]
        with choice.prevent(Choice.Changed):  # repaint now, not after the choice's message
            choice.value = chosen
        self._use_strategy(chosen)

    @on(FilterBar.Changed, "#night-filters")
    def _filtered(self, message: FilterBar.Changed) -> None:
        self.refresh_list()
        try:
            self.service.update_filters(message.bar.values())  # remembered for next time
        except MovietuiError:
            pass  # view state only: the filters still apply

    @on(FilterBar.Done)
    def _filters_done(self) -> None:
        self.query_one("#night-table").focus()

    def action_focus_filters(self) -> None:
        self.query_one(FilterBar).focus_first()

    def action_close(self) -> None:
        self.dismiss(None)

    # ---- published changes ----------------------------------------------------------------
    @on(RatingChanged)
    @on(WatchlistChanged)
    @on(ProfileChanged)
    def _changed(self) -> None:
        self.refresh_list()
