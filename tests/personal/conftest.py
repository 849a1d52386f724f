"""Fixtures for the personal-ratings tests (helpers live in personal_builders.py)."""

from __future__ import annotations

import pytest
from personal_builders import hand_movies

from movietui.catalog.matching import Matcher


@pytest.fixture(scope="session")
def hand_matcher() -> Matcher:
    return Matcher(hand_movies())
