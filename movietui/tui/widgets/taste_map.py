"""The taste map: films as braille dots coloured by main genre, the best-known titles
labelled where they fit, the profile as a marker with a trail, rated films as their stars.

Drawing is numpy binning into braille cells (2 x 4 dots each), so a few thousand films
redraw in a few milliseconds; it needs no more than a 256-colour terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from rich.style import Style
from rich.text import Span, Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from movietui.tui import format as fmt

# Named ANSI colours: they exist in every 256-colour terminal and follow its palette.
PALETTE = (
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "bright_red",
    "bright_green",
    "bright_yellow",
    "bright_blue",
    "bright_magenta",
    "bright_cyan",
)
OTHER = "grey50"
MARKER = "◉"
TRAIL = "•"
# Braille dot bits by (column, row) inside a cell.
_BITS = np.array([[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]], np.int64)
LABELS = 14  # titles labelled per view at most: more turn the map into text
LABEL_WIDTH = 22


@dataclass(frozen=True)
class MapData:
    """What the map shows; rows are films, best known first."""

    xy: np.ndarray  # float32 (n, 2)
    genre: np.ndarray  # int (n,): index into genre_names, -1 = other
    genre_names: tuple[str, ...]
    titles: tuple[str, ...]
    movie_ids: np.ndarray  # int64 (n,)
    stars: dict[int, float] = field(default_factory=dict)  # row -> the profile's rating
    trail: tuple[tuple[float, float], ...] = ()  # marker positions, oldest first; last = now


@dataclass(frozen=True)
class View:
    cx: float
    cy: float
    span: float  # data units across the width

    @classmethod
    def fit(cls, xy: np.ndarray) -> View:
        if xy.size == 0:
            return cls(0.0, 0.0, 1.0)
        lo, hi = np.percentile(xy, [2, 98], axis=0)
        span = float(max(hi[0] - lo[0], 2 * (hi[1] - lo[1]), 1e-6)) * 1.15
        return cls(float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2), span)


def draw(
    data: MapData, view: View, width: int, height: int, selected: int | None = None
) -> list[Text]:
    """The map as ``height`` lines of ``width`` cells (the last line is the legend)."""
    rows = max(1, height - 1)
    chars = np.full((rows, width), " ", dtype="<U1")
    # Styles as codes into `palette` (0 = none), so a line is cut into runs with numpy.
    palette: list[str | None] = [None]
    codes = np.zeros((rows, width), np.int32)

    def code(style: str) -> int:
        if style not in palette:
            palette.append(style)
        return palette.index(style)

    # A cell is about twice as tall as wide and holds 2 x 4 dots: the dots are square.
    x_per_dot = view.span / (2 * width)
    y_per_dot = x_per_dot
    to_px = lambda x: (np.asarray(x) - view.cx) / x_per_dot + width  # noqa: E731
    to_py = lambda y: (view.cy - np.asarray(y)) / y_per_dot + 2 * rows  # noqa: E731
    px = np.floor(to_px(data.xy[:, 0])).astype(np.int64)
    py = np.floor(to_py(data.xy[:, 1])).astype(np.int64)
    inside = (px >= 0) & (px < 2 * width) & (py >= 0) & (py < 4 * rows)
    cell = (py[inside] // 4) * width + px[inside] // 2
    bits = np.zeros(rows * width, np.int64)
    np.bitwise_or.at(bits, cell, _BITS[px[inside] % 2, py[inside] % 4])
    n_genres = len(data.genre_names) + 1  # + other
    genre = np.where(data.genre[inside] >= 0, data.genre[inside], n_genres - 1)
    votes = np.zeros(rows * width * n_genres, np.int32)
    np.add.at(votes, cell * n_genres + genre, 1)
    main = votes.reshape(rows * width, n_genres).argmax(axis=1)
    dotted = np.flatnonzero(bits)
    genre_codes = np.array([code(_genre_colour(g, n_genres)) for g in range(n_genres)])
    flat_chars, flat_codes = chars.reshape(-1), codes.reshape(-1)
    flat_chars[dotted] = [chr(0x2800 + int(b)) for b in bits[dotted]]
    flat_codes[dotted] = genre_codes[main[dotted]]
    taken = np.zeros((rows, width), bool)

    def put(r: int, col: int, text: str, style: str) -> bool:
        if not (0 <= r < rows and col >= 0 and col + len(text) <= width):
            return False
        if taken[r, col : col + len(text)].any():
            return False
        chars[r, col : col + len(text)] = list(text)
        codes[r, col : col + len(text)] = code(style)
        taken[r, col : col + len(text)] = True
        return True

    cell_of = lambda x, y: (int(np.floor(to_py(y))) // 4, int(np.floor(to_px(x))) // 2)  # noqa: E731
    # The marker and its trail first (they must always show), then the selection, rated
    # films as their stars, and labels where they fit, best-known films first.
    for k, (x, y) in enumerate(data.trail):
        r, col = cell_of(x, y)
        if k == len(data.trail) - 1:
            put(r, col, MARKER, "bold reverse white")
        else:
            put(r, col, TRAIL, "bold white")
    if selected is not None and 0 <= selected < len(data.titles):
        r, col = cell_of(*data.xy[selected])
        put(r, col, "◆", "bold reverse yellow")
        title = fmt.short_label(data.titles[selected], LABEL_WIDTH)
        # The selection's title must show: beside the point, else on a line above or below.
        spots = [(r, col + 1), (r, col - len(title))]
        spots += [(r + dr, c) for dr in (-1, 1, -2, 2) for c in (col, col - len(title) + 1)]
        spots += [(rr, 0) for rr in range(rows)]
        any(put(rr, max(0, c), title, "bold yellow") for rr, c in spots)
    for row, stars in data.stars.items():
        r, col = cell_of(*data.xy[row])
        put(r, col, str(max(1, round(stars))), "bold green" if stars >= 3.5 else "bold red")
    labelled = 0
    for row in range(len(data.titles)):
        if labelled >= LABELS:
            break
        r, col = cell_of(*data.xy[row])
        if not (0 <= r < rows and 0 <= col < width):
            continue
        title = fmt.short_label(data.titles[row], LABEL_WIDTH)
        if put(r, col + 1, title, "bold") or put(r, col - len(title), title, "bold"):
            labelled += 1
    lines = []
    for r in range(rows):
        starts = np.flatnonzero(np.diff(codes[r], prepend=-1))
        ends = np.append(starts[1:], width)
        spans = [
            Span(int(a), int(b), style)
            for a, b in zip(starts, ends, strict=True)
            if (style := palette[codes[r, a]]) is not None
        ]
        lines.append(Text("".join(chars[r]), spans=spans, no_wrap=True, overflow="crop"))
    lines.append(_legend(data.genre_names, width))
    return lines


def _genre_colour(index: int, n_genres: int) -> str:
    if index == n_genres - 1 or index >= len(PALETTE):
        return OTHER
    return PALETTE[index]


def _legend(names: tuple[str, ...], width: int) -> Text:
    legend = Text(no_wrap=True, overflow="crop")
    for k, name in enumerate((*names, "other")):
        colour = _genre_colour(k, len(names) + 1)
        legend.append("■ ", Style.parse(colour))
        legend.append(f"{name}  ")
    legend.truncate(width)
    return legend


class TasteMapView(Widget, can_focus=True):
    """Keys pan, zoom and step through the films nearest the marker; Enter opens one."""

    DEFAULT_CSS = """
    TasteMapView { height: 1fr; min-height: 8; }
    """
    BINDINGS = [
        Binding("left,h", "pan(-1, 0)", "Pan", show=False, id="map.left"),
        Binding("right,l", "pan(1, 0)", "Pan", show=False, id="map.right"),
        Binding("up,k", "pan(0, 1)", "Pan", show=False, id="map.up"),
        Binding("down,j", "pan(0, -1)", "Pan", show=False, id="map.down"),
        Binding("plus,equals_sign", "zoom(0.7)", "Zoom in", key_display="+/-", id="map.zoom_in"),
        Binding("minus", "zoom(1.4)", "Zoom out", show=False, id="map.zoom_out"),
        Binding("0", "reset", "Fit", id="map.fit"),
        Binding("right_square_bracket", "near(1)", "Next near you", key_display="]", id="map.next"),
        Binding("left_square_bracket", "near(-1)", "Previous", show=False, id="map.previous"),
        Binding("enter", "open", "Open film", id="map.open"),
    ]

    class FilmChosen(Message):
        """Enter on the selected film: open its detail."""

        def __init__(self, movie_id: int) -> None:
            super().__init__()
            self.movie_id = movie_id

    data: reactive[MapData | None] = reactive(None, always_update=True)
    view: reactive[View] = reactive(View(0.0, 0.0, 1.0))
    selected: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._near: list[int] = []

    def show(self, data: MapData, refit: bool = False) -> None:
        """New points (a rating moved the marker, or another model): keep the view unless asked."""
        first = self.data is None
        self.data = data
        self._near = []
        if first or refit:
            self.view = View.fit(data.xy)

    def render(self) -> Text:
        if self.data is None or len(self.data.titles) == 0:
            return Text("No map yet: it appears once a model is trained.")
        lines = draw(self.data, self.view, self.size.width, self.size.height, self.selected)
        return Text("\n").join(lines)

    def action_pan(self, dx: int, dy: int) -> None:
        v = self.view
        step = v.span * 0.1
        self.view = replace(v, cx=v.cx + dx * step, cy=v.cy + dy * step)

    def action_zoom(self, factor: float) -> None:
        self.view = replace(self.view, span=self.view.span * factor)

    def action_reset(self) -> None:
        if self.data is not None:
            self.view = View.fit(self.data.xy)

    def action_near(self, step: int) -> None:
        """Step through the films nearest the marker (or the view's centre), nearest first."""
        if self.data is None or len(self.data.titles) == 0:
            return
        if not self._near:
            x, y = self.data.trail[-1] if self.data.trail else (self.view.cx, self.view.cy)
            d = np.hypot(self.data.xy[:, 0] - x, self.data.xy[:, 1] - y)
            self._near = np.argsort(d, kind="stable")[:50].tolist()
        pos = self._near.index(self.selected) if self.selected in self._near else -1
        self.selected = self._near[(pos + step) % len(self._near)]
        x, y = self.data.xy[self.selected]
        v = self.view
        if abs(x - v.cx) > v.span / 2 or abs(y - v.cy) > v.span / 4:
            self.view = replace(v, cx=float(x), cy=float(y))

    def action_open(self) -> None:
        if self.data is not None and self.selected is not None:
            self.post_message(self.FilmChosen(int(self.data.movie_ids[self.selected])))
