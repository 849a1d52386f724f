"""Live training charts, drawn by plotext with real axes: the rating models' train and
validation RMSE per epoch (matrix factorisation and the neural model on one axis when both
have been trained), and the ranker's validation Recall@20 per epoch."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual_plotext import PlotextPlot

from movietui.service import EpochReport, RankEpochReport


def epoch_axis(plt, last: int) -> None:
    """x from epoch 1 to ``last`` (at least 2), ticked at whole epochs, about six ticks."""
    last = max(2, int(last))
    plt.xlim(1, last)
    plt.xticks(list(range(1, last + 1, max(1, -(-(last - 1) // 6)))))


class Chart(PlotextPlot):
    """A plotext chart drawn once per size, theme and data: plotext takes 15-30 ms a
    drawing, and PlotextPlot drew both charts again on every repaint of the Training tab."""

    _data_version = 0  # bumped by each plot_*: what was drawn is stale
    _drawn: tuple[tuple, Text] | None = None  # (size, theme, data version) -> the drawing

    def replot(self) -> None:
        self._data_version += 1
        self.refresh()

    def render(self) -> Text:
        key = (self.size, self.app.theme, self._data_version)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        drawing = super().render()
        assert isinstance(drawing, Text)
        self._drawn = (key, drawing)
        return drawing


class LossChart(Chart):
    DEFAULT_CSS = """
    LossChart { height: 1fr; min-height: 10; }
    """

    curves: list[tuple[str, int]] = []  # (model name, epochs) of the curves drawn last

    def on_mount(self) -> None:
        self.plot_history([])

    def plot_history(self, history: Sequence[EpochReport], total_epochs: int | None = None) -> None:
        self.plot_models([("", history)], total_epochs)

    def plot_models(
        self, curves: Sequence[tuple[str, Sequence[EpochReport]]], total_epochs: int | None = None
    ) -> None:
        """Train and validation RMSE of each (name, history): both models on one axis when
        both have been trained (an empty history draws nothing; name "" labels plainly)."""
        self.curves = [(name, len(history)) for name, history in curves]  # what is drawn
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Training: RMSE per epoch")
        plt.xlabel("epoch")
        plt.ylabel("RMSE")
        # Issue 12 #7: the axis spans the epochs run so far, not the requested bound (a 144 of
        # 3,000 run filled 5% of it), with whole-epoch ticks.
        epoch_axis(plt, max((h[-1].epoch for _, h in curves if h), default=2))
        for name, history in curves:
            if not history:
                continue
            epochs = [r.epoch for r in history]
            plt.plot(
                epochs,
                [r.train_rmse for r in history],
                label=f"{name} train" if name else "train RMSE",
                marker="braille",
            )
            val = [(r.epoch, r.val_rmse) for r in history if r.val_rmse is not None]
            if val:
                plt.plot(
                    [e for e, _ in val],
                    [v for _, v in val],
                    label=f"{name} validation" if name else "validation RMSE",
                    marker="braille",
                )
        self.replot()


class RankChart(Chart):
    """The ranker's validation Recall@20 (how many held-out liked films reach a top 20), and
    its training loss on the right-hand axis."""

    DEFAULT_CSS = """
    RankChart { height: 1fr; min-height: 10; }
    """

    def on_mount(self) -> None:
        self.plot_history([])

    def plot_history(self, history: Sequence[RankEpochReport]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Ranker: validation Recall@20 and loss per epoch")
        plt.xlabel("epoch")
        plt.ylabel("Recall@20")
        # The axis spans the epochs run (early stopping usually ends well before the bound).
        epoch_axis(plt, history[-1].epoch if history else 2)
        val = [(r.epoch, r.val_recall) for r in history if r.val_recall is not None]
        if val:
            plt.plot(
                [e for e, _ in val],
                [v for _, v in val],
                label="validation Recall@20",
                marker="braille",
            )
        if history:  # the training objective, on its own scale at the right
            plt.plot(
                [r.epoch for r in history],
                [r.loss for r in history],
                label="loss (right)",
                marker="braille",
                yside="right",
            )
        self.replot()
