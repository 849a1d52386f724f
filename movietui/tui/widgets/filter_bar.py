"""One row of list filters, the same on Browse, For you and Movie night (issue 15).

The row holds a genre the films must have, genres they must not have (typed, comma
between, completed as you type: → accepts), a decade, a from/to year range, a minimum
community mean (stars) and a minimum number of ratings. ``FilterBar.filters`` is always a
valid ``Filters``: typed text is parsed after a short pause (a choice at once); bad input
is one clear line (a toast, the control tinted) and the filters stay as they were, so the
list does not change. When the filters change the bar posts ``FilterBar.Changed``; the
screen holding it reloads its list and remembers ``values()``.

Each control's id is ``<prefix>-<field>`` (``browse-genre``, ``night-min-mean``...): the
keys of the remembered values and of settings.toml's ``[filters]`` table.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import cast

from textual import events, on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from movietui.service import Filters
from movietui.tui.widgets.choice import Choice

FIELDS = ("genre", "exclude", "decade", "year-min", "year-max", "min-mean", "min-count")
TYPE_PAUSE_S = 0.15  # typed text is applied this long after the last key
FIRST_DECADE = 1900


def filter_ids(prefix: str) -> tuple[str, ...]:
    """The ids of one bar's controls (the keys its values are remembered under)."""
    return tuple(f"{prefix}-{name}" for name in FIELDS)


