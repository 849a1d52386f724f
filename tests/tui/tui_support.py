"""Constants and helpers shared by the UI tests (a uniquely named module, importable by pytest)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot

from movietui.service import Hyper, Service
from movietui.tui.app import MovieTuiApp, make_app
from movietui.tui.widgets.movie_table import MovieTable

# Small, seeded, single-threaded, every field pinned: fast, identical on every run, and
# unmoved when the model room retunes its defaults (the snapshots depend on it).
SMALL_HYPER = Hyper(
    factors=16,
    epochs=6,
    lr=0.01,
    reg=0.05,
    bias_reg=0.02,
    lr_decay=0.98,
    init_std=0.02,
    seed=7,
    val_fraction=0.02,
    patience=10,
    threads=1,
)
# For tests that stop a run themselves: no validation split, so no early stopping; the run
# goes on until the test stops it (the fields set epochs to the most they allow).
NO_EARLY_STOP = dataclasses.replace(SMALL_HYPER, val_fraction=0.0)
SIZE = (140, 40)


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 900.0) -> None:
    """Wait for what the test controls; the timeout only turns a hang into a failure (a
    loaded 2-core machine took over 60 s to import and train in the first-run test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


def visible_rows(app: MovieTuiApp, selector: str, n: int = 10) -> list[tuple[int, str]]:
    """(movie id, predicted cell) of the first rows, as drawn in the table."""
    table = app.screen.query_one(selector, MovieTable)
    rows = []
    for index in range(min(n, table.row_count)):
        cells = table.get_row_at(index)
        rows.append((table.movie_ids()[index], str(cells[-1])))
    return rows


@asynccontextmanager
async def app_session(home: Path) -> AsyncIterator[tuple[MovieTuiApp, Pilot]]:
    """One run of the app on ``home``, its service closed afterwards: call it twice for a restart."""
    service = Service.open(home)
    app = make_app(service=service)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            yield app, pilot
    finally:
        service.close()


async def browse_applied(pilot: Pilot) -> None:
    """Wait until the text typed into Browse's search and year fields is applied (debounced)."""
    app = pilot.app
    await wait_until(
        pilot,
        lambda: not any(getattr(screen, "browse_pending", False) for screen in app.screen_stack),
    )
    await pilot.pause()


async def palette_shows(pilot: Pilot, command: str) -> None:
    """Wait until the command palette's first hit is ``command`` (searches run as you type)."""
    from textual.command import CommandList

    def first_hit() -> str:
        options = pilot.app.screen.query(CommandList)
        if not options or not options.first().option_count:
            return ""
        return str(options.first().get_option_at_index(0).prompt)

    await wait_until(pilot, lambda: command in first_hit())
