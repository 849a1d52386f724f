"""The Store: one SQLite file; one main connection under one RLock (bulk reads and model saves
use their own connections: docs/design.md, "Threading contract")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

from .catalog import CatalogMixin
from .connection import open_connection
from .feedback import FeedbackMixin
from .lists import ListsMixin
from .models import ModelsMixin
from .profiles import ProfilesMixin
from .search import SearchMixin


class Store(CatalogMixin, SearchMixin, FeedbackMixin, ProfilesMixin, ModelsMixin, ListsMixin):
    """movietui's database; safe to share between the UI thread and a worker thread."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | os.PathLike[str]) -> Store:
    """Open (creating if needed) the database at ``path``; StoreError if it cannot be used."""
    file = Path(path).expanduser()
    return Store(file, open_connection(file))
