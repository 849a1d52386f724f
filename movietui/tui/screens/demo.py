"""The demo screen: a real MovieLens user's ratings replayed into models that never saw them.

On open, both models train without that user on a worker thread (a minute at most on
ml-latest-small with the tuned settings; nothing is saved). Then one rating a second (``+``/``-``
change the speed, space pauses, ``n`` steps): For you re-ranks, the films they really went on
to rate 4 stars or more light up when they appear, the curve plots those hits in the top 20
against the ratings so far beside the most popular films' hits, and the taste map's marker moves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from movietui.errors import MovietuiError
from movietui.service import Demo, DemoFrame, DemoPick, Hyper, RankHyper
from movietui.tui.context import Context
from movietui.tui.widgets.line_chart import ChartSpec, LineChart, Series
from movietui.tui.widgets.taste_map import MapData, TasteMapView

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # ratings a second


@dataclass(frozen=True)
class DemoOptions:
    user: int | None = None
    seed: int = 0
    speed: float = 1.0
    hyper: Hyper | None = None
    rank_hyper: RankHyper | None = None
    paused: bool = False  # start paused (n steps)


def pick_lines(title: str, picks: tuple[DemoPick, ...]) -> Text:
    """A top-20 list; the films they went on to like lit up."""
    text = Text(f"{title} ({sum(p.hit for p in picks)} hits)\n", style="bold")
    for k, p in enumerate(picks, 1):
        year = f" ({p.year})" if p.year else ""
        line = f"{k:>2} {'★' if p.hit else ' '} {p.title}{year}"
        text.append(line[:44] + "\n", style="bold black on green" if p.hit else "")
    text.rstrip()
    return text


class HitsCurve(LineChart):
    DEFAULT_CSS = "HitsCurve { height: 1fr; min-height: 8; }"

    def plot(self, frame: DemoFrame | None) -> None:
        series: tuple[Series, ...] = ()
        x_range = (0.0, 10.0)
        if frame is not None and frame.curve:
            xs = [p.n for p in frame.curve]
            x_range = (0.0, float(max(10, xs[-1])))
            series = (
                Series("For you", xs, [p.hits for p in frame.curve]),
                Series("most popular", xs, [p.popular_hits for p in frame.curve]),
            )
        self.show(
            ChartSpec(
                title="Top-20 hits: films they went on to rate 4+",
                xlabel="ratings so far",
                series=series,
                x_range=x_range,
                y_range=(0.0, 20.0),  # hits of a top 20
                empty="no ratings yet",
            )
        )


class DemoScreen(Screen):
    BINDINGS = [
        Binding("space", "pause", "Pause/play", id="demo.pause"),
        Binding("n", "step", "Step", id="demo.step"),
        Binding("plus,equals_sign", "speed(1)", "Faster", key_display="+/-", id="demo.faster"),
        Binding("minus", "speed(-1)", "Slower", show=False, id="demo.slower"),
        Binding("s", "switch_map", "Stars/ranker map", id="demo.map"),
        Binding("escape", "app.pop_screen", "Back", id="demo.back"),
    ]
    DEFAULT_CSS = """
    DemoScreen #demo-status { height: 2; padding: 0 1; }
    DemoScreen #demo-lists { width: 92; }
    DemoScreen .demo-list { width: 46; height: 1fr; }
    DemoScreen #demo-right { width: 1fr; }
    DemoScreen TasteMapView { height: 1fr; }
    """

    class Ready(Message):
        def __init__(self, demo: Demo | None, error: str | None) -> None:
            super().__init__()
            self.demo = demo
            self.error = error

    class Stepped(Message):
        """A rating was replayed and everything repainted (tests wait on it)."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def __init__(self, context: Context, options: DemoOptions | None = None) -> None:
        super().__init__()
        self.context = context
        self.options = options = options or DemoOptions()
        self.demo: Demo | None = None
        self.paused = options.paused
        self.speed = options.speed
        self.kind = "ranker"
        self._timer: Timer | None = None
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Training both models without the demo user (nothing is saved)…"), id="demo-status"
        )
        with Horizontal():
            with Horizontal(id="demo-lists"):
                yield Static(id="demo-for-you", classes="demo-list")
                yield Static(id="demo-popular", classes="demo-list")
            with Vertical(id="demo-right"):
                yield HitsCurve(id="demo-curve")
                yield TasteMapView(id="demo-map")
        yield Footer()

    def on_mount(self) -> None:
        self._prepare()

    def on_unmount(self) -> None:
        self._cancel.set()  # a training still running stops after its epoch
        if self._timer is not None:
            self._timer.stop()

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _prepare(self) -> None:
        o = self.options
        try:
            demo = self.context.service.demo(
                o.user, o.seed, o.hyper, o.rank_hyper, cancel=self._cancel
            )
            demo.taste_map("ranker")  # build the plane here, not on the first step
            self.post_message(self.Ready(demo, None))
        except MovietuiError as error:
            self.post_message(self.Ready(None, str(error)))

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        if message.demo is None:
            self.query_one("#demo-status", Static).update(
                Text(message.error or "", style="bold red")
            )
            return
        self.demo = message.demo
        self._show(self.demo.frame(), refit=True)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.paused and self.demo is not None:
            self._timer = self.set_interval(1.0 / self.speed, self._tick)

    def _tick(self) -> None:
        if self.paused:  # a tick queued before the pause
            return
        if self.demo is None or self.demo.frame().done:
            if self._timer is not None:
                self._timer.stop()
            return
        self._show(self.demo.step())

    def _show(self, frame: DemoFrame, refit: bool = False) -> None:
        assert self.demo is not None
        self.query_one("#demo-for-you", Static).update(pick_lines("For you", frame.for_you))
        self.query_one("#demo-popular", Static).update(pick_lines("Most popular", frame.popular))
        self.query_one(HitsCurve).plot(frame)
        data = self.demo.taste_map(self.kind)
        self.query_one(TasteMapView).show(MapData(**data.widget_fields()), refit=refit)
        self._status(frame)
        self.post_message(self.Stepped(frame.step))

    def _status(self, frame: DemoFrame) -> None:
        state = "paused" if self.paused else f"{self.speed:g} ratings/s"
        last = ""
        if frame.last is not None:
            _, title, stars = frame.last
            last = f" · just rated {title} {stars:g}★"
        point = frame.curve[-1]
        text = Text(
            f"MovieLens user {frame.user_id}: rating {frame.step} of {frame.total}{last}\n"
            f"For you {point.hits}/20 hits · most popular {point.popular_hits}/20 · "
            f"{point.liked_left} liked films still to come · {state} · map: {self.kind}"
        )
        self.query_one("#demo-status", Static).update(text)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._schedule()
        if self.demo is not None:
            self._status(self.demo.frame())

    def action_step(self) -> None:
        if self.demo is not None and not self.demo.frame().done:
            self._show(self.demo.step())

    def action_speed(self, direction: int) -> None:
        faster = [s for s in SPEEDS if s > self.speed]
        slower = [s for s in SPEEDS if s < self.speed]
        if direction > 0 and faster:
            self.speed = faster[0]
        elif direction < 0 and slower:
            self.speed = slower[-1]
        self._schedule()
        if self.demo is not None:
            self._status(self.demo.frame())

    def action_switch_map(self) -> None:
        self.kind = "stars" if self.kind == "ranker" else "ranker"
        if self.demo is not None:
            self._show(self.demo.frame(), refit=True)
