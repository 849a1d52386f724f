"""One snapshot per main screen: fixed size, seeded model, no cursor blink, no toasts.

Regenerate after an intended change with ``uv run pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tui_support import SIZE, browse_applied

from movietui.service import Service
from movietui.tui.app import make_app


async def settle(pilot: Pilot) -> None:
    """Freeze what would differ between runs: blinking cursors and timed notifications."""
    await pilot.pause()
    for screen in pilot.app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


def keys(*presses: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
        await browse_applied(pilot)  # the search debounce
        await settle(pilot)

    return run_before


def test_welcome_screen(
    snap_compare, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No datasets lying around in the cwd or ~/Downloads, so the list is the manifest only.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    service = Service.open(home)
    try:
        assert snap_compare(make_app(service=service), terminal_size=SIZE, run_before=keys())
    finally:
        service.close()


def test_for_you_tab(snap_compare, profile_service: Service) -> None:
    assert snap_compare(make_app(service=profile_service), terminal_size=SIZE, run_before=keys())


def test_browse_search_with_brackets(snap_compare, profile_service: Service) -> None:
    app = make_app(service=profile_service)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("slash", *"[rec]"))


def test_movie_detail_with_similar(snap_compare, profile_service: Service) -> None:
    app = make_app(service=profile_service)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=keys("slash", *"amelie", "enter", "enter")
    )


def test_your_ratings_tab(snap_compare, profile_service: Service) -> None:
    assert snap_compare(make_app(service=profile_service), terminal_size=SIZE, run_before=keys("y"))


def test_training_tab(
    snap_compare, profile_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model history shows when each model was trained: one fixed time, in UTC.
    profile_service.store.conn.execute(
        "UPDATE models SET meta = json_set(meta, '$.service.trained_at', 1767225600.0)"
    )
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert snap_compare(
            make_app(service=profile_service), terminal_size=SIZE, run_before=keys("g")
        )
    finally:
        monkeypatch.undo()
        time.tzset()


def test_onboarding_screen(snap_compare, profile_service: Service) -> None:
    assert snap_compare(
        make_app(service=profile_service), terminal_size=SIZE, run_before=keys("o", "4")
    )


def test_help_screen(snap_compare, profile_service: Service) -> None:
    assert snap_compare(
        make_app(service=profile_service), terminal_size=SIZE, run_before=keys("question_mark")
    )
