"""Write ratings in bulk (as a personal import does) until killed.

    python bulk_rater.py DB PROFILE_ID FIRST_BATCH

Batch b writes value 0.5 + (b % 10) / 2 to the 1,000 movies of block b % 4 in one
``set_ratings_bulk`` call (newer rated_at, so every row changes). Prints ``begin B`` before
and ``ok B`` after each call returned.
"""

from __future__ import annotations

import sys
import time

from movietui.store import open_store

BLOCK = 1_000


def batch_rows(batch: int, stamp: float) -> list[tuple[int, float, float]]:
    block = batch % 4
    value = 0.5 + (batch % 10) / 2
    return [(100_000 + block * BLOCK + k, value, stamp) for k in range(BLOCK)]


def main() -> None:
    db, pid, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = open_store(db)
    print("ready", flush=True)
    while True:
        rows = batch_rows(batch, time.time() + batch)  # strictly newer than anything before
        print(f"begin {batch}", flush=True)
        store.set_ratings_bulk(pid, rows)
        print(f"ok {batch}", flush=True)
        batch += 1


if __name__ == "__main__":
    main()
