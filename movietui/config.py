"""Where movietui keeps its data.

One SQLite file under the platform's user data dir, overridable by ``MOVIETUI_HOME``
or ``--home`` (tests always pass a temporary home), and a settings file (settings.toml,
see settings.py) in the platform's user config dir, or in that home when it is given.
Nothing is opened at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "movietui"
DB_FILENAME = "movietui.db"
SETTINGS_FILENAME = "settings.toml"


@dataclass(frozen=True)
class Paths:
    home: Path
    config_dir: Path | None = None  # None: the settings file lives in home

    @property
    def settings(self) -> Path:
        """The user's settings file (keys, theme, default profile and filters)."""
        return (self.config_dir or self.home) / SETTINGS_FILENAME

    @property
    def db(self) -> Path:
        return self.home / DB_FILENAME

    @property
    def cache(self) -> Path:
        """Downloads land here (temporary file, then atomic rename)."""
        return self.home / "cache"

    @property
    def backups(self) -> Path:
        """Copies of the database taken before any schema migration."""
        return self.home / "backups"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """``home`` argument, else ``$MOVIETUI_HOME``, else the platform user data dir."""
    if home:
        return Path(home).expanduser()
    env = os.environ.get("MOVIETUI_HOME")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP_NAME)


def get_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """The data home, and the config dir: the platform's unless a home was given (so a test's
    or a second install's home holds its own settings)."""
    overridden = bool(home) or bool(os.environ.get("MOVIETUI_HOME"))
    config = None if overridden else platformdirs.user_config_path(APP_NAME)
    return Paths(resolve_home(home), config)
