"""Plain records the service hands to the UI and CLI: frozen, thread-safe, no behaviour.

Everything here is importable from ``movietui.service``; the UI never needs the store or
model packages to read a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from movietui.store import SORTS as SQL_SORTS
from movietui.store.filters import Filters
from movietui.store.types import CatalogInfo, Profile

if TYPE_CHECKING:  # only for annotations: keeps this module free of numba start-up cost
    from movietui.model import EpochReport, Hyper, NeuralHyper
    from movietui.model.ranker import RankEpochReport

__all__ = [
    "HISTORY_COLUMNS",
    "SORTS",
    "CatalogInfo",
    "Filters",
    "ImportReport",
    "ModelInfo",
    "ModelRecord",
    "MovieDetail",
    "MovieView",
    "Page",
    "Profile",
    "RateResult",
    "RatedMovie",
    "Recommendation",
    "Similar",
    "TrainResult",
]

# A profile's marks without stars (store/feedback.py keeps them; one per film at most).
MARK_NOT_INTERESTED, MARK_SEEN = "not_interested", "seen"

# Orders browse() understands: the store's SQL orders, plus "predicted", which needs a model
# and a profile (without them it falls back to "popularity").
SORTS = (*SQL_SORTS, "predicted")


@dataclass(frozen=True)
class MovieView:
    movie_id: int
    title: str  # display title ("The Shawshank Redemption")
    year: int | None
    genres: tuple[str, ...]
    rating_count: int
    mean_rating: float | None
    my_rating: float | None  # the current profile's rating
    predicted: float | None  # the model's prediction for the current profile
    on_watchlist: bool
    mark: str | None = None  # "not_interested" | "seen" (a film with a mark has no rating)


@dataclass(frozen=True)
class Similar:
    movie: MovieView
    score: float  # cosine similarity of item factors


@dataclass(frozen=True)
class MovieDetail:
    movie: MovieView
    imdb_id: str | None
    tmdb_id: int | None
    imdb_url: str | None
    tmdb_url: str | None
    because: list[str]  # titles of the profile's ratings that pushed the prediction up
    similar: list[Similar]


@dataclass(frozen=True)
class Page:
    items: list[MovieView]
    total: int  # matches over all pages


@dataclass(frozen=True)
class RateResult:
    """A film's state after a rate, unrate, mark or undo, and the state it had before."""

    movie_id: int
    rating: float | None  # None: the rating was removed
    previous: float | None
    loss_before: float | None  # the profile's fold-in loss (None without a model or refold)
    loss_after: float | None
    mark: str | None = None  # "not_interested" | "seen" | None, after the change
    previous_mark: str | None = None


@dataclass(frozen=True)
class RatedMovie:
    movie: MovieView
    rating: float
    rated_at: float


@dataclass(frozen=True)
class Recommendation:
    movie: MovieView
    predicted: float  # model prediction, or the damped mean without a model
    because: list[str]


@dataclass(frozen=True)
class ImportReport:
    release: str
    n_movies: int
    n_ratings: int
    notes: list[str]
    seconds: float


@dataclass(frozen=True)
class ModelInfo:
    model_id: int
    trained_at: float  # unix time
    hyper: Hyper | NeuralHyper  # NeuralHyper when kind == "neural"
    n_users: int
    n_items: int
    n_ratings: int  # ratings the model was trained on
    val_rmse: float | None
    history: list[EpochReport] = field(default_factory=list)
    val_recall: float | None = None  # the ranker's validation Recall@20 (None: no ranker)
    ranker_history: list[RankEpochReport] = field(default_factory=list)
    kind: str = "mf"  # "mf" (matrix factorisation, with the ranker) | "neural" (CollabFNet)


