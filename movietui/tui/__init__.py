"""The Textual UI. Only this package imports textual; it talks to movietui.service only."""

from movietui.tui.app import MovieTuiApp, make_app, run_app

__all__ = ["MovieTuiApp", "make_app", "run_app"]
