"""Fixtures and the end-of-run figures line for the reliability tests.

Every test adds what it did (kills, ratings confirmed vs found, writes, examples fuzzed) to
one tally, printed at the end of the run and written to ``reliability-figures.json`` (in
pytest's base temp dir, or at ``$MOVIETUI_RELIABILITY_JSON``) so docs/reliability.md quotes
measured numbers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rel_harness import FIGURES, Child, Figures


@pytest.fixture(scope="session")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Figures]:
    yield FIGURES
    target = os.environ.get("MOVIETUI_RELIABILITY_JSON")
    out = Path(target) if target else tmp_path_factory.getbasetemp() / "reliability-figures.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(FIGURES.as_dict(), indent=2) + "\n")
    FIGURES.notes["_json"] = str(out)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not FIGURES.counts:
        return
    parts = ", ".join(f"{k}={v}" for k, v in FIGURES.as_dict()["counts"].items())
    terminalreporter.write_sep("-", "reliability figures")
    terminalreporter.write_line(parts)
    if "_json" in FIGURES.notes:
        terminalreporter.write_line(f"written to {FIGURES.notes['_json']}")


@pytest.fixture
def spawn():
    """Start workers; any still running at the end of the test are killed."""
    children: list[Child] = []

    def start(script: str, *args: str, stdin: bool = False) -> Child:
        child = Child(script, *args, stdin=stdin)
        children.append(child)
        return child

    yield start
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait(timeout=30)


@pytest.fixture
def rel_home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def small_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic GroupLens-layout release: 20k ratings, ~130 users, ~1.3k movies."""
    from movietui.catalog.synthetic import write_release

    return write_release(tmp_path_factory.mktemp("releases"), 20_000, name="ml-rel-small", seed=1)


@pytest.fixture
def catalog_home(rel_home: Path, small_release: Path) -> Path:
    """A home with the small catalog imported and a profile 'me' holding 30 ratings."""
    from movietui.service import Service

    with Service.open(rel_home) as service:
        service.import_catalog(small_release)
        service.create_profile("me")
        for k in range(30):
            service.rate(1 + 7 * k, 0.5 + (k % 10) / 2)
    return rel_home


@pytest.fixture(scope="session")
def big_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic release of 300k ratings: an import long enough to be killed part way."""
    from movietui.catalog.synthetic import write_release

    return write_release(tmp_path_factory.mktemp("releases"), 300_000, name="ml-rel-big", seed=2)
