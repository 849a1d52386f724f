"""Messages that cross screens. Widget-local events live on their widget
(``MovieTable.NearEnd``, ``TrainingPanel.StartRequested``).

Two directions, never a call back up:

* **Requests go up.** A list or the detail screen posts ``RateRequested``,
  ``UndoRequested``, ``WatchToggled`` or ``MarkRequested``; they bubble to the app, which
  calls the service (the one place that asks for a profile first and reports errors).
  The welcome screen posts ``CatalogImported``, the profiles dialog ``ProfilesEdited``.
* **Changes come down.** After a commit the app publishes ``RatingChanged``,
  ``WatchlistChanged`` or ``ProfileChanged`` on ``Context.changes``; the training
  controller publishes ``TrainingProgress`` (coalesced: at most a few a second) and
  ``TrainingFinished`` on ``TrainingController.updates``. Screens subscribe in ``on_mount``
  and handle them with ``@on`` like any message.

Import workers post the ``Import*`` messages to their own screen from a thread
(``post_message`` is thread-safe); ``ImportTick`` replaces an unprocessed tick of the same
stage, so a fast import never floods the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from movietui.service import ImportReport, Progress, RateResult, TrainResult

if TYPE_CHECKING:
    from movietui.tui.training import TrainingState


# ---- requests: posted by lists and screens, handled by the app ------------------------------
class RateRequested(Message):
    """Rate a film (``rating`` None removes the rating)."""

    def __init__(self, movie_id: int, rating: float | None, title: str | None = None) -> None:
        super().__init__()
        self.movie_id = movie_id
        self.rating = rating
        self.title = title


class UndoRequested(Message):
    """Undo the last rating or mark."""


class WatchToggled(Message):
    """Put a film on the watchlist, or take it off."""

    def __init__(self, movie_id: int, title: str | None = None) -> None:
        super().__init__()
        self.movie_id = movie_id
        self.title = title


class MarkRequested(Message):
    """Mark a film "not_interested" or "seen" (the same mark again clears it)."""

    def __init__(self, movie_id: int, kind: str, title: str | None = None) -> None:
        super().__init__()
        self.movie_id = movie_id
        self.kind = kind
        self.title = title


class CatalogImported(Message):
    """The welcome screen imported a catalog: show it and train the first model."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


class ProfilesEdited(Message):
    """The profiles dialog created, switched, renamed or deleted a profile."""


# ---- changes: published by the app and the training controller, handled by screens ----------
# Published to each subscriber; they must not bubble on to the app from there.
class RatingChanged(Message, bubble=False):
    """A rating or mark was committed (or removed, or undone); lists showing it refresh."""

    def __init__(self, result: RateResult, title: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.title = title


class WatchlistChanged(Message, bubble=False):
    def __init__(self, movie_id: int, on_list: bool) -> None:
        super().__init__()
        self.movie_id = movie_id
        self.on_list = on_list


class ProfileChanged(Message, bubble=False):
    """The current profile, or its name, changed: every list is stale."""


class TrainingProgress(Message, bubble=False):
    """New epochs since the last one (``state`` holds them all); a few a second at most."""

    def __init__(self, state: TrainingState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingProgress)


class TrainingFinished(Message, bubble=False):
    """The run ended: finished, stopped, or failed (``state.error``). A new model may be in use."""

    def __init__(self, state: TrainingState) -> None:
        super().__init__()
        self.state = state

    @property
    def result(self) -> TrainResult | None:
        return self.state.result


# ---- import worker -> welcome screen ---------------------------------------------------------
class ImportTick(Message):
    """The import moved on; ``progress`` is the latest figure."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ImportTick) and message.progress.stage == self.progress.stage


class ImportDone(Message):
    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


class ImportFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
