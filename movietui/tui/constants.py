"""Sizes and tab names shared by the screens and the command palette (one home each)."""

from __future__ import annotations

PAGE = 100  # Browse rows per page (more load as the cursor nears the end)
RECOMMENDATIONS = 50  # rows of "For you"
ONBOARDING_MOVIES = 30  # films offered to rate on the onboarding screen
ONBOARDING_RECS = 20  # recommendations beside them

TABS = ("browse", "recs", "ratings", "watchlist", "map", "training")
TAB_TITLES = {
    "browse": "Browse",
    "recs": "For you",
    "ratings": "Your ratings",
    "watchlist": "Watchlist",
    "map": "Taste map",
    "training": "Training",
}
