"""The Training tab's charts: braille lines drawn into Text, once per size, theme and data."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style
from textual.app import App, ComposeResult
from tui_support import wait_until

from movietui.service import EpochReport, RankEpochReport
from movietui.tui.widgets import line_chart
from movietui.tui.widgets.line_chart import ChartSpec, ChartStyles, Series, draw, whole_ticks
from movietui.tui.widgets.loss_chart import LossChart, RankChart

STYLES = ChartStyles(Style(bold=True), Style(dim=True), (Style(color="red"), Style(color="blue")))
BLANK = chr(line_chart.BRAILLE)


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LossChart()
        yield RankChart()


def report(epoch: int) -> EpochReport:
    return EpochReport(
        epoch=epoch,
        epochs=3,
        train_rmse=1 / epoch,
        val_rmse=1.1 / epoch,
        seconds=0.1,
        updates_per_s=1e6,
    )


def plot_cells(text: str) -> list[str]:
    """The plot area's rows: the lines between the frame's top and bottom, inside it."""
    rows = text.split("\n")
    top = next(i for i, row in enumerate(rows) if "┌" in row)
    bottom = next(i for i, row in enumerate(rows) if "└" in row)
    left = rows[top].index("┌")
    right = rows[top].index("┐")
    return [row[left + 1 : right] for row in rows[top + 1 : bottom]]


async def test_a_chart_is_drawn_again_only_when_its_data_size_or_theme_changes(
    monkeypatch,
) -> None:
    """plotext took 15-30 ms a drawing and drew on every repaint of the tab; drawing is cheap
    now, but a repaint (a focus change, a status line's update) still draws nothing new."""
    drawings: list[int] = []

    def counted(spec: ChartSpec, *args, **kwargs):
        if spec.title.startswith("Training"):  # the loss chart's (the rank chart's aside)
            drawings.append(1)
        return draw(spec, *args, **kwargs)

    monkeypatch.setattr(line_chart, "draw", counted)
    app = ChartApp()
    async with app.run_test(size=(60, 30)) as pilot:
        chart = app.query_one(LossChart)
        await wait_until(pilot, lambda: chart.size.height > 0)
        # render() is what each repaint calls; called here, the count does not depend on when
        # the app paints (its own paints with the same data add no drawing either).
        history = [report(1), report(2)]
        chart.plot_history(history)
        chart.render()
        drawn = len(drawings)
        chart.refresh()
        chart.render()  # a repaint
        assert len(drawings) == drawn
        chart.plot_history(history[:1])
        chart.render()
        assert len(drawings) == drawn + 1
        app.theme = "textual-light"
        chart.render()
        assert len(drawings) == drawn + 2
        await pilot.resize_terminal(70, 30)
        await wait_until(pilot, lambda: chart.size.width == 70)
        chart.render()
        assert len(drawings) == drawn + 3
        assert "RMSE" in str(chart.render())


async def test_the_charts_show_their_curves_legends_and_whole_epoch_ticks() -> None:
    app = ChartApp()
    async with app.run_test(size=(70, 40)) as pilot:
        loss, rank = app.query_one(LossChart), app.query_one(RankChart)
        await wait_until(pilot, lambda: rank.size.height > 0)
        assert "no epochs yet" in rank.render().plain
        loss.plot_history([report(e) for e in range(1, 8)])
        rank.plot_history([RankEpochReport(e, 7, 1 / e, 0.1 * e, 0.1) for e in range(1, 8)])
        shown = loss.render().plain
        assert "train RMSE" in shown and "validation RMSE" in shown
        assert any(c not in " " + BLANK for row in plot_cells(shown) for c in row[20:])
        ticks = shown.split("\n")[-2].split()
        assert ticks == ["1", "3", "5", "7"]  # issue 12 #7: spans the epochs run, whole ticks
        ranked = rank.render().plain
        assert "loss (right)" in ranked and ranked.split("\n")[2].rstrip().endswith("1.00")


def test_a_point_at_the_ranges_corners_lights_the_plots_corners() -> None:
    spec = ChartSpec(
        series=(Series("", [0, 10], [0, 1]),), x_range=(0, 10), y_range=(0, 1)
    )  # a rising line, no legend
    rows = plot_cells(draw(spec, 40, 20, STYLES).plain)
    assert rows[-1][0] != " " and rows[0][-1] != " "
    assert rows[0][0] == " " and rows[-1][-1] == " "
    # the legend does not hide a curve's first point, in the plot's first column
    labelled = ChartSpec(series=(Series("falling", [0, 10], [1, 0]),), x_range=(0, 10))
    top = plot_cells(draw(labelled, 40, 20, STYLES).plain)[0]
    assert top[0] != " " and top[1:].startswith(f"{line_chart.LEGEND_MARK} falling ")
    # rising: each row's dots sit to the right of the row below's
    firsts = [len(row) - len(row.lstrip()) for row in rows]
    assert firsts == sorted(firsts, reverse=True)


finite = st.floats(-1e300, 1e300, allow_nan=False)
words = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)  # as ours
values = st.one_of(finite, st.just(math.nan), st.just(math.inf))
series = st.builds(
    Series,
    label=words,
    xs=st.lists(values, max_size=40),
    ys=st.lists(values, max_size=40),
    right=st.booleans(),
)
specs = st.builds(
    ChartSpec,
    title=words,
    xlabel=words,
    ylabel=words,
    series=st.lists(series, max_size=4).map(tuple),
    x_range=st.one_of(st.none(), st.tuples(finite, finite)),
    y_range=st.one_of(st.none(), st.tuples(finite, finite)),
)


@given(specs, st.integers(1, 140), st.integers(1, 50))
def test_any_chart_fills_exactly_its_size(spec: ChartSpec, width: int, height: int) -> None:
    text = draw(spec, width, height, STYLES)
    lines = text.split("\n")
    assert len(lines) == height
    assert all(line.cell_len == width for line in lines)


@given(finite, finite, st.integers(2, 10))
def test_whole_ticks_are_whole_in_range_and_few(lo: float, hi: float, most: int) -> None:
    ticks = whole_ticks(lo, hi, most)
    assert len(ticks) <= most and ticks == sorted(set(ticks))
    assert all(lo <= t <= hi for t in ticks)
    if hi - lo >= 1:
        assert ticks and ticks[0] == math.ceil(lo)
