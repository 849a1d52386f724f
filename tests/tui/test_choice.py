"""Choice: one widget for a few options, opened into a pop-up only when used."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual import on
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input
from tui_support import wait_until

from movietui.tui.widgets.choice import Choice, ChoiceList, ChoicePopup, first_containing

GENRES = ["Action", "Adventure", "Comedy", "Documentary", "Drama", "Film-Noir", "Western"]


class ChoiceApp(App[None]):
    def __init__(self, **choice) -> None:
        super().__init__()
        self.choice_args = choice
        self.heard: list[object] = []

    def compose(self) -> ComposeResult:
        yield Input(id="before")
        yield Choice([(g, g) for g in GENRES], id="genre", **self.choice_args)

    @on(Choice.Changed)
    def _changed(self, event: Choice.Changed) -> None:
        self.heard.append(event.value)


def shown(app: App) -> str:
    return "\n".join(
        "".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()
    )


async def opened(pilot: Pilot) -> ChoiceList:
    """Wait until the pop-up is up and its list has the keys (focus moves through messages)."""
    app = pilot.app
    await wait_until(
        pilot, lambda: isinstance(app.screen, ChoicePopup) and app.screen.query(ChoiceList)
    )
    options = app.screen.query_one(ChoiceList)
    await wait_until(pilot, lambda: app.focused is options)
    return options


async def closed(pilot: Pilot, choice: Choice) -> None:
    app = pilot.app
    await wait_until(
        pilot, lambda: not isinstance(app.screen, ChoicePopup) and app.focused is choice
    )


async def test_enter_opens_the_choices_typing_jumps_and_enter_picks() -> None:
    app = ChoiceApp(prompt="Any genre")
    async with app.run_test(size=(60, 20)) as pilot:
        choice = app.query_one(Choice)
        await wait_until(pilot, lambda: "Any genre   ▼" in shown(app))
        assert choice.value is Choice.NULL
        choice.focus()
        await wait_until(pilot, lambda: app.focused is choice)
        await pilot.press("enter")
        options = await opened(pilot)
        assert options.highlighted == 0  # the prompt, "no choice", is the current one
        assert all(genre in shown(app) for genre in GENRES)
        await pilot.press(*"dra")  # "d" finds Documentary; "dra" Drama
        await wait_until(pilot, lambda: options.highlighted == 1 + GENRES.index("Drama"))
        await pilot.press("enter")
        await closed(pilot, choice)
        assert choice.value == "Drama"
        await wait_until(pilot, lambda: app.heard == ["Drama"])
        assert "Drama       ▼" in shown(app)


async def test_escape_and_a_click_outside_keep_the_choice() -> None:
    app = ChoiceApp(value="Comedy")
    async with app.run_test(size=(60, 20)) as pilot:
        choice = app.query_one(Choice)
        choice.focus()
        await wait_until(pilot, lambda: app.focused is choice)
        await pilot.press("down")
        options = await opened(pilot)
        assert options.highlighted == GENRES.index("Comedy")
        await pilot.press("down", "escape")
        await closed(pilot, choice)
        await pilot.click(Choice)
        await opened(pilot)
        await pilot.click(offset=(58, 18))  # far from the list
        await closed(pilot, choice)
        await pilot.pause()
        assert choice.value == "Comedy" and app.heard == []


async def test_one_pop_up_at_a_time_and_it_opens_again_however_the_last_one_went() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(60, 20)) as pilot:
        choice = app.query_one(Choice)
        choice.action_open()
        choice.action_open()  # a key that reached the Choice before the list had the focus
        await opened(pilot)
        assert sum(isinstance(s, ChoicePopup) for s in app.screen_stack) == 1
        app.pop_screen()  # gone without a pick or Escape
        await wait_until(pilot, lambda: not isinstance(app.screen, ChoicePopup))
        choice.action_open()
        await opened(pilot)


async def test_a_choice_without_a_prompt_starts_on_its_first_option_and_refuses_others() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(60, 20)):
        choice = app.query_one(Choice)
        assert choice.value == "Action"
        with pytest.raises(ValueError, match="not one of genre's options"):
            choice.value = Choice.NULL
        with pytest.raises(ValueError):
            choice.value = "Musical"
        assert choice.value == "Action"


@given(st.lists(st.text(max_size=8), min_size=1, max_size=8), st.text(min_size=1, max_size=3))
def test_typing_jumps_to_the_earliest_match(labels: list[str], typed: str) -> None:
    index = first_containing(labels, typed)
    positions = [label.casefold().find(typed.casefold()) for label in labels]
    if index is None:
        assert all(p < 0 for p in positions)
    else:
        found = [p for p in positions if p >= 0]
        assert positions[index] == min(found)
        assert positions.index(min(found)) == index  # the first of equals
