"""The Training tab's charts: drawn by plotext, once per size, theme and data."""

from __future__ import annotations

from textual.app import App, ComposeResult
from tui_support import wait_until

from movietui.service import EpochReport
from movietui.tui.widgets.loss_chart import LossChart


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LossChart()


def report(epoch: int) -> EpochReport:
    return EpochReport(
        epoch=epoch,
        epochs=3,
        train_rmse=1 / epoch,
        val_rmse=1.1 / epoch,
        seconds=0.1,
        updates_per_s=1e6,
    )


async def test_a_chart_is_drawn_again_only_when_its_data_size_or_theme_changes() -> None:
    """plotext takes 15-30 ms a drawing; PlotextPlot drew on every repaint of the tab."""
    app = ChartApp()
    async with app.run_test(size=(60, 20)) as pilot:
        chart = app.query_one(LossChart)
        builds: list[int] = []
        build = chart.plt.build

        def counted() -> str:
            builds.append(1)
            return build()

        chart.plt.build = counted
        # render() is what each repaint calls; called here, the count does not depend on when
        # the app paints (its own paints with the same data add no drawing either).
        history = [report(1), report(2)]
        chart.plot_history(history)
        chart.render()
        assert len(builds) == 1
        chart.refresh()
        chart.render()  # a repaint, as a focus change or a status line's update asks
        assert len(builds) == 1
        chart.plot_history(history[:1])
        chart.render()
        assert len(builds) == 2
        app.theme = "textual-light"
        chart.render()
        assert len(builds) == 3
        await pilot.resize_terminal(70, 20)
        await wait_until(pilot, lambda: chart.size.width == 70)
        chart.render()
        assert len(builds) == 4
        assert "RMSE" in str(chart.render())
