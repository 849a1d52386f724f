"""The movietui Textual app: a factory for tests, ``run_app`` for the CLI.

The app owns what outlives a screen: the Service, the training controller, and the
rating verbs every list shares. Screens get them as attributes (a ``Context``); they ask
for a rating, a mark or a watchlist change by posting a message (``messages.py``), which
bubbles up to the handlers here; after the commit the app publishes what changed on
``Context.changes`` and every subscribed screen refreshes itself. Nothing here calls a
screen's methods back.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.signal import Signal

from movietui.errors import MovietuiError
from movietui.service import Hyper, NeuralHyper, RateResult, Service
from movietui.tui import format as fmt
from movietui.tui.context import Context
from movietui.tui.messages import (
    CatalogImported,
    MarkRequested,
    ProfileChanged,
    ProfilesEdited,
    RateRequested,
    RatingChanged,
    TrainingFinished,
    UndoRequested,
    WatchlistChanged,
    WatchToggled,
)
from movietui.tui.screens.error import ErrorScreen
from movietui.tui.screens.main import FILTER_IDS, MainScreen
from movietui.tui.training import TrainingController, TrainingState, lower_thread_priority
from movietui.tui.user_settings import apply_settings, remember_theme
from movietui.tui.widgets.filter_bar import filter_ids
from movietui.tui.widgets.status_line import StatusLine
from movietui.tui.widgets.training_panel import describe_decision

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from movietui.tui.screens.demo import DemoOptions

# Screens not shown at start are imported when first opened (the demo's chart library, the
# detail screen, dialogs): ~0.1 s less between the command and the first paint.


def _commands() -> type[Provider]:
    from movietui.tui.commands import MovieTuiCommands

    return MovieTuiCommands


def _showing(screen: Screen, module: str, name: str) -> bool:
    """``isinstance(screen, module.name)`` without importing ``module``: while it was never
    imported, no screen of it can exist."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(screen, getattr(loaded, name))


SHUTDOWN_TIMEOUT_S = 60.0  # quitting mid-training waits this long for the save


class MovieTuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "movietui"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("p", "profiles", "Profiles", id="app.profiles"),
        Binding("M", "movie_night", "Movie night", id="app.movie_night", show=False),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]
    demo_options: DemoOptions | None = None  # set by `movietui demo`: open on the replay

    def __init__(
        self,
        service: Service | None,
        *,
        dataset: str | None = None,
        first_train_hyper: Hyper | None = None,
        train_base: Hyper | None = None,
        neural_base: NeuralHyper | None = None,
        open_error: str | None = None,
        owns_service: bool = False,
    ) -> None:
        """``train_base``: the hyperparameters the Training tab's fields edit (factors,
        epochs, learning rate, regularisation); the service's defaults when None.
        ``neural_base``: the same for the neural model (factors, epochs, learning rate)."""
        super().__init__()
        self._service = service
        self.dataset = dataset
        self.first_train_hyper = first_train_hyper
        self.open_error = open_error
        self.owns_service = owns_service
        self.changes: Signal[Message] = Signal(self, "changes")
        self.training: TrainingController | None = None
        self.context: Context | None = None
        if service is not None:
            self.training = TrainingController(self, service)
            self.context = Context(service, self.training, self.changes, train_base, neural_base)
        self._first_run = False
        self.main_screen: MainScreen | None = None

    @property
    def service(self) -> Service:
        assert self._service is not None, "the app runs on the error screen without a service"
        return self._service

    # ---- start-up and shutdown ---------------------------------------------------------
    def on_mount(self) -> None:
        if self.open_error or self.context is None or self.training is None:
            self.push_screen(ErrorScreen(self.open_error or "The database could not be opened."))
            return
        self.training.updates.subscribe(self, self._training_update, immediate=True)
        settings_path = self.service.paths.settings
        known_filters = (
            *FILTER_IDS,
            *filter_ids("night"),
        )  # Movie night's (its module loads later)
        for problem in apply_settings(self, self.service, settings_path, known_filters):
            self.notify(problem, severity="warning", timeout=15)
        remember_theme(self, settings_path)
        try:
            has_catalog = self.service.has_catalog()
        except MovietuiError as error:
            self.push_screen(ErrorScreen(str(error)))
            return
        if self.dataset or not has_catalog:
            from movietui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(self.service, import_path=self.dataset))
            self.prepare_kernels()  # while the welcome screen waits and the catalog imports
            return
        self.show_main()
        if self.demo_options is not None:  # `movietui demo`: straight to the replay
            self.action_demo()
            return
        warning = getattr(self.service, "load_warning", None)  # the saved model could not be read
        if warning:
            self.notify(str(warning), severity="warning", timeout=10)
        if self.service.model_info() is None:
            self.notify("No model yet: training the first one now.")
            self._first_run = True
            self.training.start(self.first_train_hyper)
        else:
            self.ensure_profile()

    @work(thread=True, exclusive=True, group="warm_up", exit_on_error=False)
    def warm_up(self) -> None:
        """After the first paint: load numba and the fold-in kernel (~0.5 s) so the first
        rating is as fast as the rest, and render the help text. Runs in a thread; the UI
        keeps answering keys."""
        if self._service is not None:
            lower_thread_priority()
            try:
                self._service.warm_up()
            except MovietuiError:
                pass  # the first rating will report whatever is wrong
        from movietui.tui.screens import help

        help.prerender(self.console, self.size.width)  # F1's first time then takes ~0.1 s

        gc.freeze()  # numba's objects too: the collector's full passes skip them (see MainScreen)

    @work(thread=True, exclusive=True, group="kernels", exit_on_error=False)
    def prepare_kernels(self) -> None:
        """Compile numba's kernels (~4 s on a fresh install) out of sight, so the first
        training and the first rating do not wait for it (the training thread waits for
        this run if it is still going, and says so)."""
        if self._service is not None:
            lower_thread_priority()
            try:
                self._service.prepare_kernels()
            except MovietuiError:
                pass  # the training reports whatever is wrong

    def exit(self, *args, **kwargs) -> None:
        """Quitting passes here: tell the screens to start no new background work."""
        if self.context is not None:
            self.context.closing.set()
        super().exit(*args, **kwargs)

    async def _shutdown(self) -> None:
        # The other way out: `run_test` (tests, benches, screenshots) and a driver's own
        # teardown call this without exit(); a pane prebuilt during teardown crashed mounting
        # its Select (NoMatches: SelectOverlay; the panes have no Select since).
        if self.context is not None:
            self.context.closing.set()
        await super()._shutdown()

    async def action_quit(self) -> None:
        """Quit; a training run is stopped first and keeps its finished epochs, as Stop does."""
        if self.training is not None and self.training.running:
            self.notify("Stopping the training and saving what it learned…", timeout=10)
            await self.training.shutdown(SHUTDOWN_TIMEOUT_S)
        self.exit()

    async def on_unmount(self) -> None:
        """The shutdown order, whatever ended the app: cancel the training, wait for its
        thread (with a timeout), then close the service."""
        if self.training is not None:
            await self.training.shutdown(SHUTDOWN_TIMEOUT_S)
        if self.owns_service and self._service is not None:
            self._service.close()

    def show_main(self, tab: str | None = None) -> MainScreen:
        """Put the main screen at the bottom of the stack (replacing the welcome screen)."""
        assert self.context is not None
        main = MainScreen(self.context, initial_tab=tab)
        self.main_screen = main
        welcome = _showing(self.screen, "movietui.tui.screens.welcome", "WelcomeScreen")
        if welcome or isinstance(self.screen, MainScreen):
            self.switch_screen(main)
        else:
            self.push_screen(main)
        self.update_subtitle()
        return main

    @on(MainScreen.Painted)
    def _main_painted(self) -> None:
        self.warm_up()

    @on(CatalogImported)
    def _catalog_imported(self) -> None:
        """The welcome screen imported a catalog: open it and train the first model in view."""
        assert self.training is not None
        self._first_run = True
        while len(self.screen_stack) > 2:  # a re-import: drop the old main screen and all above
            self.pop_screen()
        self.show_main(tab="training")  # a new one, so genre lists etc. match the new catalog
        self.training.start(self.first_train_hyper)

    # ---- profiles ------------------------------------------------------------------------
    def ensure_profile(self) -> None:
        """No profile yet: ask for a name, then onboard it."""
        if self.service.current_profile is not None:
            return

        def created(name: str | None) -> None:
            if name:
                self.create_profile(name)
            else:
                self.notify("Ratings need a profile: press p to create one.", severity="warning")

        from movietui.tui.screens.dialogs import NameModal

        self.push_screen(NameModal("Who is watching? Name your profile", "e.g. Alex"), created)

    def create_profile(self, name: str) -> None:
        """Create the first profile and onboard it."""
        try:
            profile = self.service.create_profile(name)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"Profile {profile.name!r} created.")
        self._profile_changed()
        self.onboard()

    def onboard(self) -> None:
        """Show the onboarding list; when it closes, land on the recommendations it shaped."""
        assert self.context is not None
        main = self.main_screen

        def closed(_result: object) -> None:
            if main is not None:
                main.post_message(MainScreen.ShowTab("recs"))

        from movietui.tui.screens.onboarding import OnboardingScreen

        self.push_screen(OnboardingScreen(self.context), closed)

    @on(ProfilesEdited)
    def _profile_changed(self) -> None:
        """Posted up by the profiles dialog (or after creating one here): tell every screen."""
        self.update_subtitle()
        self.changes.publish(ProfileChanged())

    def update_subtitle(self) -> None:
        if self._service is None:
            return
        profile = self.service.current_profile
        info = self.service.catalog_info()
        parts = [f"profile {profile.name}" if profile else "no profile"]
        if info is not None:
            parts.append(f"{info.release}: {info.n_movies:,} movies")
        self.sub_title = " · ".join(parts)

    # ---- the rating verbs every list shares ----------------------------------------------
    def _has_profile(self) -> bool:
        if self.service.current_profile is None:
            self.ensure_profile()
            return False
        return True

    @on(RateRequested)
    def _rate(self, message: RateRequested) -> None:
        """Commit a rating (None removes it); 'saved' is shown only after the service returns."""
        if not self._has_profile():
            return
        try:
            if message.rating is not None:
                result = self.service.rate(message.movie_id, message.rating)
            else:
                result = self.service.unrate(message.movie_id)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        what = (
            f"saved {fmt.stars(message.rating)}" if message.rating is not None else "rating removed"
        )
        self.say(f"{message.title}: {what}" if message.title else what)
        self._publish_rating(result, message.title)

    @on(UndoRequested)
    def _undo(self, message: UndoRequested) -> None:
        try:
            result = self.service.undo()
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        if result is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        shown = fmt.stars(result.rating) or fmt.MARK_WORDS.get(result.mark or "", "no rating")
        try:
            title = self.service.movie(result.movie_id).movie.title
        except MovietuiError:
            title = f"movie {result.movie_id}"
        self.say(f"Undone: {title} is back to {shown}")
        self._publish_rating(result)

    @on(MarkRequested)
    def _mark(self, message: MarkRequested) -> None:
        """n / v in a list or on the detail screen: mark the film, or clear the same mark."""
        if not self._has_profile():
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
        self._publish_rating(result, message.title)

    @on(WatchToggled)
    def _toggle_watchlist(self, message: WatchToggled) -> None:
        if not self._has_profile():
            return
        try:
            on_list = self.service.toggle_watchlist(message.movie_id)
        except MovietuiError as error:
            self.notify(str(error), severity="error")
            return
        what = "added to the watchlist" if on_list else "removed from the watchlist"
        self.say(f"{message.title}: {what}" if message.title else what)
        self.changes.publish(WatchlistChanged(message.movie_id, on_list))

    def _publish_rating(self, result: RateResult, title: str | None = None) -> None:
        # The subtitle names the profile and the catalog, neither of which a rating changes.
        self.changes.publish(RatingChanged(result, title))

    def say(self, message: str) -> None:
        """A routine confirmation: the screen's status line, else a short toast."""
        lines = self.screen.query(StatusLine)
        if lines:
            lines.first().say(message)
        else:
            self.notify(message, timeout=2)

    # ---- training ------------------------------------------------------------------------
    def _training_update(self, message: Message) -> None:
        if isinstance(message, TrainingFinished):
            self._training_finished(message.state)

    def _training_finished(self, state: TrainingState) -> None:
        if state.error:
            self.notify(state.error, title="Training failed", severity="error", timeout=10)
        elif state.result is not None:
            info = state.result.model_info
            kept = state.result.new_model is not None and not state.result.made_current
            if kept:  # a worse run: saved in the history, the better model stays current
                self.notify(
                    describe_decision(state.result), title="Training", severity="warning", timeout=8
                )
            elif state.result.cancelled:
                self.notify("Training stopped.", timeout=3)
            elif info is not None:
                val = f"{info.val_rmse:.4f}" if info.val_rmse is not None else "n/a"
                in_use = info.kind == "mf" or (
                    self.context is not None and self.context.service.star_model() == "neural"
                )
                what = "New neural model" if info.kind == "neural" else "New model"
                self.notify(
                    f"{what} in use (validation RMSE {val})."
                    if in_use
                    else f"{what} saved (validation RMSE {val}); s on the Training tab makes "
                    "it predict the stars.",
                    title="Training",
                    timeout=4,
                )
                self.warm_up()  # the new model's serving state, before the first rating asks
        if self._first_run:
            self._first_run = False
            self.ensure_profile()

    # ---- actions -------------------------------------------------------------------------
    def action_help(self) -> None:
        from movietui.tui.screens.help import HelpScreen  # imported on first use (rich.markdown)

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_profiles(self) -> None:
        if self._service is None or not self.service.has_catalog():
            return
        from movietui.tui.screens.profiles import ProfilesScreen

        if not isinstance(self.screen, ProfilesScreen):
            self.push_screen(ProfilesScreen(self.service))

    def action_movie_night(self) -> None:
        if self.context is None or not self.service.has_catalog():
            return
        from movietui.tui.screens.movie_night import MovieNightScreen

        if not isinstance(self.screen, MovieNightScreen):
            self.push_screen(MovieNightScreen(self.context))

    def action_import(self) -> None:
        from movietui.tui.screens.welcome import WelcomeScreen

        if self._service is not None and not isinstance(self.screen, WelcomeScreen):
            self.push_screen(WelcomeScreen(self.service, can_cancel=self.main_screen is not None))

    def action_demo(self) -> None:
        """Replay a real MovieLens user's ratings into models trained without them."""
        from movietui.tui.screens.demo import DemoOptions, DemoScreen

        if self.context is not None and self._service is not None and self.service.has_catalog():
            self.push_screen(DemoScreen(self.context, self.demo_options or DemoOptions()))

    def action_onboarding(self) -> None:
        if self._service is None or not self.service.has_catalog():
            return
        if self.service.current_profile is None:
            self.ensure_profile()
        elif not _showing(self.screen, "movietui.tui.screens.onboarding", "OnboardingScreen"):
            self.onboard()


def make_app(
    service: Service | None = None,
    home: str | Path | None = None,
    dataset: str | None = None,
    first_train_hyper: Hyper | None = None,
    train_base: Hyper | None = None,
    neural_base: NeuralHyper | None = None,
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
        train_base=train_base,
        neural_base=neural_base,
        open_error=open_error,
        owns_service=owns,
    )


def run_app(
    home: str | None = None, dataset: str | None = None, demo: DemoOptions | None = None
) -> int:
    """Entry point for ``movietui`` with no sub-command (``demo``: ``movietui demo``)."""
    app = make_app(home=home, dataset=dataset)
    app.demo_options = demo
    app.run()
    return app.return_code or 0
