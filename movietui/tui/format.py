"""Small text helpers shared by the screens: stars, titles, numbers.

Titles always go through ``rich.text.Text`` so brackets in user data ("[REC]") are
shown literally instead of being read as markup.
"""

from __future__ import annotations

from rich.text import Text

from movietui.service import MovieView


def stars(rating: float | None) -> str:
    """``4.5`` -> ``★★★★½``; ``None`` -> ``""``. The number follows so colour is never the only cue."""
    if rating is None:
        return ""
    whole = int(rating)
    half = "½" if rating - whole >= 0.5 else ""
    return f"{'★' * whole}{half} {rating:g}"


# A mark without stars, in a list's "You" column and in words (details, confirmations).
MARK_SHORT = {"not_interested": "hidden", "seen": "seen"}
MARK_WORDS = {"not_interested": "not interested", "seen": "seen, no rating"}


def you(movie: MovieView) -> str:
    """The profile's own verdict on a film: its stars, else its mark, else nothing."""
    return stars(movie.my_rating) or MARK_SHORT.get(movie.mark or "", "")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 movie``, ``2 movies``, ``12,345 ratings``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def score(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def title_text(movie: MovieView, with_year: bool = False) -> Text:
    title = movie.title
    if with_year and movie.year:
        title = f"{title} ({movie.year})"
    return Text(title, no_wrap=True, overflow="ellipsis")


def community(movie: MovieView) -> str:
    if movie.mean_rating is None or not movie.rating_count:
        return "-"
    return f"{movie.mean_rating:.2f} ({movie.rating_count:,})"


def year(movie: MovieView) -> str:
    return str(movie.year) if movie.year else ""


def genres(movie: MovieView) -> str:
    return ", ".join(movie.genres)


def short_label(title: str, width: int) -> str:
    """A title in at most ``width`` characters that still tells films of a series apart.

    Cutting the end makes "The Lord of the Rings: The Fellowship…" and "…: The Two Towers"
    one label, so a long title keeps its subtitle (the part after ": ", which names this film),
    else its first and last words around an ellipsis ("Harry…Sorcerer's Stone").
    """
    title = " ".join(title.split())
    if len(title) <= width:
        return title
    if width < 2:
        return title[:width]
    _series, colon, subtitle = title.partition(": ")
    if colon and subtitle:
        return subtitle if len(subtitle) <= width else subtitle[: width - 1] + "…"
    words = title.split(" ")
    tail_budget = width - 1 - len(words[0])  # the last words that fit beside the first one
    tail = ""
    for word in reversed(words[1:]):
        grown = f"{word} {tail}".strip()
        if len(grown) > tail_budget:
            break
        tail = grown
    if not tail:
        return title[: width - 1] + "…"
    head = ""
    for word in words:
        grown = f"{head} {word}".strip()
        if len(grown) > width - len(tail) - 1:
            break
        head = grown
    return f"{head or title[: width - len(tail) - 1]}…{tail}"
