"""Command palette entries for the app's verbs (ctrl+p).

The provider runs actions by name (``app.help``, ``screen.train``…) on the screen below
the palette or on the main screen in the stack; it never casts the app to call it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from movietui.tui.constants import TAB_TITLES
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.screens.main import MainScreen
from movietui.tui.widgets.movie_table import MovieTable


def _mark_target(screen: Screen) -> Callable[[str], object] | None:
    """What marks the film in view: the focused list's highlighted row, else the detail
    screen's movie (the palette runs on top, so ``screen`` is the one below it)."""
    focused = screen.focused
    if (
        isinstance(focused, MovieTable)
        and focused.rateable
        and focused.current_movie_id is not None
    ):
        return focused.action_mark
    if isinstance(screen, MovieDetailScreen):
        return screen.action_mark
    return None


class MovieTuiCommands(Provider):
    """Train, stop, profiles, import, search, tabs, onboarding, help, marks."""

    def _run(self, action: str) -> Callable[[], object]:
        return partial(self.app.run_action, action)

    def _verbs(self) -> list[tuple[str, str, Callable[[], object]]]:
        verbs: list[tuple[str, str, Callable[[], object]]] = [
            ("Help", "Show every key", self._run("app.help")),
            ("Import a dataset", "Download or import a MovieLens release", self._run("app.import")),
        ]
        main = next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None:
            verbs += [
                ("Train model", "Retrain the full model in the background", main.action_train),
                (
                    "Stop training",
                    "Stop the running training after this epoch",
                    main.action_stop_train,
                ),
                (
                    "Switch profile",
                    "Create, rename, switch or delete profiles",
                    self._run("app.profiles"),
                ),
                ("Search titles", "Focus the Browse search box", main.action_search),
                (
                    "Movie night",
                    "One list for two or more profiles (or from a watchlist or list)",
                    self._run("app.movie_night"),
                ),
                ("Onboarding", "Rate a few well-known movies", self._run("app.onboarding")),
                (
                    "Demo",
                    "Replay a real MovieLens user's ratings into models that never saw them",
                    self._run("app.demo"),
                ),
            ]
            for tab, label in TAB_TITLES.items():
                verbs.append(
                    (f"Go to {label}", f"Open the {label} tab", partial(main.show_tab, tab))
                )
        mark = _mark_target(self.screen)
        if mark is not None:
            verbs += [
                (
                    "Not interested",
                    "Never recommend the highlighted film (again: clear the mark)",
                    partial(mark, "not_interested"),
                ),
                (
                    "Seen it, no rating",
                    "Mark the highlighted film seen without stars (again: clear)",
                    partial(mark, "seen"),
                ),
            ]
        return verbs

    async def discover(self) -> Hits:
        for name, help_text, callback in self._verbs():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._verbs():
            match = matcher.match(name)
            if match > 0:
                yield Hit(match, matcher.highlight(name), callback, help=help_text)
