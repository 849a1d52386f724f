"""Which profile the Service acts for, held explicitly, and the jobs it must stop on close.

``ProfileSession``: acting as a profile writes nothing. The app's *remembered* profile (the
``current_profile`` setting, reopened on the next start) changes only when a person picks a
profile (``Service.switch_profile``, create, delete), never because a command read or wrote as
another one (``Service.use_profile``, the CLI's ``--profile``).

``Jobs``: the long calls running on worker threads (training, catalog import), so that
``Service.close`` can ask them to stop and wait for them before it closes the store
(docs/design.md, "Threading contract").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from movietui.errors import MovietuiError
from movietui.service.types import Profile

CURRENT_PROFILE = "current_profile"  # settings key: the profile the app reopens on
ROW_KEY = "profile_row:{}"  # settings key of a profile's saved factor rows (LiveModel.saved_row)


class ProfileSession:
    """The profile in use, and its record, kept here so reading it costs no query."""

    def __init__(self, profile: Profile | None = None) -> None:
        self.profile = profile

    @property
    def profile_id(self) -> int | None:
        return None if self.profile is None else self.profile.id

    def current(self, n_ratings: int) -> Profile | None:
        """The profile record with its live rating count (the store's count is stale after
        a rating; the live model's ratings are the profile's, kept in step)."""
        return None if self.profile is None else replace(self.profile, n_ratings=n_ratings)

    @staticmethod
    def remembered(value: str | None, profiles: list[Profile]) -> Profile | None:
        """The profile a ``current_profile`` setting names, else the first, else None."""
        return next((p for p in profiles if str(p.id) == value), profiles[0] if profiles else None)


class ServiceClosing(MovietuiError):
    """A long job was asked for while the service is closing."""


class Jobs:
    """Long calls in flight. Each gets a cancel event; ``stop_all`` sets them all and waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._cancels: list[threading.Event] = []
        self._closing = False

    @contextmanager
    def running(self, cancel: threading.Event | None) -> Iterator[threading.Event]:
        """Register a job for its duration; yields the event it must watch (``cancel`` or a new one)."""
        event = cancel if cancel is not None else threading.Event()
        with self._cond:
            if self._closing:
                raise ServiceClosing("movietui is closing; nothing new can start")
            self._cancels.append(event)
        try:
            yield event
        finally:
            with self._cond:
                self._cancels.remove(event)
                self._cond.notify_all()

    def stop_all(self, timeout: float) -> bool:
        """Refuse new jobs, ask running ones to stop (as Stop does), wait up to ``timeout`` s.
        True when none is left running."""
        with self._cond:
            self._closing = True
            for event in self._cancels:
                event.set()
            return self._cond.wait_for(lambda: not self._cancels, timeout)
