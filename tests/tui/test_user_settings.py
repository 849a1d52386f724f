"""settings.toml in the running app: keys, theme, default profile and filters; a bad entry is one
warning and the app still starts."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TabbedContent
from tui_support import wait_until

from movietui.service import Service
from movietui.settings import load_settings
from movietui.tui.app import make_app
from movietui.tui.user_settings import binding_ids


def test_every_binding_of_the_app_has_an_id_the_file_can_name() -> None:
    ids = binding_ids()
    assert {"app.quit", "main.tab.browse", "main.tab.recs"} <= ids


async def test_the_file_rebinds_keys_sets_theme_and_profile_and_reports_bad_lines(
    service: Service, trained_home: Path
) -> None:
    service.create_profile("Ada")
    service.create_profile("Bo")  # current now; the file asks for Ada
    settings = service.paths.settings
    settings.write_text(
        'theme = "nord"\n'
        'default_profile = "ada"\n'
        "[keys]\n"
        '"main.tab.browse" = "B"\n'  # a capital B opens Browse
        '"main.tab.nope" = "x"\n',  # line 5: not a binding id
        encoding="utf-8",
    )
    app = make_app(service=service)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen is not None and app.main_screen.is_mounted)
        warnings = [n.message for n in app._notifications]
        assert any("line 5" in w and "main.tab.nope" in w for w in warnings)
        assert app.theme == "nord"
        assert service.current_profile is not None and service.current_profile.name == "Ada"
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("f")
        await wait_until(pilot, lambda: tabs.active == "recs")
        await pilot.press("B")
        await wait_until(pilot, lambda: tabs.active == "browse")
        app.theme = "gruvbox"  # as the theme picker does
        await pilot.pause()
    assert load_settings(settings).settings.theme == "gruvbox"
    assert '"main.tab.browse" = "B"' in settings.read_text()  # the rest of the file is kept


async def test_a_broken_file_is_one_warning_and_the_app_starts(service: Service) -> None:
    service.paths.settings.write_text("theme = \n", encoding="utf-8")
    app = make_app(service=service)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.main_screen is not None and app.main_screen.is_mounted)
        warnings = [n.message for n in app._notifications]
        assert len(warnings) >= 1 and "settings.toml" in warnings[0] and "line 1" in warnings[0]
