"""Movie night in the app, driven as a person would: m, pick a second profile, cycle strategies."""

from __future__ import annotations

from textual.widgets import DataTable, SelectionList
from tui_support import SIZE, wait_until

from movietui.service import Service
from movietui.tui.app import MovieTuiApp, make_app
from movietui.tui.screens.main import MainScreen
from movietui.tui.screens.movie_night import MovieNightScreen

# Opposite tastes: animation and family films vs crime dramas.
ANN = {1: 5.0, 2355: 5.0, 3114: 5.0, 4886: 4.5, 6377: 5.0, 8961: 4.5, 858: 1.0, 1221: 1.0}
BOB = {858: 5.0, 1221: 5.0, 296: 5.0, 2959: 5.0, 1213: 5.0, 1: 1.0, 2355: 1.0, 6377: 1.0}


def order(app: MovieTuiApp) -> list[int]:
    screen = app.screen
    assert isinstance(screen, MovieNightScreen) and screen.result is not None
    return [p.movie.movie_id for p in screen.result.picks]


async def test_two_opposite_profiles_get_both_predictions_and_strategies_differ(
    service: Service,
) -> None:
    for name, ratings in (("bob", BOB), ("ann", ANN)):  # ann last: she is current
        service.create_profile(name)
        for movie, stars in ratings.items():
            service.rate(movie, stars)
    app = make_app(service=service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("M")  # (m is the Taste map tab)
        await wait_until(pilot, lambda: isinstance(app.screen, MovieNightScreen))
        screen = app.screen
        assert isinstance(screen, MovieNightScreen)
        assert "Pick two or more profiles" in str(screen.query_one("#night-notes").render())
        members = screen.query_one("#night-members", SelectionList)
        members.focus()
        await pilot.press("home", "space")  # bob, the first; ann (current) is picked already
        await wait_until(pilot, lambda: screen.result is not None)
        result = screen.result
        assert result is not None and sorted(p.name for p in result.members) == ["ann", "bob"]
        table = screen.query_one("#night-table", DataTable)
        assert table.row_count == len(result.picks) > 0
        for row in range(table.row_count):
            cells = [str(c) for c in table.get_row_at(row)]
            assert len(cells) == 4 and all(float(c) > 0 for c in cells[2:])  # both members' stars
        why = str(screen.query_one("#night-why").render())
        assert "bob: " in why and "ann: " in why
        assert not {p.movie.movie_id for p in result.picks} & (set(ANN) | set(BOB))
        seen: dict[str, list[int]] = {}
        for _ in range(4):  # turns -> shared -> average -> least_misery -> turns
            await pilot.press("s")
            await wait_until(
                pilot,
                lambda: screen.result is not None and screen.result.strategy not in seen,
            )
            assert screen.result is not None
            seen[screen.result.strategy] = order(app)
        assert set(seen) == {"turns", "shared", "average", "least_misery"}
        assert seen["least_misery"] != seen["average"]
        assert service.group_strategy() == "turns"  # remembered: the last one picked
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
