"""Messages that cross screens: worker progress (coalesced), rating and mark changes.

Workers post these from their threads (``post_message`` is thread-safe); the ``Tick``
messages replace any unprocessed tick of the same kind, so a fast import or a fast
epoch loop can never flood the queue (the handler reads the latest shared state).
"""

from __future__ import annotations

from textual.message import Message

from movietui.service import (
    EpochReport,
    ImportReport,
    Progress,
    RankEpochReport,
    RateResult,
    TrainResult,
)


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


class TrainingTick(Message):
    """One or more epochs finished; the app's ``TrainingState`` histories hold them all."""

    def __init__(self, report: EpochReport | RankEpochReport) -> None:
        super().__init__()
        self.report = report

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingTick)


class TrainingDone(Message):
    def __init__(self, result: TrainResult | None, error: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.error = error


class MarkRequested(Message):
    """A list or the detail screen asks to mark a film "not_interested" or "seen" (the app
    toggles: the same mark again clears it). Bubbles up to the app, which calls the service."""

    def __init__(self, movie_id: int, kind: str, title: str | None = None) -> None:
        super().__init__()
        self.movie_id = movie_id
        self.kind = kind
        self.title = title


class RatingChanged(Message):
    """A rating or mark was committed (or removed, or undone); visible lists should refresh."""

    def __init__(self, result: RateResult, title: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.title = title
