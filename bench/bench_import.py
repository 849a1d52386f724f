"""Import benchmark: release file -> ready catalog (ratings stored, FTS title index built).

(a) the real ml-latest-small zip (../shared/datasets), target 2 s;
(b) a synthetic GroupLens-layout CSV release of --ratings rows (default 25M), target 90 s,
    with the peak memory of the importing process.

The synthetic release is generated in a child process (not timed, and its memory does
not count) and kept in --data-dir so later runs reuse it.

    uv run python bench/bench_import.py                # both, 25M ratings
    uv run python bench/bench_import.py --ratings 2000000
    uv run python bench/bench_import.py --only synthetic --zip   # read through a deflated zip
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from movietui.catalog.readers import read_release
from movietui.store import open_store

ML_SMALL = REPO.parent / "shared" / "datasets" / "ml-latest-small.zip"
SMALL_TARGET_S = 2.0
BIG_TARGET_S = 90.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def import_once(source: Path, db: Path) -> tuple[float, float, int, int]:
    """(read seconds, store seconds, movies, ratings) for one import into a new database."""
    t0 = time.perf_counter()
    data = read_release(source)
    t1 = time.perf_counter()
    store = open_store(db)
    try:
        store.replace_catalog(
            release=data.release,
            source=str(source),
            movies=data.movies,
            user_id=data.user_id,
            movie_id=data.movie_id,
            rating=data.rating,
            timestamp=data.timestamp,
        )
        info = store.catalog_info()
    finally:
        store.close()
    t2 = time.perf_counter()
    assert info is not None and info.n_ratings == data.n_ratings
    return t1 - t0, t2 - t1, data.n_movies, data.n_ratings


def line(label: str, seconds: float, target: float) -> str:
    return f"{label:<44} {seconds:7.2f} s   target {target:5.1f} s   ratio {seconds / target:5.2f}"


def bench_small(repeats: int) -> None:
    if not ML_SMALL.exists():
        print(f"(a) skipped: {ML_SMALL} not found")
        return
    totals, reads = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats):
            read_s, store_s, n_movies, n_ratings = import_once(ML_SMALL, Path(tmp) / f"small{k}.db")
            totals.append(read_s + store_s)
            reads.append(read_s)
    print(f"(a) ml-latest-small: {n_movies:,} movies, {n_ratings:,} ratings, {repeats} runs")
    print(line("    read_release (median)", statistics.median(reads), SMALL_TARGET_S))
    print(line("    zip -> ready catalog (median)", statistics.median(totals), SMALL_TARGET_S))
    print(line("    zip -> ready catalog (best)", min(totals), SMALL_TARGET_S))


def synthetic_release(n_ratings: int, data_dir: Path) -> Path:
    name = f"ml-synthetic-{n_ratings}"
    root = data_dir / name
    if not (root / "ratings.csv").exists() or not (root / "movies.csv").exists():
        print(
            f"    generating {n_ratings:,} synthetic ratings into {root} (not timed) ...",
            flush=True,
        )
        t = time.perf_counter()
        code = (
            "import sys; from movietui.catalog.synthetic import write_release; "
            f"write_release({str(data_dir)!r}, {n_ratings}, name={name!r})"
        )
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
        print(f"    generated in {time.perf_counter() - t:.1f} s", flush=True)
    return root


def zipped(root: Path) -> Path:
    """The release as a deflated zip beside its folder (made once, not timed), like a GroupLens download."""
    path = root.with_suffix(".zip")
    if not path.exists():
        print(f"    zipping {root.name} (not timed) ...", flush=True)
        part = path.with_suffix(".zip.part")
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for file in sorted(root.iterdir()):
                zf.write(file, f"{root.name}/{file.name}")
        part.replace(path)
    return path


def bench_big(n_ratings: int, data_dir: Path, from_zip: bool) -> None:
    root = synthetic_release(n_ratings, data_dir)
    size_mb = (root / "ratings.csv").stat().st_size / 1e6
    source = zipped(root) if from_zip else root
    target = (
        BIG_TARGET_S * n_ratings / 25_000_000
    )  # the 90 s target is for 25M; scale for quick runs
    with tempfile.TemporaryDirectory() as tmp:
        before = peak_mb()
        read_s, store_s, n_movies, n_ratings_read = import_once(source, Path(tmp) / "big.db")
        db_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    print(
        f"(b) synthetic release: {n_movies:,} movies, {n_ratings_read:,} ratings, ratings.csv {size_mb:,.0f} MB"
    )
    print(line("    read_release", read_s, target))
    print(line("    Store.replace_catalog (write + FTS index)", store_s, target))
    print(line(f"    {'zip' if from_zip else 'folder'} -> ready catalog", read_s + store_s, target))
    print(
        f"    read rate {n_ratings_read / read_s / 1e6:.2f} M ratings/s; database {db_mb:,.0f} MB"
    )
    print(
        f"    peak memory (ru_maxrss) {peak_mb():,.0f} MB (was {before:,.0f} MB before this import)"
    )
    if n_ratings != 25_000_000:
        print(f"    (target scaled from 90 s at 25M to {target:.1f} s at {n_ratings:,})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ratings", type=int, default=25_000_000, help="synthetic ratings (default 25,000,000)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of the ml-latest-small import")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "movietui-bench",
        help="where the synthetic release is generated and kept",
    )
    parser.add_argument("--only", choices=("small", "synthetic"), help="run one part only")
    parser.add_argument(
        "--zip", action="store_true", help="import the synthetic release from a zip, not its folder"
    )
    args = parser.parse_args()
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[:3]}")
    if args.only != "synthetic":
        bench_small(args.repeats)
    if args.only != "small":
        bench_big(args.ratings, args.data_dir, args.zip)


if __name__ == "__main__":
    main()
