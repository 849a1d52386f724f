"""The profile is held explicitly: reads write no settings, --profile never changes the app's
remembered profile, and reading the current profile costs no query."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from movietui.cli import main
from movietui.service import Service


def settings(home: Path) -> dict[str, str]:
    """The settings table, read without opening a Service (opening must not write either)."""
    conn = sqlite3.connect(home / "movietui.db")
    try:
        return dict(conn.execute("SELECT key, value FROM settings"))
    finally:
        conn.close()


@pytest.fixture
def two_profiles(trained_template: Path, tmp_path: Path) -> Path:
    """alice (remembered, two ratings) and bob (one rating), in a closed home, with no saved
    factor rows (as after a retrain): a read has every chance to write one."""
    home = tmp_path / "home"
    shutil.copytree(trained_template, home)
    with Service.open(home) as service:
        bob = service.create_profile("bob")
        service.rate(1, 4.0)
        service.create_profile("alice")
        service.rate(260, 5.0)
        service.rate(1196, 4.5)
        assert service.current_profile is not None and service.current_profile.name == "alice"
        assert bob.id != service.current_profile.id
    conn = sqlite3.connect(home / "movietui.db")
    with conn:
        conn.execute("DELETE FROM settings WHERE key LIKE 'profile_row:%'")
    conn.close()
    return home


def test_read_only_commands_as_another_profile_write_no_settings(
    two_profiles: Path, capsys: pytest.CaptureFixture
) -> None:
    before = settings(two_profiles)
    for argv in (
        ["recommend", "--profile", "bob", "-n", "5", "--format", "json"],
        ["recommend", "-n", "5", "--format", "csv"],
        ["profiles", "--format", "json"],
        ["info"],
        ["similar", "toy story", "-n", "3"],
    ):
        assert main(["--home", str(two_profiles), *argv]) == 0, capsys.readouterr().err
    assert settings(two_profiles) == before  # not one settings row written by a read
    with Service.open(two_profiles) as service:
        assert service.current_profile is not None and service.current_profile.name == "alice"


def test_rating_as_another_profile_keeps_the_remembered_one(
    two_profiles: Path, capsys: pytest.CaptureFixture
) -> None:
    argv = ["rate", "heat", "4", "--year", "1995", "--profile", "bob"]
    assert main(["--home", str(two_profiles), *argv]) == 0
    assert "for 'bob'" in capsys.readouterr().out
    with Service.open(two_profiles) as service:
        current = service.current_profile
        assert current is not None and current.name == "alice"
        alice_id = current.id
        bob = service.profile_named("bob")
        assert service.use_profile(bob.id).n_ratings == 2  # the rating went to bob
    assert settings(two_profiles)["current_profile"] == str(alice_id)


def test_opening_a_home_writes_nothing_when_the_remembered_profile_is_gone(
    two_profiles: Path,
) -> None:
    with Service.open(two_profiles) as service:
        service.store.set_setting("current_profile", "999")  # a profile deleted elsewhere
    before = settings(two_profiles)
    with Service.open(two_profiles) as service:
        assert service.current_profile is not None  # falls back to the first profile
    assert settings(two_profiles) == before


def test_current_profile_is_read_without_a_query(service: Service) -> None:
    service.create_profile("carol")
    service.rate(1, 4.0)
    statements: list[str] = []
    service.store.conn.set_trace_callback(statements.append)
    try:
        for _ in range(100):
            profile = service.current_profile
    finally:
        service.store.conn.set_trace_callback(None)
    assert statements == []
    assert profile is not None and (profile.name, profile.n_ratings) == ("carol", 1)
    service.rate(2, 3.0)
    assert service.current_profile is not None and service.current_profile.n_ratings == 2
    service.rename_profile(profile.id, "caroline")
    assert service.current_profile is not None and service.current_profile.name == "caroline"


def test_use_profile_acts_without_remembering(service: Service) -> None:
    first = service.create_profile("first")
    second = service.store.create_profile("second")
    assert service.use_profile(second.id).name == "second"
    assert service.current_profile is not None and service.current_profile.id == second.id
    assert service.store.get_setting("current_profile") == str(first.id)
    service.switch_profile(second.id)
    assert service.store.get_setting("current_profile") == str(second.id)
