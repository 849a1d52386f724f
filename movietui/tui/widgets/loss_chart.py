"""Train and validation RMSE per epoch, drawn by plotext with real axes."""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from movietui.service import EpochReport


class LossChart(PlotextPlot):
    DEFAULT_CSS = """
    LossChart { height: 1fr; min-height: 10; }
    """

    def on_mount(self) -> None:
        self.plot_history([])

    def plot_history(self, history: Sequence[EpochReport], total_epochs: int | None = None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Training: RMSE per epoch")
        plt.xlabel("epoch")
        plt.ylabel("RMSE")
        last = total_epochs or (history[-1].epochs if history else 10)
        plt.xlim(1, max(2, last))
        if history:
            epochs = [r.epoch for r in history]
            plt.plot(epochs, [r.train_rmse for r in history], label="train RMSE", marker="braille")
            val = [(r.epoch, r.val_rmse) for r in history if r.val_rmse is not None]
            if val:
                plt.plot([e for e, _ in val], [v for _, v in val], label="validation RMSE",
                         marker="braille")
        self.refresh()
