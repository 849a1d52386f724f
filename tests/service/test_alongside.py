"""alongside(): a rating's two fold-ins run on two threads, errors from either surface."""

from __future__ import annotations

import threading

import pytest

from movietui.service.live_model import alongside


def test_alongside_runs_both_and_returns_this_threads_result() -> None:
    seen: list[str] = []
    result = alongside(
        lambda: seen.append(threading.current_thread().name) or "stars",
        lambda: seen.append(threading.current_thread().name),
    )
    assert result == "stars"
    assert len(seen) == 2 and len(set(seen)) == 2  # two different threads did the work


def test_alongside_reraises_the_other_threads_error_after_both_finish() -> None:
    done = threading.Event()

    def fails() -> None:
        raise ValueError("ranker fold-in failed")

    with pytest.raises(ValueError, match="ranker fold-in failed"):
        alongside(done.set, fails)
    assert done.is_set()
