"""The Taste map tab and the demo screen, driven through the Pilot as a person would."""

from __future__ import annotations

from tui_support import SIZE, wait_until

from movietui.service import Hyper, RankHyper
from movietui.tui.app import MovieTuiApp
from movietui.tui.screens.demo import DemoOptions, DemoScreen
from movietui.tui.screens.detail import MovieDetailScreen
from movietui.tui.widgets.taste_map import TasteMapView
from movietui.tui.widgets.taste_map_pane import TasteMapPane

QUICK = DemoOptions(
    user=1,
    paused=True,
    hyper=Hyper(factors=16, epochs=5, seed=3, threads=1),
    rank_hyper=RankHyper(factors=16, epochs=3, seed=3, threads=1),
)


async def _map_shown(pilot, app: MovieTuiApp, trail_len: int) -> TasteMapView:
    await app.workers.wait_for_complete()
    await pilot.pause()
    view = app.screen.query_one("#map-view", TasteMapView)
    await wait_until(pilot, lambda: view.data is not None and len(view.data.trail) >= trail_len)
    return view


async def test_a_rating_moves_the_marker_and_enter_opens_the_film(app, profile_service):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("m")
        view = await _map_shown(pilot, app, 1)
        before = view.data.trail
        pane = app.screen.query_one(TasteMapPane)
        assert pane.shown is not None and pane.shown.kind == "ranker"
        assert "…" in str(app.screen.query_one("#map-axes").render())  # the axes are named
        # Rated films show their stars on the map.
        assert len(view.data.stars) == 3
        # Step to the film nearest the marker, open it, rate it, come back: the marker moved.
        await pilot.press("right_square_bracket")
        assert view.selected is not None
        chosen = int(view.data.movie_ids[view.selected])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MovieDetailScreen))
        assert app.screen.movie_id == chosen
        await pilot.press("5")
        await pilot.pause()
        assert profile_service.my_ratings()[0].movie.movie_id == chosen
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, MovieDetailScreen))
        view = await _map_shown(pilot, app, len(before) + 1)
        assert view.data.trail[-1] != before[-1]
        assert view.data.trail[: len(before)] == before
        assert len(view.data.stars) == 4
        # s switches to the rating model's map.
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.shown is not None and pane.shown.kind == "stars"


async def test_the_demo_advances_lights_up_hits_and_pauses(app):
    steps: list[int] = []

    def hook(message) -> None:
        if isinstance(message, DemoScreen.Stepped):
            steps.append(message.step)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        app.demo_options = QUICK
        await app.run_action("demo")
        await wait_until(pilot, lambda: isinstance(app.screen, DemoScreen))
        screen = app.screen
        assert isinstance(screen, DemoScreen)
        await wait_until(pilot, lambda: screen.demo is not None, timeout=120)
        await wait_until(pilot, lambda: steps == [0])
        # Paused: nothing moves until n steps it.
        assert screen.paused
        await pilot.press("n")
        await wait_until(pilot, lambda: steps == [0, 1])
        frame = screen.demo.frame()
        assert frame.step == 1 and frame.last is not None
        # A hit lights up: a film they went on to rate 4+ in the For you list, drawn lit.
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: steps[-1] == 3)
        frame = screen.demo.frame()
        hits = [p for p in frame.for_you if p.hit]
        assert hits, "user 1 went on to like some of the films in their top 20"
        shown = screen.query_one("#demo-for-you").render()
        lit = [s for s in shown.spans if "green" in str(s.style)]
        assert len(lit) == len(hits)
        assert str(shown)[lit[0].start : lit[0].end].find(hits[0].title[:20]) >= 0
        # The map marker moved with the ratings.
        view = screen.query_one("#demo-map", TasteMapView)
        assert view.data is not None and len(view.data.trail) == 4
        # Space plays: the timer replays the next rating by itself; space again pauses.
        await pilot.press("space")
        assert not screen.paused
        await wait_until(pilot, lambda: steps[-1] >= 4, timeout=30)
        await pilot.press("space")
        assert screen.paused
        paused_at = screen.demo.frame().step
        await pilot.press("n")
        await wait_until(pilot, lambda: steps[-1] == paused_at + 1)
        assert screen.demo.frame().step == paused_at + 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DemoScreen))