def decades() -> list[int]:
    """Newest first, from this decade back to the 1900s."""
    return list(range(datetime.date.today().year // 10 * 10, FIRST_DECADE - 1, -10))


class FilterProblem(ValueError):
    """A control holds something that is not a filter; ``field`` names it. ``unfinished``:
    it may still become one as the user types on (a genre's first letters, "19")."""

    def __init__(self, field: str, message: str, unfinished: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.unfinished = unfinished


def parse_filters(values: Mapping[str, str], genres: Sequence[str]) -> Filters:
    """The Filters that control values (field -> text, "" for none) mean.

    Raises FilterProblem, one line saying what is wrong and what to do. A decade and a
    year range both bound the years (the CLI's ``--decade`` with ``--since``/``--until``)."""

    def text(field: str) -> str:
        return str(values.get(field, "") or "").strip()

    by_name = {g.casefold(): g for g in genres}
    genre = text("genre")
    if genre and genre.casefold() not in by_name:
        raise FilterProblem("genre", f"no genre called {genre!r}; pick one from the list")
    exclude: list[str] = []
    for name in (n.strip() for n in text("exclude").split(",")):
        if not name:
            continue
        if name.casefold() not in by_name:
            raise FilterProblem(
                "exclude",
                f"no genre called {name!r} to leave out; type genres from the genre list, "
                "comma between (→ accepts a suggestion)",
                unfinished=any(g.startswith(name.casefold()) for g in by_name),
            )
        if by_name[name.casefold()] not in exclude:
            exclude.append(by_name[name.casefold()])

    def year(field: str, label: str) -> int | None:
        value = text(field)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise FilterProblem(field, f"{label} must be a year like 1990, got {value!r}") from None
        if not 1800 <= number <= 2200:
            raise FilterProblem(
                field, f"{label} must be a year like 1990, got {value!r}", unfinished=number < 1000
            )
        return number

    year_min, year_max = year("year-min", "from"), year("year-max", "to")
    if year_min is not None and year_max is not None and year_min > year_max:
        raise FilterProblem(
            "year-max", f"the years run backwards ({year_min} to {year_max}); swap them"
        )
    if decade := text("decade"):
        try:
            start = int(decade) // 10 * 10
        except ValueError:
            raise FilterProblem("decade", f"no decade {decade!r}; pick one from the list") from None
        low = start if year_min is None else max(year_min, start)
        high = start + 9 if year_max is None else min(year_max, start + 9)
        if low > high:
            raise FilterProblem(
                "decade",
                f"the years {year_min or ''}..{year_max or ''} lie outside the {start}s; "
                "clear the decade or the years",
            )
        year_min, year_max = low, high

    min_mean: float | None = None
    if mean := text("min-mean"):
        try:
            min_mean = float(mean)
        except ValueError:
            min_mean = math.nan
        if not 0 <= min_mean <= 5:  # also NaN
            raise FilterProblem(
                "min-mean", f"min mean must be a number of stars 0..5 (e.g. 3.5), got {mean!r}"
            )
        min_mean = min_mean or None
    min_count = 0
    if count := text("min-count"):
        try:
            min_count = int(count)
        except ValueError:
            min_count = -1
        if min_count < 0:
            raise FilterProblem(
                "min-count",
                f"min ratings must be a whole number 0 or more (e.g. 50), got {count!r}",
            )
    return Filters(
        genres=(by_name[genre.casefold()],) if genre else (),
        year_min=year_min,
        year_max=year_max,
        min_count=min_count,
        exclude_genres=tuple(exclude),
        min_mean=min_mean,
    )


class GenreListSuggester(Suggester):
    """Completes the last of comma-separated genre names ("Drama, hor" -> "Drama, horror")."""

    def __init__(self, genres: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.genres = list(genres)

    async def get_suggestion(self, value: str) -> str | None:
        stem = value.rpartition(",")[2].lstrip()
        if not stem:
            return None
        for genre in self.genres:
            if genre.casefold().startswith(stem.casefold()) and len(genre) > len(stem):
                return value + genre[len(stem) :]
        return None


class FilterBar(Horizontal):
    """The filter controls of one list; ``filters`` is what they mean now."""

    DEFAULT_CSS = """
    FilterBar { width: auto; height: auto; }
    FilterBar > * { margin-right: 1; }
    FilterBar > .filter-genre { width: 18; }
    FilterBar > .filter-exclude { width: 16; }
    FilterBar > .filter-decade { width: 11; }
    FilterBar > .filter-year { width: 6; }
    FilterBar > .filter-mean { width: 7; }
    FilterBar > .filter-count { width: 10; }
    FilterBar > .bad { background: $error 40%; }
    """

    BINDINGS = [Binding("escape", "done", "To the list", show=False, id="filters.done")]

    class Done(Message):
        """Enter (when the filters parse) or Esc: the person is done here; back to the list,
        where the letter keys are keys again instead of text."""

        def __init__(self, bar: FilterBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> FilterBar:
            return self.bar

    class Changed(Message):
        """The filters changed (and parse): reload the list with ``filters``."""

        def __init__(self, bar: FilterBar, filters: Filters) -> None:
            super().__init__()
            self.bar = bar
            self.filters = filters

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(
        self,
        prefix: str,
        genres: Sequence[str],
        saved: Mapping[str, str] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="filter-row")
        self.prefix = prefix
        self.genres = list(genres)
        self.problem: str | None = None  # the last bad input's line, None when all parse
        self._timer: Timer | None = None
        saved = saved or {}
        # Restore each saved value that still makes sense on its own (a new catalog may
        # lack a genre; a hand-edited settings.toml may hold anything): the rest start empty.
        start: dict[str, str] = {}
        for name in FIELDS:
            value = str(saved.get(f"{prefix}-{name}", "") or "")
            try:
                parse_filters({name: value}, self.genres)
            except FilterProblem:
                value = ""
            if name == "decade" and value not in {str(d) for d in decades()}:
                value = ""
            start[name] = value
        try:
            self.filters = parse_filters(start, self.genres)
        except FilterProblem:  # saved years that contradict each other, or the decade
            start.update({"decade": "", "year-min": "", "year-max": ""})
            self.filters = parse_filters(start, self.genres)
        self._start = start
        self._applied = dict(start)  # the values ``filters`` was parsed from

    # ---- controls -------------------------------------------------------------------------
    def compose(self):
        start, prefix = self._start, self.prefix

        def field(name: str, placeholder: str, kind: str, classes: str, tip: str) -> Input:
            control = Input(
                start[name],
                placeholder=placeholder,
                type=kind,  # type: ignore[arg-type]
                id=f"{prefix}-{name}",
                classes=classes,
                compact=True,
            )
            control.tooltip = tip
            return control

        yield Choice(
            [(g, g) for g in self.genres],
            prompt="Any genre",
            value=start["genre"] or Choice.NULL,
            id=f"{prefix}-genre",
            classes="filter-genre",
        )
        exclude = field(
            "exclude", "not: genres", "text", "filter-exclude", "Leave out these genres (a, b)"
        )
        exclude.suggester = GenreListSuggester(self.genres)
        yield exclude
        yield Choice(
            [(f"{d}s", str(d)) for d in decades()],
            prompt="Decade",
            value=start["decade"] or Choice.NULL,
            id=f"{prefix}-decade",
            classes="filter-decade",
        )
        yield field("year-min", "from", "integer", "filter-year", "From this year")
        yield field("year-max", "to", "integer", "filter-year", "Up to this year")
        yield field(
            "min-mean", "min ★", "number", "filter-mean", "Community mean at least (stars 0-5)"
        )
        yield field(
            "min-count", "min votes", "integer", "filter-count", "At least this many ratings"
        )

    def control(self, name: str) -> Widget:
        return self.query_one(f"#{self.prefix}-{name}")

    def values(self) -> dict[str, str]:
        """Each control's value by id (``<prefix>-<field>``), "" when empty: what to remember."""
        out: dict[str, str] = {}
        for name in FIELDS:
            value = cast("Input | Choice", self.control(name)).value
            out[f"{self.prefix}-{name}"] = "" if value is Choice.NULL else str(value)
        return out

    def focus_first(self) -> None:
        self.control("genre").focus()

    @property
    def pending(self) -> bool:
        """Typed text not applied yet (the pause after the last key is running)."""
        return self._timer is not None

    # ---- applying -------------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()  # the screen hears Changed, not each control
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(TYPE_PAUSE_S, self._paused)

    def _paused(self) -> None:
        self.apply(announce=False)

    @on(Choice.Changed)
    def _chosen(self, event: Choice.Changed) -> None:
        event.stop()
        self.apply()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_done()

    def action_done(self) -> None:
        self.apply()
        if self.problem is None:
            self.post_message(self.Done(self))

    @on(events.DescendantBlur)
    def _left(self) -> None:
        if self.pending or self.has_class("unsaid"):
            self.apply()  # Tab to the next control: what was typed applies (or is reported)

    def apply(self, announce: bool = True) -> None:
        """Parse the controls now; post Changed when they mean something new. Bad input is
        one toast; while typing (``announce`` False) a word that may still become valid
        (a genre's first letters) only tints its control."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        current = {name: value for name, value in zip(FIELDS, self.values().values(), strict=True)}
        for name in FIELDS:
            self.control(name).remove_class("bad")
        self.remove_class("unsaid")
        try:
            filters = parse_filters(current, self.genres)
        except FilterProblem as problem:
            self.control(problem.field).add_class("bad")
            if problem.unfinished and not announce:
                self.add_class("unsaid")  # said when the user moves on or presses Enter
                return
            if str(problem) != self.problem:
                self.notify(str(problem), severity="error", timeout=6)
            self.problem = str(problem)
            return
        self.problem = None
        if current == self._applied:
            return
        self._applied = current
        self.filters = filters
        self.post_message(self.Changed(self, filters))
