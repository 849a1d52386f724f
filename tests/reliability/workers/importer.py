"""Import a catalog, printing progress; ``done N_RATINGS`` when the import returned.

    python importer.py HOME RELEASE_PATH [store|service]

``service`` goes through Service.import_catalog. ``store`` does what that method does
(catalog.readers.read_release, then Store.replace_catalog) without importing the model
room, whose numba start-up would cost seconds per killed worker.
"""

from __future__ import annotations

import sys

from movietui.catalog.progress import Progress


def show(p: Progress) -> None:
    print(f"progress {p.stage} {p.done} {p.total}", flush=True)


def main() -> None:
    home, release = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "store"
    if mode == "service":
        from movietui.service import Service

        service = Service.open(home)
        print("ready", flush=True)
        report = service.import_catalog(release, progress=show)
        print(f"done {report.n_ratings}", flush=True)
        service.close()
        return
    from pathlib import Path

    from movietui.catalog.readers import read_release
    from movietui.config import get_paths
    from movietui.store import open_store

    store = open_store(get_paths(home).db)
    print("ready", flush=True)
    data = read_release(release, show)
    store.replace_catalog(
        release=data.release,
        source=str(Path(release).resolve()),
        movies=data.movies,
        user_id=data.user_id,
        movie_id=data.movie_id,
        rating=data.rating,
        timestamp=data.timestamp,
        progress=lambda stage, done, total: show(Progress(stage, done, total)),
    )
    print(f"done {data.rating.size}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
