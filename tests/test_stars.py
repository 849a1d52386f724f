"""The rating scale's one home: every layer parses ratings the same way."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from movietui.errors import StoreError
from movietui.service.core import RatingError, check_rating
from movietui.stars import HALF_STARS, half_stars, nudge
from movietui.store.profiles import check_rating as store_check_rating


@given(st.one_of(st.floats(allow_nan=True), st.integers(-10, 10), st.text(max_size=4), st.none()))
def test_service_and_store_accept_and_refuse_the_same_ratings(value: object) -> None:
    try:
        expected: float | None = half_stars(value)
    except ValueError:
        expected = None
    for check, error in ((check_rating, RatingError), (store_check_rating, StoreError)):
        if expected is None:
            with pytest.raises(error, match="half stars"):
                check(value)
        else:
            assert check(value) == expected


def test_the_scale_is_ten_half_stars() -> None:
    assert HALF_STARS == (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
    assert all(half_stars(v) == v for v in HALF_STARS)
    for bad in (0, 0.25, 5.5, math.inf, "x"):
        with pytest.raises(ValueError):
            half_stars(bad)


def test_nudge_stays_on_the_scale_and_starts_at_three() -> None:
    assert nudge(None, 0.5) == 3.0
    assert nudge(5.0, 0.5) == 5.0
    assert nudge(0.5, -0.5) == 0.5
    assert nudge(3.5, -0.5) == 3.0
