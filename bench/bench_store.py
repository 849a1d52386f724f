"""Store benchmark: load 25M catalog ratings back, and title search over 87k titles.

    uv run python bench/bench_store.py [--ratings 25000000] [--titles 87585] [--keep DIR]

Data comes from movietui.catalog.synthetic and goes straight into Store.replace_catalog
(the reader path is measured by the catalog benchmark). Prints each figure and its
ratio to the target (below 1.0 = within target). Timings are wall clock; note the
machine's load when you quote them.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from movietui.catalog.synthetic import generate_ratings, synthetic_movies
from movietui.store import open_store

LOAD_TARGET_S = 3.0
SEARCH_TARGET_MS = 20.0
MODEL_TARGET_MS = 500.0
QUERIES = [
    "matr",
    "night",
    "amelie",
    "storm",
    "summer",
    "ghost ri",
    "empire",
    "secret",
    "love cit",
    "machine",
    "dream",
    "return",
    "river",
    "city sto",
    "rix nigh",
    "e 1234",
    "77",
    "the",
    "xyzzy",
    "ma",
]
TITLE_YEAR = re.compile(r"^(.*) \((\d{4})\)$")


def movies_dict(n_items: int) -> dict:
    frame = synthetic_movies(n_items)
    titles, years = [], []
    for raw in frame["title"]:
        match = TITLE_YEAR.match(raw)
        titles.append(match.group(1) if match else raw)
        years.append(int(match.group(2)) if match else 0)
    display = [f"The {t[:-5]}" if t.endswith(", The") else t for t in titles]
    ids = frame["movieId"].to_numpy(np.int64)
    return {
        "movie_id": ids,
        "title": titles,
        "display_title": display,
        "year": np.array(years, np.int32),
        "genres": list(frame["genres"]),
        "imdb_id": [f"tt{k:07d}" for k in ids],
        "tmdb_id": ids + 100_000,
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(name: str, value: float, unit: str, target: float) -> None:
    print(
        f"{name:<44} {value:10.1f} {unit:<3} target {target:g} {unit:<3} ratio {value / target:5.2f}"
    )


def bench_ratings(folder: Path, n_ratings: int) -> None:
    t0 = time.perf_counter()
    data = generate_ratings(n_ratings)
    print(
        f"generated {n_ratings:,} ratings ({data.n_users:,} users, {data.n_items:,} movies) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    store = open_store(folder / "ratings.db")
    t0 = time.perf_counter()
    store.replace_catalog(
        release="synthetic",
        source="bench",
        movies=movies_dict(data.n_items),
        user_id=data.users,
        movie_id=data.items,
        rating=data.ratings,
        timestamp=data.timestamps,
    )
    print(f"replace_catalog (write + index, informational)   {time.perf_counter() - t0:8.1f} s")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        u, m, r = store.load_catalog_ratings()
        times.append(time.perf_counter() - t0)
        assert u.size == n_ratings and np.array_equal(r[:1000], data.ratings[:1000])
        del u, m, r
    line(
        f"load_catalog_ratings {n_ratings / 1e6:.0f}M (median of 3)",
        statistics.median(times),
        "s",
        LOAD_TARGET_S,
    )
    store.close()
    size = (folder / "ratings.db").stat().st_size
    t0 = time.perf_counter()
    open_store(folder / "ratings.db").close()
    print(
        f"open_store with quick_check on {size / 1e6:.0f} MB (informational)    {time.perf_counter() - t0:8.2f} s"
    )


def bench_search(folder: Path, n_titles: int) -> None:
    data = generate_ratings(2_000_000, n_items=n_titles, seed=3)
    store = open_store(folder / "search.db")
    store.replace_catalog(
        release="synthetic",
        source="bench",
        movies=movies_dict(n_titles),
        user_id=data.users,
        movie_id=data.items,
        rating=data.ratings,
        timestamp=data.timestamps,
    )
    searches, filters = [], []
    for _ in range(5):
        for query in QUERIES:
            t0 = time.perf_counter()
            store.search_movies(query, limit=50)
            searches.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            store.filter_movie_ids(query)
            filters.append((time.perf_counter() - t0) * 1000)
    line(
        f"search_movies over {n_titles:,} titles (median)",
        statistics.median(searches),
        "ms",
        SEARCH_TARGET_MS,
    )
    print(
        f"  search_movies 90th percentile {np.percentile(searches, 90):.1f} ms; "
        f"filter_movie_ids median {statistics.median(filters):.1f} ms, 90th {np.percentile(filters, 90):.1f} ms"
    )
    for query in ("matrix", "ma", "e"):
        _, total = store.search_movies(query)
        print(f"  {query!r}: {total:,} matches")

    rng = np.random.default_rng(0)
    arrays = {
        "item_factors": rng.normal(size=(n_titles, 64)).astype(np.float32),
        "item_bias": rng.normal(size=n_titles).astype(np.float32),
        "item_ids": np.arange(n_titles, dtype=np.int64),
        "user_factors": rng.normal(size=(160_000, 64)).astype(np.float32),
        "user_bias": rng.normal(size=160_000).astype(np.float32),
        "user_keys": np.arange(160_000, dtype=np.int64),
    }
    store.save_model(arrays, {"factors": 64})
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        store.load_current_model()
        times.append((time.perf_counter() - t0) * 1000)
    line(
        f"load_current_model {n_titles:,} items + 160k users x 64",
        statistics.median(times),
        "ms",
        MODEL_TARGET_MS,
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=25_000_000)
    parser.add_argument("--titles", type=int, default=87_585)
    parser.add_argument(
        "--keep", type=Path, help="write the databases here instead of a temporary folder"
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        bench_search(folder, args.titles)
        if args.ratings:  # --ratings 0 runs the search part alone
            bench_ratings(folder, args.ratings)
    print(f"peak memory {peak_rss_mb():.0f} MB; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
