"""One line at the bottom of a screen for routine confirmations ("saved ★★★★ 4").

Cheaper than a toast (no widget mounted, no layout pass), so a rating key stays fast;
errors still go through ``notify(severity="error")``.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def say(self, message: str) -> None:
        self.update(Text(message, no_wrap=True, overflow="ellipsis"), layout=False)
