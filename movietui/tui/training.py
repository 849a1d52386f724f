"""The training controller: one background run, its state, its cancel flag, its shutdown.

The app makes one and hands it to the main screen (attributes down). ``start`` runs
``Service.train`` (or ``Service.train_neural`` for ``kind="neural"``) in a thread worker; the thread only appends epochs to ``state`` and
sets flags. On the UI thread a timer publishes ``TrainingProgress`` at most every
``CHART_REFRESH_S`` (the chart costs ~50 ms to draw, epochs can arrive by the thousand per
second) and ``TrainingFinished`` once the thread has returned; subscribers (the main
screen, the app) receive them as messages on ``updates``.

Quitting mid-run: ``shutdown`` sets the cancel flag (the run stops after the current epoch
and saves what it learned, exactly as Stop does) and waits for the thread, with a timeout,
so the app closes the service only after the save.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial

from textual.app import App
from textual.message import Message
from textual.signal import Signal
from textual.timer import Timer

from movietui.errors import MovietuiError
from movietui.service import (
    EpochReport,
    Hyper,
    NeuralHyper,
    RankEpochReport,
    Service,
    TrainResult,
)
from movietui.tui.messages import TrainingFinished, TrainingProgress

CHART_REFRESH_S = 0.4  # progress is published at most this often
POLL_S = 0.1  # how often the UI thread looks at the run (a flag check when nothing changed)
BACKGROUND_NICE = 10


def lower_thread_priority() -> None:
    """Run the calling worker thread (and the SGD threads it starts, which inherit it) at a
    lower CPU priority, so on a busy machine the UI thread wins the core when a key arrives
    (a tab switch while training: ~95 ms -> ~55 ms on 2 cores). Training still gets every
    idle cycle. Linux only: there the nice value is per thread. Textual runs thread workers
    on asyncio's pooled executor threads, so a pool thread stays lowered afterwards; all of
    the app's thread workers (warm-up, training, import) are background work anyway."""
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
    except OSError:
        pass  # not permitted (or already lower): run at the normal priority


@dataclass
class TrainingState:
    """One run. The worker thread appends epochs and sets ``result``/``error``; the UI
    thread reads, and sets ``running`` False once the thread has returned."""

    running: bool = False
    hyper: Hyper | NeuralHyper | None = None
    kind: str = "mf"  # "mf" (matrix factorisation, then the ranker) | "neural"
    history: list[EpochReport] = field(default_factory=list)
    rank_history: list[RankEpochReport] = field(default_factory=list)  # after the rating model
    started_at: float = 0.0
    result: TrainResult | None = None
    error: str | None = None
    preparing: bool = False  # numba's kernels are being compiled (first run) or loaded


class TrainingController:
    """Owns the training worker and its state; publishes progress and completion."""

    def __init__(self, app: App, service: Service) -> None:
        self._app = app
        self._service = service
        self.state = TrainingState()
        self.updates: Signal[Message] = Signal(app, "training")
        self._cancel = threading.Event()
        self._ended = threading.Event()
        self._ended.set()  # no thread running
        self._dirty = False
        self._published_at = 0.0
        self._timer: Timer | None = None

    @property
    def running(self) -> bool:
        return self.state.running

    def start(self, hyper: Hyper | NeuralHyper | None = None, kind: str = "mf") -> bool:
        """Start a run of ``kind`` ("mf" or "neural"; False when one is running already)."""
        if self.state.running:
            return False
        self.state = state = TrainingState(
            running=True, hyper=hyper, kind=kind, started_at=time.monotonic()
        )
        self._cancel = threading.Event()
        self._ended = threading.Event()
        self._dirty = False
        self._app.run_worker(
            partial(self._run, state, hyper, self._cancel, self._ended),
            name="training",
            group="train",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        self._timer = self._app.set_interval(POLL_S, self._poll)
        self._published_at = time.monotonic()
        self.updates.publish(TrainingProgress(state))
        return True

    def stop(self) -> bool:
        """Ask the run to stop after the current epoch (it keeps what it learned)."""
        if not self.state.running or self._cancel.is_set():
            return False
        self._cancel.set()
        return True

    async def shutdown(self, timeout: float) -> bool:
        """Stop the run and wait up to ``timeout`` s for its thread (the save included).
        True when no thread is left running."""
        self._cancel.set()
        if not self._ended.is_set():
            await asyncio.to_thread(self._ended.wait, timeout)
        if not self._ended.is_set():
            return False
        self.state.running = False  # (the app is closing: nobody to tell)
        return True

    # ---- worker thread ---------------------------------------------------------------
    def _run(
        self,
        state: TrainingState,
        hyper: Hyper | NeuralHyper | None,
        cancel: threading.Event,
        ended: threading.Event,
    ) -> None:
        def on_epoch(report: EpochReport) -> None:
            state.history.append(report)
            self._dirty = True

        def on_rank_epoch(report: RankEpochReport) -> None:  # after the rating model
            state.rank_history.append(report)
            self._dirty = True

        lower_thread_priority()
        try:
            if state.kind == "neural":
                assert hyper is None or isinstance(hyper, NeuralHyper)
                state.result = self._service.train_neural(hyper, on_epoch=on_epoch, cancel=cancel)
            else:
                assert hyper is None or isinstance(hyper, Hyper)
                if not self._service.kernels_ready():  # (waits for the welcome screen's run)
                    state.preparing = self._dirty = True
                    self._service.prepare_kernels()
                    state.preparing = False
                    self._dirty = True
                state.result = self._service.train(
                    hyper, on_epoch=on_epoch, cancel=cancel, on_rank_epoch=on_rank_epoch
                )
        except MovietuiError as error:
            state.error = str(error)
        except Exception as error:  # a bug must not kill the app: one error line instead
            state.error = f"training failed unexpectedly: {error!r}"
        finally:
            ended.set()

    # ---- UI thread -------------------------------------------------------------------
    def _poll(self) -> None:
        state = self.state
        if self._ended.is_set():
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            if state.running:
                state.running = False
                self.updates.publish(TrainingFinished(state))
            return
        now = time.monotonic()
        if self._dirty and now - self._published_at >= CHART_REFRESH_S:
            self._dirty = False
            self._published_at = now
            self.updates.publish(TrainingProgress(state))
