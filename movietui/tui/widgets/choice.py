"""A one-line choice of a few options: one widget where Textual's Select mounts five.

Browse's filter row held three Selects, 15 of the pane's 28 widgets; composing, styling
and drawing them was a third of the tab's first visit. A Choice draws its current option
itself and shows the options only when opened (Enter, space, ↑/↓ or a click), in a
pop-up screen that exists while it is open. There, typing jumps to the first option
containing the letters typed (as in Select); Enter picks, Escape or a click outside keeps
the choice as it was.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.widgets.select import NULL, NoSelection

ARROW = " ▼"
SEARCH_RESET_S = 0.7  # a pause this long starts a new type-to-jump search
MAX_SHOWN = 12  # options visible at once in the pop-up


class Choice(Widget, can_focus=True):
    """One of ``options`` ((label, value) pairs), or ``NULL`` when ``prompt`` is given:
    the label shown while nothing is chosen. Setting ``value`` posts ``Changed``."""

    DEFAULT_CSS = """
    Choice {
        width: auto;
        height: 1;
        padding: 0 1 0 0;
        background: $surface;
        color: $foreground;
        pointer: pointer;
        &.-blank { color: $foreground 50%; }
        &:focus { background-tint: $foreground 5%; text-style: bold; }
    }
    """
    BINDINGS = [Binding("enter,down,space,up", "open", "Show the choices", show=False)]

    NULL = NULL
    value: reactive[Hashable | NoSelection] = reactive[Hashable | NoSelection](NULL, init=False)

    class Changed(Message):
        """The value changed (by the person or by code)."""

        def __init__(self, choice: Choice, value: Hashable | NoSelection) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(
        self,
        options: Iterable[tuple[str, Hashable]],
        *,
        prompt: str | None = None,
        value: Hashable | NoSelection = NULL,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.options = list(options)
        self.prompt = prompt
        if value is NULL and prompt is None:
            value = self.options[0][1]
        self.set_reactive(Choice.value, self.validate_value(value))
        self.set_class(value is NULL, "-blank")

    def validate_value(self, value: Hashable | NoSelection) -> Hashable | NoSelection:
        if value is NULL and self.prompt is not None:
            return value
        if any(value == choice for _, choice in self.options):
            return value
        raise ValueError(f"{value!r} is not one of {self.id or 'the choice'}'s options")

    def watch_value(self, value: Hashable | NoSelection) -> None:
        self.set_class(value is NULL, "-blank")
        self.post_message(self.Changed(self, value))

    def _entries(self) -> list[tuple[str, Hashable | NoSelection]]:
        """What the pop-up lists: the prompt ("no choice") first when there is one."""
        blank: list[tuple[str, Hashable | NoSelection]] = []
        if self.prompt is not None:
            blank = [(self.prompt, NULL)]
        return blank + list(self.options)

    def label(self) -> str:
        return next(label for label, value in self._entries() if value == self.value)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(len(label) for label, _ in self._entries()) + len(ARROW)

    def render(self) -> Text:
        text = Text(self.label(), no_wrap=True)
        text.truncate(max(0, self.content_size.width - len(ARROW)), overflow="ellipsis", pad=True)
        return text + Text(ARROW, style="dim")

    _popup: ChoicePopup | None = None  # the last pop-up opened, up while on the screen stack

    def action_open(self) -> None:
        # keys that reach the Choice before its pop-up's list has the focus must not stack a
        # second pop-up; one that left the stack any way at all no longer counts
        if self._popup is not None and self._popup in self.app.screen_stack:
            return
        entries = self._entries()
        current = next(i for i, (_, value) in enumerate(entries) if value == self.value)
        self._popup = ChoicePopup([label for label, _ in entries], current, self.region)

        def picked(index: int | None) -> None:
            self.focus()
            if index is not None:
                self.value = entries[index][1]

        self.app.push_screen(self._popup, picked)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_open()


class ChoiceList(OptionList):
    """The pop-up's list; printable keys jump to the first option containing them."""

    def __init__(self, labels: list[str], **kwargs) -> None:
        super().__init__(*(Option(label) for label in labels), **kwargs)
        self.labels = labels
        self._typed = ""
        self._typed_at = 0.0

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable()

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.is_printable or event.character == " ":
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        self._typed = (
            self._typed if now - self._typed_at < SEARCH_RESET_S else ""
        ) + event.character
        self._typed_at = now
        index = first_containing(self.labels, self._typed)
        if index is not None:
            self.highlighted = index


def first_containing(labels: list[str], typed: str) -> int | None:
    """The option whose label holds ``typed`` earliest (ties: the first such option)."""
    found = [(label.casefold().find(typed.casefold()), i) for i, label in enumerate(labels)]
    hits = [(at, i) for at, i in found if at >= 0]
    return min(hits)[1] if hits else None


class ChoicePopup(ModalScreen[int | None]):
    """The options under (or, near the bottom, over) the Choice whose region is ``opener``; dismissed
    with the index picked, or None."""

    DEFAULT_CSS = f"""
    ChoicePopup {{ background: transparent; }}
    ChoicePopup > ChoiceList {{
        height: auto;
        max-height: {MAX_SHOWN + 2};  /* the border's two lines */
        border: tall $border;
        background: $surface;
        & > .option-list--option {{ padding: 0 1; }}
    }}
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Keep the choice", show=False)]

    def __init__(self, labels: list[str], current: int, opener: Region) -> None:
        super().__init__()
        self.labels = labels
        self.current = current
        self.opener = opener

    def compose(self):
        yield ChoiceList(self.labels)

    def on_mount(self) -> None:
        self.styles.align = ("left", "top")  # inline: the app centres every ModalScreen
        options = self.query_one(ChoiceList)
        scrollbar = 2 if len(self.labels) > MAX_SHOWN else 0
        longest = max(len(label) for label in self.labels)
        width = max(self.opener.width, longest + 6 + scrollbar)  # border 2, paddings 4
        height = min(MAX_SHOWN, len(self.labels)) + 2
        below = self.opener.bottom
        y = below if below + height <= self.size.height else max(0, self.opener.y - height)
        options.styles.width = width
        options.styles.offset = (min(self.opener.x, max(0, self.size.width - width)), y)
        options.highlighted = self.current
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # outside the list
            self.dismiss(None)
