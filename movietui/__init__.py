"""movietui: a terminal movie recommender that learns from your ratings, live."""

__version__ = "0.1.0"
