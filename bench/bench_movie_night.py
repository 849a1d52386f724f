"""Movie night through the Service: time of one group list, as the app and CLI ask for it.

    uv run python bench/bench_movie_night.py [--zip PATH] [--members 5] [--repeat 50]

Imports ml-latest-small into a temporary home, trains the default models, and makes
``--members`` profiles from real users' ratings (the first 40 ratings of users 1, 2, ...).
Then times ``Service.group_picks`` (20 films, every member's stars and why):

- first: the members' rows folded afresh (after a start or a rating of another member);
- switch: the same members, the next strategy (what a strategy change in the app repaints
  from; target <= 100 ms), p50 / p99 over ``--repeat`` calls;
- in the app: the Movie night screen with every member picked, ``s`` (next strategy) from the
  key's action to the table rebuilt with the new list (the frame is drawn on the next refresh).

The catalog is ml-latest-small's 9,742 films; bench/bench_groups.py times the strategy
step alone over 87,585 films (target <= 20 ms for 5 members).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from movietui.catalog.readers import read_release
from movietui.model.group import STRATEGIES
from movietui.service import Service


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zip", default=str(ROOT.parent / "shared/datasets/ml-latest-small.zip"))
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    data = read_release(args.zip)
    with tempfile.TemporaryDirectory() as tmp, Service.open(Path(tmp) / "home") as service:
        service.import_catalog(args.zip)
        service.train()
        names = []
        for user in range(1, args.members + 1):
            name = f"user{user}"
            service.create_profile(name)
            mine = np.flatnonzero(data.user_id == user)[:40]
            for k in mine:
                service.rate(int(data.movie_id[k]), float(data.rating[k]))
            names.append(name)
        service.switch_profile(service.profile_named(names[0]).id)
        t = time.perf_counter()
        service.group_picks(names, 20, "turns")
        first = (time.perf_counter() - t) * 1e3
        times = []
        for k in range(args.repeat):
            t = time.perf_counter()
            service.group_picks(names, 20, STRATEGIES[k % len(STRATEGIES)])
            times.append((time.perf_counter() - t) * 1e3)
        p50, p99 = np.percentile(times, [50, 99])
        films = service.catalog_info()
        print(
            f"{args.members} members x {films.n_movies if films else 0:,} films: "
            f"first list (rows folded) {first:.1f} ms; "
            f"strategy switch p50 {p50:.1f} ms  p99 {p99:.1f} ms"
        )
        ui = asyncio.run(in_the_app(service, args.repeat))
        p50, p99 = np.percentile(ui, [50, 99])
        print(f"in the app, s to the table rebuilt: p50 {p50:.1f} ms  p99 {p99:.1f} ms")


async def in_the_app(service: Service, repeat: int) -> list[float]:
    from textual.widgets import SelectionList

    from movietui.tui.app import make_app
    from movietui.tui.screens.movie_night import MovieNightScreen

    app = make_app(service=service)
    times = []
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        app.action_movie_night()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MovieNightScreen)
        screen.query_one("#night-members", SelectionList).select_all()
        await pilot.pause()
        for _ in range(repeat):
            t = time.perf_counter()
            screen.action_next_strategy()
            times.append((time.perf_counter() - t) * 1e3)
            await pilot.pause()
    return times


if __name__ == "__main__":
    main()
