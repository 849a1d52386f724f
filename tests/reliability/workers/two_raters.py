"""One of several processes rating the same database at once.

    python two_raters.py HOME PROFILE_ID N SEED store|service [FIRST_MOVIE]

Prints ``ready``; waits for ``go`` on stdin; rates N movies (ids 1..N in a seeded order),
printing nothing until done (a tight loop), then ``wrote N SECONDS``. Any error is printed
as ``error <type> <message>`` with exit code 1. On ``check`` it prints ``seen {json}``:
profile id -> number of ratings, as read live and then after closing and reopening
(service mode adds "mine": len(my_ratings()) after reload_profile(), the app's refresh).
"""

from __future__ import annotations

import json
import random
import sys
import time


def main() -> None:
    home, pid, n, seed, mode = (
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
        sys.argv[5],
    )
    first = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    movies = list(range(first, first + n))
    random.Random(seed).shuffle(movies)
    if mode == "service":
        from movietui.service import Service

        def open_it():  # type: ignore[no-untyped-def]
            service = Service.open(home)
            service.switch_profile(pid)
            return service

        def rate(handle, movie: int, value: float) -> None:  # type: ignore[no-untyped-def]
            handle.rate(movie, value)

        def counts(handle) -> dict[str, int]:  # type: ignore[no-untyped-def]
            handle.reload_profile()
            return {
                **{str(p.id): p.n_ratings for p in handle.profiles()},
                "mine": len(handle.my_ratings()),
            }
    else:
        from movietui.config import get_paths
        from movietui.store import open_store

        def open_it():  # type: ignore[no-untyped-def]
            return open_store(get_paths(home).db)

        def rate(handle, movie: int, value: float) -> None:  # type: ignore[no-untyped-def]
            handle.set_rating(pid, movie, value)

        def counts(handle) -> dict[str, int]:  # type: ignore[no-untyped-def]
            return {str(p.id): p.n_ratings for p in handle.list_profiles()}

    handle = open_it()
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"
    started = time.perf_counter()
    try:
        for k, movie in enumerate(movies):
            rate(handle, movie, 0.5 + (k % 10) / 2)
    except Exception as exc:
        print(f"error {type(exc).__name__} {exc}", flush=True)
        raise SystemExit(1) from exc
    print(f"wrote {n} {time.perf_counter() - started:.3f}", flush=True)
    assert sys.stdin.readline().strip() == "check"
    live = counts(handle)
    handle.close()
    handle = open_it()
    reopened = counts(handle)
    handle.close()
    print("seen " + json.dumps({"live": live, "reopened": reopened}), flush=True)


if __name__ == "__main__":
    main()
