"""The Training tab: which model, hyperparameters, start/stop, live loss chart, fold-in figures.

The model button (``c``) switches the fields between matrix factorisation and the neural
model; "Predict stars" (``s``) makes the chosen model the one that predicts the stars. Both
models' curves share the chart once both have been trained. Below the lines, the model history
(``widgets/model_history.py``): every saved model; Enter on one makes it current again. A run
that validates worse than the current model is saved there without being used, and the
progress line says so with both figures.

The panel draws and posts ``StartRequested``/``StopRequested``/``StarModelRequested``; the training controller
(``movietui/tui/training.py``) owns the run and its ``TrainingState``, and the main screen
passes that state down to ``show_state`` when the controller publishes progress.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import Integer, Number
from textual.widgets import Button, Input, Static

from movietui.service import (
    MAX_EPOCHS,
    MAX_FACTORS,
    MAX_LR,
    MAX_REG,
    Hyper,
    ModelInfo,
    ModelRecord,
    NeuralHyper,
    RateResult,
    TrainResult,
)
from movietui.tui.training import TrainingState
from movietui.tui.widgets.loss_chart import LossChart, RankChart
from movietui.tui.widgets.model_history import ModelHistory

# (input id, Hyper field, label, validator, parser)
FIELDS = [
    ("hp-factors", "factors", "Factors", Integer(minimum=1, maximum=MAX_FACTORS), int),
    ("hp-epochs", "epochs", "Epochs", Integer(minimum=1, maximum=MAX_EPOCHS), int),
    ("hp-lr", "lr", "Learning rate", Number(minimum=1e-6, maximum=MAX_LR), float),
    ("hp-reg", "reg", "Regularisation", Number(minimum=0.0, maximum=MAX_REG), float),
]


KIND_NAMES = {"mf": "matrix factorisation", "neural": "neural"}
FIELD_WIDTH = 18  # columns of each hyperparameter field (the margin after it: 1)
NEURAL_FIELDS = ("factors", "epochs", "lr")  # the neural model has no "reg" field here


def fields_for(kind: str) -> list:
    """The input fields a model kind uses (the neural model: factors = its embedding width)."""
    return [f for f in FIELDS if kind == "mf" or f[1] in NEURAL_FIELDS]


def shown_hyper(base, shown, kind: str = "mf"):
    """What ``read_hyper`` returns when the fields still hold ``shown`` (as ``set_hyper`` wrote
    them); ``base`` and ``shown`` are a Hyper (kind "mf") or a NeuralHyper (kind "neural")."""
    if shown is None:
        return base
    return dataclasses.replace(
        base,
        **{attr: parse(f"{getattr(shown, attr):g}") for _, attr, _, _, parse in fields_for(kind)},
    )


def star_mark(kind: str, star: str) -> str:
    """A star before the line of the model that predicts the stars (the button explains it)."""
    return "★ " if kind == star else ""


def describe_neural(info: ModelInfo | None, star: str = "mf") -> str:
    if info is None:
        return "No neural model yet: choose it with c, then Start (or t)."
    val = f"{info.val_rmse:.4f}" if info.val_rmse is not None else "n/a"
    return (
        f"{star_mark('neural', star)}Neural #{info.model_id}: width {info.hyper.factors}, "
        f"{len(info.history)} epochs, {info.n_ratings:,} ratings · val RMSE {val}"
    )


def describe_model(info: ModelInfo | None, star: str = "mf", training: bool = False) -> str:
    if info is None and training:
        return "No model yet: the first one is training. Until it is saved, recommendations use damped popularity."
    if info is None:
        return "No model trained yet: recommendations use damped popularity. Press Start (or t)."
    val = f"{info.val_rmse:.4f}" if info.val_rmse is not None else "n/a"
    ranker = (
        f"ranker val Recall@20 {info.val_recall:.3f}"
        if info.val_recall is not None
        else "no ranker yet: train once"
    )
    return (
        f"{star_mark('mf', star)}Model #{info.model_id}: {info.hyper.factors} factors, {len(info.history)} epochs, "
        f"{info.n_users:,} users × {info.n_items:,} movies, {info.n_ratings:,} ratings · "
        f"val RMSE {val} · {ranker}"
    )


def describe_progress(state: TrainingState) -> str:
    if not state.history:
        if state.preparing:
            return "Preparing the training kernels (first run only; a few seconds)…"
        return "Training: loading ratings…" if state.running else ""
    if state.rank_history:
        return describe_ranker(state)
    last = state.history[-1]
    val = f"{last.val_rmse:.4f}" if last.val_rmse is not None else "n/a"
    text = (
        ("Neural epoch " if state.kind == "neural" else "Epoch ")
        + f"{last.epoch}/{last.epochs} · train RMSE {last.train_rmse:.4f} · val RMSE {val} · "
        f"{last.updates_per_s / 1e6:.2f} M updates/s"
    )
    if state.running:
        per_epoch = (time.monotonic() - state.started_at) / max(1, last.epoch)
        text += f" · ETA {per_epoch * (last.epochs - last.epoch):.0f} s"
    return text


def describe_decision(result: TrainResult) -> str:
    """After a run: whether its model is now current, and why not (service/history.py)."""
    return result.decision_line("Enter on it there uses it")


def describe_ranker(state: TrainingState) -> str:
    """The ranker's phase: it trains after the rating model, on the same ratings."""
    last = state.rank_history[-1]
    val = f"{last.val_recall:.3f}" if last.val_recall is not None else "n/a"
    text = (
        f"Ranker epoch {last.epoch}/{last.epochs} · loss {last.loss:.4f} · "
        f"validation Recall@20 {val} · {last.seconds:.2f} s/epoch"
    )
    if state.running:
        text += f" · at most {last.seconds * (last.epochs - last.epoch):.0f} s left"
    return text


