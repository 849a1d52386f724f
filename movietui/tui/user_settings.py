"""settings.toml applied to the running app: theme, key bindings, default profile and filters.

Read once at start (movietui/settings.py parses and checks the file); each problem becomes one
warning toast naming the file, line and entry, and the app starts anyway. Picking a theme in the
app writes it back (only the ``theme`` line changes).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.theme import Theme

from movietui.errors import MovietuiError
from movietui.service import Service
from movietui.settings import load_settings, save_theme


def own_bindings() -> dict[str, Binding]:
    """Every binding the app's own screens and widgets declare, by id (the ids F1 lists).
    Every module of movietui.tui is imported first, so the list never depends on which
    screens happen to have been opened."""
    import movietui.tui

    for module in pkgutil.walk_packages(movietui.tui.__path__, "movietui.tui."):
        importlib.import_module(module.name)
    found: dict[str, Binding] = {}
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("movietui.tui"):
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding)
    return found


def binding_ids() -> set[str]:
    return set(own_bindings())


def bindings_markdown() -> str:
    """A Markdown table of binding ids, their default keys and what they do, for F1."""
    rows = [
        f"| `{bid}` | `{b.key}` | {b.description or b.tooltip or b.action} |"
        for bid, b in sorted(own_bindings().items())
    ]
    return "| Binding id | Keys | What |\n|---|---|---|\n" + "\n".join(rows) + "\n"


def apply_settings(
    app: App, service: Service, path: Path, filter_ids: Collection[str]
) -> list[str]:
    """Apply the file to ``app`` before its first screen; returns the problems to show."""
    loaded = load_settings(
        path,
        known_themes=set(app.available_themes),
        known_keys=binding_ids(),
        known_filters=set(filter_ids),
    )
    problems = list(loaded.problems)
    settings = loaded.settings
    if settings.theme:
        app.theme = settings.theme
    if settings.keys:
        app.set_keymap(dict(settings.keys))
    if settings.default_profile:
        wanted = settings.default_profile.casefold()
        match = next((p for p in service.profiles() if p.name.casefold() == wanted), None)
        if match is None:
            problems.append(
                f"{path.name}: default_profile {settings.default_profile!r} is not a profile; "
                "create it (P) or change the line"
            )
        elif (current := service.current_profile) is None or current.id != match.id:
            try:
                service.switch_profile(match.id)
            except MovietuiError as error:
                problems.append(f"{path.name}: default_profile: {error}")
    if settings.filters:  # defaults for the controls the app has no remembered value of
        try:
            saved = service.saved_filters()
            missing = {k: v for k, v in settings.filters.items() if k not in saved}
            if missing:
                service.update_filters(missing)
        except MovietuiError:
            pass  # view state only: the lists start unfiltered
    return problems


def remember_theme(app: App, path: Path) -> None:
    """Write the theme the user picks back into the settings file."""

    def saved(theme: Theme) -> None:
        try:
            save_theme(path, theme.name)
        except (OSError, ValueError) as error:
            app.notify(
                f"{path}: the theme was not saved ({error}); fix the file or pick again",
                severity="warning",
            )

    app.theme_changed_signal.subscribe(app, saved)
