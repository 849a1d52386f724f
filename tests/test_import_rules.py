"""The one-way import rules of docs/design.md, checked on the source with ``ast``.

Every import statement counts, including ones inside functions and TYPE_CHECKING blocks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "movietui"
STDLIB = set(sys.stdlib_module_names)

# Third-party packages a room may use (the standard library is always allowed, except
# where FORBIDDEN says otherwise) and the movietui rooms it may import besides its own.
ALLOWED = {
    "model": (
        {"numpy", "numba", "llvmlite"},
        {"errors", "stars", "text"},
    ),  # llvmlite: numba's IR builder (prefetch.py)
    "store": ({"numpy"}, {"errors", "stars", "text"}),
    "catalog": ({"pandas", "numpy"}, {"errors", "stars", "text"}),
}
FORBIDDEN = {
    "model": {"sqlite3", "textual", "pandas", "movietui.store", "movietui.service", "movietui.tui"},
    "store": {
        "pandas",
        "textual",
        "movietui.model",
        "movietui.catalog",
        "movietui.service",
        "movietui.tui",
    },
    "catalog": {
        "sqlite3",
        "textual",
        "movietui.model",
        "movietui.store",
        "movietui.service",
        "movietui.tui",
    },
    "service": {"textual", "movietui.tui", "movietui.cli"},
    "cli": {
        "textual",
        "movietui.store",
        "movietui.model",
        "movietui.catalog",
    },  # cli talks to the service
    "tui": {"movietui.store", "movietui.model", "movietui.catalog", "movietui.cli", "sqlite3"},
    # the shared vocabulary every room may use imports nothing of ours
    "errors": {"movietui", "numpy", "pandas", "textual"},
    "stars": {"movietui", "numpy", "pandas", "textual"},
    "text": {"movietui", "numpy", "pandas", "textual"},
    "settings": {"movietui", "numpy", "pandas", "textual"},
}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def room_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_names(path: Path) -> set[str]:
    """Absolute dotted names of everything ``path`` imports (relative imports resolved)."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(rel.parts[:-1])  # a module's (or __init__'s) own package
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            # "from movietui import service" imports the room movietui.service
            names.update(f"{module}.{alias.name}" for alias in node.names if module == "movietui")
    return names


def matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(path: Path) -> list[str]:
    room = room_of(path)
    found = []
    for name in sorted(imported_names(path)):
        top = name.split(".")[0]
        if room != "tui" and top == "textual":
            found.append(f"{name} (only movietui/tui may import textual)")
            continue
        for prefix in FORBIDDEN.get(room, ()):
            if matches(name, prefix) and not (
                prefix == "movietui" and matches(name, "movietui.errors")
            ):
                found.append(f"{name} (forbidden in {room})")
        if room in ALLOWED:
            third_party, rooms = ALLOWED[room]
            if top == "movietui":
                target = name.split(".")[1] if "." in name else ""
                if target != room and target not in rooms and name != "movietui":
                    found.append(
                        f"{name} ({room} may import only movietui.{room} and {sorted(rooms)})"
                    )
            elif top not in STDLIB and top not in third_party and top != "__future__":
                found.append(
                    f"{name} ({room} may use only the standard library and {sorted(third_party)})"
                )
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_follows_the_import_rules(path: Path) -> None:
    assert violations(path) == []


def test_the_checker_catches_violations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules above are live: a module breaking each one is reported."""
    fake = tmp_path / "movietui"
    bad = {
        "model/bad.py": "import sqlite3\nfrom movietui.store import Store\n",
        "store/bad.py": "import pandas as pd\nfrom ..model import train\n",
        "catalog/bad.py": "from movietui import store\n",
        "tui/bad.py": "from movietui.model import MFModel\n",
        "service/bad.py": "def f():\n    import textual\n",
    }
    for rel, text in bad.items():
        (fake / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake / rel).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    for rel in bad:
        assert violations(fake / rel), rel
    ok = fake / "model" / "ok.py"
    ok.write_text(
        "import numpy as np\nfrom movietui.errors import ModelError\nfrom .mf import MFModel\n"
    )
    assert violations(ok) == []
