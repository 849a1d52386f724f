"""Progress reports shared by download, read, import and training.

Callers pass a ``ProgressFn``; the long-running code calls it now and then with a
``Progress``. ``total`` is None when the size is not known up front (a server that
sends no Content-Length, say), so a UI can show a spinner instead of a bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Progress:
    stage: str  # "download" | "read" | "write" | "index" | "train"
    done: int
    total: int | None  # None when unknown
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """done / total in 0..1, or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, max(0.0, self.done / self.total))


ProgressFn = Callable[[Progress], None]

# What each stage is called wherever progress is shown (CLI bar, welcome screen).
STAGE_NAMES = {
    "download": "downloading",
    "read": "reading",
    "write": "writing",
    "index": "indexing",
    "train": "training",
}
