"""Completes filesystem paths in an Input (accept with → or End), folders first."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, prefix = os.path.split(expanded)
        try:
            entries = sorted(
                os.scandir(folder or "."), key=lambda e: (not e.is_dir(), e.name.lower())
            )
        except OSError:
            return None
        for entry in entries:
            if entry.name.startswith(prefix) and (
                prefix.startswith(".") or not entry.name.startswith(".")
            ):
                if entry.name == prefix and not entry.is_dir():
                    continue
                # Keep what the person typed (e.g. "~/") and append the rest of the name.
                completed = value + entry.name[len(prefix) :]
                if entry.is_dir() and entry.name != prefix:
                    completed += os.sep
                elif entry.is_dir():
                    continue
                return completed
        return None


def looks_like_dataset(path: Path) -> bool:
    return path.suffix.lower() == ".zip" or path.is_dir()
