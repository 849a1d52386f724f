"""Live training charts: the rating models' train and validation RMSE per epoch (matrix
factorisation and the neural model on one axis when both have been trained), and the ranker's
validation Recall@20 per epoch with its loss on a right-hand axis."""

from __future__ import annotations

from collections.abc import Sequence

from movietui.service import EpochReport, RankEpochReport

from .line_chart import ChartSpec, LineChart, Series


def per_epoch(title: str, ylabel: str, series: list[Series], last_epoch: int) -> ChartSpec:
    """A chart per epoch. Issue 12 #7: the x axis spans the epochs run so far (at least 2),
    not the requested bound (a 144 of 3,000 run filled 5% of it); its ticks are whole."""
    return ChartSpec(
        title=title,
        xlabel="epoch",
        ylabel=ylabel,
        series=tuple(series),
        x_range=(1.0, float(max(2, int(last_epoch)))),
        empty="no epochs yet",
    )


class LossChart(LineChart):
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
        series: list[Series] = []
        for name, history in curves:
            if not history:
                continue
            epochs = [r.epoch for r in history]
            train = f"{name} train" if name else "train RMSE"
            series.append(Series(train, epochs, [r.train_rmse for r in history]))
            val = [(r.epoch, r.val_rmse) for r in history if r.val_rmse is not None]
            if val:
                label = f"{name} validation" if name else "validation RMSE"
                series.append(Series(label, [e for e, _ in val], [v for _, v in val]))
        last = max((h[-1].epoch for _, h in curves if h), default=2)
        self.show(per_epoch("Training: RMSE per epoch", "RMSE", series, last))


class RankChart(LineChart):
    """The ranker's validation Recall@20 (how many held-out liked films reach a top 20), and
    its training loss on the right-hand axis."""

    DEFAULT_CSS = """
    RankChart { height: 1fr; min-height: 10; }
    """

    def on_mount(self) -> None:
        self.plot_history([])

    def plot_history(self, history: Sequence[RankEpochReport]) -> None:
        val = [(r.epoch, r.val_recall) for r in history if r.val_recall is not None]
        series: list[Series] = []
        if val:
            recall = [v for _, v in val]
            series.append(Series("validation Recall@20", [e for e, _ in val], recall))
        if history:  # the training objective, on its own scale at the right
            epochs = [r.epoch for r in history]
            series.append(Series("loss (right)", epochs, [r.loss for r in history], right=True))
        last = history[-1].epoch if history else 2  # (early stopping ends well before the bound)
        title = "Ranker: validation Recall@20 and loss per epoch"
        self.show(per_epoch(title, "Recall@20", series, last))
