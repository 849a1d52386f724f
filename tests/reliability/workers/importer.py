"""Import a catalog through the Service, printing progress; ``done N_RATINGS`` when it returned.

    python importer.py HOME RELEASE_PATH
"""

from __future__ import annotations

import sys

from movietui.service import Service


def main() -> None:
    home, release = sys.argv[1], sys.argv[2]
    service = Service.open(home)
    print("ready", flush=True)
    report = service.import_catalog(
        release, progress=lambda p: print(f"progress {p.stage} {p.done} {p.total}", flush=True)
    )
    print(f"done {report.n_ratings}", flush=True)
    service.close()


if __name__ == "__main__":
    main()
