"""The rating scale, one home: 0.5 to 5 stars in half stars."""

from __future__ import annotations

import math

MIN_STARS = 0.5
MAX_STARS = 5.0
HALF_STARS = tuple(k / 2 for k in range(1, 11))  # 0.5, 1.0, ..., 5.0
SCALE_HINT = "use 0.5 to 5 in half stars (e.g. 3.5)"


def half_stars(rating: object) -> float:
    """``rating`` as a float on the scale, or ValueError saying what is allowed."""
    try:
        value = float(rating)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"rating {rating!r} is not a number; {SCALE_HINT}") from None
    if not (
        math.isfinite(value) and MIN_STARS <= value <= MAX_STARS and value * 2 == int(value * 2)
    ):
        raise ValueError(f"rating {rating!r} is not allowed; {SCALE_HINT}")
    return value


def nudge(current: float | None, step: float) -> float:
    """Move a rating by ``step`` within the scale; no rating yet starts at 3 stars."""
    base = 3.0 if current is None else current + step
    return min(MAX_STARS, max(MIN_STARS, base))
