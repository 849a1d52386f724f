"""The main screen's footer: one widget drawing the keys on offer; clicks press them."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input
from tui_support import wait_until

from movietui.tui.widgets.footer import KeyFooter


class FooterApp(App[None]):
    BINDINGS = [
        Binding("f2", "note('a')", "Alpha"),  # (printable keys would be the Input's)
        Binding("f3", "note('b')", "Beta"),
        Binding("f4", "locked", "Locked"),
        Binding("f5", "note('z')", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Input(id="field")
        yield KeyFooter()

    def action_note(self, what: str) -> None:
        self.notes.append(what)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "locked" else True  # shown, but disabled

    def bell(self) -> None:
        self.bells += 1


def footer_line(app: App) -> str:
    return app.query_one(KeyFooter).render().plain


async def test_the_footer_shows_the_keys_on_offer_and_a_click_presses_one() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        footer = app.query_one(KeyFooter)
        await wait_until(pilot, lambda: "Alpha" in footer_line(app), timeout=60)
        line = footer_line(app)
        assert line.startswith(" f2 Alpha  f3 Beta  f4 Locked ") and "Hidden" not in line
        assert line.rstrip().endswith("▏^p palette") and len(line) == 80
        assert [(k.display, k.enabled) for k in footer.keys] == [
            ("f2", True),
            ("f3", True),
            ("f4", False),
        ]
        app.set_focus(None)
        await pilot.click(KeyFooter, offset=(line.index("Beta"), 0))
        await wait_until(pilot, lambda: app.notes == ["b"])
        await pilot.click(KeyFooter, offset=(line.index("Locked"), 0))
        await wait_until(pilot, lambda: app.bells == 1)
        assert app.notes == ["b"]
        plain = footer.render()
        await pilot.hover(KeyFooter, offset=(line.index("Alpha"), 0))
        await wait_until(pilot, lambda: footer.render() != plain, timeout=60)
        changed = set(footer.render().spans) - set(plain.spans)
        # only the key under the pointer looks different
        assert changed and all(s.end <= len(" f2 Alpha ") for s in changed)


async def test_the_footer_follows_the_focus() -> None:
    """An Input's bindings (shown ones) join the app's while it has the focus."""

    class ShownInput(Input):
        BINDINGS = [Binding("ctrl+e", "note_here", "Edit note")]

        def action_note_here(self) -> None:
            self.app.notes.append("here")  # type: ignore[attr-defined]

    class FocusApp(FooterApp):
        def compose(self) -> ComposeResult:
            yield ShownInput(id="field")
            yield KeyFooter()

    app = FocusApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await wait_until(pilot, lambda: "Edit note" in footer_line(app), timeout=60)
        app.set_focus(None)
        await wait_until(pilot, lambda: "Edit note" not in footer_line(app), timeout=60)
        assert "Alpha" in footer_line(app)
        app.query_one(ShownInput).focus()
        await wait_until(pilot, lambda: "Edit note" in footer_line(app))
