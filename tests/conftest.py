"""Fixtures shared by every test room: the real MovieLens file and a temporary home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ML_LATEST_SMALL = REPO.parent / "shared" / "datasets" / "ml-latest-small.zip"


@pytest.fixture(scope="session")
def ml_small_zip() -> Path:
    """The real ml-latest-small release, read in place (never copied into the project).

    Without ../shared the tests get it the way a user does: the product's own download from
    GroupLens into the user cache, md5 checked (reused on later runs). Only when that is
    impossible (offline) do the data tests skip, with one line; under CI=true they fail.
    """
    if ML_LATEST_SMALL.exists():
        return ML_LATEST_SMALL
    from platformdirs import user_cache_path

    from movietui.catalog.download import download_release
    from movietui.errors import MovietuiError

    try:
        return download_release("ml-latest-small", user_cache_path("movietui") / "test-data")
    except MovietuiError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ML_LATEST_SMALL} is missing and the download failed ({exc})")
        pytest.skip(f"ml-latest-small is neither in ../shared nor downloadable here ({exc})")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh movietui home; MOVIETUI_HOME points at it so nothing touches the real user dir."""
    path = tmp_path / "home"
    monkeypatch.setenv("MOVIETUI_HOME", str(path))
    return path


def pytest_terminal_summary(terminalreporter) -> None:
    """Skips grouped by reason, one line each (the data skip would otherwise fill a page)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = (str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)).removeprefix(
            "Skipped: "
        )
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"SKIPPED {count} test{'s' if count != 1 else ''}: {reason}")
