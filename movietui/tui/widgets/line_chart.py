"""Line charts in braille dots, drawn straight into rich Text: a title, a framed plot with
ticked axes (a second y axis on the right when a series asks for it), a legend, axis labels.

plotext drew the Training tab's two charts in ~34 ms each, most of it building an ANSI
string and parsing it back (``Text.from_ansi``), and that on the tab's first show. Drawing the
dots here takes ~1-2 ms. ``draw`` is a pure function of the spec, the size and the styles
(property-tested); ``LineChart`` draws once per size, theme and spec.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

BRAILLE = 0x2800
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])  # [row][col]
LEGEND_MARK = "⢕⢕"
MAX_Y_TICKS = 6
MAX_X_TICKS = 6


@dataclass(frozen=True)
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    right: bool = False  # on the right-hand y axis, with its own scale


@dataclass(frozen=True)
class ChartSpec:
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    series: tuple[Series, ...] = ()
    x_range: tuple[float, float] | None = None  # None: the data's
    y_range: tuple[float, float] | None = None  # the left axis; None: the data's
    empty: str = "nothing to show yet"


@dataclass(frozen=True)
class ChartStyles:
    title: Style
    axis: Style
    series: tuple[Style, ...]  # cycled through, one per series


def whole_ticks(lo: float, hi: float, most: int = MAX_X_TICKS) -> list[int]:
    """Whole-number ticks from ``lo`` to at most ``hi``, at most ``most`` of them."""
    first, last = math.ceil(lo), math.floor(hi)
    if last < first:
        return []
    step = max(1, -(-(last - first) // max(1, most - 1)))
    return list(range(first, last + 1, step))


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0)


def _span(values: np.ndarray, fixed: tuple[float, float] | None) -> tuple[float, float] | None:
    """The axis range: ``fixed``, else the values' (None: no values); never empty."""
    if fixed is not None:
        lo, hi = sorted(map(float, fixed))
    elif values.size:
        lo, hi = float(values.min()), float(values.max())
    else:
        return None
    if not hi - lo > 1e-9 * max(1.0, abs(lo), abs(hi)):  # one value, a flat line: a band
        pad = abs(lo) * 0.05 or 0.5
        lo, hi = lo - pad, hi + pad
    return float(lo), float(hi)


def _tick_text(values: list[float]) -> list[str]:
    """Labels with as many decimals as tell the ticks apart (none for whole numbers)."""
    if all(abs(v - round(v)) < 1e-9 for v in values):
        return [str(round(v)) for v in values]
    step = abs(values[0] - values[-1]) / max(1, len(values) - 1)
    decimals = min(4, max(1, math.ceil(-math.log10(step)) + 1)) if step > 0 else 2
    return [f"{v:.{decimals}f}" for v in values]


def _finite(series: Series) -> np.ndarray:
    """The series' (x, y) points, (n, 2), without NaN or infinite ones."""
    n = min(len(series.xs), len(series.ys))
    xy = np.column_stack(
        [np.asarray(series.xs[:n], np.float64), np.asarray(series.ys[:n], np.float64)]
    ).reshape(n, 2)
    return xy[np.isfinite(xy).all(axis=1)]


