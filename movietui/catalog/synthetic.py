"""MovieLens-like synthetic ratings, reproducible from a seed, for runs at 1M-32M scale.

Long-tailed users and items (log-normal activity, Zipf-like popularity), a low-rank
signal plus noise, rounded to half stars in 0.5-5. ``write_release`` lays the result
out exactly like a GroupLens CSV release (``ml-25m``/``ml-32m`` style) so benchmarks
measure the same reader path as real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

GENRES = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary",
    "Drama", "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance",
    "Sci-Fi", "Thriller", "War", "Western",
)


@dataclass(frozen=True)
class SyntheticRatings:
    users: np.ndarray  # int32, 1-based user ids
    items: np.ndarray  # int32, 1-based movie ids
    ratings: np.ndarray  # float32 half stars
    timestamps: np.ndarray  # int64 unix seconds
    n_users: int
    n_items: int


def default_shape(n_ratings: int) -> tuple[int, int]:
    """Users and movies in about ml-25m's proportions, movies capped at ml-32m's 87k."""
    n_users = max(50, n_ratings // 155)
    n_items = int(min(87_585, max(100, 9_000 * (n_ratings / 1e6) ** 0.5)))
    return n_users, n_items


def generate_ratings(
    n_ratings: int,
    n_users: int | None = None,
    n_items: int | None = None,
    rank: int = 10,
    noise: float = 0.75,
    seed: int = 0,
) -> SyntheticRatings:
    if n_ratings <= 0:
        raise ValueError("n_ratings must be positive")
    du, di = default_shape(n_ratings)
    n_users = n_users or du
    n_items = n_items or di
    if n_ratings > 0.5 * n_users * n_items:
        raise ValueError("too many ratings for so few users and items")
    rng = np.random.default_rng(seed)

    user_w = rng.lognormal(0.0, 1.2, n_users)
    item_w = 1.0 / np.arange(1, n_items + 1) ** 0.9
    item_w = item_w[rng.permutation(n_items)]
    user_p = user_w / user_w.sum()
    item_p = item_w / item_w.sum()

    # Sample (user, item) pairs, drop repeats, top up until there are enough.
    keys = np.empty(0, dtype=np.int64)
    need = n_ratings
    while need > 0:
        draw = int(need * 1.15) + 1000
        u = rng.choice(n_users, draw, p=user_p).astype(np.int64)
        i = rng.choice(n_items, draw, p=item_p).astype(np.int64)
        keys = np.concatenate([keys, u * n_items + i])
        keys.sort()  # sort + mask: several times faster than np.unique's hash path here
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        need = n_ratings - keys.size
    keys = keys[rng.permutation(keys.size)[:n_ratings]]
    keys.sort()
    u = (keys // n_items).astype(np.int32)
    i = (keys % n_items).astype(np.int32)

    scale = (0.8 / rank) ** 0.5  # p.q has variance about 0.64
    p = rng.normal(0, scale, (n_users, rank)).astype(np.float32)
    q = rng.normal(0, scale, (n_items, rank)).astype(np.float32)
    b_u = rng.normal(0, 0.35, n_users).astype(np.float32)
    # Popular films rate a little higher, as in MovieLens.
    b_i = (rng.normal(0, 0.4, n_items) + 0.15 * np.log(item_w / item_w.mean())).astype(np.float32)
    signal = np.empty(n_ratings, dtype=np.float32)
    step = 2_000_000
    for s in range(0, n_ratings, step):
        uu, ii = u[s : s + step], i[s : s + step]
        signal[s : s + step] = 3.55 + b_u[uu] + b_i[ii] + np.einsum("ij,ij->i", p[uu], q[ii])
    signal += rng.normal(0, noise, n_ratings).astype(np.float32)
    ratings = np.clip(np.round(signal * 2) / 2, 0.5, 5.0).astype(np.float32)
    timestamps = rng.integers(828_000_000, 1_697_000_000, n_ratings, dtype=np.int64)
    return SyntheticRatings(u + 1, i + 1, ratings, timestamps, n_users, n_items)


def synthetic_movies(n_items: int, seed: int = 0) -> pd.DataFrame:
    """movieId,title,genres rows like movies.csv, with a few tricky titles mixed in."""
    rng = np.random.default_rng(seed + 1)
    years = rng.integers(1920, 2024, n_items)
    words = np.array(["Night", "River", "Ghost", "Summer", "Empire", "Matrix", "Amélie",
                      "Dream", "City", "Storm", "Love", "Machine", "Secret", "Return"])
    w1 = words[rng.integers(0, len(words), n_items)]
    w2 = words[rng.integers(0, len(words), n_items)]
    ids = np.arange(1, n_items + 1)
    titles = [f"{a} {b} {k}" for a, b, k in zip(w1, w2, ids)]
    for k in range(0, n_items, 97):  # trailing articles, as GroupLens writes them
        titles[k] = f"{titles[k]}, The"
    titles = [f"{t} ({y})" for t, y in zip(titles, years)]
    n_g = rng.integers(1, 4, n_items)
    genre_idx = rng.integers(0, len(GENRES), (n_items, 3))
    genres = ["|".join(sorted({GENRES[g] for g in row[:k]})) for row, k in zip(genre_idx, n_g)]
    return pd.DataFrame({"movieId": ids, "title": titles, "genres": genres})


def write_release(
    out_dir: str | Path,
    n_ratings: int,
    name: str = "ml-synthetic",
    seed: int = 0,
    **kwargs,
) -> Path:
    """Write ``out_dir/name/{movies,ratings,links,tags}.csv`` in GroupLens's CSV layout."""
    data = generate_ratings(n_ratings, seed=seed, **kwargs)
    root = Path(out_dir) / name
    root.mkdir(parents=True, exist_ok=True)
    synthetic_movies(data.n_items, seed).to_csv(root / "movies.csv", index=False)
    ids = np.arange(1, data.n_items + 1)
    pd.DataFrame({"movieId": ids, "imdbId": [f"{k:07d}" for k in ids], "tmdbId": ids + 100_000}).to_csv(
        root / "links.csv", index=False
    )
    pd.DataFrame(columns=["userId", "movieId", "tag", "timestamp"]).to_csv(root / "tags.csv", index=False)
    frame = pd.DataFrame(
        {"userId": data.users, "movieId": data.items, "rating": data.ratings, "timestamp": data.timestamps}
    )
    with open(root / "ratings.csv", "w", newline="") as fh:
        frame.to_csv(fh, index=False, float_format="%.1f", chunksize=1_000_000)
    return root
