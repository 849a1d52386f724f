"""The project's one error type: a message a person can act on, one line long.

Every room raises a subclass of :class:`MovietuiError` for bad input or a broken
environment; the CLI prints ``str(error)`` and exits non-zero, the app shows it in
a notification. Anything else escaping is a bug.
"""


class MovietuiError(Exception):
    """A clear, one-line, user-facing error: what was wrong and what to do."""


class DataError(MovietuiError):
    """An input file (release, personal export) is unreadable or malformed."""


class StoreError(MovietuiError):
    """The database cannot be opened, migrated or written."""


class ModelError(MovietuiError):
    """Training or inference cannot proceed (bad hyperparameters, divergence, no data)."""


class NotFoundError(MovietuiError):
    """A movie, profile or release that was asked for does not exist."""
