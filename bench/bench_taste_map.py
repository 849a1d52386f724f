"""Taste map redraw after a rating, at 87k films (issue 14 target: <= 100 ms median).

    uv run python bench/bench_taste_map.py [--films 87000] [--factors 192] [--ratings 30]

A synthetic catalog of ``--films`` films (Zipf rating counts, random genres) and a model of
``--factors`` factors (192: the ranker's, the larger of the two). Once per model: the plane
(``service.taste_map.build_base``: SVD of the best-known films, titles, genres). Per rating:
the profile's row moves, the trail records it, the service builds the map data (marker, trail,
stars) and the widget's ``draw`` renders it at 160 x 45 cells. The table compares drawing the
``MAP_FILMS`` best-known films (what the app draws) with drawing every film.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from movietui.model.taste_map import MAP_FILMS
from movietui.service.catalog_index import CatalogIndex
from movietui.service.taste_map import GENRE_PRIORITY, TasteMaps, build_base
from movietui.tui.widgets.taste_map import MapData, View, draw

WIDTH, HEIGHT = 160, 45


def catalog(n: int, rng: np.random.Generator) -> CatalogIndex:
    genres = sorted(GENRE_PRIORITY)
    masks = np.zeros(n, np.int64)
    for _ in range(2):
        masks |= np.int64(1) << rng.integers(0, len(genres), n)
    table = {
        "movie_id": np.arange(1, n + 1, dtype=np.int64),
        "year": rng.integers(1920, 2024, n).astype(np.int32),
        "rating_count": (20000 / np.arange(1, n + 1) ** 0.9).astype(np.int32),
        "mean_rating": rng.uniform(2, 4.5, n).astype(np.float32),
        "genre_mask": masks,
    }
    return CatalogIndex(table, genres)


def run(films: int, factors: int, ratings: int, n_points: int) -> tuple[float, list[float]]:
    rng = np.random.default_rng(3)
    index = catalog(films, rng)
    Q = rng.normal(0, 0.3, (films, factors)).astype(np.float32)
    P = rng.normal(0, 0.3, (5000, factors)).astype(np.float32)
    model = object()  # stands for the loaded model (the cache key)
    maps = TasteMaps()
    t0 = time.perf_counter()
    base = maps.base(
        "ranker",
        model,
        lambda: build_base(
            Q,
            P,
            index.movie_id,
            index,
            lambda ids: {m: f"Film {m}" for m in ids},
            n_points=n_points,
        ),
    )
    build = time.perf_counter() - t0
    row = np.zeros(factors, np.float32)
    rated: dict[int, float] = {}
    times = []
    view = View.fit(base.plane.xy)
    for _ in range(ratings):
        movie = int(rng.integers(1, 3000))
        rated[movie] = float(rng.integers(1, 11) / 2)
        row = row + rng.normal(0, 0.05, factors).astype(np.float32)  # the fold-in moved it
        t = time.perf_counter()
        maps.record("ranker", 1, model, row)
        data = maps.data("ranker", base, 1, model, row, rated)
        draw(MapData(**data.widget_fields()), view, WIDTH, HEIGHT)
        times.append(time.perf_counter() - t)
    return build, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=87000)
    parser.add_argument("--factors", type=int, default=192)
    parser.add_argument("--ratings", type=int, default=30)
    args = parser.parse_args()
    run(2000, 8, 2, 2000)  # warm-up: imports, first numpy paths
    print(f"taste map at {args.films:,} films, {args.factors} factors, {WIDTH}x{HEIGHT} cells")
    print(f"{'films drawn':>12} {'plane (once)':>13} {'redraw median':>14} {'p90':>9}")
    for n_points in (MAP_FILMS, args.films):
        build, times = run(args.films, args.factors, args.ratings, n_points)
        med = statistics.median(times) * 1000
        p90 = float(np.percentile(times, 90)) * 1000
        print(f"{n_points:>12,} {build * 1000:>10.0f} ms {med:>11.1f} ms {p90:>6.1f} ms")
    print("target: redraw <= 100 ms median after a rating")


if __name__ == "__main__":
    main()
