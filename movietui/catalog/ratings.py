"""Checks and clean-up of a release's ratings arrays, vectorised over millions of rows.

Hard errors (the file is wrong and the user should look at it) name the first bad line:
ids that are not positive, ratings outside 0.5-5 or between half stars. Soft problems
that GroupLens users expect a tool to cope with are fixed and reported as notes:

* ratings of movies missing from the movie list are DROPPED, with a note saying how many
  and a few of the ids (a trimmed movies file should not block an import; all of them
  missing is an error, since then the files clearly do not belong together);
* duplicate (user, movie) rows keep the LATEST rating by timestamp (the later row wins a
  tie), with a note saying how many rows were dropped.
"""

from __future__ import annotations

import numpy as np

from movietui.errors import DataError

FIX = "fix that row or re-download the release from GroupLens"


def check_ratings(cols: dict[str, np.ndarray], where: str, first_line: int) -> None:
    """Raise DataError naming the first row with a bad id or rating (rows are still in file order)."""
    user, movie, rating = cols["user_id"], cols["movie_id"], cols["rating"]
    bad_id = (user <= 0) | (movie <= 0)
    if bad_id.any():
        i = int(np.argmax(bad_id))
        name, value = ("userId", user[i]) if user[i] <= 0 else ("movieId", movie[i])
        raise DataError(
            f"{where} line {first_line + i:,}: {name} {value} is not a positive id: {FIX}"
        )
    doubled = rating * 2
    with np.errstate(invalid="ignore"):
        bad = ~((rating >= 0.5) & (rating <= 5.0) & (doubled == np.rint(doubled)))
    if bad.any():
        i = int(np.argmax(bad))
        value = float(rating[i])
        if np.isnan(value):
            raise DataError(f"{where} line {first_line + i:,}: rating is missing: {FIX}")
        why = "is not between 0.5 and 5" if not 0.5 <= value <= 5 else "is not a whole or half star"
        raise DataError(f"{where} line {first_line + i:,}: rating {value:g} {why}: {FIX}")


def drop_unknown_movies(
    cols: dict[str, np.ndarray],
    movie_ids: np.ndarray,
    where: str,
    movies_where: str,
    notes: list[str],
) -> dict[str, np.ndarray]:
    """Drop ratings whose movie is not in the movie list; a note says how many."""
    movie = cols["movie_id"]
    top = int(max(movie.max(initial=0), movie_ids.max(initial=0))) + 1
    known = np.zeros(top, dtype=bool)  # a lookup table: ids are small positive ints
    known[movie_ids] = True
    keep = known[movie]
    n_drop = int(keep.size - np.count_nonzero(keep))
    if n_drop == 0:
        return cols
    if n_drop == keep.size:
        raise DataError(
            f"{where}: none of its {keep.size:,} ratings is for a movie in {movies_where}: "
            "the files do not belong together; re-download the release from GroupLens"
        )
    missing = np.unique(movie[~keep])
    shown = ", ".join(str(m) for m in missing[:5]) + (", ..." if missing.size > 5 else "")
    notes.append(
        f"{where}: dropped {n_drop:,} ratings of {missing.size:,} movies not in {movies_where} (ids {shown})"
    )
    return {k: v[keep] for k, v in cols.items()}


def keep_latest(cols: dict[str, np.ndarray], where: str, notes: list[str]) -> dict[str, np.ndarray]:
    """Keep one row per (user, movie): the latest by timestamp; a note says how many went.

    GroupLens files are sorted by user then movie, so the common case is one pass that
    proves the keys strictly increase, with no sort and no copy.
    """
    key = (cols["user_id"].astype(np.int64) << 32) | cols["movie_id"].astype(np.int64)
    if key.size < 2 or bool(np.all(key[1:] > key[:-1])):
        return cols
    sorted_key = np.sort(key)  # unsorted file: one plain sort tells whether any key repeats
    if bool(np.all(sorted_key[1:] != sorted_key[:-1])):
        return cols
    del sorted_key
    order = np.lexsort(
        (cols["timestamp"], key)
    )  # by key, then time; stable, so later rows win ties
    sorted_key = key[order]
    del key
    last = np.ones(order.size, dtype=bool)
    last[:-1] = sorted_key[1:] != sorted_key[:-1]
    n_dup = int(order.size - np.count_nonzero(last))
    if n_dup == 0:
        return cols
    keep = np.sort(order[last])  # back to file order
    notes.append(
        f"{where}: {n_dup:,} duplicate (user, movie) rows; kept the latest rating of each by timestamp"
    )
    return {k: v[keep] for k, v in cols.items()}
