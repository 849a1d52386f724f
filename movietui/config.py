"""Where movietui keeps its data.

One SQLite file under the platform's user data dir, overridable by ``MOVIETUI_HOME``
or ``--home`` (tests always pass a temporary home). Nothing is opened at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "movietui"
DB_FILENAME = "movietui.db"


@dataclass(frozen=True)
class Paths:
    home: Path

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
    return Paths(resolve_home(home))
