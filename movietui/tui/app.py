"""The movietui Textual app: a factory for tests, ``run_app`` for the CLI.

The app owns what outlives a screen: the Service, the background training run and its
state, and the rating verbs every list shares (rate, unrate, undo, watchlist, marks).
Screens draw and route keys; they call back here or post a message (MarkRequested).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from movietui.errors import MovietuiError
from movietui.service import Hyper, RateResult, Service
from movietui.tui import format as fmt
from movietui.tui.commands import MovieTuiCommands
from movietui.tui.messages import MarkRequested, RatingChanged, TrainingDone, TrainingTick
from movietui.tui.screens.dialogs import NameModal
from movietui.tui.screens.error import ErrorScreen
from movietui.tui.screens.main import MainScreen
from movietui.tui.screens.onboarding import OnboardingScreen
from movietui.tui.screens.profiles import ProfilesScreen
from movietui.tui.screens.welcome import WelcomeScreen
from movietui.tui.widgets.status_line import StatusLine
from movietui.tui.widgets.training_panel import TrainingState

CHART_REFRESH_S = 0.4
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


class MovieTuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "movietui"
    COMMANDS = App.COMMANDS | {MovieTuiCommands}
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("p", "profiles", "Profiles", id="app.profiles"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        service: Service | None,
        *,
        dataset: str | None = None,
        first_train_hyper: Hyper | None = None,
        open_error: str | None = None,
        owns_service: bool = False,
    ) -> None:
        super().__init__()
        self._service = service
        self.dataset = dataset
        self.first_train_hyper = first_train_hyper
        self.open_error = open_error
        self.owns_service = owns_service
        self.training = TrainingState()
        self._cancel_training: threading.Event | None = None
        self._first_run = False
        self._training_dirty = False
        self._training_timer: Timer | None = None
        self.main_screen: MainScreen | None = None

    @property
    def service(self) -> Service:
        assert self._service is not None, "the app runs on the error screen without a service"
        return self._service

    # ---- start-up --------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.open_error or self._service is None:
            self.push_screen(ErrorScreen(self.open_error or "The database could not be opened."))
            return
        try:
            has_catalog = self.service.has_catalog()
        except MovietuiError as error:
            self.push_screen(ErrorScreen(str(error)))
            return
        if self.dataset or not has_catalog:
            self.push_screen(WelcomeScreen(import_path=self.dataset))
            return
        self.show_main()
        warning = getattr(self.service, "load_warning", None)  # the saved model could not be read
        if warning:
            self.notify(str(warning), severity="warning", timeout=10)
        if self.service.model_info() is None:
            self.notify("No model yet: training the first one now.")
            self._first_run = True
            self.start_training(self.first_train_hyper)
        else:
            self.ensure_profile()

    @work(thread=True, exclusive=True, group="warm_up", exit_on_error=False)
    def warm_up(self) -> None:
        """After the first paint: load numba and the fold-in kernel (~0.5 s) so the first
        rating is as fast as the rest. Runs in a thread; the UI keeps answering keys."""
        if self._service is not None:
            lower_thread_priority()
            try:
                self._service.warm_up()
            except MovietuiError:
                pass  # the first rating will report whatever is wrong

    def on_unmount(self) -> None:
        if self._cancel_training is not None:
            self._cancel_training.set()
        if self.owns_service and self._service is not None:
            self._service.close()

    def show_main(self, tab: str | None = None) -> MainScreen:
        """Put the main screen at the bottom of the stack (replacing the welcome screen)."""
        main = MainScreen(initial_tab=tab)
        self.main_screen = main
        if isinstance(self.screen, (WelcomeScreen, MainScreen)):
            self.switch_screen(main)
        else:
            self.push_screen(main)
        self.update_subtitle()
        return main

    def catalog_imported(self) -> None:
        """Called by the welcome screen: open the catalog and train the first model in view."""
        self._first_run = True
        while len(self.screen_stack) > 2:  # a re-import: drop the old main screen and all above
            self.pop_screen()
        self.show_main(tab="training")  # a new one, so genre lists etc. match the new catalog
        self.start_training(self.first_train_hyper)

    def ensure_profile(self) -> None:
        """No profile yet: ask for a name, then onboard it."""
        if self.service.current_profile is not None:
            return

        def created(name: str | None) -> None:
            if name:
                self.create_profile(name, onboard=True)
            else:
                self.notify("Ratings need a profile: press p to create one.", severity="warning")

        self.push_screen(NameModal("Who is watching? Name your profile", "e.g. Alex"), created)

    def create_profile(self, name: str, onboard: bool = False) -> bool:
        try:
            profile = self.service.create_profile(name)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return False
        self.notify(f"Profile {profile.name!r} created.")
        self.profile_changed()
        if onboard:
            self.onboard()
        return True

    def onboard(self) -> None:
        """Show the onboarding list; when it closes, land on the recommendations it shaped."""

        def closed(_result: object) -> None:
            if self.main_screen is not None:
                self.main_screen.show_tab("recs")

        self.push_screen(OnboardingScreen(), closed)

    def profile_changed(self) -> None:
        self.update_subtitle()
        if self.main_screen is not None:
            self.main_screen.refresh_all()

    def update_subtitle(self) -> None:
        if self._service is None:
            return
        profile = self.service.current_profile
        info = self.service.catalog_info()
        parts = [f"profile {profile.name}" if profile else "no profile"]
        if info is not None:
            parts.append(f"{info.release}: {info.n_movies:,} movies")
        self.sub_title = " · ".join(parts)

    # ---- rating verbs shared by every list ------------------------------------------------
    def rate_movie(
        self, movie_id: int, rating: float | None, title: str | None = None
    ) -> RateResult | None:
        """Commit a rating (None removes it); 'saved' is shown only after the service returns."""
        if self.service.current_profile is None:
            self.ensure_profile()
            return None
        try:
            result = (
                self.service.rate(movie_id, rating)
                if rating is not None
                else self.service.unrate(movie_id)
            )
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return None
        what = f"saved {fmt.stars(rating)}" if rating is not None else "rating removed"
        self.say(f"{title}: {what}" if title else what)
        self._broadcast(result, title)
        return result

    def undo_rating(self) -> None:
        try:
            result = self.service.undo()
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        if result is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        shown = fmt.stars(result.rating) or fmt.MARK_WORDS.get(result.mark or "", "no rating")
        self.say(f"undone: back to {shown}")
        self._broadcast(result)

    @on(MarkRequested)
    def _mark_requested(self, message: MarkRequested) -> None:
        """n / v in a list or on the detail screen: mark the film, or clear the same mark."""
        if self.service.current_profile is None:
            self.ensure_profile()
            return
        service = self.service
        try:
            if service.marks().get(message.movie_id) == message.kind:
                result = service.clear_mark(message.movie_id)
            elif message.kind == "not_interested":
                result = service.mark_not_interested(message.movie_id)
            else:
                result = service.mark_seen(message.movie_id)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        title = message.title or f"movie {message.movie_id}"
        if result.mark is None:
            said = f"{title}: mark removed"
        else:
            said = f"{fmt.MARK_WORDS[result.mark].capitalize()}: {title}"
            if result.previous is not None:
                said += f" (your {fmt.stars(result.previous)} removed)"
        self.say(f"{said} (u to undo)")
        self._broadcast(result, message.title)

    def toggle_watchlist(self, movie_id: int) -> None:
        if self.service.current_profile is None:
            self.ensure_profile()
            return
        try:
            on_list = self.service.toggle_watchlist(movie_id)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        self.say("added to the watchlist" if on_list else "removed from the watchlist")
        if self.main_screen is not None:
            self.main_screen.watchlist_changed(movie_id)

    def say(self, message: str) -> None:
        """A routine confirmation: the screen's status line, else a short toast."""
        lines = self.screen.query(StatusLine)
        if lines:
            lines.first().say(message)
        else:
            self.notify(message, timeout=2)

    def _broadcast(self, result: RateResult, title: str | None = None) -> None:
        self.update_subtitle()
        for screen in self.screen_stack:
            # Only screens that list movies; a message to Textual's empty default screen
            # marks it dirty, and a dirty screen below repaints the whole top screen.
            if hasattr(screen, "on_rating_changed"):
                screen.post_message(RatingChanged(result, title))

    # ---- training ------------------------------------------------------------------------
    def start_training(self, hyper: Hyper | None = None) -> None:
        if self.training.running:
            self.notify("Training is already running.", severity="warning")
            return
        self.training = TrainingState(running=True, hyper=hyper, started_at=time.monotonic())
        self._cancel_training = threading.Event()
        self._train_worker(self.training, hyper, self._cancel_training)
        # The chart costs ~50 ms to draw: redraw a few times a second, never per epoch.
        self._training_timer = self.set_interval(CHART_REFRESH_S, self._flush_training)
        self._show_training()

    def stop_training(self) -> None:
        if self._cancel_training is not None and self.training.running:
            self._cancel_training.set()
            self.notify("Stopping after this epoch…", timeout=2)

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def _train_worker(
        self, state: TrainingState, hyper: Hyper | None, cancel: threading.Event
    ) -> None:
        def on_epoch(report) -> None:  # worker thread: append, then a coalesced tick
            state.history.append(report)
            self.post_message(TrainingTick(report))

        lower_thread_priority()

        def on_rank_epoch(report) -> None:  # the ranker trains after the rating model
            state.rank_history.append(report)
            self.post_message(TrainingTick(report))

        try:
            result = self.service.train(
                hyper, on_epoch=on_epoch, cancel=cancel, on_rank_epoch=on_rank_epoch
            )
        except MovietuiError as error:
            self.post_message(TrainingDone(None, str(error)))
            return
        self.post_message(TrainingDone(result))

    def on_training_tick(self, _: TrainingTick) -> None:
        self._training_dirty = True

    def _flush_training(self) -> None:
        if self._training_dirty:
            self._training_dirty = False
            self._show_training()

    def on_training_done(self, message: TrainingDone) -> None:
        if self._training_timer is not None:
            self._training_timer.stop()
            self._training_timer = None
        self.training.running = False
        self.training.result = message.result
        self.training.error = message.error
        if message.error:
            self.notify(message.error, title="Training failed", severity="error", timeout=10)
        elif message.result is not None:
            info = message.result.model_info
            if message.result.cancelled:
                self.notify("Training stopped.", timeout=3)
            elif info is not None:
                val = f"{info.val_rmse:.4f}" if info.val_rmse is not None else "n/a"
                self.notify(
                    f"New model in use (validation RMSE {val}).", title="Training", timeout=4
                )
        self._show_training()
        if self.main_screen is not None:
            self.main_screen.refresh_all()
        if self._first_run:
            self._first_run = False
            self.ensure_profile()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a worker must not kill the app: one error line, state reset."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.notify(f"{event.worker.name} failed: {error}", severity="error", timeout=10)
        if event.worker.group == "train":
            self.post_message(TrainingDone(None, str(error)))

    def _show_training(self) -> None:
        if self.main_screen is not None and self.main_screen.is_mounted:
            try:
                self.main_screen.show_training()
            except NoMatches:  # the screen is being torn down as the app exits
                pass

    # ---- actions -------------------------------------------------------------------------
    def action_help(self) -> None:
        from movietui.tui.screens.help import (
            HelpScreen,
        )  # Markdown costs ~0.1 s to import: on demand

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_profiles(self) -> None:
        if self._service is None or not self.service.has_catalog():
            return
        if not isinstance(self.screen, ProfilesScreen):
            self.push_screen(ProfilesScreen())

    def action_import(self) -> None:
        if self._service is not None and not isinstance(self.screen, WelcomeScreen):
            self.push_screen(WelcomeScreen())

    def action_onboarding(self) -> None:
        if self._service is None or not self.service.has_catalog():
            return
        if self.service.current_profile is None:
            self.ensure_profile()
        elif not isinstance(self.screen, OnboardingScreen):
            self.onboard()


def make_app(
    service: Service | None = None,
    home: str | Path | None = None,
    dataset: str | None = None,
    first_train_hyper: Hyper | None = None,
) -> MovieTuiApp:
    """Build the app; tests pass a Service opened on a temporary home."""
    owns = service is None
    open_error = None
    if service is None:
        try:
            service = Service.open(home)
        except MovietuiError as error:
            open_error = str(error)
    return MovieTuiApp(
        service,
        dataset=dataset,
        first_train_hyper=first_train_hyper,
        open_error=open_error,
        owns_service=owns,
    )


def run_app(home: str | None = None, dataset: str | None = None) -> int:
    """Entry point for ``movietui`` with no sub-command."""
    app = make_app(home=home, dataset=dataset)
    app.run()
    return app.return_code or 0
