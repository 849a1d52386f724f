"""Render each main screen of the real app, on the real data, into screenshots/*.svg.

    uv run python scripts/screenshots.py [--zip PATH] [--out screenshots]

Drives the app headless through the Pilot as a person would: a temporary home, the
welcome screen importing ml-latest-small, the first training (default hyperparameters),
a profile that rates a few films, then one SVG per screen.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from movietui.service import Service
from movietui.tui.app import MovieTuiApp, make_app
from movietui.tui.screens.demo import DemoOptions, DemoScreen
from movietui.tui.screens.dialogs import NameModal
from movietui.tui.widgets.taste_map import TasteMapView

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ZIP = REPO.parent / "shared" / "datasets" / "ml-latest-small.zip"
SIZE = (140, 40)
RATINGS = "54435"  # keys pressed on the onboarding list, one film each


async def wait_until(pilot: Pilot, condition, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.1)


async def shoot(pilot: Pilot, out: Path, name: str) -> None:
    app = pilot.app
    await pilot.pause()
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    app.clear_notifications()
    await pilot.pause(0.2)
    app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"saved {out / (name + '.svg')}")


async def drive(app: MovieTuiApp, zip_path: Path, out: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await shoot(pilot, out, "01-welcome")
        app.screen.query_one("#path-input", Input).focus()
        await pilot.press(*str(zip_path), "enter")
        # The first training and its chart (on ml-latest-small it ends within a second, so
        # the profile prompt may already be up).
        await wait_until(
            pilot,
            lambda: (
                app.main_screen is not None
                and app.training is not None
                and len(app.training.state.history) >= 8
            ),
        )
        await pilot.pause(0.5)
        await shoot(pilot, out, "02-first-training")
        await wait_until(pilot, lambda: isinstance(app.screen, NameModal))
        await pilot.press(*"Alex", "enter")
        await pilot.pause()
        for key in RATINGS:
            await pilot.press(key)
            await pilot.pause()
        await shoot(pilot, out, "03-onboarding")
        await pilot.press("escape")
        await shoot(pilot, out, "04-for-you")
        await pilot.press("slash", *"matrix")
        await pilot.pause(0.4)
        await pilot.press("enter", "4")  # rate The Matrix from the list
        await shoot(pilot, out, "05-browse")
        await pilot.press("enter")
        await shoot(pilot, out, "06-movie-detail")
        await pilot.press("escape", "y")
        await shoot(pilot, out, "07-your-ratings")
        await pilot.press("g")
        await shoot(pilot, out, "08-training")
        await pilot.press("question_mark")
        await shoot(pilot, out, "09-help")
        await pilot.press("escape", "p")
        await shoot(pilot, out, "10-profiles")
        # The taste map: Alex's marker and the trail of the ratings above, one film selected.
        await pilot.press("escape", "m")
        await app.workers.wait_for_complete()
        view = app.screen.query_one("#map-view", TasteMapView)
        await wait_until(pilot, lambda: view.data is not None)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await shoot(pilot, out, "11-taste-map")
        # The demo: user 1 (the seed's pick would change with the catalog), 12 ratings in.
        app.demo_options = DemoOptions(user=1, paused=True)
        await app.run_action("demo")
        await wait_until(pilot, lambda: isinstance(app.screen, DemoScreen))
        demo_screen = app.screen
        assert isinstance(demo_screen, DemoScreen)
        await wait_until(pilot, lambda: demo_screen.demo is not None)
        for _ in range(12):
            await pilot.press("n")
        await shoot(pilot, out, "12-demo")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="a MovieLens release zip")
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    args = parser.parse_args()
    if not args.zip.exists():
        parser.error(f"{args.zip} not found: pass --zip PATH to a MovieLens zip")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        service = Service.open(home)
        try:
            asyncio.run(drive(make_app(service=service), args.zip.resolve(), args.out))
        finally:
            service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
