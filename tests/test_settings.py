"""settings.toml: read what the user wrote, report each bad entry in one line, never fail."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from movietui.config import get_paths
from movietui.settings import Settings, load_settings, save_theme

GOOD = """\
# my movietui
theme = "gruvbox"
default_profile = "Ana"

[keys]
"browse.watch" = "w,ctrl+w"

[filters]
"browse-sort" = "popularity"
"hide-obscure" = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_means_the_defaults(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "settings.toml")
    assert loaded.settings == Settings() and loaded.problems == []


def test_every_entry_is_read(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, GOOD), known_themes={"gruvbox", "nord"})
    assert loaded.problems == []
    assert loaded.settings == Settings(
        theme="gruvbox",
        default_profile="Ana",
        keys={"browse.watch": "w,ctrl+w"},
        filters={"browse-sort": "popularity", "hide-obscure": "true"},
    )


def test_broken_toml_is_one_line_with_its_line_number_and_the_defaults(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, 'theme = "nord"\n[keys]\n"browse.watch" = w\n'))
    assert loaded.settings == Settings()
    assert len(loaded.problems) == 1
    assert "line 3" in loaded.problems[0] and "settings.toml" in loaded.problems[0]


def test_each_bad_entry_is_named_with_its_line_and_the_rest_still_applies(tmp_path: Path) -> None:
    text = GOOD + 'colour = "red"\n'  # after [filters]: a filter named colour
    text = text.replace('theme = "gruvbox"', 'theme = "neon"').replace(
        '"browse.watch"', '"browse.wach"'
    )
    text = "sound = true\n" + text
    loaded = load_settings(
        write(tmp_path, text),
        known_themes={"gruvbox"},
        known_keys={"browse.watch"},
        known_filters={"browse-sort", "hide-obscure"},
    )
    assert loaded.problems == [
        "settings.toml line 1: sound is not a setting; known: theme, default_profile, keys, filters",
        "settings.toml line 3: theme 'neon' is not a theme; try one of gruvbox",
        "settings.toml line 7: keys.browse.wach is not a known binding id; see F1 for the ids",
        "settings.toml line 12: filters.colour is not a known filter; see F1 for the ids",
    ]
    assert loaded.settings.default_profile == "Ana"
    assert loaded.settings.filters == {"browse-sort": "popularity", "hide-obscure": "true"}
    assert loaded.settings.theme is None and loaded.settings.keys == {}


def test_wrong_types_are_reported(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, "theme = 3\nkeys = 1\n"))
    assert loaded.problems == [
        'settings.toml line 1: theme must be text in quotes, e.g. "gruvbox"',
        "settings.toml line 2: keys must be a table: write [keys] on its own line",
    ]


def test_save_theme_edits_one_line_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    save_theme(path, "nord")
    assert path.read_text() == GOOD.replace('theme = "gruvbox"', 'theme = "nord"')
    path = write(tmp_path, "[keys]\n# a comment\n")
    save_theme(path, "nord")
    assert path.read_text() == 'theme = "nord"\n[keys]\n# a comment\n'
    assert load_settings(path).settings.theme == "nord"


def test_save_theme_creates_the_file_and_never_rewrites_a_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.toml"
    save_theme(path, "nord")
    assert load_settings(path).settings.theme == "nord"
    broken = write(tmp_path, "theme = \n")
    with pytest.raises(ValueError):
        save_theme(broken, "nord")
    assert broken.read_text() == "theme = \n"


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20))
def test_any_theme_name_round_trips(theme: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "settings.toml"
        save_theme(path, theme)
        assert tomllib.loads(path.read_text())["theme"] == theme


def test_a_given_home_holds_its_own_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MOVIETUI_HOME", raising=False)
    assert get_paths(tmp_path).settings == tmp_path / "settings.toml"
    import platformdirs

    assert get_paths().settings == platformdirs.user_config_path("movietui") / "settings.toml"
