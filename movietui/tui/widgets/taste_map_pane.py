"""The Taste map tab: the ranker's or the rating model's map, its axes named by their end films.

Attributes down: the main screen hands it the context and calls ``reload`` when the tab is
stale (a rating moved the profile's row). The map is fetched on a worker thread (the first
one for a model builds its plane, ~0.3-2 s; later ones only place the marker) and comes back
as a message. Enter on a film opens its detail screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from movietui.errors import MovietuiError
from movietui.service import TasteMapData
from movietui.tui.context import Context
from movietui.tui.widgets.taste_map import MapData, TasteMapView

KIND_NAMES = {"ranker": "the ranker (what you would pick)", "stars": "the rating model (stars)"}


def axes_text(data: TasteMapData) -> Text:
    """One line per axis: the films at its two ends (what the axis means)."""
    text = Text(
        f"Map of {KIND_NAMES[data.kind]} · s switches · ] / [ films near you · Enter opens\n"
    )
    for label, (low, high) in zip(("←→", "↓↑"), data.ends, strict=False):
        text.append(f"{label} ", style="bold")
        text.append(f"{', '.join(low)}  …  {', '.join(high)}\n")
    text.rstrip()
    return text


def map_data(data: TasteMapData) -> MapData:
    return MapData(**data.widget_fields())


class TasteMapPane(Vertical):
    DEFAULT_CSS = """
    TasteMapPane { height: 1fr; }
    TasteMapPane #map-axes { height: auto; max-height: 3; color: $text-muted; }
    """
    BINDINGS = [Binding("s", "switch_model", "Stars/ranker map", id="map.model")]

    class Loaded(Message):
        """A map fetched by the worker (or why there is none)."""

        def __init__(self, data: TasteMapData | None, error: str | None, refit: bool) -> None:
            super().__init__()
            self.data = data
            self.error = error
            self.refit = refit

    def __init__(self, context: Context, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.kind = "ranker"
        self.shown: TasteMapData | None = None  # what the map shows now

    def compose(self) -> ComposeResult:
        yield Static(Text("The map appears once a model is trained."), id="map-axes")
        yield TasteMapView(id="map-view")

    def reload(self, refit: bool = False) -> None:
        self._fetch(self.kind, refit)

    @work(thread=True, exclusive=True, group="taste_map", exit_on_error=False)
    def _fetch(self, kind: str, refit: bool) -> None:
        service = self.context.service
        try:
            try:
                data = service.taste_map(kind)
            except MovietuiError:
                if kind != "ranker":
                    raise
                data = service.taste_map("stars")  # a model saved before the ranker
            self.post_message(self.Loaded(data, None, refit))
        except MovietuiError as error:
            self.post_message(self.Loaded(None, str(error), refit))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        if message.data is None:
            self.query_one("#map-axes", Static).update(Text(message.error or ""))
            return
        self.kind = message.data.kind
        refit = message.refit or self.shown is None or self.shown.kind != message.data.kind
        self.shown = message.data
        self.query_one("#map-axes", Static).update(axes_text(message.data))
        self.query_one(TasteMapView).show(map_data(message.data), refit=refit)

    def action_switch_model(self) -> None:
        self.kind = "stars" if self.kind == "ranker" else "ranker"
        self.reload(refit=True)

    @on(TasteMapView.FilmChosen)
    def _open(self, message: TasteMapView.FilmChosen) -> None:
        from movietui.tui.screens.detail import MovieDetailScreen

        message.stop()
        self.app.push_screen(MovieDetailScreen(self.context, message.movie_id))
