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

    Under CI=true a missing file fails the test run instead of skipping silently.
    """
    if not ML_LATEST_SMALL.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ML_LATEST_SMALL} is missing: CI needs ../shared beside the repo")
        pytest.skip(f"{ML_LATEST_SMALL} not found (../shared beside the repo)")
    return ML_LATEST_SMALL


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh movietui home; MOVIETUI_HOME points at it so nothing touches the real user dir."""
    path = tmp_path / "home"
    monkeypatch.setenv("MOVIETUI_HOME", str(path))
    return path
