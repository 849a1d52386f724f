"""Demo step inside the running app: a rating replayed -> For you, the curve and the map repainted.

    uv run python bench/bench_demo.py [--zip PATH] [--user 1] [--steps 30] [--quick]

Issue 14's target: <= 150 ms median. A temporary home with ml-latest-small imported; the demo
screen trains both models without the user (the tuned defaults; ``--quick``: 16 factors), then
each step is timed from the key's action (``DemoScreen.action_step``: fold-in, both top-20
lists, hits, the map data) until the screen has been repainted after it
(``call_after_refresh``), at 140x40.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from movietui.service import Hyper, RankHyper, Service
from movietui.tui.app import make_app
from movietui.tui.screens.demo import DemoOptions, DemoScreen

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ZIP = REPO.parent / "shared" / "datasets" / "ml-latest-small.zip"


async def measure(service: Service, options: DemoOptions, steps: int) -> list[float]:
    app = make_app(service=service)
    app.demo_options = options
    async with app.run_test(size=(140, 40)) as pilot:
        while not isinstance(app.screen, DemoScreen) or app.screen.demo is None:
            await pilot.pause(0.2)
        screen = app.screen
        await pilot.pause()
        times = []
        for _ in range(steps):
            painted = asyncio.Event()
            start = time.perf_counter()
            screen.action_step()
            screen.call_after_refresh(painted.set)
            await painted.wait()
            times.append(time.perf_counter() - start)
            await pilot.pause(0.05)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--user", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="16-factor models (faster training)")
    args = parser.parse_args()
    hyper = rank = None
    if args.quick:
        hyper, rank = Hyper(factors=16, epochs=5), RankHyper(factors=16, epochs=3)
    options = DemoOptions(user=args.user, paused=True, hyper=hyper, rank_hyper=rank)
    with tempfile.TemporaryDirectory() as home:
        service = Service.open(home)
        try:
            service.import_catalog(args.zip)
            times = asyncio.run(measure(service, options, args.steps))
        finally:
            service.close()
    ms = sorted(t * 1000 for t in times)
    print(
        f"demo step (user {args.user}, {len(ms)} steps, {'quick' if args.quick else 'tuned'} models)"
    )
    print(
        f"median {statistics.median(ms):.0f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, "
        f"max {ms[-1]:.0f} ms (target <= 150 ms median)"
    )


if __name__ == "__main__":
    main()
