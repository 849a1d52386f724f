"""MovieLens-like synthetic ratings, reproducible from a seed, for runs at 1M-32M scale.

Long-tailed users and items (log-normal activity, Zipf-like popularity), films watched
by taste (users mostly watch films close to their latent factors, so whole-catalog
ranking means something), and stars from the same low-rank model plus noise, rounded
to half stars in 0.5-5. ``write_release`` lays the result out exactly like a GroupLens
CSV release (``ml-25m``/``ml-32m`` style) so benchmarks measure the same reader path as
real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

GENRES = (
    "Action",
    "Adventure",
    "Animation",
    "Children",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "IMAX",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
TASTE = 6.0  # beta: how strongly taste picks the films watched (0: popularity alone)
POOL = 3.0  # films reaching a user per film they watch (more: nearer the exact draw, slower)
ZIPF = 0.9  # popularity prior ~ rank^-ZIPF; _zipf_ranks assumes 1 / (1 - ZIPF) == 10
ACTIVITY_SIGMA = 1.2  # log-normal spread of ratings per user
MIN_PER_USER = 20
MEAN_STARS = 3.53  # before rounding and clipping; comes out at about 3.50
NICHES = 64  # genre-like clusters of films (fewer in small catalogs: about 20 films each)
NICHE_ZIPF = 1.0  # niche popularity ~ niche rank^-NICHE_ZIPF
RESIDUAL = 0.3  # share of a film's factor variance not explained by its niche
CHUNK_RATINGS = 1_000_000  # watched rows per step: pool x this candidates in memory


@dataclass(frozen=True)
class SyntheticRatings:
    users: np.ndarray  # int32, 1-based user ids, ascending (then movie id)
    items: np.ndarray  # int32, 1-based movie ids
    ratings: np.ndarray  # float32 half stars
    timestamps: np.ndarray  # int64 unix seconds
    n_users: int
    n_items: int
    # The ground truth, for oracle rows in benches and tests; row k is user/movie id k+1.
    user_factors: np.ndarray | None = None  # float32 (n_users, rank): taste
    item_factors: np.ndarray | None = None  # float32 (n_items, rank)
    item_log_pop: np.ndarray | None = None  # float32 (n_items,): log popularity prior


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
    taste: float = TASTE,
    pool: float = POOL,
) -> SyntheticRatings:
    """Who watches what, then the stars.

    Each user rates n_u films (log-normal activity, a floor of a few). Which films: a
    Plackett-Luce draw without replacement with weights pop_i * exp(taste * <p_u, q_i>),
    so people mostly watch what suits them and ranking over the whole catalog is learnable.
    Films live in niches (genre-like clusters: q_i = centre of its niche + a residual) and
    popularity is Zipf within each niche. That makes the draw cheap and close to exact:
    ``pool`` x n_u films reach a user, by niche from the softmax over niche centres and by
    popularity within the niche, and the user keeps the n_u of largest
    taste * <p_u, residual_i> + Gumbel noise (Gumbel top-k; a film reaching them twice
    counts twice, as in the weights). Cost is O(pool x n_ratings); no users x films
    matrix is ever formed. The stars follow the same low-rank model plus biases and noise.
    """
    if n_ratings <= 0:
        raise ValueError("n_ratings must be positive")
    du, di = default_shape(n_ratings)
    n_users = n_users or du
    n_items = n_items or di
    if n_ratings > 0.5 * n_users * n_items:
        raise ValueError("too many ratings for so few users and items")
    rng = np.random.default_rng(seed)

    scale = (0.8 / rank) ** 0.5  # p.q has variance about 0.64
    p = rng.normal(0, scale, (n_users, rank)).astype(np.float32)
    films = _films(rng, n_items, rank, scale)
    need = _activity(rng, n_ratings, n_users, n_items)
    u, i = _watched(rng, need, p, films, taste, pool)
    r = _stars(rng, u, i, p, films.q, films.log_pop, noise)
    timestamps = rng.integers(828_000_000, 1_697_000_000, n_ratings, dtype=np.int64)
    return SyntheticRatings(
        u + 1, i + 1, r, timestamps, n_users, n_items, p, films.q, films.log_pop
    )


@dataclass(frozen=True)
class _Films:
    q: np.ndarray  # float32 (n_items, rank) factors: niche centre + residual
    resid: np.ndarray  # float32 (n_items, rank) q minus the niche centre
    centre: np.ndarray  # float32 (n_niches, rank)
    log_pop: np.ndarray  # float32 (n_items,) log popularity: Zipf within the niche x niche's
    log_mass: np.ndarray  # float64 (n_niches,) log of the niche's total popularity
    members: np.ndarray  # int64 films by niche, most popular first
    start: np.ndarray  # int64 (n_niches,) where each niche begins in members
    size: np.ndarray  # int64 (n_niches,)
    span: np.ndarray  # float64 (n_niches,) (size + 1) ** (1 - ZIPF) - 1, for _zipf_ranks


def _films(rng, n_items: int, rank: int, scale: float) -> _Films:
    n_niches = int(np.clip(n_items // 20, 1, NICHES))
    niche = rng.integers(0, n_niches, n_items)
    centre = rng.normal(0, scale * (1 - RESIDUAL) ** 0.5, (n_niches, rank)).astype(np.float32)
    resid = rng.normal(0, scale * RESIDUAL**0.5, (n_items, rank)).astype(np.float32)
    members = np.argsort(niche, kind="stable")  # films in a niche: a random popularity order
    size = np.bincount(niche, minlength=n_niches)
    start = np.concatenate(([0], np.cumsum(size)[:-1]))
    within = np.arange(n_items) - np.repeat(start, size)  # 0-based rank within the niche
    niche_pop = -NICHE_ZIPF * np.log1p(rng.permutation(n_niches))  # some genres draw more people
    log_pop = np.empty(n_items, np.float32)
    log_pop[members] = -ZIPF * np.log1p(within) + np.repeat(niche_pop, size)
    mass = np.bincount(niche, weights=np.exp(log_pop.astype(np.float64)), minlength=n_niches)
    log_mass = np.log(np.maximum(mass, 1e-300))
    span = (size + 1.0) ** (1.0 - ZIPF) - 1.0
    return _Films(
        centre[niche] + resid, resid, centre, log_pop, log_mass, members, start, size, span
    )


def _activity(rng, n_ratings: int, n_users: int, n_items: int) -> np.ndarray:
    """Ratings per user: a floor (MovieLens keeps only users with >= 20) plus a log-normal
    share, capped at half the catalog; the counts sum to n_ratings exactly."""
    floor = min(MIN_PER_USER, n_ratings // (10 * n_users))
    need = np.full(n_users, floor, np.int64)
    weight = rng.lognormal(0.0, ACTIVITY_SIGMA, n_users)
    cap = (n_items + 1) // 2
    left = n_ratings - need.sum()
    while left > 0:  # users over the cap give their excess to the others
        room = need < cap
        need += rng.multinomial(left, weight * room / (weight * room).sum())
        need = np.minimum(need, cap)
        left = n_ratings - need.sum()
    return need


def _watched(
    rng, need, p, films: _Films, taste: float, pool: float
) -> tuple[np.ndarray, np.ndarray]:
    """(user, film) rows, sorted, each user with exactly need[u] distinct films."""
    n_items = films.q.shape[0]
    bounds = np.searchsorted(np.cumsum(need), np.arange(CHUNK_RATINGS, need.sum(), CHUNK_RATINGS))
    parts = [
        _watched_chunk(rng, need[a:b], p[a:b], films, taste, pool) + a * n_items
        for a, b in zip(np.r_[0, bounds], np.r_[bounds, need.size], strict=True)
        if b > a
    ]
    keys = np.concatenate(parts)
    return (keys // n_items).astype(np.int32), (keys % n_items).astype(np.int32)


def _watched_chunk(rng, need, p, films: _Films, taste: float, pool: float) -> np.ndarray:
    """local user * n_items + film keys, sorted, for one chunk of users (rows of p).

    Users short of distinct films after a round (a heavy user meets popular films many
    times) go again with a pool twice as large; films already chosen stay chosen."""
    n_items = films.q.shape[0]
    item_bits = max(1, (n_items - 1).bit_length())
    user_bits = max(1, (need.size - 1).bit_length())
    key_bits = min(32, 63 - item_bits - user_bits)
    if key_bits < 8:
        raise ValueError("too many movies for the generator's packed sort keys")
    niche_logit = films.log_mass + taste * (
        p.astype(np.float64) @ films.centre.T.astype(np.float64)
    )
    niche_p = np.exp(niche_logit - niche_logit.max(axis=1, keepdims=True))
    niche_p /= niche_p.sum(axis=1, keepdims=True)
    chosen = np.empty(0, np.int64)  # local user << item_bits | film
    short = np.arange(need.size)
    factor = pool
    while short.size:
        m = np.ceil(factor * need[short]).astype(np.int64) + 2
        per_niche = rng.multinomial(m, niche_p[short])
        cu = np.repeat(short, m)
        ci = _draw_in_niches(rng, per_niche, films)
        score = _dots(p, cu, films.resid, ci)
        score *= np.float32(taste)
        score += _gumbel(rng, cu.size)
        key = np.maximum(_descending_bits(score, key_bits), 1)  # 0 is for films already chosen
        cu = np.concatenate([chosen >> item_bits, cu])
        ci = np.concatenate([chosen & ((1 << item_bits) - 1), ci])
        key = np.concatenate([np.zeros(chosen.size, np.int64), key])
        chosen = _top_distinct(cu, ci, key, need, item_bits, key_bits)
        got = np.bincount(chosen >> item_bits, minlength=need.size)
        short = np.flatnonzero(got < need)
        factor *= 2
    u, i = chosen >> item_bits, chosen & ((1 << item_bits) - 1)
    return u * n_items + i


def _draw_in_niches(rng, per_niche: np.ndarray, films: _Films) -> np.ndarray:
    """Films for a (users, niches) count matrix, row by row, by popularity in each niche."""
    niche = np.repeat(np.tile(np.arange(per_niche.shape[1]), per_niche.shape[0]), per_niche.ravel())
    r = _zipf_ranks(rng, films.size[niche], films.span[niche])
    return films.members[films.start[niche] + r]


def _top_distinct(cu, ci, key, need, item_bits: int, key_bits: int) -> np.ndarray:
    """Per user, the need[u] distinct films of smallest key (= largest score), as sorted
    user << item_bits | film. Two packed int64 sorts: numpy sorts them with SIMD."""
    by_pair = np.sort((cu << (item_bits + key_bits)) | (ci << key_bits) | key)
    pair = by_pair >> key_bits
    first = np.concatenate(([True], pair[1:] != pair[:-1]))  # the best key of each pair
    by_pair = by_pair[first]
    cu = by_pair >> (item_bits + key_bits)
    ci = (by_pair >> key_bits) & ((1 << item_bits) - 1)
    key = by_pair & ((1 << key_bits) - 1)
    ranked = np.sort((cu << (key_bits + item_bits)) | (key << item_bits) | ci)
    ru = ranked >> (key_bits + item_bits)
    start = np.searchsorted(ru, np.arange(need.size))
    pos = np.arange(ranked.size) - start[ru]
    keep = ranked[pos < need[ru]]
    return np.sort(
        ((keep >> (key_bits + item_bits)) << item_bits) | (keep & ((1 << item_bits) - 1))
    )


def _zipf_ranks(rng, sizes: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """0-based ranks in 0..sizes-1 with density ~ rank^-ZIPF: the inverse CDF of the
    continuous law, x^10 as four products (a searchsorted over a discrete CDF is 20x
    slower, pow 10x). spans: (sizes + 1) ** (1 - ZIPF) - 1."""
    x = rng.random(sizes.size)
    x *= spans
    x += 1.0
    x5 = x * x
    x5 *= x5
    x5 *= x
    x5 *= x5
    return np.minimum(x5.astype(np.int64) - 1, sizes - 1)


def _dots(p, rows, q, cols) -> np.ndarray:
    """p[rows] . q[cols] row by row, one factor column at a time: 1-D takes are several
    times faster than gathering whole rows for einsum."""
    out = np.zeros(rows.size, np.float32)
    for f in range(p.shape[1]):
        out += p[:, f].take(rows) * q[:, f].take(cols)
    return out


def _gumbel(rng, n: int) -> np.ndarray:
    u = rng.random(n, dtype=np.float32)
    np.maximum(u, np.float32(1e-12), out=u)
    return -np.log(-np.log(u))


def _descending_bits(x: np.ndarray, key_bits: int) -> np.ndarray:
    """float32 -> int64 whose ascending order is x descending, kept to key_bits bits."""
    b = np.asarray(x, np.float32).view(np.uint32)
    up = np.where(b >> 31, ~b, b | np.uint32(0x80000000))  # ascending as x ascends
    return ((~up) >> np.uint32(32 - key_bits)).astype(np.int64)


def _stars(rng, u, i, p, q, log_pop, noise: float) -> np.ndarray:
    """Half stars from the low-rank model; the offset puts the mean near MovieLens's 3.5
    whatever the taste selection adds."""
    n = u.size
    b_u = rng.normal(0, 0.35, p.shape[0]).astype(np.float32)
    # Popular films rate a little higher, as in MovieLens.
    b_i = (rng.normal(0, 0.4, q.shape[0]) + 0.15 * (log_pop - log_pop.mean())).astype(np.float32)
    signal = np.empty(n, dtype=np.float32)
    for s in range(0, n, CHUNK_RATINGS):
        uu, ii = u[s : s + CHUNK_RATINGS], i[s : s + CHUNK_RATINGS]
        signal[s : s + CHUNK_RATINGS] = b_u[uu] + b_i[ii] + _dots(p, uu, q, ii)
    signal += np.float32(MEAN_STARS - signal.mean(dtype=np.float64))
    signal += rng.normal(0, noise, n).astype(np.float32)
    return np.clip(np.round(signal * 2) / 2, 0.5, 5.0).astype(np.float32)


def synthetic_movies(n_items: int, seed: int = 0) -> pd.DataFrame:
    """movieId,title,genres rows like movies.csv, with a few tricky titles mixed in."""
    rng = np.random.default_rng(seed + 1)
    years = rng.integers(1920, 2024, n_items)
    words = np.array(
        [
            "Night",
            "River",
            "Ghost",
            "Summer",
            "Empire",
            "Matrix",
            "Amélie",
            "Dream",
            "City",
            "Storm",
            "Love",
            "Machine",
            "Secret",
            "Return",
        ]
    )
    w1 = words[rng.integers(0, len(words), n_items)]
    w2 = words[rng.integers(0, len(words), n_items)]
    ids = np.arange(1, n_items + 1)
    titles = [f"{a} {b} {k}" for a, b, k in zip(w1, w2, ids, strict=True)]
    for k in range(0, n_items, 97):  # trailing articles, as GroupLens writes them
        titles[k] = f"{titles[k]}, The"
    titles = [f"{t} ({y})" for t, y in zip(titles, years, strict=True)]
    n_g = rng.integers(1, 4, n_items)
    genre_idx = rng.integers(0, len(GENRES), (n_items, 3))
    genres = [
        "|".join(sorted({GENRES[g] for g in row[:k]}))
        for row, k in zip(genre_idx, n_g, strict=True)
    ]
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
    pd.DataFrame(
        {"movieId": ids, "imdbId": [f"{k:07d}" for k in ids], "tmdbId": ids + 100_000}
    ).to_csv(root / "links.csv", index=False)
    pd.DataFrame(columns=["userId", "movieId", "tag", "timestamp"]).to_csv(
        root / "tags.csv", index=False
    )
    frame = pd.DataFrame(
        {
            "userId": data.users,
            "movieId": data.items,
            "rating": data.ratings,
            "timestamp": data.timestamps,
        }
    )
    with open(root / "ratings.csv", "w", newline="") as fh:
        frame.to_csv(fh, index=False, float_format="%.1f", chunksize=1_000_000)
    return root
