"""The store imports sqlite3, numpy, the standard library and movietui.errors, nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import movietui.store

STORE = Path(movietui.store.__file__).parent


def test_store_imports_only_what_it_may() -> None:
    allowed = set(sys.stdlib_module_names) | {"numpy", "movietui"}
    for file in STORE.glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in allowed, f"{file.name} imports {name}"
                if top == "movietui":
                    assert name == "movietui.errors", f"{file.name} imports {name}"