class _Canvas:
    """Braille cells (rows x cols), each with its dots and the series that drew there last."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.bits = np.zeros((rows, cols), np.int64)
        self.owner = np.full((rows, cols), -1, np.int64)

    def line(self, points: np.ndarray, owner: int) -> None:
        """Dots along straight segments between consecutive (dot x, dot y) ``points`` (n, 2),
        all segments at once: a 3,000-epoch curve is 6,000 dots. Points beyond the plot are
        pulled to just outside its edge (their dots are not drawn), so no segment is long."""
        points = np.clip(points, -1.0, [2.0 * self.cols, 4.0 * self.rows])
        if len(points) == 1:
            dots = points
        else:
            delta = np.diff(points, axis=0)
            steps = np.maximum(1, np.ceil(np.abs(delta).max(axis=1))).astype(np.int64)
            segment = np.repeat(np.arange(len(delta)), steps + 1)
            starts = np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
            t = (np.arange(segment.size) - starts) / steps[segment]
            dots = points[segment] + delta[segment] * t[:, None]
        x, y = np.rint(dots).astype(np.int64).T
        inside = (x >= 0) & (x < 2 * self.cols) & (y >= 0) & (y < 4 * self.rows)
        x, y = x[inside], y[inside]
        np.bitwise_or.at(self.bits, (y // 4, x // 2), DOT_BITS[y % 4, x % 2])
        self.owner[y // 4, x // 2] = owner


def draw(spec: ChartSpec, width: int, height: int, styles: ChartStyles) -> Text:
    """The chart as ``height`` lines of exactly ``width`` cells."""
    title = Text(spec.title.center(width)[:width], style=styles.title)
    plot_rows = height - 5  # title, top and bottom frame, tick labels, axis labels
    data = [_finite(s) for s in spec.series]
    pairs = list(zip(spec.series, data, strict=True))
    left = _span(_joined([xy[:, 1] for s, xy in pairs if not s.right]), spec.y_range)
    right = _span(_joined([xy[:, 1] for s, xy in pairs if s.right]), None)
    x_span = _span(_joined([xy[:, 0] for xy in data]), spec.x_range)
    ticks = _tick_rows(plot_rows)
    left_labels, right_labels = (
        _y_labels(left, ticks, plot_rows),
        _y_labels(right, ticks, plot_rows),
    )
    lw = max((len(t) for t in left_labels.values()), default=0)
    rw = max((len(t) for t in right_labels.values()), default=0)
    cols = width - lw - rw - 2
    if plot_rows < 2 or cols < 4:
        return Text("\n").join([title] + [Text(" " * width)] * max(0, height - 1))

    canvas = _Canvas(plot_rows, cols)
    for index, (series, points) in enumerate(pairs):
        span = right if series.right else left
        if len(points) and span is not None and x_span is not None:
            canvas.line(_to_dots(points, x_span, span, plot_rows, cols), index)
    grid = _cells(canvas, spec, styles, empty=not any(len(xy) for xy in data))

    axis = styles.axis
    lines = [title, Text(" " * lw + "┌" + "─" * cols + "┐" + " " * rw, style=axis)]
    for row, cells in enumerate(grid):
        ticked = row in ticks
        left_text = left_labels.get(row, "").rjust(lw) + ("┤" if ticked and left_labels else "│")
        right_text = ("├" if ticked and right_labels else "│") + right_labels.get(row, "").ljust(rw)
        lines.append(_row_text(left_text, cells, right_text, axis))
    bottom, tick_line = _x_axis(x_span, cols)
    lines.append(Text(" " * lw + "└" + bottom + "┘" + " " * rw, style=axis))
    lines.append(Text(" " * (lw + 1) + tick_line + " " * (rw + 1), style=axis))
    lines.append(Text(_label_line(spec, width, lw, cols), style=axis))
    return Text("\n").join(lines[:height])


def _tick_rows(plot_rows: int) -> list[int]:
    """Rows of the y ticks: the top, the bottom and evenly between, about every 4 rows."""
    if plot_rows < 2:
        return []
    n = max(2, min(MAX_Y_TICKS, plot_rows // 4 + 1))
    return sorted({round(k * (plot_rows - 1) / (n - 1)) for k in range(n)})


def _y_labels(span: tuple[float, float] | None, rows: list[int], plot_rows: int) -> dict[int, str]:
    """Tick row -> the value there, written alike for all ticks ({} without a range)."""
    if span is None or not rows:
        return {}
    lo, hi = span
    values = [hi - r / (plot_rows - 1) * (hi - lo) for r in rows]
    return dict(zip(rows, _tick_text(values), strict=True))


def _to_dots(
    points: np.ndarray,
    x_span: tuple[float, float],
    y_span: tuple[float, float],
    rows: int,
    cols: int,
) -> np.ndarray:
    """Data (x, y) points as dot (column, row), row 0 at the top."""
    (x_lo, x_hi), (y_lo, y_hi) = x_span, y_span
    dots = np.empty_like(points)
    dots[:, 0] = (points[:, 0] - x_lo) / (x_hi - x_lo) * (2 * cols - 1)
    dots[:, 1] = (y_hi - points[:, 1]) / (y_hi - y_lo) * (4 * rows - 1)
    return dots


Cell = tuple[str, Style | None]


def _cells(canvas: _Canvas, spec: ChartSpec, styles: ChartStyles, empty: bool) -> list[list[Cell]]:
    """The plot's characters and styles: the braille dots, the legend over their top left,
    and the empty message in the middle when there is nothing to draw."""
    palette = styles.series
    grid: list[list[Cell]] = [
        [(chr(BRAILLE + b) if b else " ", None if o < 0 else palette[o % len(palette)])
         for b, o in zip(bits, owner, strict=True)]
        for bits, owner in zip(canvas.bits.tolist(), canvas.owner.tolist(), strict=True)
    ]  # fmt: skip
    legend = [(i, s.label) for i, s in enumerate(spec.series) if s.label][: canvas.rows]
    for row, (index, label) in enumerate(legend):
        for col, char in enumerate(f"{LEGEND_MARK} {label} "[: canvas.cols - 1], start=1):
            mark = col <= len(LEGEND_MARK)  # (column 0 keeps its dots: a curve's first point)
            grid[row][col] = (char, palette[index % len(palette)] if mark else None)
    if empty:
        message = f" {spec.empty} "[: canvas.cols]
        start = (canvas.cols - len(message)) // 2
        for col, char in enumerate(message):
            grid[canvas.rows // 2][start + col] = (char, styles.axis)
    return grid


def _row_text(left: str, cells: list[Cell], right: str, axis: Style) -> Text:
    """One plot row between its axis texts, each run of one style appended once."""
    line = Text(left, style=axis)
    run, run_style = "", None
    for char, style in cells:
        if style != run_style and run:
            line.append(run, run_style)
            run = ""
        run, run_style = run + char, style
    line.append(run, run_style)
    line.append(right, style=axis)
    return line


def _x_axis(x_span: tuple[float, float] | None, cols: int) -> tuple[str, str]:
    """The bottom frame's inside with its tick marks, and the tick labels under it (a label
    that would touch the one before is left out; its mark stays)."""
    bottom, labels = ["─"] * cols, [" "] * cols
    if x_span is None:
        return "".join(bottom), "".join(labels)
    lo, hi = x_span
    ends = -2
    for value in whole_ticks(lo, hi):
        col = round((value - lo) / (hi - lo) * (2 * cols - 1)) // 2
        text = str(value)
        if len(text) > cols:
            continue
        bottom[col] = "┬"
        start = min(max(0, col - (len(text) - 1) // 2), cols - len(text))
        if start > ends + 1:
            labels[start : start + len(text)] = text
            ends = start + len(text) - 1
    return "".join(bottom), "".join(labels)


def _label_line(spec: ChartSpec, width: int, lw: int, cols: int) -> str:
    """The y axis's label at the left, the x axis's centred under the plot."""
    line = list(spec.ylabel[:width].ljust(width))
    xlabel = spec.xlabel[:cols]
    start = max(len(spec.ylabel) + 1, lw + 1 + (cols - len(xlabel)) // 2)
    if start + len(xlabel) <= width:
        line[start : start + len(xlabel)] = xlabel
    return "".join(line)


class LineChart(Widget):
    """A chart of ``spec``, drawn once per size, theme and spec (``show`` sets a new one)."""

    DEFAULT_CSS = """
    LineChart {
        height: 1fr;
        min-height: 8;
        & > .line-chart--title { text-style: bold; }
        & > .line-chart--axis { color: $foreground-muted; }
        & > .line-chart--series-0 { color: $primary; }
        & > .line-chart--series-1 { color: $warning; }
        & > .line-chart--series-2 { color: $success; }
        & > .line-chart--series-3 { color: $accent; }
    }
    """
    COMPONENT_CLASSES = {
        "line-chart--title",
        "line-chart--axis",
        *(f"line-chart--series-{k}" for k in range(4)),
    }

    spec = ChartSpec()
    _version = 0  # bumped by each show: what was drawn is stale
    _drawn: tuple[tuple, Text] | None = None  # (size, theme, version) -> the drawing

    def show(self, spec: ChartSpec) -> None:
        self.spec = spec
        self._version += 1
        self.refresh()

    def render(self) -> Text:
        key = (self.size, self.app.theme, self._version)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        style = self.get_component_rich_style
        styles = ChartStyles(
            title=style("line-chart--title", partial=True),
            axis=style("line-chart--axis", partial=True),
            series=tuple(style(f"line-chart--series-{k}", partial=True) for k in range(4)),
        )
        drawing = draw(self.spec, self.size.width, self.size.height, styles)
        self._drawn = (key, drawing)
        return drawing