class TrainingPanel(Vertical):
    """Hyperparameter inputs, Start/Stop, status lines and the chart."""

    class StartRequested(Message):
        """Start pressed; the handler reads the inputs with ``read_hyper``."""

    class StopRequested(Message):
        pass

    class StarModelRequested(Message):
        """Make ``kind`` ("mf" | "neural") the model that predicts the stars."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    class KindChanged(Message):
        """The model button switched to ``kind``: the handler fills the fields for it."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    kind = "mf"  # the model the fields, Start and "Predict stars" are for

    def __init__(self, hyper: Hyper | NeuralHyper | None = None, **kwargs) -> None:
        """``hyper``: what the matrix factorisation fields show first (composed with their
        values: setting four Inputs after mounting cost the first visit ~15 ms)."""
        super().__init__(**kwargs)
        self._first_hyper = hyper

    def compose(self) -> ComposeResult:
        with Horizontal(id="model-row"):
            yield Button(self._kind_label(), id="train-kind", compact=True)
            yield Button("★ Predict stars with it (s)", id="train-use", compact=True)
        # The fields' names are one line above them: a Label and a Vertical per field made
        # the pane 8 widgets heavier (each widget costs its first visit ~5 ms).
        yield Static(
            "".join(f"{label:<{FIELD_WIDTH + 1}}" for _, _, label, _, _ in FIELDS),
            id="hyper-labels",
        )
        with Horizontal(id="hyper-row"):
            for input_id, attr, _, validator, _ in FIELDS:
                first = self._first_hyper
                yield Input(
                    f"{getattr(first, attr):g}" if first is not None else "",
                    id=input_id,
                    validators=[validator],
                    compact=True,
                    classes="hyper-field",
                )
            # Apart from the fields: a clicked Start, disabled as the run starts, hands the
            # focus to a sibling, and a field would then take the keys (b, x) as text.
            with Horizontal(id="train-buttons"):
                yield Button("Start (t)", id="train-start", variant="primary", compact=True)
                yield Button(
                    "Stop (x)", id="train-stop", variant="error", disabled=True, compact=True
                )
        yield Static(id="model-line")
        yield Static(id="neural-line")
        yield Static(id="progress-line")
        yield Static(id="foldin-line")
        yield ModelHistory(id="model-history")
        with Horizontal(id="charts"):
            yield LossChart(id="loss-chart")
            yield RankChart(id="rank-chart")

    def _kind_label(self) -> str:
        return f"Model: {KIND_NAMES[self.kind]} (c)"

    def toggle_kind(self) -> None:
        """Switch the model the panel is for; the screen refills the fields (KindChanged)."""
        self.kind = "neural" if self.kind == "mf" else "mf"
        self.query_one("#train-kind", Button).label = self._kind_label()
        reg = self.query_one("#hp-reg", Input)
        reg.disabled = self.kind == "neural"
        if reg.disabled:
            reg.value = ""
        self.post_message(self.KindChanged(self.kind))

    def set_hyper(self, hyper: Hyper | NeuralHyper) -> None:
        for input_id, attr, *_ in fields_for(self.kind):
            self.query_one(f"#{input_id}", Input).value = f"{getattr(hyper, attr):g}"

    def read_hyper(self, base):
        """The edited hyperparameters over ``base`` (a Hyper, or a NeuralHyper when the panel
        is on the neural model), or None (with the bad field named) when one is invalid."""
        changes: dict[str, Any] = {}
        for input_id, attr, label, validator, parse in fields_for(self.kind):
            value = self.query_one(f"#{input_id}", Input).value.strip()
            if not validator.validate(value).is_valid:
                self.notify(
                    f"{label}: {value!r} is not valid; {validator.failure_description or 'fix it'}",
                    severity="error",
                )
                return None
            changes[attr] = parse(value)
        return dataclasses.replace(base, **changes)

    def show_state(
        self,
        state: TrainingState,
        model: ModelInfo | None,
        neural: ModelInfo | None = None,
        star: str = "mf",
        history: list[ModelRecord] | None = None,
    ) -> None:
        self.query_one("#train-start", Button).disabled = state.running
        self.query_one("#train-stop", Button).disabled = not state.running
        self.query_one("#model-line", Static).update(
            Text(describe_model(model, star, training=state.running and state.kind == "mf")),
            layout=False,
        )
        self.query_one("#neural-line", Static).update(
            Text(describe_neural(neural, star)), layout=False
        )
        line = describe_progress(state)
        if state.error:
            line = f"Training failed: {state.error}"
        elif state.result and not state.running:
            if decision := describe_decision(state.result):
                line = f"{decision} · {line}"  # what matters first: a long line is cut at its end
            line = ("Stopped: " if state.result.cancelled else "Finished: ") + line
        if history is not None:
            self.query_one(ModelHistory).show(history)
        self.query_one("#progress-line", Static).update(
            Text(line, no_wrap=True, overflow="ellipsis"), layout=False
        )
        chart = self.query_one("#loss-chart", LossChart)
        rank_chart = self.query_one("#rank-chart", RankChart)
        mf_history = model.history if model is not None else []
        neural_history = neural.history if neural is not None else []
        total = None
        if state.history:  # the run in progress replaces its model's saved curve
            total = state.history[-1].epochs
            if state.kind == "neural":
                neural_history = state.history
            else:
                mf_history = state.history
        if neural_history:  # both models on one axis, named
            chart.plot_models(
                [("MF", mf_history), ("neural", neural_history)],
                max(total or 0, *(h[-1].epochs for h in (mf_history, neural_history) if h)),
            )
        elif mf_history:
            chart.plot_history(mf_history, total)
        if state.history and state.kind == "mf":
            rank_chart.plot_history(state.rank_history)
        elif model is not None and model.history:
            rank_chart.plot_history(model.ranker_history)

    def show_fold_in(self, title: str, result: RateResult) -> None:
        if result.loss_before is None or result.loss_after is None:
            text = f"{title}: rating saved (not folded in: no model yet)"
        else:
            text = (
                f"Fold-in after rating {title}: profile loss {result.loss_before:.4f} → "
                f"{result.loss_after:.4f}"
            )
        self.query_one("#foldin-line", Static).update(Text(text), layout=False)

    @on(Button.Pressed, "#train-start")
    def _start(self) -> None:
        self.post_message(self.StartRequested())

    @on(Button.Pressed, "#train-stop")
    def _stop(self) -> None:
        self.post_message(self.StopRequested())

    @on(Button.Pressed, "#train-kind")
    def _kind(self) -> None:
        self.toggle_kind()

    @on(Button.Pressed, "#train-use")
    def _use(self) -> None:
        self.post_message(self.StarModelRequested(self.kind))
