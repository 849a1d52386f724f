"""Shown instead of the app when the database cannot be opened: the reason, and a way out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class ErrorScreen(Screen):
    BINDINGS = [Binding("q,escape", "app.quit", "Quit", id="error.quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="error-box"):
            yield Static(Text("movietui cannot start", style="bold"), classes="dialog-title")
            yield Static(Text(self.message), id="error-message")
            yield Static(
                Text(
                    "Nothing was changed or deleted. Fix the problem above, or start with "
                    "another home (movietui --home DIR), then run movietui again."
                )
            )
        yield Footer()
