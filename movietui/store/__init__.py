"""SQLite store: catalog, title search, profiles with their ratings and marks, saved models.

Imports sqlite3, numpy and the standard library only (plus movietui.errors).
"""

from movietui.errors import StoreError
from movietui.text import fold_text as fold

from .schema import SCHEMA_VERSION
from .search import SORTS
from .store import Store, open_store
from .types import (
    CatalogInfo,
    ImportCancelled,
    MovieRow,
    Profile,
    ProfileFeedback,
    ProfileRating,
    SavedModel,
    StoreProgress,
    TrainingRun,
)

__all__ = [
    "SCHEMA_VERSION",
    "SORTS",
    "CatalogInfo",
    "ImportCancelled",
    "MovieRow",
    "Profile",
    "ProfileFeedback",
    "ProfileRating",
    "SavedModel",
    "Store",
    "StoreError",
    "StoreProgress",
    "TrainingRun",
    "fold",
    "open_store",
]
