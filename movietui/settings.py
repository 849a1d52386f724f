"""The user's settings file: key bindings, theme, default profile, default list filters.

``settings.toml`` in the user config dir (``movietui locate`` prints where). Every entry is
optional and a missing file means the defaults::

    theme = "gruvbox"            # one of Textual's themes; picking one in the app saves it here
    default_profile = "Ana"      # the profile opened at start

    [keys]                       # binding id = keys, comma-separated (ids are listed in F1 help)
    "browse.watch" = "w,ctrl+w"

    [filters]                    # the lists' filters at start, for controls not remembered
    "browse-sort" = "popularity"

A file that is not valid TOML, or an entry that is unknown or of the wrong type, is reported
as one line naming the file, the line and the entry; everything else still applies and the
app starts. Only ``theme`` is ever written back, by editing its one line (comments survive).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

TOP_LEVEL = ("theme", "default_profile")
TABLES = ("keys", "filters")


@dataclass
class Settings:
    theme: str | None = None
    default_profile: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> "key,key"
    filters: dict[str, str] = field(default_factory=dict)  # filter control id -> value


@dataclass
class LoadedSettings:
    settings: Settings
    problems: list[str]  # one line each, naming file, line and entry, saying what to do


def load_settings(
    path: Path,
    known_themes: Collection[str] | None = None,
    known_keys: Collection[str] | None = None,
    known_filters: Collection[str] | None = None,
) -> LoadedSettings:
    """Read ``path``; entries outside the ``known_*`` names (when given) are reported and skipped."""
    settings = Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedSettings(settings, [])
    except (OSError, UnicodeDecodeError) as exc:
        return LoadedSettings(settings, [f"{path}: cannot read it ({exc}); defaults used"])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return LoadedSettings(
            settings, [f"{path}: {exc}; fix that line or delete the file (defaults used)"]
        )
    problems: list[str] = []

    def problem(table: str | None, key: str, what: str) -> None:
        line = _line_of(text, table, key)
        name = f"{table}.{key}" if table else key
        problems.append(f"{path.name} line {line}: {name} {what}")

    for key, value in data.items():
        if key in TABLES:
            if not isinstance(value, dict):
                problem(None, key, f"must be a table: write [{key}] on its own line")
                continue
            known = known_keys if key == "keys" else known_filters
            target = settings.keys if key == "keys" else settings.filters
            for name, entry in value.items():
                scalar = isinstance(entry, str) or (
                    key == "filters" and isinstance(entry, (int, float, bool))
                )
                if not scalar:
                    problem(key, name, 'must be text in quotes, e.g. "w"')
                elif known is not None and name not in known:
                    problem(key, name, f"is not a known {_kind(key)}; see F1 for the ids")
                else:
                    target[name] = entry if isinstance(entry, str) else str(entry).lower()
        elif key in TOP_LEVEL:
            if not isinstance(value, str) or not value.strip():
                problem(None, key, 'must be text in quotes, e.g. "gruvbox"')
            elif key == "theme" and known_themes is not None and value not in known_themes:
                problem(None, key, f"{value!r} is not a theme; try one of {_few(known_themes)}")
            else:
                setattr(settings, key, value.strip())
        else:
            problem(None, key, f"is not a setting; known: {', '.join(TOP_LEVEL + TABLES)}")
    return LoadedSettings(settings, problems)


def save_theme(path: Path, theme: str) -> None:
    """Set ``theme`` in the file, keeping every other line; creates the file if needed.

    Raises OSError when the file cannot be written, ValueError when it is not valid TOML
    (it is left as the user wrote it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    tomllib.loads(text)  # never rewrite a file we could not read back
    line = f"theme = {_quoted(theme)}"
    lines = text.splitlines()
    first_table = next((k for k, s in enumerate(lines) if _TABLE.match(s)), len(lines))
    for k in range(first_table):
        if _key_line("theme").match(lines[k]):
            lines[k] = line
            break
    else:
        lines.insert(0, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")


def _line_of(text: str, table: str | None, key: str) -> int | str:
    """1-based line of ``key`` in ``table`` (None: top level), or "?" if not found."""
    current = None
    pattern = _key_line(key)
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE.match(line)
        if header:
            current = header.group(1).strip("\"'")
            if table is None and current == key:
                return number
        elif current == table and pattern.match(line):
            return number
    return "?"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _kind(table: str) -> str:
    return "binding id" if table == "keys" else "filter"


def _few(names: Collection[str]) -> str:
    listed = sorted(names)
    return ", ".join(listed[:4]) + (", ..." if len(listed) > 4 else "")