@dataclass(frozen=True)
class TrainResult:
    model_info: ModelInfo | None  # the model now in use (the old one when nothing was saved)
    stopped_early: bool  # validation RMSE stopped improving before the last epoch
    cancelled: bool  # cancel was set; see Service.train for what is kept
    new_model: ModelInfo | None = None  # the model this run saved (None: nothing saved)
    made_current: bool = False  # the saved model is now current (see service/history.py)
    decision: str = ""  # one line: why it is current, or why the current model was kept

    def decision_line(self, how_to_use: str) -> str:
        """After a run: whether its model is now current and why, else how to use it
        (``how_to_use``: the app's key or the CLI command)."""
        new = self.new_model
        if new is None:
            return ""
        if self.made_current:
            return f"model #{new.model_id} is now current: {self.decision}"
        val = f"{new.val_rmse:.4f}" if new.val_rmse is not None else "n/a"
        return f"{self.decision}; the new run #{new.model_id} ({val}) is saved in the history: {how_to_use}"


# The model history's columns (ModelRecord.cells), in the CLI and the Training tab.
HISTORY_COLUMNS = (
    "",
    "#",
    "Model",
    "Trained",
    "Data",
    "Hyperparameters",
    "Epochs",
    "Val RMSE",
    "R@20",
)


@dataclass(frozen=True)
class ModelRecord:
    """One saved model in the history (``Service.model_history``)."""

    model_id: int
    kind: str  # "mf" (with its ranker) | "neural"
    trained_at: float  # unix time
    current: bool  # the current model of its kind
    catalog: str | None  # the catalog release it was trained on (None: not recorded)
    n_users: int
    n_movies: int
    n_ratings: int  # ratings it was trained on (catalog and profiles)
    hyper: dict  # its hyperparameters as saved
    epochs: int  # epochs run
    stopped: bool  # stopped by hand (Stop, or quitting mid-run)
    val_rmse: float | None  # validation RMSE of its best epoch
    val_recall: float | None  # the ranker's validation Recall@20 (MF with a ranker only)
    has_ranker: bool = False

    def hyper_text(self) -> str:
        """The hyperparameters a person tunes, short: "32 factors · lr 0.007 · reg 0.035"."""
        h = self.hyper
        if self.kind == "neural":
            parts = [f"width {h.get('factors', '?')}", f"hidden {h.get('hidden', '?')}"]
        else:
            parts = [f"{h.get('factors', '?')} factors", f"reg {h.get('reg', 0):g}"]
        return " · ".join([*parts, f"lr {h.get('lr', 0):g}"])

    def data_text(self) -> str:
        """What it was trained on: "ml-latest-small · 100,836 ratings" (no catalog recorded: a
        model saved before the history kept it, or trained with no catalog imported)."""
        return f"{self.catalog or 'catalog not recorded'} · {self.n_ratings:,} ratings"

    def cells(self) -> tuple[str, ...]:
        """The row `movietui models` and the Training tab show (columns: HISTORY_COLUMNS)."""
        import time

        return (
            "*" if self.current else "",
            str(self.model_id),
            {"mf": "MF"}.get(self.kind, self.kind),
            time.strftime("%Y-%m-%d %H:%M", time.localtime(self.trained_at)),
            self.data_text(),
            self.hyper_text(),
            f"{self.epochs} stopped" if self.stopped else str(self.epochs),
            "n/a" if self.val_rmse is None else f"{self.val_rmse:.4f}",
            "" if self.val_recall is None else f"{self.val_recall:.3f}",
        )

    def to_dict(self) -> dict:
        """JSON-able (``movietui models --format json``)."""
        return {
            "model_id": self.model_id,
            "kind": self.kind,
            "trained_at": self.trained_at,
            "current": self.current,
            "catalog": self.catalog,
            "n_users": self.n_users,
            "n_movies": self.n_movies,
            "n_ratings": self.n_ratings,
            "hyper": self.hyper,
            "epochs": self.epochs,
            "stopped": self.stopped,
            "val_rmse": self.val_rmse,
            "val_recall": self.val_recall,
        }
