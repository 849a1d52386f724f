"""Catalog import: resolve the source, read it, replace the catalog in the store it is given.

``import_catalog(store, cache_dir, source, progress, cancel)``: downloads go to ``cache_dir``.

A source is a local zip or folder, a release name from the manifest (downloaded into
the cache first), or an http(s) URL. The store writes the whole catalog in one
transaction, so a failure or a cancel at any step leaves the previous catalog as it was.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from movietui.catalog.download import checkout_data_dir
from movietui.catalog.progress import Progress, ProgressFn
from movietui.errors import DataError
from movietui.service.types import ImportReport
from movietui.store import Store

# Files that mark a MovieLens release folder (CSV, .dat and ml-100k layouts).
MARKERS = ("ratings.csv", "ratings.dat", "u.data")


def _is_release_dir(folder: Path) -> bool:
    if any((folder / m).is_file() for m in MARKERS):
        return True
    try:  # ml-10m unpacks to ml-10M100K/ inside the folder one names
        return any(
            child.is_dir() and any((child / m).is_file() for m in MARKERS)
            for child in folder.iterdir()
        )
    except OSError:
        return False


def find_local_datasets(extra_dirs=()) -> list[Path]:
    """MovieLens zips and unpacked folders (named ``ml-*``) in a checkout's data/, the cwd,
    ~/Downloads (an installed movietui has no data/ folder of its own)."""
    places = [Path(d).expanduser() for d in extra_dirs]
    project_data = checkout_data_dir()
    places += [project_data] if project_data is not None else []
    places += [Path.cwd(), Path.home() / "Downloads"]
    found: dict[Path, None] = {}
    for place in places:
        try:
            entries = sorted(place.iterdir()) if place.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            if not entry.name.lower().startswith("ml-"):
                continue
            is_zip = entry.is_file() and entry.suffix.lower() == ".zip"
            if is_zip or (entry.is_dir() and _is_release_dir(entry)):
                found.setdefault(entry.resolve(), None)
    return list(found)


def resolve_source(
    cache_dir: Path,
    source: str | Path,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
) -> Path:
    """A local path for ``source``, downloading a release name or URL into the cache first."""
    from movietui.catalog.download import download_release, load_manifest

    path = Path(source).expanduser()
    if path.exists():
        return path
    text = str(source).strip()
    is_url = text.startswith(("http://", "https://"))
    if not is_url and ("/" in text or "\\" in text or text.lower().endswith(".zip")):
        names = ", ".join(r.name for r in load_manifest())
        raise DataError(
            f"{source}: no such file or folder; give the path of a MovieLens zip or folder, "
            f"or a release name to download ({names})"
        )
    # A release name (unknown names get a NotFoundError listing the known ones) or a URL.
    return download_release(text, cache_dir, progress, cancel)


def import_catalog(
    store: Store,
    cache_dir: Path,
    source: str | Path,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
) -> ImportReport:
    from movietui.catalog.readers import read_release

    started = time.perf_counter()
    path = resolve_source(cache_dir, source, progress, cancel)
    data = read_release(path, progress)

    def store_progress(stage: str, done: int, total: int | None) -> None:
        if progress is not None:
            progress(Progress(stage, done, total))

    store.replace_catalog(
        release=data.release,
        source=str(path.resolve()),
        movies=data.movies,
        user_id=data.user_id,
        movie_id=data.movie_id,
        rating=data.rating,
        timestamp=data.timestamp,
        progress=store_progress,
        cancel=cancel,
    )
    return ImportReport(
        release=data.release,
        n_movies=len(data.movies["movie_id"]),
        n_ratings=len(data.rating),
        notes=list(data.notes),
        seconds=time.perf_counter() - started,
    )
