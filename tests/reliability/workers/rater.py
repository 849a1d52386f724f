"""Rate in a tight loop until killed; print each operation only after it returned.

    python rater.py HOME PROFILE_ID SEED [store|service]

Prints ``ready``, then for every operation ``begin set M V`` / ``begin del M`` before the
call and ``ok set M V`` / ``ok del M`` after it returned (flushed), so the parent knows which
operations were confirmed and which single one was in flight when the SIGKILL landed.
"""

from __future__ import annotations

import random
import sys

from movietui.config import get_paths

N_MOVIES = 300


def main() -> None:
    home, profile_id, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "store"
    rng = random.Random(seed)
    if mode == "service":
        from movietui.service import Service

        service = Service.open(home)
        service.switch_profile(profile_id)

        def rate(movie: int, value: float) -> None:
            service.rate(movie, value)

        def unrate(movie: int) -> None:
            service.unrate(movie)

        rated = {r.movie.movie_id for r in service.my_ratings()}
    else:
        from movietui.store import open_store

        store = open_store(get_paths(home).db)

        def rate(movie: int, value: float) -> None:
            store.set_rating(profile_id, movie, value)

        def unrate(movie: int) -> None:
            store.delete_rating(profile_id, movie)

        rated = {r.movie_id for r in store.profile_ratings(profile_id)}

    print("ready", flush=True)
    while True:
        if rated and rng.random() < 0.15:
            movie = rng.choice(sorted(rated))
            print(f"begin del {movie}", flush=True)
            unrate(movie)
            rated.discard(movie)
            print(f"ok del {movie}", flush=True)
        else:
            movie = rng.randint(1, N_MOVIES)
            value = rng.randint(1, 10) / 2
            print(f"begin set {movie} {value}", flush=True)
            rate(movie, value)
            rated.add(movie)
            print(f"ok set {movie} {value}", flush=True)


if __name__ == "__main__":
    main()
