"""Which film or profile a typed name means (the headless commands take titles and names).

Pure functions of the candidates they are given: the Service runs the title search and lists
the profiles.
"""

from __future__ import annotations

from collections.abc import Sequence

from movietui.catalog.matching import title_key, title_keys
from movietui.errors import NotFoundError
from movietui.service.types import MovieView, Profile

TITLE_CANDIDATES = 25  # search hits considered when picking the film a title means


class AmbiguousTitleError(NotFoundError):
    """A title query fits several films; ``candidates`` lists them, best first."""

    def __init__(self, message: str, candidates: list[MovieView]) -> None:
        super().__init__(message)
        self.candidates = candidates


def check_title_query(query: str) -> str:
    query = query.strip()
    if not query:
        raise NotFoundError('empty title; give part of a film\'s title, e.g. "toy story"')
    return query


def pick_title(found: list[MovieView], query: str, year: int | None = None) -> MovieView:
    """The one film a typed title means among the search hits ``found``: the only hit, or
    the only exact title among them.

    "toy story" picks Toy Story (1995) over Toy Story 2; "hamlet" without a year is ambiguous.
    """
    in_year = f" from {year}" if year else ""
    if not found:
        raise NotFoundError(
            f"no film{in_year} matches {query!r}; try fewer words or another spelling"
        )
    if len(found) == 1:
        return found[0]
    wanted = title_key(query)
    exact = [view for view in found if wanted in title_keys(view.title)]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or found
    hint = "add --year YEAR" if exact else "type more of the title, or add --year YEAR"
    raise AmbiguousTitleError(
        f"{query!r}{in_year} matches {len(candidates)} films; {hint}", candidates
    )


def pick_profile(profiles: Sequence[Profile], name: str) -> Profile:
    """The profile called ``name``; the error lists the profiles there are."""
    for profile in profiles:
        if profile.name == name:
            return profile
    known = ", ".join(repr(p.name) for p in profiles) or "none"
    raise NotFoundError(
        f"no profile named {name!r} (profiles: {known}); create it with "
        f"`movietui profiles create {name}`"
    )
